// The FHIR R4 API through an independent client (issue 8): fhir-kit-client
// (Vermonster) makes every call, and every resource that comes back (each
// Bundle and each entry, the CapabilityStatement, every OperationOutcome and
// every line of every Bulk Data file) is validated against FHIR R4 with the
// `fhir` package (Lantana's FHIR.js, which ships the R4 4.0 definitions).
//
// Runs the real CLI chain on a fresh synthetic ICS and `onechild serve`.
// Needs ONECHILD_BIN (the onechild binary), sqlite3, and web/node_modules
// (scripts/setup); ONECHILD_NODE_MODULES may point elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modules = process.env.ONECHILD_NODE_MODULES || join(repo, 'web', 'node_modules');
const require = createRequire(join(modules, '..', 'package.json'));
const { Fhir } = require('fhir');
// fhir-kit-client 2 is ESM only (its exports have no "require"): import its
// entry point by path, as NODE_PATH does not apply to `import`.
const kitDir = join(modules, 'fhir-kit-client');
const kitEntry = JSON.parse(readFileSync(join(kitDir, 'package.json'), 'utf8')).exports['.'].import;
const { Client, CapabilityTool } = await import(pathToFileURL(join(kitDir, kitEntry)).href);

const bin = process.env.ONECHILD_BIN;
const password = 'fhir-client-test-password';
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const EVENT_KIND = 'https://onechild.example/fhir/CodeSystem/event-kind';
const EVENT_TYPES = ['Encounter', 'EpisodeOfCare', 'Condition', 'Observation', 'Immunization', 'Procedure',
  'ServiceRequest', 'CarePlan', 'CareTeam', 'Flag', 'QuestionnaireResponse'];
const ALL_TYPES = ['Patient', ...EVENT_TYPES];

let work, db, server, baseUrl, serverErr = '';
const tokens = {};
const fx = {};  // the children, practice and NHS numbers the tests use

// --- Validation ----------------------------------------------------------------

// FHIR.js checks structure, cardinality, types, required bindings and
// reference targets, but its primitive regular expressions are not anchored
// ("x2024-13-99y" passes as a date) and it has no `instant`, `uri` or
// `string` check. The R4 JSON schema's patterns (fhir.schema.json) are added
// through its own onBeforeValidateProperty hook, so a malformed date is an
// error too.
const R4_PATTERNS = {
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  date: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/,
  dateTime: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/,
  instant: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/,
  time: /^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$/,
  code: /^[^\s]+(\s[^\s]+)*$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  canonical: /^\S*$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  string: /^[ \r\n\t\S]+$/,
  markdown: /^[ \r\n\t\S]+$/,
};

const fhirValidator = new Fhir();  // FHIR R4 by default (its bundled profiles)
const validationOptions = {
  errorOnUnexpected: true,  // an element R4 does not define is an error, not a warning
  onBeforeValidateProperty(resource, property, location, value) {
    const messages = [];
    const check = (v, where) => {
      const pattern = R4_PATTERNS[property._type];
      if (property._type === 'integer' || property._type === 'unsignedInt' || property._type === 'positiveInt') {
        if (!Number.isInteger(v)) messages.push({ location: where, severity: 'error', message: `${property._type} must be a JSON integer: ${JSON.stringify(v)}` });
      } else if (property._type === 'decimal') {
        if (typeof v !== 'number') messages.push({ location: where, severity: 'error', message: `decimal must be a JSON number: ${JSON.stringify(v)}` });
      } else if (pattern && (typeof v !== 'string' || !pattern.test(v))) {
        messages.push({ location: where, severity: 'error', message: `not a FHIR R4 ${property._type}: ${JSON.stringify(v)}` });
      }
    };
    if (Array.isArray(value) && property._multiple) value.forEach((v, i) => check(v, `${location}[${i}]`));
    else if (!Array.isArray(value)) check(value, location);
    return messages.map((m) => ({ resourceId: resource.id, ...m }));
  },
};

// FHIR JSON: no empty strings, arrays or objects, no nulls (http://hl7.org/fhir/R4/json.html).
function emptyValues(value, path, out) {
  if (value === null || value === '') out.push({ location: path, severity: 'error', message: `empty value ${JSON.stringify(value)}` });
  else if (Array.isArray(value)) {
    if (value.length === 0) out.push({ location: path, severity: 'error', message: 'empty array' });
    value.forEach((v, i) => emptyValues(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object') {
    if (Object.keys(value).length === 0) out.push({ location: path, severity: 'error', message: 'empty object' });
    for (const [k, v] of Object.entries(value)) emptyValues(v, `${path}.${k}`, out);
  }
  return out;
}

const validated = { resources: 0, byType: {} };
function countResources(resource) {
  validated.resources++;
  validated.byType[resource.resourceType] = (validated.byType[resource.resourceType] || 0) + 1;
  for (const e of resource.entry || []) if (e.resource) countResources(e.resource);
}

// Validates a resource (a Bundle with every entry) and fails with the first errors.
function validate(resource, where) {
  assert.ok(resource && typeof resource === 'object' && typeof resource.resourceType === 'string',
    `${where}: not a FHIR resource: ${JSON.stringify(resource)?.slice(0, 300)}`);
  const { messages } = fhirValidator.validate(resource, validationOptions);
  const errors = messages.filter((m) => m.severity === 'error' || m.severity === 'fatal');
  errors.push(...emptyValues(resource, resource.resourceType, []));
  countResources(resource);
  if (errors.length) {
    assert.fail(`${where}: ${resource.resourceType}${resource.id ? `/${resource.id}` : ''} is not valid FHIR R4 ` +
      `(${errors.length} errors); the first:\n` +
      errors.slice(0, 10).map((e) => `  ${e.location} [${e.resourceId ?? ''}] ${e.severity}: ${e.message}`).join('\n') +
      `\n  resource: ${JSON.stringify(resource).slice(0, 2000)}`);
  }
  return resource;
}

function validateBundle(bundle, where, type = 'searchset') {
  assert.equal(bundle.resourceType, 'Bundle', `${where}: ${JSON.stringify(bundle).slice(0, 300)}`);
  assert.equal(bundle.type, type, where);
  validate(bundle, where);
  for (const [i, e] of (bundle.entry || []).entries()) validate(e.resource, `${where} entry[${i}]`);
  return bundle;
}

// --- The ICS, the users and the server ------------------------------------------

function onechild(args, input) {
  return execFileSync(bin, args, { input, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
}

function sql(query) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '|', db, query], { encoding: 'utf8' }).trim();
  return out ? out.split('\n').map((line) => line.split('|')) : [];
}

function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['serve', '--db', db, '--port', '0'], { env: { ...process.env, CI: 'true' } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/serving on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, url: match[1] });
      }
    });
    proc.stderr.on('data', (chunk) => { serverErr += chunk; process.stderr.write(chunk); });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function token(client, user, scopes, extra = []) {
  return onechild(['tokens', 'add', '--db', db, '--client', client, '--user', user, '--scopes', scopes, ...extra]).trim();
}

