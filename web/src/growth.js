// The record's growth charts: height, weight and BMI over time, drawn as
// three small SVG line charts from GET /children/{id}/growth.json (the same
// access decision and audit as the page). The page's table has the same
// figures, so without this script nothing is lost; the charts are marked
// as images with a text summary for screen readers.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 30 };

const SERIES = [
  { key: 'height_cm', title: 'Height', unit: 'cm' },
  { key: 'weight_kg', title: 'Weight', unit: 'kg' },
  { key: 'bmi', title: 'Body mass index (BMI)', unit: '' },
];

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function dayOf(iso) {
  return Date.parse(`${iso}T00:00:00Z`) / 86400000;
}

function ukDate(iso) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  });
}

function chart(points, series, index) {
  const values = points.filter((p) => typeof p[series.key] === 'number');
  const figure = document.createElement('figure');
  figure.className = 'growth-chart';
  const caption = document.createElement('figcaption');
  caption.className = 'nhsuk-body-s growth-chart__caption';
  caption.id = `growth-chart-${index}`;
  const unit = series.unit ? ` (${series.unit})` : '';
  caption.textContent = `${series.title}${unit}`;
  figure.append(caption);
  if (values.length === 0) {
    const none = document.createElement('p');
    none.className = 'nhsuk-body-s';
    none.textContent = 'No measurements.';
    figure.append(none);
    return figure;
  }
  const first = values[0];
  const last = values[values.length - 1];
  const summary = `${series.title}: ${values.length} measurement${values.length === 1 ? '' : 's'}, ` +
    `from ${first[series.key]}${series.unit ? ' ' + series.unit : ''} on ${ukDate(first.date)} ` +
    `to ${last[series.key]}${series.unit ? ' ' + series.unit : ''} on ${ukDate(last.date)}.`;
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'growth-chart__svg', role: 'img',
    'aria-labelledby': caption.id, 'aria-describedby': `${caption.id}-summary`,
  });
  const desc = document.createElement('p');
  desc.className = 'nhsuk-u-visually-hidden';
  desc.id = `${caption.id}-summary`;
  desc.textContent = summary;

  const xs = values.map((p) => dayOf(p.date));
  const ys = values.map((p) => p[series.key]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) { x0 -= 30; x1 += 30; }
  const spread = y1 - y0 || Math.max(1, y1 * 0.1);
  y0 = Math.max(0, y0 - spread * 0.1);
  y1 += spread * 0.1;
  const px = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right);
  const py = (y) => HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - PAD.top - PAD.bottom);

  // Axes with their end values: enough to read the trend; the table has the rest.
  svg.append(el('line', { x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom, class: 'growth-chart__axis' }));
  svg.append(el('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: HEIGHT - PAD.bottom, class: 'growth-chart__axis' }));
  svg.append(el('text', { x: PAD.left - 6, y: py(y1) + 4, 'text-anchor': 'end', class: 'growth-chart__label' }, y1.toFixed(1)));
  svg.append(el('text', { x: PAD.left - 6, y: py(y0) + 4, 'text-anchor': 'end', class: 'growth-chart__label' }, y0.toFixed(1)));
  svg.append(el('text', { x: PAD.left, y: HEIGHT - 8, 'text-anchor': 'start', class: 'growth-chart__label' }, ukDate(first.date)));
  if (values.length > 1) {
    svg.append(el('text', { x: WIDTH - PAD.right, y: HEIGHT - 8, 'text-anchor': 'end', class: 'growth-chart__label' }, ukDate(last.date)));
  }
  svg.append(el('polyline', {
    points: values.map((p, i) => `${px(xs[i]).toFixed(1)},${py(ys[i]).toFixed(1)}`).join(' '),
    class: 'growth-chart__line',
  }));
  values.forEach((p, i) => {
    const dot = el('circle', { cx: px(xs[i]).toFixed(1), cy: py(ys[i]).toFixed(1), r: 3.5, class: 'growth-chart__point' });
    dot.append(el('title', {}, `${ukDate(p.date)}: ${p[series.key]}${series.unit ? ' ' + series.unit : ''}`));
    svg.append(dot);
  });
  figure.append(svg, desc);
  return figure;
}

async function draw(container) {
  const response = await fetch(container.dataset.growthSrc, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) return;  // the table below still has every figure
  const { points } = await response.json();
  if (!Array.isArray(points) || points.length === 0) return;
  container.replaceChildren(...SERIES.map((s, i) => chart(points, s, i)));
  container.classList.add('growth-charts--drawn');
}

export function initGrowthCharts(root) {
  for (const container of root.querySelectorAll('[data-growth-src]')) {
    draw(container).catch(() => {});
  }
}
