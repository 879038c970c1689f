#include "store/schema.h"

#include <array>

namespace onechild {
namespace {

// Migration 1: the walking skeleton's tables. See docs/data-model.md.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE source_systems (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,      -- e.g. 'gp', 'social_care'
  format      TEXT NOT NULL,             -- 'fhir-ndjson' | 'csv'
  created_at  TEXT NOT NULL
);

-- One row per file loaded: the provenance every accepted or quarantined row points to.
CREATE TABLE ingest_batches (
  id                INTEGER PRIMARY KEY,
  source_system_id  INTEGER NOT NULL REFERENCES source_systems(id),
  file_path         TEXT NOT NULL,
  file_sha256       TEXT NOT NULL,
  received_at       TEXT NOT NULL,
  rows_read         INTEGER NOT NULL,
  rows_accepted     INTEGER NOT NULL,
  rows_unchanged    INTEGER NOT NULL,
  rows_quarantined  INTEGER NOT NULL
);

-- People as each source sent them; never updated. A changed record arrives
-- as a new row with a new content hash.
CREATE TABLE source_persons (
  id                INTEGER PRIMARY KEY,
  source_system_id  INTEGER NOT NULL REFERENCES source_systems(id),
  original_id       TEXT NOT NULL,
  nhs_number        TEXT,                -- 10 digits, validated; NULL when absent
  given_name        TEXT,
  family_name       TEXT,
  birth_date        TEXT,                -- ISO 8601
  sex               TEXT,
  postcode          TEXT,
  content_hash      TEXT NOT NULL,
  batch_id          INTEGER NOT NULL REFERENCES ingest_batches(id),
  line              INTEGER NOT NULL,
  UNIQUE (source_system_id, original_id, content_hash)
);
CREATE INDEX source_persons_by_original ON source_persons(source_system_id, original_id);
CREATE INDEX source_persons_by_nhs ON source_persons(nhs_number);

-- Events (immunisations, social care episodes, ...) as each source sent them.
CREATE TABLE source_events (
  id                  INTEGER PRIMARY KEY,
  source_system_id    INTEGER NOT NULL REFERENCES source_systems(id),
  original_id         TEXT NOT NULL,
  person_original_id  TEXT NOT NULL,     -- the source's own id of the person
  kind                TEXT NOT NULL,     -- 'immunisation' | 'social-care-episode'
  code_system         TEXT,
  code                TEXT,
  display             TEXT,
  start_date          TEXT NOT NULL,
  end_date            TEXT,
  status              TEXT,
  content_hash        TEXT NOT NULL,
  batch_id            INTEGER NOT NULL REFERENCES ingest_batches(id),
  line                INTEGER NOT NULL,
  UNIQUE (source_system_id, original_id, content_hash)
);
CREATE INDEX source_events_by_person ON source_events(source_system_id, person_original_id);

-- Rows that could not be accepted, kept whole with where and why.
CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  batch_id    INTEGER NOT NULL REFERENCES ingest_batches(id),
  line        INTEGER NOT NULL,
  field       TEXT,
  reason      TEXT NOT NULL,
  raw         TEXT NOT NULL
);

-- The master child index: one row per real child.
CREATE TABLE children (
  id          INTEGER PRIMARY KEY,
  nhs_number  TEXT UNIQUE,
  created_at  TEXT NOT NULL
);

CREATE TABLE links (
  id                INTEGER PRIMARY KEY,
  source_person_id  INTEGER NOT NULL UNIQUE REFERENCES source_persons(id),
  child_id          INTEGER NOT NULL REFERENCES children(id),
  method            TEXT NOT NULL,       -- 'nhs-number'
  created_at        TEXT NOT NULL
);
CREATE INDEX links_by_child ON links(child_id);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL,
  password_hash  TEXT NOT NULL,          -- Argon2id, libsodium's encoded string
  created_at     TEXT NOT NULL
);

-- Web sessions. Only a hash of the token is stored, so a copy of the
-- database does not let anyone log in.
CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);

-- Who did what, when, to which child's record.
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  user_id   INTEGER REFERENCES users(id),
  action    TEXT NOT NULL,               -- 'login', 'search', 'view-record', ...
  child_id  INTEGER REFERENCES children(id),
  detail    TEXT
);
CREATE INDEX audit_log_by_child ON audit_log(child_id);
)sql";

// Migration 2: ethnic category (NHS Data Dictionary code), for inequality
// breakdowns.
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE source_persons ADD COLUMN ethnic_category TEXT;
)sql";