before(async () => {
  assert.ok(bin, 'set ONECHILD_BIN to the onechild binary');
  work = mkdtempSync(join(tmpdir(), 'onechild-fhir-'));
  db = join(work, 'onechild.db');
  const ics = join(work, 'ics');
  onechild(['synth', '--children', '300', '--seed', '5', '--out', ics]);
  onechild(['ingest', '--db', db, join(ics, 'feeds')]);
  onechild(['link', '--db', db]);
  onechild(['access', 'contacts', '--db', db, '--file', join(ics, 'reference', 'local_authorities.csv')]);

  // Current children, each with the GP practices their records name.
  const practices = new Map();  // child -> Set(practice)
  for (const [child, practice] of sql(`
      SELECT DISTINCT l.child_id, p.gp_practice FROM links l
      JOIN source_persons p ON p.id = l.source_person_id AND p.superseded_by IS NULL
      JOIN children c ON c.id = l.child_id AND c.merged_into IS NULL
      WHERE p.gp_practice IS NOT NULL AND p.gp_practice <> ''`)) {
    if (!practices.has(child)) practices.set(child, new Set());
    practices.get(child).add(practice);
  }
  // A child with a child protection plan or a looked-after episode in force
  // has a CP-IS Flag and CareTeam: the GP is at their practice when there is
  // one (the synthetic ICS is drawn as of today, so there may be none).
  const flagged = sql(`
      SELECT l.child_id FROM source_events e
      JOIN source_persons p ON p.source_system_id = e.source_system_id AND p.original_id = e.person_original_id
                            AND p.superseded_by IS NULL
      JOIN links l ON l.source_person_id = p.id
      JOIN children c ON c.id = l.child_id AND c.merged_into IS NULL
      WHERE e.kind = 'social-care-episode' AND e.superseded_by IS NULL
        AND e.display IN ('Child protection plan', 'Looked after')
        AND e.start_date <= date('now') AND (e.end_date IS NULL OR e.end_date >= date('now'))
      ORDER BY l.child_id`).map((r) => r[0]);
  fx.anyFlagged = flagged[0];
  flagged.splice(0, flagged.length, ...flagged.filter((c) => practices.has(c)));
  const counts = new Map();
  for (const set of practices.values()) for (const p of set) counts.set(p, (counts.get(p) || 0) + 1);
  const biggest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const flaggedPractice = flagged.length ? [...practices.get(flagged[0])][0] : undefined;
  fx.practice = flaggedPractice && counts.get(flaggedPractice) >= 10 ? flaggedPractice : biggest;
  fx.gpChildren = new Set([...practices].filter(([, set]) => set.has(fx.practice)).map(([c]) => c));
  fx.flagged = flagged.find((c) => fx.gpChildren.has(c));

  // The GP's child with the most events (paging needs several pages), with an NHS number.
  const eventCounts = sql(`
      SELECT l.child_id, c.nhs_number, count(e.id) FROM links l
      JOIN children c ON c.id = l.child_id AND c.merged_into IS NULL AND c.nhs_number IS NOT NULL
      JOIN source_persons p ON p.id = l.source_person_id AND p.superseded_by IS NULL
      JOIN source_events e ON e.source_system_id = p.source_system_id AND e.person_original_id = p.original_id
                           AND e.superseded_by IS NULL
      GROUP BY l.child_id ORDER BY count(e.id) DESC`);
  const mine = eventCounts.filter(([c]) => fx.gpChildren.has(c));
  [fx.child, fx.nhs] = mine[0];
  fx.other = eventCounts.find(([c]) => !practices.get(c)?.has(fx.practice))[0];  // no relationship with the GP
  assert.ok(fx.child && fx.other, 'the synthetic ICS has a GP patient and a child of another practice');

  onechild(['users', 'add', '--db', db, '--username', 'gp', '--display-name', 'Dr Practice', '--role', 'gp',
            '--organisation', fx.practice, '--password-stdin'], `${password}\n`);
  // A health visitor whose team has every postcode district on its caseload
  // may open every child (all but sexual health items): the sweep validates
  // every child's record through them.
  onechild(['users', 'add', '--db', db, '--username', 'hv', '--display-name', 'Health Visitor', '--role', 'health-visitor',
            '--organisation', 'HV-TEAM', '--password-stdin'], `${password}\n`);
  const districts = new Set(readFileSync(join(ics, 'reference', 'geography.csv'), 'utf8')
    .trim().split('\n').slice(1).map((line) => line.split(',').pop()));
  onechild(['access', 'caseload', '--db', db, '--organisation', 'HV-TEAM', ...districts]);
  onechild(['users', 'add', '--db', db, '--username', 'analyst', '--display-name', 'ICS Analyst', '--role', 'analyst',
            '--organisation', 'ICS', '--password-stdin'], `${password}\n`);
  tokens.gp = token('gp-system', 'gp', 'user/*.read');
  tokens.hv = token('hv-system', 'hv', 'user/*.read');
  tokens.gpImmunizations = token('gp-immunisations', 'gp', 'user/Immunization.read');
  tokens.analystUser = token('analyst-app', 'analyst', 'user/*.read');
  tokens.analystSystem = token('analytics-platform', 'analyst', 'system/*.read');
  tokens.patient = token('family-app', 'gp', 'patient/*.read', ['--child', fx.child]);
  for (const [name, t] of Object.entries(tokens)) assert.match(t, /^\S{16,}$/, `token ${name}: ${t}`);
  // A forged token: the right shape, but not one the server issued.
  tokens.forged = [...tokens.gp].map((c, i) => (i < 8 ? (c === 'a' ? 'b' : 'a') : c)).join('');

  ({ proc: server, url: baseUrl } = await startServer());
  baseUrl += '/fhir/R4';
  console.log(`fhir_client: practice ${fx.practice} (${fx.gpChildren.size} children), child ${fx.child}, ` +
              `other ${fx.other}, flagged ${fx.flagged ?? 'none'}`);
});

after(() => {
  server?.kill('SIGTERM');
  console.log(`fhir_client: ${validated.resources} resources validated: ${JSON.stringify(validated.byType)}`);
  if (work && !process.env.ONECHILD_KEEP) rmSync(work, { recursive: true, force: true });
});

// --- Helpers ---------------------------------------------------------------------

const clientFor = (t) => new Client({ baseUrl, customHeaders: t ? { Authorization: `Bearer ${t}` } : {} });
const gp = () => clientFor(tokens.gp);

function http(resource) {
  return Client.httpFor(resource);
}

function assertFhirJson(resource, where) {
  const { response } = http(resource);
  assert.match(response.headers.get('content-type'), /^application\/fhir\+json/, where);
  assert.equal(response.headers.get('cache-control'), 'no-store', where);
}

