// Browser journey: an emergency clinician breaks glass on a child with a
// child protection plan and sees the flag first; the responsible local
// authority's social worker is told (who, where, when) on Notifications.
//
// Needs ONECHILD_BIN; see support.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIcs, newPage, logIn, checkAccessibility, screenshot, sql, onechild, password, openJourney,
} from './support.mjs';

let ics, journey, browser, baseUrl, child, socialWorker;

// A child on an open child protection plan, preferring one whose plan comes
// from the social care feed of the authority support.mjs's 'sw' works for:
// the notification goes to the child's responsible authority.
function protectedChild(db, la) {
  const query = (where) => sql(db, `SELECT l.child_id, a.code FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_events e ON e.source_system_id = p.source_system_id AND e.person_original_id = p.original_id
    JOIN source_systems s ON s.id = e.source_system_id
    JOIN local_authorities a ON a.social_care_source = s.code
    WHERE e.display = 'Child protection plan' AND e.end_date IS NULL AND e.superseded_by IS NULL ${where}
    ORDER BY l.child_id LIMIT 1`);
  const rows = query(`AND a.code = '${la}'`);
  return rows.length ? rows[0] : query('')[0];
}

before(async () => {
  ics = buildIcs();
  const found = protectedChild(ics.db, ics.la);
  assert.ok(found, 'the synthetic ICS has a child on a protection plan');
  [child] = found;
  socialWorker = 'sw';
  if (found[1] !== ics.la) {
    // No protected child in the first authority: a social worker of the child's own.
    socialWorker = 'sw-child-la';
    onechild(['users', 'add', '--db', ics.db, '--username', socialWorker, '--display-name', 'Sol Social Worker',
              '--role', 'social-worker', '--organisation', found[1], '--password-stdin'], `${password}\n`);
  }
  journey = await openJourney(ics);
  ({ url: baseUrl, browser } = journey);
});

after(() => journey?.close());

test('an emergency clinician breaks glass and sees the protection flag first', async () => {
  const page = await newPage(browser);
  await logIn(page, baseUrl, 'edoc');
  const refused = await page.goto(`${baseUrl}/children/${child}`);
  assert.equal(refused.status(), 403);
  assert.match(await page.textContent('#refusal'), /no legitimate relationship/);
  page.problems.length = 0;  // the browser logs the 403 itself: expected here
  await checkAccessibility(page, 'record refused, with the break-glass form');
  await page.fill('#reason', 'Unresponsive child in resus, no history available');
  await page.click('main button[type=submit]');
  assert.match(page.url(), new RegExp(`/children/${child}$`));
  const order = await page.$$eval('main .protection-flag, main #demographics', (els) => els.map((e) => e.id));
  assert.equal(order[0], 'protection-flag-child-protection-plan');
  await checkAccessibility(page, 'record after break-glass');
  await screenshot(page, 'emergency-protection-flag');
  await page.context().close();
});

test('the social worker of the responsible authority is told', async (t) => {
  t.diagnostic(`child ${child}, social worker ${socialWorker}`);
  const page = await newPage(browser);
  await logIn(page, baseUrl, socialWorker);
  await page.click('header a.nhsuk-header__navigation-link[href="/notifications"]');
  assert.match(page.url(), /\/notifications$/);
  assert.equal(await page.textContent('h1'), 'Notifications');
  const row = page.locator('#notifications tbody tr', { hasText: `Child ${child}` }).first();
  const text = await row.textContent();
  assert.match(text, /Emergency Doctor/);
  assert.match(text, /Emergency \/ unscheduled care clinician/);
  assert.match(text, /RZA/);
  assert.match(text, /Child protection plan/);
  assert.equal(await row.locator(`a[href="/children/${child}"]`).count(), 1);
  await checkAccessibility(page, 'notifications');
  await screenshot(page, 'social-care-notification');
  await page.context().close();
  // The view was audited with the children it showed.
  const [[viewed]] = sql(ics.db, `SELECT count(*) FROM audit_events a
    JOIN audit_event_children c ON c.seq = a.seq
    WHERE a.action = 'view-notifications' AND a.what = 'GET /notifications'
      AND a.username = '${socialWorker}' AND c.child_id = ${child}`);
  assert.equal(Number(viewed), 1);
});