// Migration 3: an event's value as text, an observation's result ("112.4 cm",
// "30") or a service request's reason; NULL for other events. Came with the
// FHIR event kinds 'encounter', 'condition', 'observation', 'care-plan' and
// 'service-request'.
constexpr std::string_view kMigration3 = R"sql(
ALTER TABLE source_events ADD COLUMN value TEXT;
)sql";

// Migration 4: ingest that loses nothing (issue 4; docs/ingest.md).
// - NHS numbers are kept as recorded with a status; nhs_number stays the
//   valid digits only, so linkage never uses a number that fails the check.
// - Versions: a record with a known original id and new content supersedes
//   the current version (superseded_by points to its successor; NULL while
//   current). The (source, original id, hash) index finds both.
// - Loads commit in chunks; ingest_batches counts what each load committed
//   so far, in the same transaction as the rows, so the counts and the rows
//   always agree, even after a crash.
// - Quarantine is idempotent (the same rejected row again is not added twice)
//   and a row later accepted under the same original id is marked resolved.
constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE source_persons ADD COLUMN nhs_number_recorded TEXT;
ALTER TABLE source_persons ADD COLUMN nhs_number_status TEXT NOT NULL DEFAULT 'missing';
UPDATE source_persons SET nhs_number_recorded = nhs_number, nhs_number_status = 'valid'
  WHERE nhs_number IS NOT NULL;
ALTER TABLE source_persons ADD COLUMN superseded_by INTEGER REFERENCES source_persons(id);
ALTER TABLE source_events ADD COLUMN superseded_by INTEGER REFERENCES source_events(id);
-- The unique (source, original id, hash) index already serves lookups by original id.
DROP INDEX source_persons_by_original;

ALTER TABLE ingest_batches ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';  -- 'loading' | 'complete' | 'interrupted'
ALTER TABLE ingest_batches ADD COLUMN format TEXT;
ALTER TABLE ingest_batches ADD COLUMN mapping TEXT;
ALTER TABLE ingest_batches ADD COLUMN header TEXT;         -- a CSV file's header row, for quarantine export
ALTER TABLE ingest_batches ADD COLUMN rows_new INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_batches ADD COLUMN rows_updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_batches ADD COLUMN records_written INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_batches ADD COLUMN quarantine_written INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_batches ADD COLUMN finished_at TEXT;

ALTER TABLE quarantine ADD COLUMN source_system_id INTEGER REFERENCES source_systems(id);
ALTER TABLE quarantine ADD COLUMN raw_hash TEXT;
ALTER TABLE quarantine ADD COLUMN original_id TEXT;
ALTER TABLE quarantine ADD COLUMN resolved_at TEXT;
UPDATE quarantine SET source_system_id =
  (SELECT source_system_id FROM ingest_batches b WHERE b.id = quarantine.batch_id);
CREATE UNIQUE INDEX quarantine_once ON quarantine(source_system_id, line, raw_hash);
CREATE INDEX quarantine_by_batch ON quarantine(batch_id);
CREATE INDEX quarantine_unresolved ON quarantine(source_system_id, original_id)
  WHERE resolved_at IS NULL;
)sql";

// Migration 5: the versions of a record are found on (source, original id)
// alone. The unique (source, original id, content hash) index carried 33
// bytes of hash in every entry, a third more index to keep in the page cache
// on every insert; ingest now reads every version's hash and compares it
// itself (docs/ingest.md). SQLite cannot drop a table's inline UNIQUE, so
// both tables are rebuilt with the same ids; links and superseded_by stay
// valid. Ordinary text keys, not hashes, keep the locality real extracts
// have (ids issued in sequence, events grouped by person).
constexpr std::string_view kMigration5 = R"sql(
CREATE TABLE source_persons_v5 (
  id                   INTEGER PRIMARY KEY,
  source_system_id     INTEGER NOT NULL REFERENCES source_systems(id),
  original_id          TEXT NOT NULL,
  nhs_number           TEXT,                -- 10 digits, valid check digit; NULL otherwise
  nhs_number_recorded  TEXT,                -- as the source sent it
  nhs_number_status    TEXT NOT NULL DEFAULT 'missing',
  given_name           TEXT,
  family_name          TEXT,
  birth_date           TEXT,                -- ISO 8601
  sex                  TEXT,
  postcode             TEXT,
  ethnic_category      TEXT,
  content_hash         TEXT NOT NULL,
  batch_id             INTEGER NOT NULL REFERENCES ingest_batches(id),
  line                 INTEGER NOT NULL,
  superseded_by        INTEGER REFERENCES source_persons(id)
);
INSERT INTO source_persons_v5 (id, source_system_id, original_id, nhs_number,
    nhs_number_recorded, nhs_number_status, given_name, family_name, birth_date, sex, postcode,
    ethnic_category, content_hash, batch_id, line, superseded_by)
  SELECT id, source_system_id, original_id, nhs_number, nhs_number_recorded, nhs_number_status,
    given_name, family_name, birth_date, sex, postcode, ethnic_category, content_hash, batch_id,
    line, superseded_by
  FROM source_persons ORDER BY id;
