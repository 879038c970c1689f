// Browser journey: a parent sees their child's immunisations in the family
// view (the digital red book), and a parent whose access is suspended at 13
// is told why instead of seeing the record.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to web/dist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIcs, newPage, logIn, checkAccessibility, checkKeyboard, screenshot, sql, grantFamily, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl, child, teenager;

// Dates as the server sees them: access rules run on today's date.
const yearsAgo = (n) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - n);
  return d.toISOString().slice(0, 10);
};

before(async () => {
  ics = buildIcs();
  // A child under 12 with an immunisation given, recorded by their GP.
  const rows = sql(ics.db, `SELECT l.child_id FROM links l
    JOIN source_persons p ON p.id = l.source_person_id AND p.superseded_by IS NULL
    JOIN source_systems s ON s.id = p.source_system_id AND s.code = 'gp'
    JOIN source_events e ON e.source_system_id = p.source_system_id
     AND e.person_original_id = p.original_id AND e.superseded_by IS NULL
    WHERE e.kind = 'immunisation' AND (e.status IS NULL OR e.status = 'completed')
      AND p.birth_date > '${yearsAgo(12)}'
    GROUP BY l.child_id ORDER BY l.child_id LIMIT 1`);
  assert.equal(rows.length, 1, 'the synthetic ICS has a young child with an immunisation');
  child = rows[0][0];
  // A 14-year-old: a parent's access is suspended for review at 13.
  teenager = sql(ics.db, `SELECT l.child_id FROM links l
    JOIN source_persons p ON p.id = l.source_person_id AND p.superseded_by IS NULL
    GROUP BY l.child_id HAVING min(p.birth_date) > '${yearsAgo(15)}' AND max(p.birth_date) < '${yearsAgo(14)}'
    ORDER BY l.child_id LIMIT 1`)[0][0];
  grantFamily(ics.db, 'parent', child);
  grantFamily(ics.db, 'parent', teenager);
  journey = await openJourney(ics);
  ({ url: baseUrl, browser } = journey);
});

after(() => journey?.close());

test("a parent sees their child's immunisations given and those coming up", async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'parent');
  assert.equal(new URL(page.url()).pathname, '/');
  await page.click('nav[aria-label="Menu"] >> text="Your child\'s record"');
  assert.equal(new URL(page.url()).pathname, '/family');
  assert.equal(await page.textContent('h1'), "Your child's record");
  const list = await page.textContent('#family-children');
  assert.match(list, /Active/);
  assert.match(list, /Suspended for review at 13/);
  await checkAccessibility(page, 'family list');

  await page.click(`#family-children a[href="/family/${child}"]`);
  assert.equal(new URL(page.url()).pathname, `/family/${child}`);
  const given = await page.textContent('#given');
  assert.match(given, /Given (on time|late)/);
  const upcoming = await page.textContent('#upcoming');
  assert.match(upcoming, /Overdue|Due|Not yet due/);
  assert.ok(await page.isVisible('#care-team-table'));
  assert.match(await page.textContent('#emergency-access'), /Emergency access/);
  if (await page.$('[data-growth-src]')) {
    await page.waitForSelector('.growth-charts--drawn svg');
  }
  await checkAccessibility(page, 'red book');
  await checkKeyboard(page, 'red book');
  await page.locator('#given-heading').scrollIntoViewIfNeeded();
  await screenshot(page, 'parent-immunisations');
  // Each view is audited under the parent's name.
  const audited = sql(ics.db, `SELECT count(*) FROM audit_events
    WHERE username = 'parent' AND action = 'view-record' AND children = '${child}' AND outcome = 'allowed'`);
  assert.ok(Number(audited[0][0]) >= 1);
  await page.context().close();
});

test('a parent whose access is suspended at 13 sees why, not the record', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'parent');
  const response = await page.goto(`${baseUrl}/family/${teenager}`);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent('#refusal'), /suspended for review from age 13/);
  assert.equal(await page.$('#given'), null);
  // Chromium logs the document's own 403 as a console error: expected here.
  page.problems = page.problems.filter((p) => !/status of 403/.test(p));
  await checkAccessibility(page, 'suspended');
  await page.context().close();
});

test('staff cannot open the family view', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'hv');
  const response = await page.goto(`${baseUrl}/family`);
  assert.equal(response.status(), 403);
  await page.context().close();
});
