// The outcomes charts: plain SVG built with DOM APIs from the indicator's
// JSON (/outcomes/{id}.json). Each chart has a <title> and a <desc>, and the
// page has the same figures in tables, so nothing depends on this script or
// on colour alone. No inline styles: colours come from classes in
// outcomes.css (the Content-Security-Policy forbids style attributes).
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
let chartCount = 0;

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(v) {
  return v === null || v === undefined || Number.isNaN(v) ? '' : Number(v).toFixed(1);
}

function withUnit(v, unit) {
  const n = fmt(v);
  if (n === '') return 'suppressed or not available';
  return unit === '%' ? `${n}%` : `${n} ${unit}`;
}

// A round step for about five ticks between lo and hi.
function ticks(lo, hi) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step / 2; t += step) out.push(Number(t.toFixed(10)));
  return out;
}

// The top of a value axis: the largest interval, but no more than 100% or
// two and a half times the largest value, so one small group's very wide
// interval does not flatten every other bar (its whisker is cut at the edge).
function axisTop(values, uppers, unit) {
  const maxValue = Math.max(0, ...values);
  let top = Math.max(maxValue, ...uppers);
  if (unit === '%') top = Math.min(top, 100);
  if (maxValue > 0) top = Math.min(top, maxValue * 2.5);
  return top > 0 ? top : 1;
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

function shown(c) {
  return c && !c.suppressed && c.value !== null;
}

function comparisonClass(c) {
  return `onechild-chart__mark--${['better', 'similar', 'worse', 'higher', 'lower'].includes(c.compared_95) ? c.compared_95 : 'none'}`;
}

function frame(holder, title, desc, height) {
  const id = `onechild-chart-${++chartCount}`;
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`,
    class: 'onechild-chart__svg', focusable: 'false',
  });
  svg.append(el('title', { id: `${id}-title` }, title), el('desc', { id: `${id}-desc` }, desc));
  holder.replaceChildren(svg);
  return svg;
}

// A vertical value axis from lo to hi over [top, bottom] at x = left.
function valueAxis(svg, lo, hi, top, bottom, left, right, unit) {
  const ts = ticks(lo, hi);
  const min = ts[0];
  const max = ts[ts.length - 1];
  const y = (v) => bottom - ((v - min) / (max - min)) * (bottom - top);
  for (const t of ts) {
    svg.append(el('line', { x1: left, x2: right, y1: y(t), y2: y(t), class: 'onechild-chart__grid' }));
    svg.append(el('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'onechild-chart__label' },
      unit === '%' ? `${t}%` : String(t)));
  }
  return y;
}

function legend(svg, y, items) {
  let x = 10;
  for (const [cls, text] of items) {
    svg.append(el('rect', { x, y: y - 10, width: 12, height: 12, class: `onechild-chart__mark ${cls}` }));
    svg.append(el('text', { x: x + 16, y, class: 'onechild-chart__label' }, text));
    x += 24 + text.length * 7;
  }
}

const COMPARISON_LEGEND = [
  ['onechild-chart__mark--better', 'Better'], ['onechild-chart__mark--similar', 'Similar'],
  ['onechild-chart__mark--worse', 'Worse'], ['onechild-chart__mark--higher', 'Higher'],
  ['onechild-chart__mark--lower', 'Lower'], ['onechild-chart__mark--none', 'Not compared'],
];

function drawTrend(holder, data) {
  const points = data.trend;
  const height = 260;
  const svg = frame(holder, `${data.name}: trend over ${points.length} periods`,
    points.map((p) => `${p.period_end}: ${withUnit(p.value, data.unit)}`).join('; '), height);
  const ok = points.filter(shown);
  if (ok.length === 0) return;
  const hiV = axisTop(ok.map((p) => p.value), ok.map((p) => p.ci95[1] ?? p.value), data.unit);
  const loV = Math.max(0, Math.min(...ok.map((p) => p.ci95[0] ?? p.value)));
  const left = 70; const right = WIDTH - 20; const top = 20; const bottom = height - 50;
  const y0 = valueAxis(svg, loV, hiV, top, bottom, left, right, data.unit);
  const y = (v) => clamp(y0(v), top, bottom);
  const step = (right - left) / Math.max(points.length, 1);
  const x = (i) => left + step * (i + 0.5);
  let path = '';
  points.forEach((p, i) => {
    svg.append(el('text', { x: x(i), y: bottom + 20, 'text-anchor': 'middle', class: 'onechild-chart__label' },
      `to ${p.period_end.slice(0, 7)}`));
    if (!shown(p)) {
      svg.append(el('text', { x: x(i), y: bottom - 8, 'text-anchor': 'middle', class: 'onechild-chart__label' }, '*'));
      return;
    }
    if (p.ci95[0] !== null) {
      svg.append(el('line', { x1: x(i), x2: x(i), y1: y(p.ci95[0]), y2: y(p.ci95[1]), class: 'onechild-chart__whisker' }));
    }
    path += `${path ? 'L' : 'M'}${x(i)},${y(p.value)}`;
  });
  if (path) svg.insertBefore(el('path', { d: path, class: 'onechild-chart__line' }), svg.children[2]);
  points.forEach((p, i) => {
    if (!shown(p)) return;
    const dot = el('circle', { cx: x(i), cy: y(p.value), r: 5, class: 'onechild-chart__point' });
    dot.append(el('title', {}, `${p.period_end}: ${withUnit(p.value, data.unit)}`));
    svg.append(dot);
  });
}

function drawBars(holder, data, breakdown) {
  const cells = data.breakdowns[breakdown] ?? [];
  const row = 22;
  const top = 10; const left = 230; const right = WIDTH - 20;
  const bottom = top + row * cells.length;
  const height = bottom + 50;
  const ics = data.ics && shown(data.ics) ? data.ics.value : null;
  const svg = frame(holder, `${data.name} by ${breakdown === 'practice' ? 'GP practice' : 'place'}`,
    `${cells.length} groups; ICS ${withUnit(ics, data.unit)}. The table below has every figure.`, height);
  const ok = cells.filter(shown);
  const values = ok.map((c) => c.value).concat(ics === null ? [] : [ics]);
  const ts = ticks(0, axisTop(values, ok.map((c) => c.ci95[1] ?? c.value), data.unit));
  const hi = ts[ts.length - 1];
  const x = (v) => left + (clamp(v, 0, hi) / hi) * (right - left);
  for (const t of ts) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: top, y2: bottom, class: 'onechild-chart__grid' }));
    svg.append(el('text', { x: x(t), y: bottom + 16, 'text-anchor': 'middle', class: 'onechild-chart__label' },
      data.unit === '%' ? `${t}%` : String(t)));
  }
  cells.forEach((c, i) => {
    const yMid = top + row * i + row / 2;
    const name = c.name.length > 32 ? `${c.name.slice(0, 31)}…` : c.name;
    svg.append(el('text', { x: left - 6, y: yMid + 4, 'text-anchor': 'end', class: 'onechild-chart__label' }, name));
    if (!shown(c)) {
      svg.append(el('text', { x: left + 4, y: yMid + 4, class: 'onechild-chart__label' }, '* suppressed'));
      return;
    }
    const bar = el('rect', { x: left, y: yMid - 7, width: Math.max(x(c.value) - left, 1), height: 14,
      class: `onechild-chart__mark ${comparisonClass(c)}` });
    bar.append(el('title', {}, `${c.name}: ${withUnit(c.value, data.unit)} (${c.compared_95})`));
    svg.append(bar);
    if (c.ci95[0] !== null) {
      svg.append(el('line', { x1: x(c.ci95[0]), x2: x(c.ci95[1]), y1: yMid, y2: yMid, class: 'onechild-chart__whisker' }));
      for (const v of c.ci95) {
        svg.append(el('line', { x1: x(v), x2: x(v), y1: yMid - 4, y2: yMid + 4, class: 'onechild-chart__whisker' }));
      }
    }
  });
  if (ics !== null) {
    svg.append(el('line', { x1: x(ics), x2: x(ics), y1: top, y2: bottom, class: 'onechild-chart__benchmark' }));
  }
  legend(svg, height - 10, [...COMPARISON_LEGEND.slice(0, 3), ['onechild-chart__mark--none', 'Not compared'],
    ['onechild-chart__key-benchmark', 'ICS value (line)']]);
}

function drawFunnel(holder, data, breakdown) {
  const cells = (data.breakdowns[breakdown] ?? []).filter((c) => shown(c) && c.denominator);
  const height = 320;
  const left = 70; const right = WIDTH - 20; const top = 20; const bottom = height - 60;
  const svg = frame(holder, `${data.name}: funnel plot of ${breakdown === 'practice' ? 'practices' : 'areas'}`,
    'Each point is a value against its denominator; the curves are the 95% and 99.8% control limits around the ICS average.', height);
  if (cells.length === 0) return;
  const withLimits = cells.filter((c) => c.funnel99_8[0] !== null);
  const vals = cells.map((c) => c.value).concat(withLimits.flatMap((c) => c.funnel99_8));
  const y = valueAxis(svg, Math.min(...vals), Math.max(...vals), top, bottom, left, right, data.unit);
  const maxN = Math.max(...cells.map((c) => c.denominator));
  const nTicks = ticks(0, maxN);
  const x = (n) => left + (n / nTicks[nTicks.length - 1]) * (right - left);
  for (const t of nTicks) {
    svg.append(el('text', { x: x(t), y: bottom + 16, 'text-anchor': 'middle', class: 'onechild-chart__label' }, String(t)));
  }
  svg.append(el('text', { x: (left + right) / 2, y: bottom + 34, 'text-anchor': 'middle', class: 'onechild-chart__label' }, 'Denominator'));
  const sorted = [...withLimits].sort((a, b) => a.denominator - b.denominator);
  const curve = (pick, cls) => {
    if (sorted.length < 2) return;
    const d = sorted.map((c, i) => `${i ? 'L' : 'M'}${x(c.denominator)},${y(pick(c))}`).join('');
    svg.append(el('path', { d, class: cls }));
  };
  curve((c) => c.funnel95[0], 'onechild-chart__limit');
  curve((c) => c.funnel95[1], 'onechild-chart__limit');
  curve((c) => c.funnel99_8[0], 'onechild-chart__limit onechild-chart__limit--outer');
  curve((c) => c.funnel99_8[1], 'onechild-chart__limit onechild-chart__limit--outer');
  if (data.ics && shown(data.ics)) {
    svg.append(el('line', { x1: left, x2: right, y1: y(data.ics.value), y2: y(data.ics.value), class: 'onechild-chart__benchmark' }));
  }
  for (const c of cells) {
    const outside = c.funnel99_8[0] !== null && (c.value < c.funnel99_8[0] || c.value > c.funnel99_8[1]);
    const dot = el('circle', { cx: x(c.denominator), cy: y(c.value), r: outside ? 5 : 4,
      class: outside ? 'onechild-chart__point onechild-chart__point--outside' : 'onechild-chart__point' });
    dot.append(el('title', {}, `${c.name}: ${withUnit(c.value, data.unit)} of ${c.denominator}${outside ? ', outside the 99.8% limits' : ''}`));
    svg.append(dot);
  }
  legend(svg, height - 6, [['onechild-chart__key-limit', '95% limits'], ['onechild-chart__key-outer', '99.8% limits'],
    ['onechild-chart__point--outside', 'Outside 99.8% (larger point)'], ['onechild-chart__key-benchmark', 'ICS average']]);
}

function drawInequality(holder, data) {
  const cells = (data.breakdowns['imd-decile'] ?? []).filter((c) => /^\d+$/.test(c.group))
    .sort((a, b) => Number(a.group) - Number(b.group));
  const sii = data.sii;
  const siiText = sii
    ? `Slope index of inequality ${fmt(sii.slope)} (95% CI ${fmt(sii.ci95[0])} to ${fmt(sii.ci95[1])})`
    : 'The slope index of inequality cannot be calculated';
  const height = 300;
  const left = 70; const right = WIDTH - 20; const top = 20; const bottom = height - 60;
  const svg = frame(holder, `${data.name} by IMD decile`, `${siiText}. Decile 1 is the most deprived.`, height);
  const known = cells.filter((c) => c.denominator);
  if (known.length === 0) return;
  const ok = known.filter(shown);
  const y0 = valueAxis(svg, 0, axisTop(ok.map((c) => c.value), ok.map((c) => c.ci95[1] ?? c.value), data.unit),
    top, bottom, left, right, data.unit);
  const y = (v) => clamp(y0(v), top, bottom);
  // Bars as wide as each decile's share of the children, as the SII places them.
  const total = known.reduce((s, c) => s + c.denominator, 0);
  let cum = 0;
  const x = (share) => left + share * (right - left);
  let sw = 0; let swx = 0; let swy = 0;
  for (const c of known) {
    const from = cum / total;
    cum += c.denominator;
    const to = cum / total;
    const mid = (from + to) / 2;
    svg.append(el('text', { x: x(mid), y: bottom + 16, 'text-anchor': 'middle', class: 'onechild-chart__label' }, c.group));
    if (!shown(c)) continue;
    sw += c.denominator; swx += c.denominator * mid; swy += c.denominator * c.value;
    const bar = el('rect', { x: x(from) + 1, y: y(Math.max(c.value, 0)), width: Math.max(x(to) - x(from) - 2, 1),
      height: Math.abs(y(c.value) - y(0)), class: 'onechild-chart__mark onechild-chart__mark--decile' });
    bar.append(el('title', {}, `Decile ${c.group}: ${withUnit(c.value, data.unit)}`));
    svg.append(bar);
    if (c.ci95[0] !== null) {
      svg.append(el('line', { x1: x(mid), x2: x(mid), y1: y(c.ci95[0]), y2: y(c.ci95[1]), class: 'onechild-chart__whisker' }));
    }
  }
  svg.append(el('text', { x: (left + right) / 2, y: bottom + 34, 'text-anchor': 'middle', class: 'onechild-chart__label' },
    'IMD decile (1 most deprived), width by number of children'));
  if (sii && sw > 0 && sii.slope !== null) {
    // The fitted line passes through the weighted means.
    const mx = swx / sw; const my = swy / sw;
    svg.append(el('line', { x1: x(0), y1: y(my - sii.slope * mx), x2: x(1), y2: y(my + sii.slope * (1 - mx)),
      class: 'onechild-chart__sii' }));
  }
  svg.append(el('text', { x: left, y: height - 8, class: 'onechild-chart__label' }, `${siiText} (dashed line).`));
}

function draw(holder, data) {
  const kind = holder.dataset.chart;
  const breakdown = holder.dataset.breakdown;
  if (kind === 'trend') drawTrend(holder, data);
  else if (kind === 'bar') drawBars(holder, data, breakdown);
  else if (kind === 'funnel') drawFunnel(holder, data, breakdown);
  else if (kind === 'inequality') drawInequality(holder, data);
}

export function initCharts(root) {
  const holders = root.querySelectorAll('.onechild-chart[data-chart][data-src]');
  const requests = new Map();
  for (const holder of holders) {
    const src = holder.dataset.src;
    if (!src.startsWith('/outcomes/')) continue;
    if (!requests.has(src)) {
      requests.set(src, fetch(src, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))));
    }
    requests.get(src).then((data) => draw(holder, data)).catch(() => {
      const p = document.createElement('p');
      p.className = 'nhsuk-body-s';
      p.textContent = 'The chart could not be drawn. Its figures are in the table below.';
      holder.replaceChildren(p);
    });
  }
}