DROP TABLE source_persons;
ALTER TABLE source_persons_v5 RENAME TO source_persons;
CREATE INDEX source_persons_by_original ON source_persons(source_system_id, original_id);
CREATE INDEX source_persons_by_nhs ON source_persons(nhs_number);

CREATE TABLE source_events_v5 (
  id                  INTEGER PRIMARY KEY,
  source_system_id    INTEGER NOT NULL REFERENCES source_systems(id),
  original_id         TEXT NOT NULL,
  person_original_id  TEXT NOT NULL,       -- the source's own id of the person
  kind                TEXT NOT NULL,
  code_system         TEXT,
  code                TEXT,
  display             TEXT,
  start_date          TEXT NOT NULL,
  end_date            TEXT,
  status              TEXT,
  value               TEXT,
  content_hash        TEXT NOT NULL,
  batch_id            INTEGER NOT NULL REFERENCES ingest_batches(id),
  line                INTEGER NOT NULL,
  superseded_by       INTEGER REFERENCES source_events(id)
);
INSERT INTO source_events_v5 (id, source_system_id, original_id, person_original_id, kind,
    code_system, code, display, start_date, end_date, status, value, content_hash, batch_id,
    line, superseded_by)
  SELECT id, source_system_id, original_id, person_original_id, kind, code_system, code,
    display, start_date, end_date, status, value, content_hash, batch_id, line, superseded_by
  FROM source_events ORDER BY id;
DROP TABLE source_events;
ALTER TABLE source_events_v5 RENAME TO source_events;
CREATE INDEX source_events_by_original ON source_events(source_system_id, original_id);
CREATE INDEX source_events_by_person ON source_events(source_system_id, person_original_id);
)sql";

// Migration 6: the probabilistic master child index (issue 5; docs/linkage.md).
// - children loses UNIQUE(nhs_number): a child's number is now the one most
//   of its records carry, and a record with a wrong number may form a child
//   of its own until a person looks. A merged child keeps its row and points
//   to the child it joined (merged_into), so an old id still leads somewhere.
//   Rebuilt with the same ids, as migration 5 did.
// - links say how sure linkage was and which run made them.
// - link_runs, link_models (trained parameters, reused by incremental runs),
//   link_review (the queue), link_decisions (a person's "same" / "different",
//   on records rather than versions so they survive a new version),
//   child_history (merges, unmerges, records moved by hand) and
//   link_snapshot (the normalised records, so runs need not redo them).
constexpr std::string_view kMigration6 = R"sql(
CREATE TABLE children_v6 (
  id           INTEGER PRIMARY KEY,
  nhs_number   TEXT,                   -- the valid number most of its records carry; NULL if none
  created_at   TEXT NOT NULL,
  merged_into  INTEGER REFERENCES children(id),
  updated_at   TEXT
);
INSERT INTO children_v6 (id, nhs_number, created_at)
  SELECT id, nhs_number, created_at FROM children ORDER BY id;
DROP TABLE children;
ALTER TABLE children_v6 RENAME TO children;
CREATE INDEX children_by_nhs ON children(nhs_number);

CREATE TABLE link_models (
  id           INTEGER PRIMARY KEY,
  created_at   TEXT NOT NULL,
  model_path   TEXT NOT NULL,
  model_hash   TEXT NOT NULL,          -- of the model file: a changed file is trained again
  parameters   TEXT NOT NULL,          -- JSON: prior, and m, u and weight of every level
  training     TEXT NOT NULL           -- JSON: how they were estimated
);

CREATE TABLE link_runs (
  id           INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  finished_at  TEXT NOT NULL,
  model_id     INTEGER NOT NULL REFERENCES link_models(id),
  report       TEXT NOT NULL           -- JSON: the run's LinkReport
);

