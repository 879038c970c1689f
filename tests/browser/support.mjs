// Shared set-up for the browser journeys: a fresh synthetic ICS built with
// the real CLI (synth -> ingest -> link -> indicators), one account per
// role, the server, headless Chromium (playwright-core + Debian's chromium),
// the accessibility check (axe-core) and screenshots.
//
// Needs ONECHILD_BIN (the onechild binary); ONECHILD_WEB_DIR defaults to
// web/dist. Screenshots go to ONECHILD_TEST_OUTPUT (default
// build/test-output/browser).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const bin = process.env.ONECHILD_BIN;
export const webDir = process.env.ONECHILD_WEB_DIR || join(repo, 'web', 'dist');
export const outputDir = process.env.ONECHILD_TEST_OUTPUT || join(repo, 'build', 'test-output', 'browser');
export const password = 'browser-test-password';
export const asOf = '2026-11-01';

export function onechild(args, input) {
  return execFileSync(bin, args, { input, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
}

// One row per line of `sqlite3 -separator '|'` output, for reading what the
// server wrote (the tests check the store, not just the page).
export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-separator', '|', db, query], { encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split('\n').map((line) => line.split('|'));
}

function addUser(db, username, name, role, organisation) {
  onechild(['users', 'add', '--db', db, '--username', username, '--display-name', name,
            '--role', role, '--organisation', organisation, '--password-stdin'], `${password}\n`);
}

// The accounts every journey can use, by role:
//   hv (health visitor, team HV-TEAM with every postcode district on its
//   caseload), edoc (emergency clinician), sw (social worker in the first
//   local authority), analyst, dm (data manager), ig (IG officer), and
//   parent (no child yet: grantFamily gives one).
export function buildIcs({ children = 200, seed = 7 } = {}) {
  assert.ok(bin, 'set ONECHILD_BIN to the onechild binary');
  const work = mkdtempSync(join(tmpdir(), 'onechild-browser-'));
  const db = join(work, 'onechild.db');
  const ics = join(work, 'ics');
  onechild(['synth', '--children', String(children), '--seed', String(seed), '--as-of', asOf, '--out', ics]);
  const feeds = join(ics, 'feeds');
  onechild(['ingest', '--db', db, feeds]);
  onechild(['link', '--db', db]);
  onechild(['indicators', '--db', db, '--reference', join(ics, 'reference'), '--as-of', asOf]);
  onechild(['access', 'contacts', '--db', db, '--file', join(ics, 'reference', 'local_authorities.csv')]);
  const districts = new Set(readFileSync(join(ics, 'reference', 'geography.csv'), 'utf8')
    .trim().split('\n').slice(1).map((line) => line.split(',').pop()));
  onechild(['access', 'caseload', '--db', db, '--organisation', 'HV-TEAM', ...districts]);
  const la = sql(db, 'SELECT code FROM local_authorities ORDER BY code LIMIT 1')[0][0];
  addUser(db, 'hv', 'Hana Visitor', 'health-visitor', 'HV-TEAM');
  addUser(db, 'edoc', 'Emergency Doctor', 'emergency-clinician', 'RZA');
  addUser(db, 'sw', 'Sam Social Worker', 'social-worker', la);
  addUser(db, 'analyst', 'Ann Analyst', 'analyst', 'ICB');
  addUser(db, 'dm', 'Dee Data Manager', 'data-manager', 'ICB');
  addUser(db, 'ig', 'Ida Governance', 'ig-officer', 'ICB');
  addUser(db, 'parent', 'Pat Parent', 'parent', '');
  return { work, db, ics, feeds, la, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

export function grantFamily(db, username, childId, relation = 'parent') {
  onechild(['access', 'family', '--db', db, '--user', username, '--child', String(childId), '--relation', relation]);
}

// reference: the ICS's area reference folder (deprivation for the hub).
export function startServer(db, reference) {
  const args = ['serve', '--db', db, '--port', '0', '--web-dir', webDir];
  if (reference) args.push('--reference', reference);
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, {
      env: { ...process.env, CI: 'true' },
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/serving on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, url: match[1] });
      }
    });
    proc.stderr.on('data', (chunk) => process.stderr.write(chunk));
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

// A journey's server and browser on a built ICS (buildIcs); close() stops
// both and removes the ICS. reference: as for startServer.
export async function openJourney(ics, reference) {
  const { proc, url } = await startServer(ics.db, reference);
  const browser = await launchBrowser();
  return {
    url,
    browser,
    async close() {
      await browser.close();
      proc.kill('SIGTERM');
      ics.cleanup();
    },
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh page (own cookies) that records console errors and CSP
// violations: a journey fails if the page broke its own policy.
export async function newPage(browser) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  // A page answered 403 or 400 on purpose is logged by the browser as a
  // failed resource: the journeys check those statuses themselves.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of [45]\d\d/.test(m.text())) {
      page.problems.push(m.text());
    }
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  return page;
}

export async function logIn(page, baseUrl, username) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
  assert.doesNotMatch(page.url(), /\/login$/, `${username} could not log in`);
}

// axe-core on the page as it is now: WCAG 2.0-2.2 A and AA rules. Fails on
// any serious or critical violation, naming the rule and the elements.
// Runs through the DevTools protocol, so the page's CSP stays in force.
export async function checkAccessibility(page, label = page.url()) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const detail = serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  assert.deepEqual(detail, [], `axe-core on ${label}`);
  assert.deepEqual(page.problems ?? [], [], `console errors on ${label}`);
  return result;
}

// Tab through the page: every focusable element must be reachable and show
// where focus is (the NHS focus style), without a keyboard trap.
export async function checkKeyboard(page, label = page.url(), presses = 40) {
  const seen = new Set();
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const style = getComputedStyle(e);
      const visible = style.outlineStyle !== 'none' || style.boxShadow !== 'none' ||
        style.backgroundColor !== 'rgba(0, 0, 0, 0)';
      return { key: `${e.tagName}#${e.id}.${e.className}:${e.textContent.slice(0, 20)}`, visible };
    });
    if (!focused) continue;
    assert.ok(focused.visible, `${label}: no visible focus on ${focused.key}`);
    seen.add(focused.key);
  }
  assert.ok(seen.size > 1, `${label}: Tab moved focus to fewer than two elements`);
}

export async function screenshot(page, name) {
  mkdirSync(outputDir, { recursive: true });
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export function ndjson(path) {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

export function feedFiles(feeds) {
  return readdirSync(feeds).map((f) => join(feeds, f));
}
