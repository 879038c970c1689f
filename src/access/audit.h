// The audit log: who did what to which child, when, for what purpose, and
// whether it was allowed. A tamper-evident hash chain (docs/audit.md).
//
// Every row of `audit_events` carries a sequence number (1, 2, 3, ... with no
// gaps), the previous row's hash and its own hash: hex BLAKE2b-256 over a
// length-prefixed serialisation of its fields and that previous hash. An
// edited, deleted or inserted row therefore breaks the chain where it
// happened, and verify_audit() names the entry. Removing rows from the end
// (truncation), or rewriting a whole tail with fresh hashes, can only be seen
// against a head hash kept outside the database (AuditVerifyOptions).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild {

// One thing to record. The first four members keep their order so callers
// can write {user->id, "login", std::nullopt, ""}.
struct AuditEntry {
  std::optional<int64_t> user_id{};
  // "login", "login-failed", "logout", "search", "view-record", "read",
  // "export", "break-glass", "denied", ...
  std::string action{};
  std::optional<int64_t> child_id{};
  std::string detail{};  // "what": e.g. "GET /fhir/R4/Patient/12"
  // Who, as the access check saw them ('' when unknown). With user_id set
  // and username or role empty, the empty ones (organisation too) are read
  // from `users` in one lookup, so every row says who and in what role.
  std::string username{}, role{}, organisation{};
  std::string purpose = "direct-care";   // "emergency-care", "secondary-use", "administration"
  std::string outcome = "allowed";       // "allowed" | "denied" | "failed"
  std::vector<int64_t> more_children{};  // a search or export touching several children
};

// Appends one row to the chain, atomically: under BEGIN IMMEDIATE when the
// connection is not in a transaction, else under a SAVEPOINT of the caller's
// (which should then hold the write lock: Transaction::begin does). Safe from
// any number of threads (one Database each) and processes at once.
Status record_audit(Database& db, const AuditEntry& entry);

// A row of the chain as stored.
struct AuditRow {
  int64_t seq = 0;
  std::string at;  // ISO 8601 UTC with milliseconds: 2026-11-22T12:06:19.123Z
  std::optional<int64_t> user_id;
  std::string username, role, organisation, purpose, action;
  std::vector<int64_t> children;  // ascending, no duplicates
  std::string what, outcome;
  std::string prev_hash, hash;  // 64 lowercase hex digits each
};

// The prev_hash of entry 1: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash a row should carry, from its fields and its prev_hash (the
// serialisation is in docs/audit.md, so anyone can recompute it).
std::string audit_row_hash(const AuditRow& row);

struct AuditProblem {
  enum class Kind {
    kEdited,      // the row's contents do not match its hash
    kMissing,     // rows deleted: a gap in seq, or a chain that skips them
    kInserted,    // a row that is not part of the chain
    kRenumbered,  // rows whose seq was changed (they match under another seq)
    kBrokenLink,  // prev_hash does not link to the row before; cause unknown
    kChildren,    // audit_event_children disagrees with the row's children
    kAnchor,      // the expected head hash is not in the chain
  };
  Kind kind;
  int64_t seq = 0;       // the first entry concerned (as numbered now)
  int64_t last_seq = 0;  // the last (== seq for one entry)
  std::string message;   // "entry 57 was edited (its contents do not match its hash)"
};

struct AuditVerification {
  int64_t entries = 0;    // rows read
  int64_t last_seq = 0;   // 0 when empty
  std::string head_hash;  // the last row's hash; kAuditGenesisHash when empty
  std::vector<AuditProblem> problems;
  bool intact() const { return problems.empty(); }
};

struct AuditVerifyOptions {
  // A head hash recorded earlier (e.g. printed by a previous verify and kept
  // by the IG officer). The chain must still contain a row with this hash:
  // catches truncation and a tail rewritten with fresh hashes.
  std::string expect_head;
};

// Walks the whole chain in seq order inside one read transaction and reports
// every problem with the entry it concerns. An error only when the store
// cannot be read; tampering is reported in the result.
Result<AuditVerification> verify_audit(Database& db, const AuditVerifyOptions& options = {});

struct AuditQuery {
  std::string user{};  // a username, or a user id in digits ('' = anyone)
  std::optional<int64_t> child_id{};
  std::optional<Date> from{}, to{};  // inclusive days (UTC)
  std::string action{};              // '' = any
  int64_t limit = 100;               // < 0: no limit
  int64_t offset = 0;
  bool oldest_first = false;  // newest first unless set
};

Result<std::vector<AuditRow>> search_audit(Database& db, const AuditQuery& query);
// The same rows streamed one at a time (an export of the whole log).
Status for_each_audit(Database& db, const AuditQuery& query,
                      const std::function<void(const AuditRow&)>& on_row);

// The row as a FHIR R4 AuditEvent (JSON, one line).
std::string to_fhir_audit_event(const AuditRow& row);

}  // namespace onechild