// A call that must fail: checks the status and the OperationOutcome (validated).
async function refused(promise, status, code, where) {
  let err;
  try {
    const ok = await promise;
    assert.fail(`${where}: expected ${status}, got ${http(ok)?.response?.status}: ${JSON.stringify(ok).slice(0, 300)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.ok(err.response, `${where}: ${err.stack}`);
  assert.equal(err.response.status, status, `${where}: ${JSON.stringify(err.response.data).slice(0, 500)}`);
  const outcome = err.response.data;
  assert.equal(outcome.resourceType, 'OperationOutcome', `${where}: ${JSON.stringify(outcome).slice(0, 300)}`);
  validate(outcome, where);
  assert.equal(outcome.issue[0].severity === 'error' || outcome.issue[0].severity === 'fatal', true, where);
  if (code) assert.equal(outcome.issue[0].code, code, `${where}: ${JSON.stringify(outcome)}`);
  assert.match(err.config.headers.get('content-type'), /^application\/fhir\+json/, where);
  return { outcome, headers: err.config.headers };
}

const entries = (bundle) => (bundle.entry || []).map((e) => e.resource);
const ids = (bundle) => entries(bundle).map((r) => `${r.resourceType}/${r.id}`);

// Every page of a search, following `next` with the client.
async function allPages(client, first, where) {
  const pages = [first];
  for (let page = first; ;) {
    page = await client.nextPage({ bundle: page });
    if (!page) break;
    validateBundle(page, `${where} page ${pages.length + 1}`);
    pages.push(page);
    assert.ok(pages.length < 1000, `${where}: paging does not end`);
  }
  return pages;
}

function referencesPatient(resource, child) {
  const ref = (resource.subject ?? resource.patient)?.reference;
  return ref === `Patient/${child}`;
}

// A resource's care date ("YYYY-MM-DD"), for the date parameter.
function careDate(r) {
  const v = r.occurrenceDateTime ?? r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.onsetDateTime ??
    r.authoredOn ?? r.authored ?? r.performedDateTime ?? r.performedPeriod?.start ?? r.period?.start;
  return v?.slice(0, 10);
}

// The codings the `code` parameter matches on, by type (docs/fhir.md §3).
function codeOf(r) {
  const cc = {
    Immunization: r.vaccineCode, Encounter: r.type?.[0] ?? r.reasonCode?.[0], EpisodeOfCare: r.type?.[0],
    Condition: r.code, Observation: r.code, Procedure: r.code, ServiceRequest: r.code, CarePlan: r.category?.[0],
    Flag: r.code, CareTeam: r.category?.[0],
  }[r.resourceType];
  return cc?.coding?.find((c) => c.code);
}

function statusOf(r) {
  return r.resourceType === 'Condition' ? r.clinicalStatus?.coding?.[0]?.code : r.status;
}

// --- The tests -------------------------------------------------------------------

test('the CapabilityStatement (public) is valid R4 and lists every type', async () => {
  const cs = await clientFor(null).capabilityStatement();
  validate(cs, 'GET metadata');
  assertFhirJson(cs, 'metadata');
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  const tool = new CapabilityTool(cs);
  for (const type of ALL_TYPES) {
    assert.ok(tool.resourceCan(type, 'read'), `${type} read`);
    assert.ok(tool.resourceCan(type, 'search-type'), `${type} search-type`);
  }
  assert.ok(tool.resourceSearch('Patient', 'identifier'));
  assert.ok(tool.resourceSearch('Patient', 'birthdate'));
  assert.ok(tool.resourceSearch('Immunization', 'patient'));
});

test('the validator rejects what is not FHIR R4', () => {
  // So that a validator set up wrongly (another FHIR version, no value sets) cannot pass everything.
  assert.equal(fhirValidator.parser.version, 'R4');
  for (const type of ALL_TYPES) assert.ok(fhirValidator.parser.parsedStructureDefinitions[type], `the validator knows ${type}`);
  const bad = [
    [{ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'MMR' }, patient: { reference: 'Patient/1' },
       date: '2020-01-01' }, /Immunization.occurrence.*Missing property|Unexpected property/],  // STU3's date
    [{ resourceType: 'Patient', gender: 'boy' }, /not found in value set/],
    [{ resourceType: 'Patient', birthDate: '2020-13-01' }, /not a FHIR R4 date/],
    [{ resourceType: 'Patient', birthDate: '1 March 2020' }, /not a FHIR R4 date/],
    [{ resourceType: 'Patient', name: [{ family: '' }] }, /empty value/],
    [{ resourceType: 'Patient', identifier: [] }, /empty array/],
    [{ resourceType: 'Patient', colour: 'blue' }, /Unexpected property/],
    [{ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/1' }, valueInteger: 1.5 },
     /integer/],
    [{ resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: { resourceType: 'Encounter', status: 'done',
       class: { code: 'AMB' } } }] }, /not found in value set/],
    [{ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Immunization/1' } },
     /Invalid type for reference/],
    [{ resourceType: 'Bundle', type: 'searchset', meta: { lastUpdated: '2026-12-02' } }, /not a FHIR R4 instant/],
    [{ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] }, /Missing property/],
  ];
  for (const [resource, message] of bad) {
    assert.throws(() => validate(resource, 'self-test'), message, JSON.stringify(resource));
  }
  validate({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'MMR' }, patient: { reference: 'Patient/1' },
    occurrenceDateTime: '2020-01-01' }, 'self-test');
});

test('every child\'s $everything validates (a health visitor with every district)', async () => {
  const client = clientFor(tokens.hv);
  const children = sql('SELECT id FROM children WHERE merged_into IS NULL ORDER BY id').map((r) => r[0]);
  fx.withType = {};
  for (const child of children) {
    const b = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: child, method: 'GET' }),
      `hv: Patient/${child}/$everything`);
    assert.equal(b.entry?.length, b.total, `Patient/${child}/$everything`);
    for (const r of entries(b)) (fx.withType[r.resourceType] ||= new Set()).add(child);
  }
  // A merged child's old id reads as an inactive Patient pointing at the child it joined.
  for (const [old, into] of sql('SELECT id, merged_into FROM children WHERE merged_into IS NOT NULL LIMIT 5')) {
    const p = validate(await client.read({ resourceType: 'Patient', id: old }), `hv: merged Patient/${old}`);
    assert.equal(p.active, false);
    assert.ok(p.link?.some((l) => l.type === 'replaced-by' && l.other.reference.endsWith(`/${into}`) || l.other.reference === `Patient/${into}`),
      `merged Patient/${old}: ${JSON.stringify(p.link)}`);
  }
  const missing = ALL_TYPES.filter((t) => !fx.withType[t] && (fx.anyFlagged || !['Flag', 'CareTeam'].includes(t)));
  console.log(`fhir_client: ${children.length} children's records; children with each type: ` +
    JSON.stringify(Object.fromEntries(Object.entries(fx.withType).map(([t, set]) => [t, set.size]))));
  assert.deepEqual(missing, [], 'types no record of the synthetic ICS produced');
});

