// Browser test: a health visitor logs in, finds a child by NHS number and
// sees their immunisations. Runs the real CLI chain on a fresh synthetic ICS
// and drives Debian's Chromium through playwright-core.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to web/dist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAccessibility, checkKeyboard, screenshot, startServer } from './support.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const bin = process.env.ONECHILD_BIN;
const password = 'browser-test-password';

let work, server, browser, baseUrl, child;

function onechild(args, input) {
  return execFileSync(bin, args, { input, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
}

// The first GP patient with an immunisation: their NHS number and one vaccine.
// An NHS number passes Modulus 11 (NHS Data Dictionary).
function validNhsNumber(n) {
  if (!/^\d{10}$/.test(n)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(n[i]) * (10 - i);
  const check = 11 - (sum % 11);
  return check !== 10 && (check === 11 ? 0 : check) === Number(n[9]);
}

function ndjson(path) {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

function nhsNumberOf(patient) {
  return patient.identifier?.find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.value;
}

// A GP patient with an immunisation whose name the community trust records
// the same way (the record's heading shows the first source's name).
function childWithImmunisation(feeds) {
  const gp = ndjson(join(feeds, 'gp.ndjson'));
  const communityNames = new Map();
  for (const r of ndjson(join(feeds, 'community.ndjson'))) {
    if (r.resourceType === 'Patient' && nhsNumberOf(r)) {
      communityNames.set(nhsNumberOf(r), `${r.name[0].given[0]} ${r.name[0].family}`);
    }
  }
  const patients = new Map();
  for (const r of gp) {
    if (r.resourceType !== 'Patient' || !nhsNumberOf(r)) continue;
    const name = `${r.name[0].given[0]} ${r.name[0].family}`;
    const other = communityNames.get(nhsNumberOf(r));
    if (other === undefined || other === name) {
      patients.set(r.id, { nhs: nhsNumberOf(r), name, given: r.name[0].given[0], family: r.name[0].family, birthDate: r.birthDate });
    }
  }
  for (const r of gp) {
    if (r.resourceType !== 'Immunization' || r.status !== 'completed') continue;
    const patient = patients.get(r.patient.reference.replace('Patient/', ''));
    if (patient) return { ...patient, vaccine: r.vaccineCode.coding[0].display };
  }
  throw new Error('no patient with an immunisation in the synthetic feed');
}

// The feeds ingest reads today: FHIR and the local authorities' social care
// extracts (the other CSV shapes need mapping files).
function loadableFeeds(feeds) {
  return readdirSync(feeds)
    .filter((f) => f.endsWith('.ndjson') || f.startsWith('social_care_'))
    .map((f) => join(feeds, f));
}

// A social care person with a valid NHS number and a child in need episode:
// the record page must show events from both the GP and social care.
function childKnownToSocialCare(feeds) {
  const rows = (file) => readFileSync(join(feeds, file), 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','));
  for (const persons of readdirSync(feeds).filter((f) => /^social_care_\w+\.persons\.csv$/.test(f))) {
    const episodes = new Map(rows(persons.replace('persons', 'cin')).map((e) => [e[1], e[2]]));
    for (const p of rows(persons)) {
      if (validNhsNumber(p[6]) && episodes.has(p[0])) return { nhs: p[6], category: episodes.get(p[0]) };
    }
  }
  throw new Error('no social care person with an NHS number and an episode');
}

before(async () => {
  assert.ok(bin, 'set ONECHILD_BIN to the onechild binary');
  work = mkdtempSync(join(tmpdir(), 'onechild-browser-'));
  const db = join(work, 'onechild.db');
  onechild(['synth', '--children', '200', '--seed', '7', '--as-of', '2026-11-01', '--out', join(work, 'ics')]);
  onechild(['ingest', '--db', db, ...loadableFeeds(join(work, 'ics', 'feeds'))]);
  onechild(['link', '--db', db]);
  onechild(['users', 'add', '--db', db, '--username', 'tester', '--display-name', 'Test User',
            '--role', 'health-visitor', '--organisation', 'HV-TEAM', '--password-stdin'], `${password}\n`);
  // The tester's team has every postcode district of the ICS on its caseload
  // (a legitimate relationship with every child who lives there).
  const districts = new Set(readFileSync(join(work, 'ics', 'reference', 'geography.csv'), 'utf8')
    .trim().split('\n').slice(1).map((line) => line.split(',').pop()));
  onechild(['access', 'caseload', '--db', db, '--organisation', 'HV-TEAM', ...districts]);
  onechild(['access', 'contacts', '--db', db, '--file', join(work, 'ics', 'reference', 'local_authorities.csv')]);
  onechild(['users', 'add', '--db', db, '--username', 'edoc', '--display-name', 'Emergency Doctor',
            '--role', 'emergency-clinician', '--organisation', 'RZA', '--password-stdin'], `${password}\n`);
  child = childWithImmunisation(join(work, 'ics', 'feeds'));
  ({ proc: server, url: baseUrl } = await startServer(db));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

async function logIn(page, user, pass) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#username', user);
  await page.fill('#password', pass);
  await page.click('main button[type=submit]');
}

test('a record needs a login', async () => {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/children/1`);
  assert.match(page.url(), /\/login$/);
  assert.equal(await page.textContent('h1'), 'Log in to onechild');
  await page.close();
});

test('a wrong password is refused with an error summary', async () => {
  const page = await browser.newPage();
  await logIn(page, 'tester', 'not the password');
  assert.match(page.url(), /\/login$/);
  assert.match(await page.textContent('.nhsuk-error-summary'), /Enter a correct username and password/);
  await page.close();
});

test('log in, find a child by NHS number and see their immunisations', async () => {
  const page = await browser.newPage();
  const stylesheet = page.waitForResponse((r) => r.url().endsWith('/assets/nhsuk-frontend.min.css'));
  await logIn(page, 'tester', password);
  assert.equal((await stylesheet).status(), 200);
  // Signed in, the user lands on their home page; Find a child is one link away.
  assert.equal(new URL(page.url()).pathname, '/');
  await page.goto(`${baseUrl}/search`);
  // nhsuk-frontend's styles are applied: the button is NHS green, not the browser default.
  const buttonColour = await page.$eval('.nhsuk-button', (b) => getComputedStyle(b).backgroundColor);
  assert.equal(buttonColour, 'rgb(0, 127, 59)');  // NHS green, #007f3b

  const spaced = `${child.nhs.slice(0, 3)} ${child.nhs.slice(3, 6)} ${child.nhs.slice(6)}`;
  await page.fill('#nhs_number', spaced);
  await page.click('main button[type=submit]');  // not the header's Log out
  assert.match(page.url(), /\/children\/\d+$/);
  assert.equal(await page.textContent('h1'), child.name);
  assert.match(await page.textContent('#demographics'), new RegExp(spaced));
  const immunisations = await page.textContent('#immunisations');
  assert.ok(immunisations.includes(child.vaccine), `expected ${child.vaccine} in: ${immunisations}`);
  // The whole integrated record: schedule, care team and a bounded timeline.
  assert.match(await page.textContent('#nhs-number-status'), /Verified on \d+ sources|From one source only/);
  assert.match(await page.textContent('#immunisations-schedule-table'), /Given on time|Given late/);
  assert.ok(await page.isVisible('#care-team-table'));
  assert.ok(await page.isVisible('#timeline'));
  // growth.js draws the charts from the JSON endpoint when there are measurements.
  if (await page.$('[data-growth-src]')) {
    await page.waitForSelector('.growth-charts--drawn svg');
  }
  await checkAccessibility(page, 'record');
  await checkKeyboard(page, 'record');
  await screenshot(page, 'health-visitor-record');
  if (process.env.ONECHILD_SCREENSHOT) {
    await page.screenshot({ path: process.env.ONECHILD_SCREENSHOT, fullPage: true });
  }
  await page.close();
});

test('the record joins events from the GP and social care', async () => {
  const known = childKnownToSocialCare(join(work, 'ics', 'feeds'));
  const page = await browser.newPage();
  await logIn(page, 'tester', password);
  await page.goto(`${baseUrl}/search`);
  await page.fill('#nhs_number', known.nhs);
  await page.click('main button[type=submit]');
  assert.match(page.url(), /\/children\/\d+$/);
  assert.match(await page.textContent('#demographics'), /social_care_[a-z]+ \(99\d-\d{7}\)/);
  assert.ok((await page.textContent('#social-care')).includes(known.category));
  await page.close();
});

test('an invalid NHS number gets a field error', async () => {
  const page = await browser.newPage();
  await logIn(page, 'tester', password);
  await page.goto(`${baseUrl}/search`);
  await page.fill('#nhs_number', '943 476 5918');
  await page.click('main button[type=submit]');  // not the header's Log out
  assert.match(await page.textContent('#nhs_number-error'), /Enter a valid 10-digit NHS number/);
  assert.equal(await page.getAttribute('#nhs_number', 'value'), '943 476 5918');
  await page.close();
});

test('find a child by name and date of birth, with a typo in the family name', async () => {
  const page = await browser.newPage();
  await logIn(page, 'tester', password);
  await page.goto(`${baseUrl}/search`);
  await checkAccessibility(page, 'find a child');
  // Two letters of the family name swapped, as typed in a hurry.
  const f = child.family;
  const typo = f.length > 3 ? f[0] + f[2] + f[1] + f.slice(3) : f;
  const [year, month, day] = child.birthDate.split('-');
  await page.fill('#given_name', child.given);
  await page.fill('#family_name', typo);
  await page.fill('#dob-day', String(Number(day)));
  await page.fill('#dob-month', String(Number(month)));
  await page.fill('#dob-year', year);
  await page.click('main button:has-text("Search by name")');
  assert.match(page.url(), /\/search\?given_name=/);
  await checkAccessibility(page, 'name search results');
  const results = await page.textContent('#search-results');
  assert.ok(results.toLowerCase().includes(child.family.toLowerCase()), `expected ${child.family} in: ${results}`);
  await page.click(`#search-results a[href^="/children/"]`);
  assert.match(page.url(), /\/children\/\d+$/);
  assert.ok((await page.textContent("#demographics")).includes(`${child.nhs.slice(0, 3)} ${child.nhs.slice(3, 6)} ${child.nhs.slice(6)}`));
  await page.close();
});

test('an unknown NHS number says so', async () => {
  const page = await browser.newPage();
  await logIn(page, 'tester', password);
  await page.goto(`${baseUrl}/search`);
  await page.fill('#nhs_number', '943 476 5919');
  await page.click('main button[type=submit]');  // not the header's Log out
  assert.match(await page.textContent('#search-result'), /No child found with NHS number 943 476 5919/);
  await page.close();
});

test('an emergency clinician breaks glass, sees the protection flag first, and social care is told', async () => {
  const db = join(work, 'onechild.db');
  const id = execFileSync('sqlite3', [db, `SELECT l.child_id FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_events e ON e.source_system_id = p.source_system_id AND e.person_original_id = p.original_id
    WHERE e.display = 'Child protection plan' AND e.end_date IS NULL AND e.superseded_by IS NULL
    ORDER BY l.child_id LIMIT 1`], { encoding: 'utf8' }).trim();
  assert.match(id, /^\d+$/, 'the synthetic ICS has a child on a protection plan');
  const page = await browser.newPage();
  await logIn(page, 'edoc', password);
  const refused = await page.goto(`${baseUrl}/children/${id}`);
  assert.equal(refused.status(), 403);
  assert.match(await page.textContent('#refusal'), /no legitimate relationship/);
  await page.fill('#reason', 'short');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#reason-error'), /at least 10 characters/);
  await page.fill('#reason', 'Unresponsive child in resus, no history available');
  await page.click('main button[type=submit]');
  assert.match(page.url(), new RegExp(`/children/${id}$`));
  // The flag comes before anything else on the record, with whom to call.
  const order = await page.$$eval('main .protection-flag, main #demographics', (els) => els.map((e) => e.id));
  assert.equal(order[0], 'protection-flag-child-protection-plan');
  assert.match(await page.textContent('#protection-flag-child-protection-plan'), /Out of hours\s*01632 960\d{3}/);
  await page.close();
  const told = execFileSync('sqlite3', [db, `SELECT count(*) FROM notifications
    WHERE kind = 'unscheduled-care-access' AND child_id = ${id} AND organisation LIKE 'E06%'`], { encoding: 'utf8' });
  assert.equal(Number(told), 1);
  const alerted = execFileSync('sqlite3', [db, `SELECT count(*) FROM notifications WHERE kind = 'break-glass' AND child_id = ${id}`], { encoding: 'utf8' });
  assert.equal(Number(alerted), 1);
});

test('every record view is audited', async () => {
  const page = await browser.newPage();
  await logIn(page, 'tester', password);
  await page.goto(`${baseUrl}/children/1`);
  await page.goto(`${baseUrl}/children/1`);
  await page.close();
  const db = join(work, 'onechild.db');
  // Read through sqlite3 when present; the CLI has no audit listing yet.
  const count = execFileSync('sqlite3', [db, "SELECT count(*) FROM audit_events WHERE action = 'view-record' AND children = '1' AND outcome = 'allowed'"], { encoding: 'utf8' });
  assert.ok(Number(count) >= 2, `expected at least 2 audited views, got ${count}`);
});