ALTER TABLE links ADD COLUMN match_probability REAL;      -- strongest pair joining it; NULL alone or by hand
ALTER TABLE links ADD COLUMN run_id INTEGER REFERENCES link_runs(id);

CREATE TABLE link_review (
  id                 INTEGER PRIMARY KEY,
  left_person_id     INTEGER NOT NULL REFERENCES source_persons(id),
  right_person_id    INTEGER NOT NULL REFERENCES source_persons(id),
  match_probability  REAL NOT NULL,
  match_weight       REAL NOT NULL,
  evidence           TEXT NOT NULL,    -- JSON: each field's level, values and weight
  existing_children  INTEGER NOT NULL, -- 1: both records already had (different) children
  run_id             INTEGER REFERENCES link_runs(id),
  created_at         TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'open',  -- 'open' | 'decided' | 'linked' (joined since)
  closed_at          TEXT,
  UNIQUE (left_person_id, right_person_id)
);
CREATE INDEX link_review_open ON link_review(status, match_probability);

CREATE TABLE link_decisions (
  id                      INTEGER PRIMARY KEY,
  left_source_system_id   INTEGER NOT NULL REFERENCES source_systems(id),
  left_original_id        TEXT NOT NULL,
  right_source_system_id  INTEGER NOT NULL REFERENCES source_systems(id),
  right_original_id       TEXT NOT NULL,
  decision                TEXT NOT NULL,  -- 'same' | 'different'
  decided_by              TEXT NOT NULL,
  reason                  TEXT,
  decided_at              TEXT NOT NULL,
  review_id               INTEGER REFERENCES link_review(id)
);

CREATE TABLE child_history (
  id                INTEGER PRIMARY KEY,
  at                TEXT NOT NULL,
  action            TEXT NOT NULL,      -- 'merged' | 'unmerged' | 'record-moved'
  child_id          INTEGER NOT NULL REFERENCES children(id),
  other_child_id    INTEGER REFERENCES children(id),
  source_person_id  INTEGER REFERENCES source_persons(id),
  actor             TEXT NOT NULL,
  reason            TEXT,
  run_id            INTEGER REFERENCES link_runs(id)
);
CREATE INDEX child_history_by_child ON child_history(child_id);

-- The normalised records of the last run (format in docs/linkage.md), so
-- the next run reads only what arrived since. Derived data: deleting every
-- row is always safe (the next run rebuilds it from source_persons).
CREATE TABLE link_snapshot (
  part  TEXT PRIMARY KEY,   -- 'header', 'sources', 'field:<n>', 'records:<chunk>'
  data  BLOB NOT NULL
);
)sql";

// Migration 7: the GP practice (ODS code) each source says the person is
// registered with, as the source sent it; NULL when it sent none. Per-practice
// worklists read it. Rows from before it stay NULL: a version is never edited,
// so a practice arrives with the next version a source sends (docs/ingest.md).
constexpr std::string_view kMigration7 = R"sql(
ALTER TABLE source_persons ADD COLUMN gp_practice TEXT;
)sql";

// Migration 8: the outcomes engine's published results (issue 7;
// docs/indicators.md), for the web app's dashboard. Only what may be shown:
// a suppressed cell's counts and value are stored as NULL. Each run keeps
// its figures; the latest run is the one shown.
constexpr std::string_view kMigration8 = R"sql(
CREATE TABLE indicator_runs (
  id           INTEGER PRIMARY KEY,
  computed_at  TEXT NOT NULL,
  as_of        TEXT NOT NULL,
  children     INTEGER NOT NULL,
  definitions  TEXT NOT NULL      -- the definitions as JSON, so a figure keeps its meaning
);
CREATE TABLE indicator_results (
  run_id        INTEGER NOT NULL REFERENCES indicator_runs(id),
  indicator     TEXT NOT NULL,
  period        INTEGER NOT NULL,  -- 0 the latest
  period_start  TEXT NOT NULL,
  period_end    TEXT NOT NULL,
  breakdown     TEXT NOT NULL,
  group_code    TEXT NOT NULL,
  group_name    TEXT NOT NULL,
  numerator     INTEGER,
  denominator   INTEGER,
  value         REAL,
  lower_95      REAL,
  upper_95      REAL,
  lower_99_8    REAL,
  upper_99_8    REAL,
  benchmark     REAL,
  compared_95   TEXT NOT NULL,
  compared_99_8 TEXT NOT NULL,
  funnel_lower_95   REAL,
  funnel_upper_95   REAL,
  funnel_lower_99_8 REAL,
  funnel_upper_99_8 REAL,
  trend         TEXT NOT NULL,
  suppressed    TEXT NOT NULL,     -- '', 'primary', 'secondary'
  PRIMARY KEY (run_id, indicator, period, breakdown, group_code)
) WITHOUT ROWID;
)sql";