test('a GP reads a registered child: Patient, ETag, vread and If-None-Match 304', async () => {
  const client = gp();
  const patient = validate(await client.read({ resourceType: 'Patient', id: fx.child }), `GET Patient/${fx.child}`);
  assertFhirJson(patient, 'read');
  assert.equal(patient.id, fx.child);
  assert.equal(patient.identifier.find((i) => i.system === NHS)?.value, fx.nhs);
  const etag = http(patient).response.headers.get('etag');
  assert.equal(etag, `W/"${patient.meta.versionId}"`);

  const vread = validate(await client.vread({ resourceType: 'Patient', id: fx.child, version: patient.meta.versionId }),
    'vread');
  assert.deepEqual(vread, patient);
  await refused(client.vread({ resourceType: 'Patient', id: fx.child, version: '0000000000000000' }), 404, 'not-found',
    'vread of an old version');

  // fhir-kit-client throws on any status but 2xx: a 304 comes back as an error with no body.
  const reads = () => Number(sql(`SELECT count(*) FROM audit_events WHERE action = 'read' AND outcome = 'allowed'
      AND username = 'gp' AND what = 'GET /fhir/R4/Patient/${fx.child}'`)[0][0]);
  const readsBefore = reads();
  let notModified;
  try {
    await client.read({ resourceType: 'Patient', id: fx.child, options: { headers: { 'If-None-Match': etag } } });
  } catch (e) {
    notModified = e;
  }
  assert.equal(notModified?.response?.status, 304, `If-None-Match: ${notModified?.stack ?? 'answered 200'}`);
  assert.deepEqual(notModified.response.data, {});
  assert.equal(notModified.config.headers.get('etag'), etag, '304: ETag');
  assert.equal(reads(), readsBefore + 1, 'the 304 is audited as a read');
  // A stale ETag gets the resource.
  const fresh = await client.read({ resourceType: 'Patient', id: fx.child, options: { headers: { 'If-None-Match': 'W/"0000000000000000"' } } });
  validate(fresh, 'read with a stale ETag');

  // An event resource read under its own type, and 404 under another.
  const imms = await client.search({ resourceType: 'Immunization', searchParams: { patient: fx.child, _count: 1 } });
  const imm = entries(imms)[0];
  assert.ok(imm, 'the child has an immunisation');
  const read = validate(await client.read({ resourceType: 'Immunization', id: imm.id }), `GET Immunization/${imm.id}`);
  assert.deepEqual(read, imm);
  await refused(client.read({ resourceType: 'Observation', id: imm.id }), 404, 'not-found', 'an Immunization read as an Observation');
});

test('Patient search: NHS number, name, birthdate, gender, POST _search', async () => {
  const client = gp();
  const byNhs = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { identifier: `${NHS}|${fx.nhs}` } }),
    'Patient?identifier');
  assertFhirJson(byNhs, 'search');
  assert.equal(byNhs.total, 1);
  assert.deepEqual(ids(byNhs), [`Patient/${fx.child}`]);
  assert.equal(byNhs.entry[0].fullUrl, `${baseUrl}/Patient/${fx.child}`);
  assert.equal(byNhs.entry[0].search.mode, 'match');
  const bare = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { identifier: fx.nhs } }), 'bare NHS number');
  assert.deepEqual(ids(bare), ids(byNhs));

  const patient = entries(byNhs)[0];
  const name = patient.name[0];
  const criteria = [
    { family: name.family },
    { name: name.family.slice(0, 3).toLowerCase() },
    { given: name.given[0], family: name.family },
    { 'family:exact': name.family },
    { 'name:contains': name.family.slice(1, 4) },
    { birthdate: patient.birthDate },
    { birthdate: `ge${patient.birthDate}`, gender: patient.gender },
    { gender: patient.gender },
    { family: name.family, birthdate: patient.birthDate, gender: patient.gender },
  ];
  for (const searchParams of criteria) {
    const where = `Patient?${new URLSearchParams(searchParams)}`;
    const first = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { ...searchParams, _count: 500 } }), where);
    const found = entries(first);
    assert.equal(found.length, first.total, where);
    assert.ok(found.some((p) => p.id === fx.child), `${where} finds the child`);
    for (const p of found) {
      assert.ok(fx.gpChildren.has(p.id), `${where}: Patient/${p.id} is not registered at ${fx.practice}`);
      if (searchParams.gender) assert.equal(p.gender, searchParams.gender, where);
    }
  }
  const none = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { family: 'Zzqxnotaname' } }), 'no match');
  assert.equal(none.total, 0);
  assert.equal(none.entry, undefined);

  const post = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { identifier: `${NHS}|${fx.nhs}` },
    options: { postSearch: true } }), 'POST Patient/_search');
  assert.deepEqual(ids(post), ids(byNhs));
});

test('each resource type by patient, with date, code, category and status', async () => {
  const seen = {};
  for (const type of EVENT_TYPES) {
    // The GP's child; for a type they have none of, a child who has one, through the health visitor.
    let client = gp(), child = fx.child;
    if (!fx.withType[type]?.has(fx.child)) {
      child = [...(fx.withType[type] ?? [])][0];
      client = clientFor(tokens.hv);
    }
    if (!child) {
      console.log(`fhir_client: no child in the synthetic ICS has a ${type}`);
      continue;
    }
    const where = `${type}?patient=${child}`;
    const all = validateBundle(await client.search({ resourceType: type, searchParams: { patient: child, _count: 500 } }), where);
    const found = entries(all);
    seen[type] = `${found.length} (child ${child})`;
    assert.equal(found.length, all.total, where);
    for (const r of found) {
      assert.equal(r.resourceType, type, where);
      if (type !== 'CareTeam' && type !== 'Flag') {
        assert.ok(r.meta.tag.some((t) => t.system === EVENT_KIND), `${where}: ${type}/${r.id} has no event-kind tag`);
      }
      assert.ok(referencesPatient(r, child), `${where}: ${type}/${r.id} is not about Patient/${child}`);
    }
    const subject = validateBundle(await client.search({ resourceType: type, searchParams: { subject: `Patient/${child}`, _count: 500 } }),
      `${type}?subject`);
    assert.deepEqual(ids(subject), ids(all), `${type}: subject= and patient= agree`);
    assert.ok(found.length > 0, `${where}: $everything has a ${type} for this child, the search none`);

    const all_ = new Set(ids(all));
    const sample = found[Math.floor(found.length / 2)];
    const sub = async (params, label) => {
      const b = validateBundle(await client.search({ resourceType: type, searchParams: { patient: child, _count: 500, ...params } }),
        `${type}?${label}`);
      for (const id of ids(b)) assert.ok(all_.has(id), `${type}?${label}: ${id} is not in the unfiltered search`);
      assert.equal(entries(b).length, b.total, label);
      return b;
    };
    const day = careDate(sample);
    if (day) {
      const b = await sub({ date: [`ge${day}`, `le${day}`] }, `date=ge${day}&date=le${day}`);
      assert.ok(ids(b).includes(`${type}/${sample.id}`), `${type}: date=ge${day}&le${day} misses ${sample.id}`);
      const year = await sub({ date: `ap${day.slice(0, 4)}` }, `date=ap${day.slice(0, 4)}`);
      assert.ok(ids(year).includes(`${type}/${sample.id}`), `${type}: date=ap${day.slice(0, 4)} misses ${sample.id}`);
      const old = await sub({ date: 'lt1900-01-01' }, 'date=lt1900-01-01');
      assert.equal(old.total, 0, `${type}: nothing before 1900`);
    }
    const coding = codeOf(sample);
    if (coding) {
      const token = coding.system ? `${coding.system}|${coding.code}` : coding.code;
      const b = await sub({ code: token }, `code=${token}`);
      assert.ok(ids(b).includes(`${type}/${sample.id}`), `${type}: code=${token} misses ${sample.id}`);
      for (const r of entries(b)) assert.equal(codeOf(r)?.code, coding.code, `${type}?code=${token}: ${r.id}`);
    }
    const kind = sample.meta.tag?.find((t) => t.system === EVENT_KIND)?.code;
    if (kind) {
      const b = await sub({ category: `${EVENT_KIND}|${kind}` }, `category=${kind}`);
      assert.ok(ids(b).includes(`${type}/${sample.id}`), `${type}: category=${kind} misses ${sample.id}`);
      const bare = await sub({ category: kind }, `category=${kind} (bare)`);
      assert.deepEqual(ids(bare), ids(b));
    }
    const status = statusOf(sample);
    if (status) {
      const b = await sub({ status }, `status=${status}`);
      assert.ok(ids(b).includes(`${type}/${sample.id}`), `${type}: status=${status} misses ${sample.id}`);
      for (const r of entries(b)) assert.equal(statusOf(r), status, `${type}?status=${status}: ${r.id}`);
    }
    // _id and _summary=count.
    const byId = await sub({ _id: sample.id }, `_id=${sample.id}`);
    assert.deepEqual(ids(byId), [`${type}/${sample.id}`]);
    const count = validateBundle(await client.search({ resourceType: type, searchParams: { patient: child, _summary: 'count' } }),
      `${type}?_summary=count`);
    assert.equal(count.total, found.length);
    assert.equal(count.entry, undefined);
    const zero = validateBundle(await client.search({ resourceType: type, searchParams: { patient: child, _count: 0 } }),
      `${type}?_count=0`);
    assert.equal(zero.total, found.length);
    assert.equal(zero.entry, undefined);
  }
  console.log(`fhir_client: searched by type (count, child): ${JSON.stringify(seen)}`);
});

