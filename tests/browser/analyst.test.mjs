// Browser journey: the ICS analyst reads the outcomes dashboard, opens one
// indicator, breaks it down by IMD quintile, downloads the CSV, and reads
// the board summary. Aggregates only: the analyst cannot search for a child.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to web/dist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildIcs, newPage, logIn, checkAccessibility, checkKeyboard, screenshot, sql, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl;

before(async () => {
  ics = buildIcs();
  journey = await openJourney(ics);
  ({ url: baseUrl, browser } = journey);
});

after(() => journey?.close());

// RFC 4180 fields of one line (names and units may hold commas: "per 100,000").
function csvFields(line) {
  const out = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { field += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

// An indicator of the latest run with IMD quintile rows: the journey's choice.
function indicatorWithQuintiles() {
  // A percentage with figures to see (fewest suppressed quintiles) makes the clearest screenshot.
  const rows = sql(ics.db, `SELECT r.indicator, count(*) FROM indicator_results r
    JOIN json_each((SELECT definitions FROM indicator_runs ORDER BY id DESC LIMIT 1)) d
      ON json_extract(d.value, '$.id') = r.indicator
    WHERE r.run_id = (SELECT max(id) FROM indicator_runs) AND r.period = 0
      AND r.breakdown = 'imd-quintile' AND r.group_code <> 'not-known'
    GROUP BY r.indicator
    ORDER BY count(*) DESC, json_extract(d.value, '$.unit') = '%' DESC,
      sum(r.suppressed <> '') ASC, sum(coalesce(r.numerator, 0)) > 0 DESC, r.indicator LIMIT 1`);
  assert.ok(rows.length, 'the synthetic ICS has an indicator broken down by IMD quintile');
  return { id: rows[0][0], quintiles: Number(rows[0][1]) };
}

test('the analyst filters an indicator by IMD quintile, downloads the CSV and reads the board', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'analyst');

  // The dashboard: every indicator, comparison and trend in words.
  await page.goto(`${baseUrl}/outcomes`);
  assert.equal(await page.textContent('h1'), 'Outcomes');
  assert.match(await page.textContent('#run'), /Computed .* for 1 November 2026/);
  const indicators = Number(sql(ics.db, 'SELECT count(DISTINCT indicator) FROM indicator_results WHERE run_id = (SELECT max(id) FROM indicator_runs)')[0][0]);
  assert.equal(await page.locator('main tbody th a').count(), indicators);
  assert.ok(await page.locator('main .nhsuk-tag').count() >= indicators);
  await checkAccessibility(page, '/outcomes');
  await checkKeyboard(page, '/outcomes');

  // One indicator, through its link.
  const { id, quintiles } = indicatorWithQuintiles();
  await page.click(`main a[href="/outcomes/${id}"]`);
  assert.match(page.url(), new RegExp(`/outcomes/${id}$`));
  await page.click('#definition summary');
  assert.match(await page.textContent('#definition'), /Suppression rule/);

  // Break down by IMD quintile.
  await page.selectOption('#breakdown', { label: 'IMD quintile' });
  await page.click('main form button[type=submit]');
  assert.match(page.url(), /breakdown=imd-quintile/);
  const groups = await page.$$eval('#breakdown-table tbody th', (ths) => ths.map((t) => t.textContent));
  assert.ok(groups.filter((g) => /^Quintile \d/.test(g)).length === quintiles,
    `expected ${quintiles} quintile rows, got ${groups.join(', ')}`);
  // The charts drew from the JSON (and broke no policy: checkAccessibility
  // fails on console errors).
  await page.waitForSelector('.onechild-chart[data-chart="trend"] svg title', { state: 'attached' });
  await page.waitForSelector('.onechild-chart[data-chart="inequality"] svg', { state: 'attached' });
  assert.match(await page.textContent('#sii'), /[Ss]lope index of inequality/);
  await checkAccessibility(page, `/outcomes/${id}?breakdown=imd-quintile`);
  await screenshot(page, 'analyst-outcomes');

  // The CSV of that breakdown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  assert.match(download.suggestedFilename(), new RegExp(`^onechild-${id}-imd-quintile-2026-11-01\\.csv$`));
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.match(csv[0], /^indicator,name,unit,period_start,period_end,breakdown,group,group_name,numerator,denominator,value/);
  const header = csvFields(csv[0]);
  const rows = csv.slice(1).map(csvFields);
  assert.ok(rows.length >= quintiles);
  assert.ok(rows.every((r) => r.length === header.length && r[5] === 'imd-quintile'));
  assert.ok(rows.some((r) => r[7] === 'Quintile 1 (most deprived)'));
  // A suppressed cell is empty and flagged, never a zero.
  const flag = header.indexOf('suppressed');
  const value = header.indexOf('value');
  for (const r of rows.filter((row) => row[flag] !== '')) assert.equal(r[value], '');

  // The board summary: alerts counted in words at the top.
  await page.goto(`${baseUrl}/board`);
  assert.equal(await page.textContent('h1'), 'Board summary');
  assert.match(await page.textContent('#alerts'), /indicators? needs? attention|No indicator is worse/);
  await checkAccessibility(page, '/board');
  await screenshot(page, 'board-summary');

  // Aggregates only: no child search.
  const search = await page.goto(`${baseUrl}/search`);
  assert.equal(search.status(), 403);
  await page.context().close();

  const audited = sql(ics.db, "SELECT count(*) FROM audit_events WHERE action = 'view-indicators' AND username = 'analyst' AND children = ''");
  assert.ok(Number(audited[0][0]) >= 4, 'each aggregate view is audited');
});

test('other roles cannot open the dashboard', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'hv');
  const r = await page.goto(`${baseUrl}/outcomes`);
  assert.equal(r.status(), 403);
  await page.context().close();
});
