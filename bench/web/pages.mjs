// Requests every page of the web application as the user who works with it
// and reports the server's time from its Server-Timing header (bench/web/run
// starts the server and prepares the accounts; see there).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, db: { type: 'string' }, password: { type: 'string' },
    runs: { type: 'string', default: '7' }, bin: { type: 'string' }, quick: { type: 'boolean', default: false },
  },
});
const runs = Number(opt.runs);
const target = 200;

const sql = (q) => execFileSync('sqlite3', ['-separator', '|', opt.db, q], { encoding: 'utf8' }).trim();
const first = (q) => sql(q).split('\n')[0] ?? '';

// A signed-in session: the login form's token and cookie, then the session
// cookie and the form token for later posts.
async function logIn(username) {
  const form = await fetch(`${opt.url}/login`);
  const loginCookie = form.headers.get('set-cookie').split(';')[0];
  const csrf = (await form.text()).match(/name="csrf" value="([0-9a-f]+)"/)[1];
  const r = await fetch(`${opt.url}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ username, password: opt.password, csrf }),
  });
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  if (r.status !== 303 || !cookie.startsWith('onechild_session=')) throw new Error(`${username} could not log in (${r.status})`);
  const home = await (await fetch(`${opt.url}/`, { headers: { cookie } })).text();
  return { cookie, csrf: home.match(/name="csrf" value="([0-9a-f]+)"/)?.[1] };
}

async function timed(session, path) {
  const r = await fetch(`${opt.url}${path}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  await r.arrayBuffer();
  const dur = Number((r.headers.get('server-timing') || '').match(/dur=([\d.]+)/)?.[1] ?? NaN);
  return { status: r.status, ms: dur };
}

// The children and items the pages are about: the record with the most
// events (the slowest to show), an NHS number and a name to search for.
const bigChild = first(`SELECT l.child_id FROM links l JOIN source_persons p ON p.id = l.source_person_id
  JOIN source_events e ON e.source_system_id = p.source_system_id AND e.person_original_id = p.original_id
  WHERE l.child_id IN (SELECT id FROM children WHERE merged_into IS NULL ORDER BY random() LIMIT 300)
  GROUP BY l.child_id ORDER BY count(*) DESC LIMIT 1`);
const [nhs] = first(`SELECT nhs_number FROM children WHERE nhs_number IS NOT NULL AND merged_into IS NULL LIMIT 1`).split('|');
const [given, family, dob] = first(`SELECT given_name, family_name, birth_date FROM source_persons
  WHERE given_name IS NOT NULL AND family_name IS NOT NULL AND birth_date IS NOT NULL LIMIT 1`).split('|');
const [year, month, day] = dob.split('-');
const indicator = first(`SELECT indicator FROM indicator_results WHERE run_id = (SELECT max(id) FROM indicator_runs) LIMIT 1`);
const review = first(`SELECT id FROM link_review ORDER BY status = 'open' DESC, id LIMIT 1`);
// A parent's access is suspended at 13: the family view is of a younger child.
const familyChild = first(`SELECT l.child_id FROM links l JOIN source_persons p ON p.id = l.source_person_id
  WHERE p.birth_date > date('now', '-12 years') AND p.superseded_by IS NULL ORDER BY p.id LIMIT 1`);
execFileSync(opt.bin, ['access', 'family', '--db', opt.db, '--user', 'bench-parent', '--child', familyChild], { stdio: 'ignore' });

const sessions = {};
for (const who of ['hv', 'ed', 'sw', 'analyst', 'dm', 'ig', 'parent']) sessions[who] = await logIn(`bench-${who}`);

// An emergency access, so the IG pages and notifications have one to show.
await fetch(`${opt.url}/children/${bigChild}/break-glass`, {
  method: 'POST', redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: sessions.ed.cookie },
  body: new URLSearchParams({ reason: 'Benchmark: unconscious child in resus', csrf: sessions.ed.csrf }),
});
await fetch(`${opt.url}/children/${bigChild}`, { headers: { cookie: sessions.ed.cookie } });

const pages = [
  ['hv', '/'], ['hv', `/search?nhs_number=${nhs}`],
  ['hv', `/search?given_name=${encodeURIComponent(given)}&family_name=${encodeURIComponent(family)}&dob-day=${day}&dob-month=${month}&dob-year=${year}`],
  ['hv', `/children/${bigChild}`], ['hv', `/children/${bigChild}?timeline=all`], ['hv', `/children/${bigChild}/growth.json`],
  ['hv', '/worklists?kind=hcp'], ['hv', '/worklists?kind=imms'], ['hv', '/worklists?kind=signals'], ['hv', '/hub'],
  ['ed', `/children/${bigChild}`], ['sw', '/'], ['sw', '/notifications'],
  ['parent', '/family'], ['parent', `/family/${familyChild}`],
  ['analyst', '/'], ['analyst', '/outcomes'], ['analyst', `/outcomes/${indicator}`],
  ['analyst', `/outcomes/${indicator}?breakdown=imd-quintile`], ['analyst', `/outcomes/${indicator}.json`],
  ['analyst', `/outcomes/${indicator}.csv?breakdown=practice`], ['analyst', '/board'],
  ['dm', '/'], ['dm', '/linkage'], ...(review ? [['dm', `/linkage/${review}`]] : []),
  ['dm', `/linkage/children/${bigChild}`], ['dm', '/data-quality'],
  ['ig', '/'], ['ig', '/ig'], ['ig', '/ig?action=break-glass'], ['ig', '/ig/break-glass'], ['ig', '/ig/chain'],
];

const children = first('SELECT count(*) FROM children WHERE merged_into IS NULL');
console.log(`bench/web: ${children} children; ${runs} runs per page after one warm-up; server time (Server-Timing)`);
console.log('| user | page | median ms | worst ms | status |');
console.log('|---|---|---:|---:|---|');
let failed = 0;
for (const [who, path] of pages) {
  await timed(sessions[who], path);  // warm: the first request may build a cache
  const times = [];
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const r = await timed(sessions[who], path);
    status = r.status;
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  // A search by NHS number answers 303: straight to the child's record.
  const ok = status >= 200 && status < 400 && (opt.quick || median <= target);
  if (!ok) failed++;
  const shown = path.replace(`/${bigChild}`, '/{id}').replace(`/family/${familyChild}`, '/family/{child}').replace(nhs, '{nhs}');
  console.log(`| ${who} | \`${shown.length > 70 ? shown.slice(0, 67) + '...' : shown}\` | ${median.toFixed(1)} | ${times.at(-1).toFixed(1)} | ${status}${ok ? '' : ' FAILED'} |`);
}
if (failed) {
  console.error(`bench/web: ${failed} page(s) failed or over ${target} ms`);
  process.exit(1);
}