test('paging: nextPage walks every page once, the total adds up, prevPage goes back', async () => {
  const client = gp();
  const cases = [
    ['Encounter', { patient: fx.child }],
    ['Immunization', { patient: fx.child }],
    ['Observation', { patient: fx.child }],
    ['Patient', { birthdate: 'ge1900' }],  // every child the GP may open
  ];
  for (const [type, params] of cases) {
    // A page size that makes three or four pages, the last one short when it can be.
    const { total } = await client.search({ resourceType: type, searchParams: { ...params, _summary: 'count' } });
    assert.ok(total >= 3, `${type}?${new URLSearchParams(params)}: ${total} results, the test needs 3 or more`);
    const searchParams = { ...params, _count: Math.max(1, Math.ceil(total / 3.5)) };
    const where = `${type}?${new URLSearchParams(searchParams)}`;
    const first = validateBundle(await client.search({ resourceType: type, searchParams }), where);
    const pages = await allPages(client, first, where);
    const seen = pages.flatMap(ids);
    assert.equal(new Set(seen).size, seen.length, `${where}: an entry repeats across pages`);
    assert.equal(seen.length, first.total, `${where}: ${seen.length} entries on ${pages.length} pages, total ${first.total}`);
    for (const [i, page] of pages.entries()) {
      assert.equal(page.total, first.total, `${where} page ${i + 1}: total`);
      assert.ok(page.entry.length <= searchParams._count, `${where} page ${i + 1}: ${page.entry.length} entries`);
      if (i < pages.length - 1) assert.equal(page.entry.length, searchParams._count, `${where} page ${i + 1} is full`);
      const self = page.link.find((l) => l.relation === 'self');
      assert.ok(self, `${where} page ${i + 1}: no self link`);
    }
    assert.ok(pages.length >= 3, `${where}: ${first.total} results on ${pages.length} pages`);
    // The same as one big page, in the same order.
    const whole = validateBundle(await client.search({ resourceType: type, searchParams: { ...searchParams, _count: 500 } }), `${where} (one page)`);
    assert.deepEqual(seen, ids(whole), `${where}: the pages differ from one page`);
    // Back one page from the last.
    const last = pages[pages.length - 1];
    const previous = await client.prevPage({ bundle: last });
    validateBundle(previous, `${where} previous`);
    assert.deepEqual(ids(previous), ids(pages[pages.length - 2]), `${where}: previous of the last page`);
  }
});

test('_include adds the Patient once, with search.mode include', async () => {
  const client = gp();
  for (const include of ['*:patient', 'Immunization:patient']) {
    const bundle = validateBundle(await client.search({ resourceType: 'Immunization',
      searchParams: { patient: fx.child, _include: include, _count: 5 } }), `Immunization?_include=${include}`);
    const included = bundle.entry.filter((e) => e.search?.mode === 'include');
    assert.equal(included.length, 1, include);
    assert.equal(included[0].resource.resourceType, 'Patient');
    assert.equal(included[0].resource.id, fx.child);
    const matches = bundle.entry.filter((e) => e.search?.mode === 'match');
    assert.equal(matches.length, Math.min(5, bundle.total), `${include}: total counts the matches only`);
  }
  const encounters = validateBundle(await client.search({ resourceType: 'Encounter',
    searchParams: { patient: fx.child, _include: 'Encounter:subject', _count: 2 } }), 'Encounter?_include=Encounter:subject');
  assert.ok(encounters.entry.some((e) => e.search?.mode === 'include' && e.resource.id === fx.child));
});

test('Patient/$everything: the whole record, valid, and what the searches find', async () => {
  const client = gp();
  const everything = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: fx.child, method: 'GET' }),
    `Patient/${fx.child}/$everything`);
  assertFhirJson(everything, '$everything');
  const found = entries(everything);
  assert.equal(found.length, everything.total);
  assert.equal(found.filter((r) => r.resourceType === 'Patient').length, 1);
  assert.equal(found.find((r) => r.resourceType === 'Patient').id, fx.child);
  const keys = found.map((r) => `${r.resourceType}/${r.id}`);
  assert.equal(new Set(keys).size, keys.length, '$everything: an entry repeats');
  // Every search result is in $everything, and nothing else is.
  let searched = 1;
  for (const type of EVENT_TYPES) {
    const b = await client.search({ resourceType: type, searchParams: { patient: fx.child, _count: 500 } });
    searched += b.total;
    for (const id of ids(b)) assert.ok(keys.includes(id), `${id} is found by search but not in $everything`);
  }
  assert.equal(found.length, searched, '$everything has what the searches have');

  // _type and paging with _count.
  const imms = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: fx.child, method: 'GET',
    input: { _type: 'Immunization' } }), '$everything?_type=Immunization');
  assert.ok(entries(imms).every((r) => r.resourceType === 'Immunization'));
  const first = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: fx.child, method: 'GET',
    input: { _count: 10 } }), '$everything?_count=10');
  const pages = await allPages(client, first, '$everything?_count=10');
  const paged = pages.flatMap(ids);
  assert.equal(new Set(paged).size, paged.length, '$everything pages repeat an entry');
  assert.deepEqual(new Set(paged), new Set(keys), '$everything pages hold the whole record');
});

