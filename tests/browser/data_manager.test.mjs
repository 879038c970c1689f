// Browser journey: the data manager resolves an uncertain pair in the
// master child index, then checks each feed's data quality.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to web/dist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildIcs, newPage, logIn, checkAccessibility, checkKeyboard, screenshot, sql, onechild, ndjson, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl;

const openPairs = () => Number(sql(ics.db, "SELECT count(*) FROM link_review WHERE status = 'open'")[0][0]);

function nextDay(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// The synthetic ICS may link everything itself. If so, a clinic sends a
// near-duplicate of a GP patient: no NHS number, the family name misspelt,
// born a day later, another postcode: too alike to ignore, too unlike to
// link without a person. Tried on a few patients until linkage is unsure.
function makeUncertainPair() {
  const patients = ndjson(join(ics.feeds, 'gp.ndjson'))
    .filter((r) => r.resourceType === 'Patient' && r.name?.[0]?.family?.length > 4 && r.birthDate);
  for (const [i, p] of patients.slice(0, 8).entries()) {
    if (openPairs() > 0) return;
    const family = p.name[0].family;
    const twin = {
      resourceType: 'Patient',
      id: `clinic-twin-${i}`,
      name: [{ family: family.slice(0, 4) + family.slice(5), given: p.name[0].given }],
      gender: p.gender,
      birthDate: nextDay(p.birthDate),
      address: [{ postalCode: 'ZZ9 9ZZ' }],
    };
    const file = join(ics.work, `clinic.twin${i}.ndjson`);
    writeFileSync(file, `${JSON.stringify(twin)}\n`);
    onechild(['ingest', '--db', ics.db, file]);
    onechild(['link', '--db', ics.db]);
  }
}

before(async () => {
  ics = buildIcs();
  makeUncertainPair();
  assert.ok(openPairs() > 0, 'the store has an uncertain pair to review');
  journey = await openJourney(ics);
  ({ url: baseUrl, browser } = journey);
});

after(() => journey?.close());

test('the data manager resolves a review pair', async () => {
  const before = openPairs();
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'dm');
  await page.click('.nhsuk-header__navigation-link[href="/linkage"]');
  assert.match(page.url(), /\/linkage$/);
  assert.equal(await page.textContent('h1'), 'Linkage review');
  assert.match(await page.textContent('#open-count'), new RegExp(`^${before} pairs? (is|are) waiting`));
  await checkAccessibility(page, 'review queue');
  await screenshot(page, 'data-manager-queue');

  const first = page.locator('#review-queue tbody a').first();
  const label = await first.textContent();
  const id = label.replace('Pair ', '');
  await first.click();
  assert.match(page.url(), new RegExp(`/linkage/${id}$`));
  assert.equal(await page.textContent('h1'), 'Are these records the same child?');
  assert.ok(await page.locator('#evidence tbody tr').count() > 0, 'the evidence, field by field');
  assert.ok(await page.locator('#records a[href^="/linkage/children/"]').count() > 0,
    'each record links to its child');
  await checkAccessibility(page, 'review pair');
  await checkKeyboard(page, 'review pair');
  await screenshot(page, 'data-manager-review');

  // Submitting with no choice shows the errors and keeps what was typed.
  await page.fill('#reason', 'Checked with the clinic');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.nhsuk-error-summary'), /Select whether these records are the same child/);
  assert.equal(await page.inputValue('#reason'), 'Checked with the clinic');
  // The page says 400 on purpose (the form was wrong); Chromium logs that.
  page.problems = page.problems.filter((p) => !/status of 400/.test(p));
  await checkAccessibility(page, 'review pair with errors');

  await page.check('#decision-2');  // Not the same child
  await page.fill('#reason', 'Different date of birth and address; the clinic confirms a different girl');
  await page.click('main button[type=submit]');
  assert.match(page.url(), new RegExp(`/linkage\\?decided=${id}&decision=different$`));
  assert.match(await page.textContent('#outcome'), new RegExp(`Pair ${id}: kept apart as different children`));
  await checkAccessibility(page, 'review queue after a decision');

  assert.deepEqual(sql(ics.db, `SELECT status FROM link_review WHERE id = ${id}`), [['decided']]);
  assert.deepEqual(sql(ics.db, `SELECT decision, decided_by FROM link_decisions WHERE review_id = ${id}`),
    [['different', 'dm']]);
  assert.equal(openPairs(), before - 1);

  // The child each record belongs to: its records, history and the forms.
  await page.goto(`${baseUrl}/linkage/${id}`);
  assert.match(await page.textContent('#decision'), /Not the same child/);
  await page.locator('#records a[href^="/linkage/children/"]').first().click();
  assert.match(page.url(), /\/linkage\/children\/\d+$/);
  assert.ok(await page.locator('#source-records tbody tr').count() > 0);
  await checkAccessibility(page, 'child in the index');
  await screenshot(page, 'data-manager-child');
  await page.close();
});

test('the data manager sees each feed\'s data quality', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'dm');
  await page.click('.nhsuk-header__navigation-link[href="/data-quality"]');
  assert.equal(await page.textContent('h1'), 'Data quality');
  const feeds = sql(ics.db, 'SELECT code FROM source_systems ORDER BY code').map((r) => r[0]);
  const rows = await page.$$eval('#feed-records tbody th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(rows, feeds);
  assert.equal(await page.locator('#feed-loads tbody tr').count(), feeds.length);
  const children = sql(ics.db, 'SELECT count(*) FROM children WHERE merged_into IS NULL')[0][0];
  assert.match(await page.textContent('#ics-totals'), new RegExp(`Children in the index\\s*${Number(children).toLocaleString('en-GB')}`));
  await checkAccessibility(page, 'data quality');
  await screenshot(page, 'data-quality');
  await page.close();
});

test('other roles are refused the linkage pages', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'hv');
  const response = await page.goto(`${baseUrl}/linkage`);
  assert.equal(response.status(), 403);
  assert.equal(await page.textContent('h1'), 'You cannot review linkage');
  await page.close();
});
