// Browser journey: a health visitor lands on home, sees the overdue review
// counts, opens the Healthy Child Programme worklist and a child from it,
// then works the child health hub MDT case list: raises a suggested case
// with a reason and records the MDT's outcome.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to web/dist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  buildIcs, newPage, logIn, checkAccessibility, checkKeyboard, screenshot, sql, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl;

// A form with an error is answered with a 400 page (on purpose): submits
// with `click`, checks the status, and drops Chromium's console report of
// that status (any other console error still fails the journey).
async function submitExpecting400(page, click) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest()),
    click(),
  ]);
  assert.equal(response.status(), 400);
  await page.waitForLoadState();
  await page.evaluate(() => 0);
  page.problems = page.problems.filter((p) => !/status of 400 \(Bad Request\)/.test(p));
}

before(async () => {
  ics = buildIcs();
  // The hub puts Core20 children first: the server reads deprivation from the area reference.
  journey = await openJourney(ics, join(ics.ics, 'reference'));
  ({ url: baseUrl, browser } = journey);
});

after(() => journey?.close());

test('a health visitor finds overdue reviews and opens a child', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'hv');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.textContent('h1'), 'Hello, Hana Visitor');
  assert.equal(await page.textContent('#home-role'), 'Health visitor');
  const hcp = page.locator('#worklist-counts tr', { hasText: 'Healthy Child Programme reviews' });
  const overdue = Number((await hcp.locator('td').nth(1).textContent()).match(/(\d+) overdue/)?.[1]);
  assert.ok(overdue > 0, 'the synthetic ICS has overdue reviews on the team caseload');
  await checkAccessibility(page, 'home');
  await checkKeyboard(page, 'home');

  await hcp.getByRole('link').click();
  assert.match(page.url(), /\/worklists\?kind=hcp$/);
  assert.equal(await page.textContent('#worklist-title'), 'Healthy Child Programme reviews');
  const current = await page.textContent('.nhsuk-contents-list__current');
  assert.match(current, new RegExp(`\\(${overdue} overdue`), 'the list agrees with home');
  const first = page.locator('#worklist tbody tr').first();
  assert.match(await first.locator('td').nth(4).textContent(), /Overdue by \d+ days?/);
  await checkAccessibility(page, 'worklist');
  await screenshot(page, 'health-visitor-worklist');

  // Filters: a malformed number is an error with a summary, not a crash.
  await page.fill('#upcoming', 'soon');
  await submitExpecting400(page, () => page.click('main form[action="/worklists"] button[type=submit]'));
  assert.match(await page.textContent('.nhsuk-error-summary'), /Enter a number of days from 0 to 365/);
  await checkAccessibility(page, 'worklist with an error');
  await page.fill('#upcoming', '30');
  await page.click('main form[action="/worklists"] button[type=submit]');
  assert.match(page.url(), /upcoming=30/);

  const child = page.locator('#worklist tbody tr').first().locator('td').first().getByRole('link');
  const name = (await child.textContent()).trim();
  await child.click();
  assert.match(page.url(), /\/children\/\d+$/);
  // The record's heading is the first source's spelling (some send capitals).
  assert.equal((await page.textContent('h1')).trim().toLowerCase(), name.toLowerCase());
  await page.close();
});

test('the health visitor raises a suggested case and records the MDT outcome', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'hv');
  await page.click('.nhsuk-header__navigation-link[href="/hub"]');
  assert.equal(await page.textContent('h1'), 'Child health hub MDT');
  await checkAccessibility(page, 'hub');
  const card = page.locator('form[action="/hub/cases"]').first();
  assert.ok(await card.count(), 'the synthetic ICS has a case-finding suggestion');

  // A reason is required: the error summary links to the field.
  await submitExpecting400(page, () => card.getByRole('button', { name: /Raise for discussion/ }).click());
  assert.match(await page.textContent('.nhsuk-error-summary'), /Enter a reason/);
  await checkAccessibility(page, 'hub with an error');
  const field = await page.getAttribute('.nhsuk-error-summary a', 'href');
  await page.fill(field, 'Second extraction this year; no dental practice registered');
  await page.locator(field).locator('xpath=ancestor::form').getByRole('button').click();
  assert.match(page.url(), /\/hub\?done=raised#cases$/);
  assert.equal(await page.textContent('#hub-done'), 'Case raised for discussion');
  assert.equal(Number(sql(ics.db, "SELECT count(*) FROM mdt_cases WHERE status = 'open'")[0][0]), 1);
  assert.equal(Number(sql(ics.db, "SELECT count(*) FROM relationships WHERE kind = 'mdt' AND organisation = 'HV-TEAM'")[0][0]), 1);

  const raised = page.locator('form[action$="/outcome"]').first();
  await raised.getByLabel('Refer to specialist nurse').check();
  await raised.getByLabel('Outcome of the discussion').fill('Community dental nurse to contact the family this week');
  await raised.getByRole('button', { name: /Record outcome/ }).click();
  assert.match(page.url(), /\/hub\?done=outcome#outcomes$/);
  const outcomes = await page.textContent('#outcomes-table');
  assert.match(outcomes, /Community dental nurse to contact the family this week/);
  assert.match(outcomes, /Refer to specialist nurse/);
  assert.match(outcomes, /Hana Visitor/);
  await checkAccessibility(page, 'hub after an outcome');
  await screenshot(page, 'hub-mdt');
  assert.equal(Number(sql(ics.db, "SELECT count(*) FROM mdt_cases WHERE status = 'closed'")[0][0]), 1);
  assert.ok(Number(sql(ics.db, "SELECT count(*) FROM audit_events WHERE action IN ('mdt-raise', 'mdt-outcome')")[0][0]) >= 2);
  await page.close();
});