test('CP-IS: a flagged child has a Flag and a CareTeam, both valid', async (t) => {
  // The GP's flagged child, or any (through the health visitor).
  const child = fx.flagged ?? fx.anyFlagged;
  if (!child) {
    t.skip('no child with a protection plan in force in this synthetic ICS');
    return;
  }
  const client = fx.flagged ? gp() : clientFor(tokens.hv);
  const everything = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: child, method: 'GET' }),
    `Patient/${child}/$everything`);
  const flag = entries(everything).find((r) => r.resourceType === 'Flag' && r.id.startsWith('cpis-'));
  const team = entries(everything).find((r) => r.resourceType === 'CareTeam' && r.id.startsWith('cpis-'));
  assert.ok(flag, `no CP-IS Flag for child ${child}: ${ids(everything).join(' ')}`);
  assert.ok(team, `no CP-IS CareTeam for child ${child}`);
  assert.equal(flag.status, 'active');
  assert.ok(team.telecom?.length >= 2, 'the CareTeam has the office-hours and out-of-hours numbers');
  validate(await client.read({ resourceType: 'Flag', id: flag.id }), `GET Flag/${flag.id}`);
  validate(await client.read({ resourceType: 'CareTeam', id: team.id }), `GET CareTeam/${team.id}`);
  const flags = validateBundle(await client.search({ resourceType: 'Flag', searchParams: { patient: child, status: 'active' } }),
    'Flag?status=active');
  assert.ok(ids(flags).includes(`Flag/${flag.id}`));
});

test('a patient/ token reads its own child only', async () => {
  const client = clientFor(tokens.patient);
  validate(await client.read({ resourceType: 'Patient', id: fx.child }), 'patient token: own Patient');
  // The child is assumed when a patient/ token searches without patient=.
  const imms = validateBundle(await client.search({ resourceType: 'Immunization', searchParams: { _count: 500 } }),
    'patient token: Immunization');
  assert.ok(imms.total > 0);
  for (const r of entries(imms)) assert.ok(referencesPatient(r, fx.child));
  const everything = validateBundle(await client.operation({ name: 'everything', resourceType: 'Patient', id: fx.child, method: 'GET' }),
    'patient token: $everything');
  assert.ok(everything.total > 0);
  const another = [...fx.gpChildren].find((c) => c !== fx.child);
  await refused(client.read({ resourceType: 'Patient', id: another }), 403, 'forbidden', 'patient token reads another child');
  await refused(client.search({ resourceType: 'Immunization', searchParams: { patient: another } }), 403, 'forbidden',
    'patient token searches another child');
  await refused(client.operation({ name: 'everything', resourceType: 'Patient', id: another, method: 'GET' }), 403, 'forbidden',
    'patient token: $everything of another child');
  await refused(client.operation({ name: 'export', method: 'GET', input: { _pseudonymise: 'true' },
    options: { headers: { Prefer: 'respond-async' } } }), 403, 'forbidden', 'patient token: $export');
});

test('refusals: forged token 401, no relationship 403, analyst 403, scopes 403', async () => {
  // No token, and a forged one: 401 with WWW-Authenticate.
  for (const [label, t] of [['no token', null], ['forged token', tokens.forged], ['malformed header', '']]) {
    const client = label === 'malformed header'
      ? new Client({ baseUrl, customHeaders: { Authorization: 'Basic Z3A6cGFzc3dvcmQ=' } }) : clientFor(t);
    const { headers } = await refused(client.read({ resourceType: 'Patient', id: fx.child }), 401, 'login', label);
    assert.match(headers.get('www-authenticate') ?? '', /^Bearer /, `${label}: WWW-Authenticate`);
    await refused(client.search({ resourceType: 'Patient', searchParams: { identifier: fx.nhs } }), 401, 'login', `${label}: search`);
  }

  // The GP and a child with no relationship: 403 for each person-level call.
  const client = gp();
  await refused(client.read({ resourceType: 'Patient', id: fx.other }), 403, 'forbidden', 'GP reads an unrelated child');
  await refused(client.search({ resourceType: 'Encounter', searchParams: { patient: fx.other } }), 403, 'forbidden',
    'GP searches an unrelated child');
  await refused(client.operation({ name: 'everything', resourceType: 'Patient', id: fx.other, method: 'GET' }), 403, 'forbidden',
    'GP: $everything of an unrelated child');
  // ...and a Patient search never returns them.
  const [[otherNhs]] = sql(`SELECT coalesce(nhs_number, '') FROM children WHERE id = ${fx.other}`);
  if (otherNhs) {
    const b = validateBundle(await client.search({ resourceType: 'Patient', searchParams: { identifier: `${NHS}|${otherNhs}` } }),
      'GP searches an unrelated NHS number');
    assert.equal(b.total, 0);
  }
  // A GP may not export.
  await refused(client.operation({ name: 'export', method: 'GET', options: { headers: { Prefer: 'respond-async' } } }), 403, 'forbidden',
    'GP: $export');

  // A token scoped to Immunization: other types are 403.
  const imms = clientFor(tokens.gpImmunizations);
  validateBundle(await imms.search({ resourceType: 'Immunization', searchParams: { patient: fx.child } }), 'Immunization scope');
  await refused(imms.read({ resourceType: 'Patient', id: fx.child }), 403, 'forbidden', 'Immunization scope reads a Patient');
  await refused(imms.search({ resourceType: 'Encounter', searchParams: { patient: fx.child } }), 403, 'forbidden',
    'Immunization scope searches Encounter');

  // The analyst (no view-record): every person-level endpoint is 403, even the GP's child.
  const analyst = clientFor(tokens.analystUser);
  await refused(analyst.read({ resourceType: 'Patient', id: fx.child }), 403, 'forbidden', 'analyst reads a Patient');
  await refused(analyst.read({ resourceType: 'Patient', id: fx.other }), 403, 'forbidden', 'analyst reads another Patient');
  await refused(analyst.search({ resourceType: 'Patient', searchParams: { identifier: fx.nhs } }), 403, 'forbidden', 'analyst searches Patient');
  await refused(analyst.search({ resourceType: 'Immunization', searchParams: { patient: fx.child } }), 403, 'forbidden',
    'analyst searches Immunization');
  await refused(analyst.operation({ name: 'everything', resourceType: 'Patient', id: fx.child, method: 'GET' }), 403, 'forbidden',
    'analyst: $everything');
  const system = clientFor(tokens.analystSystem);
  await refused(system.read({ resourceType: 'Patient', id: fx.child }), 403, 'forbidden', 'analyst system token reads a Patient');
  // Identifiable export: the analyst is told to pseudonymise.
  await refused(system.operation({ name: 'export', method: 'GET', options: { headers: { Prefer: 'respond-async' } } }), 403, 'forbidden',
    'analyst: identifiable $export');
});

