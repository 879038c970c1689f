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

constexpr std::array<std::string_view, 3> kMigrations = {kMigration1, kMigration2, kMigration3};

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return kMigrations;
}

}  // namespace onechild
