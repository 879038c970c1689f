// Browser journey: a clinician breaks glass; the information governance
// officer finds it in the audit, reviews it, and verifies the audit chain.
//
// Needs ONECHILD_BIN; see support.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIcs, newPage, logIn, checkAccessibility, checkKeyboard, screenshot, sql, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl, child;
const reason = 'Collapsed at school, parents not reachable';

before(async () => {
  ics = buildIcs({ children: 100 });
  [[child]] = sql(ics.db, 'SELECT id FROM children WHERE merged_into IS NULL ORDER BY id LIMIT 1');
  journey = await openJourney(ics);
  ({ url: baseUrl, browser } = journey);
  // The emergency clinician has no relationship with the child: break glass.
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'edoc');
  await page.goto(`${baseUrl}/children/${child}`);
  await page.fill('#reason', reason);
  await page.click('main button[type=submit]');
  assert.match(page.url(), new RegExp(`/children/${child}$`));
  await page.context().close();
});

after(() => journey?.close());

test('the IG officer finds the break-glass, reviews it and verifies the chain', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'ig');
  await page.click('header a.nhsuk-header__navigation-link[href="/ig"]');
  assert.match(page.url(), /\/ig$/);
  assert.equal(await page.textContent('h1'), 'Audit search');
  await checkAccessibility(page, 'audit search');
  await checkKeyboard(page, 'audit search');

  // Search the audit for break-glass.
  await page.selectOption('#action', 'break-glass');
  await page.click('#search-button');
  assert.match(page.url(), /action=break-glass/);
  const results = await page.textContent('#audit-results tbody');
  assert.match(results, new RegExp(`reason: ${reason}`));
  assert.match(results, /edoc/);
  assert.equal(await page.locator('#audit-results tbody tr').count(), 1);
  await checkAccessibility(page, 'audit search results');

  // A malformed date is refused with an error summary, the fields kept.
  const bad = await page.goto(`${baseUrl}/ig?from=2026-02-30&action=break-glass`);
  assert.equal(bad.status(), 400);
  page.problems.length = 0;  // the browser logs the 400 itself: expected here
  assert.match(await page.textContent('.nhsuk-error-summary'), /Enter a real from date/);
  await checkAccessibility(page, 'audit search with an error');

  // Review it.
  await page.click('.nhsuk-contents-list a[href="/ig/break-glass"]');
  const card = page.locator('.nhsuk-card', { hasText: reason });
  assert.equal(await card.count(), 1);
  assert.match(await card.textContent(), /Emergency Doctor \(edoc\) opened the record of child/);
  assert.match(await card.textContent(), /Record opened in that time\s*Once/);
  await checkAccessibility(page, 'break-glass review');
  await screenshot(page, 'ig-break-glass');
  await card.locator('input[value=appropriate]').check();
  await card.locator('textarea').fill('Attendance confirmed with the ED; reason matches.');
  await card.locator('button[type=submit]').click();
  assert.match(page.url(), /\/ig\/break-glass\?show=all&reviewed=\d+$/);
  assert.match(await page.textContent('.nhsuk-notification-banner'), /recorded/);
  assert.match(await page.textContent('main'), /Appropriate: Attendance confirmed/);
  await checkAccessibility(page, 'break-glass review recorded');
  const [[reviewedAt, note]] = sql(ics.db, `SELECT b.reviewed_at, b.review_note FROM break_glass b
    JOIN users u ON u.id = b.reviewed_by WHERE u.username = 'ig' AND b.child_id = ${child}`);
  assert.match(reviewedAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(note, 'Appropriate: Attendance confirmed with the ED; reason matches.');

  // Verify the audit chain.
  await page.click('.nhsuk-contents-list a[href="/ig/chain"]');
  assert.equal(await page.textContent('h1'), 'Audit chain status');
  await checkAccessibility(page, 'audit chain status');
  await page.click('#verify-button');
  assert.match(page.url(), /\/ig\/chain\?verified=1$/);
  assert.match(await page.textContent('#verification'), /Intact/);
  await checkAccessibility(page, 'audit chain verified');
  await page.context().close();
  const [[verified]] = sql(ics.db, "SELECT count(*) FROM audit_events WHERE action = 'verify-audit' AND username = 'ig'");
  assert.equal(Number(verified), 1);
});