test('errors: unknown id 404, bad parameters 400, wrong method 405', async () => {
  const client = gp();
  await refused(client.read({ resourceType: 'Patient', id: '999999999' }), 404, 'not-found', 'unknown Patient');
  await refused(client.read({ resourceType: 'Immunization', id: '999999999' }), 404, 'not-found', 'unknown Immunization');
  await refused(client.read({ resourceType: 'Flag', id: 'cpis-999999999' }), 404, 'not-found', 'unknown Flag');
  await refused(client.request('Medication/1'), 404, null, 'unserved type');
  const bad = [
    ['Patient', { birthdate: 'yesterday' }, 'invalid'],
    ['Patient', { birthdate: 'xx2020' }, 'invalid'],
    ['Patient', { colour: 'blue' }, null],
    ['Patient', { 'name:fuzzy': 'Smith' }, null],
    ['Immunization', { patient: fx.child, date: 'not-a-date' }, 'invalid'],
    ['Immunization', { patient: fx.child, _count: 'many' }, 'invalid'],
    ['Immunization', {}, null],  // an event search needs patient=
    ['Encounter', { patient: fx.child, status: 'finished', bogus: '1' }, null],
  ];
  for (const [type, searchParams, code] of bad) {
    await refused(client.search({ resourceType: type, searchParams }), 400, code, `${type}?${new URLSearchParams(searchParams)}`);
  }
  await refused(client.request(`Patient/${fx.child}`, { method: 'DELETE' }), 405, 'not-supported', 'DELETE Patient');
  await refused(client.request(`Patient/${fx.child}`, { method: 'PUT', body: { resourceType: 'Patient', id: fx.child } }), 405,
    'not-supported', 'PUT Patient');
});

// --- Bulk Data -----------------------------------------------------------------

async function kickOff(client, { resourceType, id, method = 'GET', input }, where) {
  const accepted = await client.operation({ name: 'export', resourceType, id, method, input,
    options: { headers: { Prefer: 'respond-async', Accept: 'application/fhir+json' } } });
  const { response } = http(accepted);
  assert.equal(response.status, 202, where);
  if (Object.keys(accepted).length) validate(accepted, `${where} (202 body)`);
  const location = response.headers.get('content-location');
  assert.match(location ?? '', /\/fhir\/R4\/\$export-status\/\S+$/, `${where}: Content-Location`);
  return location;
}

async function manifestOf(client, statusUrl, where) {
  const started = Date.now();
  for (;;) {
    const body = await client.request(statusUrl);
    const { response } = http(body);
    if (response.status === 200) {
      assert.match(response.headers.get('content-type'), /^application\/json/, `${where}: manifest Content-Type`);
      return body;
    }
    assert.equal(response.status, 202, `${where}: status ${response.status}`);
    assert.match(response.headers.get('x-progress') ?? '', /^\d+% \(\d+ of \d+ children\)$/, `${where}: X-Progress`);
    if (Object.keys(body).length) validate(body, `${where} (status 202 body)`);
    assert.ok(Date.now() - started < 120000, `${where}: the export did not finish in 2 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Downloads every file of a manifest (fhir-kit-client parses only JSON, so
// NDJSON comes with fetch and the same token) and validates every line.
async function downloadAll(t, manifest, where) {
  const byType = {};
  for (const out of manifest.output) {
    const res = await fetch(out.url, { headers: { Authorization: `Bearer ${t}`, Accept: 'application/fhir+ndjson' } });
    assert.equal(res.status, 200, `${where}: GET ${out.url}`);
    assert.match(res.headers.get('content-type'), /^application\/fhir\+ndjson/, `${where}: ${out.url} Content-Type`);
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    assert.equal(lines.length, out.count, `${where}: ${out.url} has ${lines.length} lines, the manifest says ${out.count}`);
    for (const [i, line] of lines.entries()) {
      let resource;
      try {
        resource = JSON.parse(line);
      } catch (e) {
        assert.fail(`${where}: ${out.url} line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
      assert.equal(resource.resourceType, out.type, `${where}: ${out.url} line ${i + 1}`);
      validate(resource, `${where}: ${out.url} line ${i + 1}`);
      (byType[out.type] ||= []).push(resource);
    }
  }
  return byType;
}

function checkManifest(manifest, where) {
  assert.match(manifest.transactionTime ?? '', R4_PATTERNS.instant, `${where}: transactionTime`);
  assert.equal(manifest.requiresAccessToken, true, where);
  assert.ok(Array.isArray(manifest.output) && manifest.output.length > 0, `${where}: output`);
  assert.deepEqual(manifest.error, [], `${where}: error`);
  for (const o of manifest.output) {
    assert.ok(ALL_TYPES.includes(o.type), `${where}: output type ${o.type}`);
    assert.match(o.url, /\/fhir\/R4\/\$export-file\/\S+\.ndjson$/, `${where}: ${o.url}`);
    assert.ok(Number.isInteger(o.count) && o.count > 0, `${where}: ${o.url} count ${o.count}`);
  }
}

function checkPseudonymised(byType, where) {
  for (const p of byType.Patient ?? []) {
    assert.match(p.id, /^[0-9a-f]{32}$/, `${where}: Patient id ${p.id} is not a pseudonym`);
    assert.equal(p.identifier, undefined, `${where}: Patient/${p.id} has identifiers`);
    assert.equal(p.name, undefined, `${where}: Patient/${p.id} has a name`);
    assert.equal(p.address, undefined, `${where}: Patient/${p.id} has an address`);
    if (p.birthDate) assert.match(p.birthDate, /^\d{4}-\d{2}$/, `${where}: Patient/${p.id} birthDate`);
    assert.ok(p.meta?.security?.some((s) => s.code === 'PSEUDED'), `${where}: Patient/${p.id} is not marked PSEUDED`);
  }
  const pseudonyms = new Set((byType.Patient ?? []).map((p) => `Patient/${p.id}`));
  for (const [type, list] of Object.entries(byType)) {
    if (type === 'Patient') continue;
    assert.ok(!['Flag', 'CareTeam'].includes(type), `${where}: an analyst's export has ${type} (CP-IS is withheld)`);
    for (const r of list) {
      const ref = (r.subject ?? r.patient)?.reference;
      assert.ok(pseudonyms.has(ref), `${where}: ${type}/${r.id} refers to ${ref}, not an exported pseudonym`);
    }
  }
}