// Migration 9: proportionate, audited information sharing (issue 8;
// docs/access.md). Accounts gain an organisation and a lockout; the
// relationships that justify opening a record, break-glass, family access,
// sensitivity labels, the National Data Opt-out, API clients, notifications
// and bulk exports get tables; and the audit becomes a hash chain.
//
// audit_events replaces audit_log. Its rows are never updated: each holds the
// BLAKE2b hash of its own fields and the previous row's hash (src/access/audit.h),
// so an edited, deleted or inserted row breaks the chain where it happened.
// The old rows stay in audit_log, unchained, for the record.
constexpr std::string_view kMigration9 = R"sql(
ALTER TABLE users ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;

-- A legitimate relationship between a team (organisation) or one of its
-- members and a child. GP registration is read from the feeds instead.
CREATE TABLE relationships (
  id            INTEGER PRIMARY KEY,
  child_id      INTEGER NOT NULL REFERENCES children(id),
  kind          TEXT NOT NULL,   -- config/access.toml [relationships]
  organisation  TEXT NOT NULL,   -- ODS or LA code of the team
  user_id       INTEGER REFERENCES users(id),  -- NULL: the whole team
  valid_from    TEXT NOT NULL,   -- ISO 8601 timestamp
  valid_until   TEXT,            -- NULL: until ended
  created_at    TEXT NOT NULL,
  note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX relationships_by_child ON relationships(child_id, organisation);

-- Access rows recorded on a child that was later merged still count: the
-- checks walk merged_into backwards, which needs this index.
CREATE INDEX children_by_merged_into ON children(merged_into) WHERE merged_into IS NOT NULL;

-- A team's geographical caseload: every child living in these postcode
-- districts (a health visiting or school nursing patch).
CREATE TABLE caseload_areas (
  organisation       TEXT NOT NULL,
  postcode_district  TEXT NOT NULL,
  PRIMARY KEY (organisation, postcode_district)
) WITHOUT ROWID;

CREATE TABLE break_glass (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  child_id    INTEGER NOT NULL REFERENCES children(id),
  reason      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  reviewed_by INTEGER REFERENCES users(id),
  reviewed_at TEXT,
  review_note TEXT
);
CREATE INDEX break_glass_by_user ON break_glass(user_id, child_id);

-- Parents (proxy) and young people with access to a child's own record.
CREATE TABLE family_access (
  user_id     INTEGER NOT NULL REFERENCES users(id),
  child_id    INTEGER NOT NULL REFERENCES children(id),
  relation    TEXT NOT NULL,       -- 'parent' | 'self'
  competent   INTEGER NOT NULL DEFAULT 0,  -- self: recorded as competent before 16
  granted_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, child_id)
) WITHOUT ROWID;

-- Sensitivity labels set by hand on one event, or on a whole child (e.g. a
-- sealed address); labels from codes come from config/access.toml.
CREATE TABLE event_labels (
  event_id  INTEGER NOT NULL REFERENCES source_events(id),
  label     TEXT NOT NULL,
  PRIMARY KEY (event_id, label)
) WITHOUT ROWID;
CREATE TABLE child_labels (
  child_id  INTEGER NOT NULL REFERENCES children(id),
  label     TEXT NOT NULL,
  set_at    TEXT NOT NULL,
  PRIMARY KEY (child_id, label)
) WITHOUT ROWID;

-- The National Data Opt-out, by NHS number.
CREATE TABLE data_opt_outs (
  nhs_number   TEXT PRIMARY KEY,
  recorded_at  TEXT NOT NULL
) WITHOUT ROWID;

-- API clients: bearer tokens with SMART-on-FHIR-style scopes. Only a hash of
-- the token is stored.
CREATE TABLE api_clients (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  scopes      TEXT NOT NULL,             -- space separated, e.g. 'user/*.read'
  user_id     INTEGER NOT NULL REFERENCES users(id),  -- whose rights it carries
  child_id    INTEGER REFERENCES children(id),        -- patient/ scopes: the one child
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0
);