test('Bulk $export (system, pseudonymised): kick-off, status, manifest, every NDJSON line valid', async () => {
  const client = clientFor(tokens.analystSystem);
  const where = 'GET $export?_pseudonymise=true';
  const status = await kickOff(client, { input: { _pseudonymise: 'true' } }, where);
  const manifest = await manifestOf(client, status, where);
  checkManifest(manifest, where);
  assert.match(manifest.request, /\/fhir\/R4\/\$export\?_pseudonymise=true$/);
  const byType = await downloadAll(tokens.analystSystem, manifest, where);
  checkPseudonymised(byType, where);
  const [[children]] = sql('SELECT count(*) FROM children WHERE merged_into IS NULL');
  const ext = manifest.extension?.['https://onechild.example/fhir/bulk-export'];
  assert.equal(ext?.pseudonymised, true);
  assert.equal(ext?.children, Number(children), `${where}: children in the extension`);
  assert.equal(ext?.childrenOptedOut, 0, `${where}: nobody has opted out in this ICS`);
  assert.equal(byType.Patient.length, Number(children), `${where}: a Patient per child`);
  fx.pseudonyms = new Set(byType.Patient.map((p) => p.id));

  // Another user cannot see it; the GP (no bulk-export) gets 404, not the manifest.
  await refused(gp().request(status), 404, 'not-found', 'another user reads the export status');
  const file = manifest.output[0].url;
  await refused(gp().request(file), 404, 'not-found', 'another user downloads an export file');
  // A missing Prefer header, and an unsupported parameter.
  await refused(client.operation({ name: 'export', method: 'GET', input: { _pseudonymise: 'true' } }), 400, 'invalid',
    '$export without Prefer: respond-async');
  await refused(client.operation({ name: 'export', method: 'GET', input: { _pseudonymise: 'true', _typeFilter: 'Immunization?status=completed' },
    options: { headers: { Prefer: 'respond-async' } } }), 400, 'not-supported', '$export?_typeFilter');
  await refused(client.operation({ name: 'export', method: 'GET', input: { _pseudonymise: 'true', _type: 'Medication' },
    options: { headers: { Prefer: 'respond-async' } } }), 400, 'invalid', '$export?_type=Medication');
});

test('Bulk Patient/$export (POST Parameters, _type) and cancel', async () => {
  const client = clientFor(tokens.analystSystem);
  const where = 'POST Patient/$export';
  const status = await kickOff(client, { resourceType: 'Patient', method: 'POST', input: {
    resourceType: 'Parameters',
    parameter: [{ name: '_pseudonymise', valueBoolean: true }, { name: '_type', valueString: 'Patient,Immunization,Encounter' }],
  } }, where);
  const manifest = await manifestOf(client, status, where);
  checkManifest(manifest, where);
  assert.deepEqual([...new Set(manifest.output.map((o) => o.type))].sort(), ['Encounter', 'Immunization', 'Patient']);
  const byType = await downloadAll(tokens.analystSystem, manifest, where);
  checkPseudonymised(byType, where);

  // Cancel (delete) a finished export: 202, then the status is 404 and so are its files.
  const cancelled = await client.request(status, { method: 'DELETE' });
  assert.equal(http(cancelled).response.status, 202);
  if (Object.keys(cancelled).length) validate(cancelled, 'DELETE $export-status (202 body)');
  await refused(client.request(status), 404, 'not-found', 'the status of a cancelled export');
  await refused(client.request(manifest.output[0].url), 404, 'not-found', 'a file of a cancelled export');
});

test('Bulk Group/{practice}/$export: the practice\'s children only', async () => {
  const client = clientFor(tokens.analystSystem);
  const where = `GET Group/${fx.practice}/$export`;
  const status = await kickOff(client, { resourceType: 'Group', id: fx.practice, input: { _pseudonymise: 'true' } }, where);
  const manifest = await manifestOf(client, status, where);
  checkManifest(manifest, where);
  const byType = await downloadAll(tokens.analystSystem, manifest, where);
  checkPseudonymised(byType, where);
  assert.ok(byType.Patient.length > 0 && byType.Patient.length <= fx.gpChildren.size,
    `${where}: ${byType.Patient.length} patients for a practice of ${fx.gpChildren.size}`);
  // Pseudonyms are stable: the same children as in the system export.
  for (const p of byType.Patient) assert.ok(fx.pseudonyms.has(p.id), `${where}: Patient/${p.id} is not in the system export`);
  await refused(client.operation({ name: 'export', resourceType: 'Group', id: 'Z99999', method: 'GET', input: { _pseudonymise: 'true' },
    options: { headers: { Prefer: 'respond-async' } } }), 404, 'not-found', 'Group/Z99999/$export');
});

// --- The audit -------------------------------------------------------------------

test('the audit log holds the reads and the refusals, and its chain verifies', () => {
  const rows = (where) => Number(sql(`SELECT count(*) FROM audit_events WHERE ${where}`)[0][0]);
  const read = `what LIKE 'GET /fhir/R4/Patient/${fx.child}%'`;
  assert.ok(rows(`action = 'read' AND outcome = 'allowed' AND username = 'gp' AND ${read}`) >= 3, 'the GP\'s reads (200 and 304)');
  assert.ok(rows(`action = 'search' AND outcome = 'allowed' AND username = 'gp'`) > 0, 'the GP\'s searches');
  assert.ok(rows(`action = 'everything' AND outcome = 'allowed' AND ${read}`) > 0, '$everything');
  assert.equal(rows(`action = 'denied' AND outcome = 'denied' AND username = 'gp' AND children = '${fx.other}'
      AND what LIKE 'GET /fhir/R4/%${fx.other}%'`), 3, 'the GP refused an unrelated child: read, search, $everything');
  assert.ok(rows(`action = 'denied' AND outcome = 'denied' AND username = 'analyst' AND ${read}`) >= 1, 'the analyst refused');
  assert.ok(rows(`action = 'denied' AND outcome = 'denied' AND user_id IS NULL
      AND what = 'GET /fhir/R4/Patient/${fx.child}: the token is not one this server issued'`) === 1, 'the forged token is audited');
  assert.ok(rows(`action = 'denied' AND outcome = 'denied' AND user_id IS NULL AND what LIKE 'GET /fhir/R4/Patient/${fx.child}:%'`) === 3,
    'no token, a forged token and a Basic header are audited');
  assert.ok(rows(`action = 'denied' AND outcome = 'denied' AND username = 'gp' AND what LIKE '%this token is for another child%'`) >= 3,
    'the patient token refused another child');
  assert.ok(rows(`action = 'denied' AND outcome = 'denied' AND username = 'gp' AND what LIKE '%another user''s export'`) >= 2,
    'another user\'s export status and file');
  assert.ok(rows(`action = 'export' AND outcome = 'allowed' AND username = 'analyst' AND purpose = 'secondary-use'
      AND what LIKE '%pseudonymised)'`) === 3,
    'the exports are audited');
  assert.ok(rows(`action = 'export' AND what LIKE '%$export-file%'`) >= 1, 'the downloads are audited');
  const verify = spawnSync(bin, ['audit', 'verify', '--db', db], { encoding: 'utf8' });
  assert.equal(verify.status, 0, `audit verify: ${verify.stdout}${verify.stderr}`);
  assert.equal(serverErr.match(/failed:/g)?.length ?? 0, 0, `the server logged internal errors:\n${serverErr}`);
});