-- Alerts to a team or role: break-glass to the IG officer, an unscheduled-care
-- access to a child with a protection flag to the responsible social care team.
CREATE TABLE notifications (
  id            INTEGER PRIMARY KEY,
  created_at    TEXT NOT NULL,
  kind          TEXT NOT NULL,           -- 'break-glass' | 'unscheduled-care-access'
  organisation  TEXT NOT NULL,           -- who receives it ('' = every IG officer)
  child_id      INTEGER REFERENCES children(id),
  user_id       INTEGER REFERENCES users(id),   -- who caused it
  detail        TEXT NOT NULL,           -- JSON: who, role, organisation, where, when
  read_at       TEXT
);
CREATE INDEX notifications_by_child ON notifications(child_id, kind, created_at);
CREATE INDEX notifications_by_organisation ON notifications(organisation, created_at);

-- A local authority's children's social care contacts (reference data).
CREATE TABLE local_authorities (
  code                TEXT PRIMARY KEY,
  name                TEXT NOT NULL,
  social_care_source  TEXT NOT NULL,   -- the source code its social care feed arrives as
  office_hours_phone  TEXT NOT NULL,
  out_of_hours_phone  TEXT NOT NULL,
  email               TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- FHIR Bulk Data exports: kicked off, run in the background, then fetched.
CREATE TABLE bulk_exports (
  id            TEXT PRIMARY KEY,        -- random, in the status URL
  user_id       INTEGER NOT NULL REFERENCES users(id),
  level         TEXT NOT NULL,           -- 'system' | 'patient' | 'group'
  request       TEXT NOT NULL,           -- the kick-off URL
  status        TEXT NOT NULL,           -- 'running' | 'complete' | 'failed'
  requested_at  TEXT NOT NULL,
  completed_at  TEXT,
  manifest      TEXT,                    -- JSON, when complete
  error         TEXT
) WITHOUT ROWID;

CREATE TABLE audit_events (
  seq           INTEGER PRIMARY KEY,     -- 1, 2, 3, ... with no gaps
  at            TEXT NOT NULL,
  user_id       INTEGER,
  username      TEXT NOT NULL,
  role          TEXT NOT NULL,
  organisation  TEXT NOT NULL,
  purpose       TEXT NOT NULL,
  action        TEXT NOT NULL,
  children      TEXT NOT NULL,           -- child ids, space separated
  what          TEXT NOT NULL,
  outcome       TEXT NOT NULL,           -- 'allowed' | 'denied' | 'failed'
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
);
CREATE INDEX audit_events_by_user ON audit_events(user_id, at);
CREATE INDEX audit_events_by_at ON audit_events(at);
CREATE TABLE audit_event_children (
  child_id  INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (child_id, seq)
) WITHOUT ROWID;
)sql";

// Migration 10 (issue 9): the child health hub MDT case list (src/access/mdt.h),
// and indexes for the web pages' searches (a child by date of birth, the
// audit by action).
// A team raises a child from a case-finding list for discussion and later
// records the outcome; rows are closed, never deleted, so the list of
// outcomes is the team's record of its decisions.
constexpr std::string_view kMigration10 = R"sql(
CREATE TABLE mdt_cases (
  id            INTEGER PRIMARY KEY,
  child_id      INTEGER NOT NULL REFERENCES children(id),
  list          TEXT NOT NULL,           -- config/case_finding.toml list id
  organisation  TEXT NOT NULL,           -- the team that discusses it
  raised_by     INTEGER NOT NULL REFERENCES users(id),
  raised_at     TEXT NOT NULL,
  reason        TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  action        TEXT,                    -- what the MDT decided (src/access/mdt.h kMdtActions)
  outcome       TEXT,
  outcome_by    INTEGER REFERENCES users(id),
  outcome_at    TEXT
);
CREATE INDEX mdt_cases_open ON mdt_cases(organisation, status, raised_at);
CREATE INDEX mdt_cases_closed ON mdt_cases(organisation, outcome_at) WHERE status = 'closed';
CREATE INDEX mdt_cases_by_child ON mdt_cases(child_id, list);

-- Find a child by name and date of birth reads only that day's records.
CREATE INDEX source_persons_by_birth_date ON source_persons(birth_date);
-- The IG officer's audit search by action alone, newest first.
CREATE INDEX audit_events_by_action ON audit_events(action, seq);
)sql";

constexpr std::array<std::string_view, 10> kMigrations = {
    kMigration1, kMigration2, kMigration3, kMigration4, kMigration5,
    kMigration6, kMigration7, kMigration8, kMigration9, kMigration10};

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return kMigrations;
}

}  // namespace onechild
