#include "access/audit.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <utility>

namespace onechild {
namespace {

namespace json = boost::json;

// The first field of every serialisation: names the format, so a hash of
// this version can never be mistaken for another's.
constexpr std::string_view kHashTag = "onechild-audit-v1";

constexpr std::string_view kColumns =
    "seq, at, user_id, username, role, organisation, purpose, action, children, what, outcome, "
    "prev_hash, hash";

bool sodium_ready() {
  return sodium_init() >= 0;  // idempotent and thread-safe
}

// The fields that are hashed, as text: user_id is decimal or '' for NULL,
// children is the stored space-separated list.
struct HashInput {
  int64_t seq = 0;
  std::string_view at, user_id, username, role, organisation, purpose, action, children, what,
      outcome, prev_hash;
};

void absorb(crypto_generichash_state& state, std::string_view field) {
  // 8-byte big-endian length, then the bytes: no two field lists serialise alike.
  std::array<unsigned char, 8> length{};
  uint64_t n = field.size();
  for (int i = 7; i >= 0; --i, n >>= 8)
    length[static_cast<size_t>(i)] = static_cast<unsigned char>(n & 0xff);
  crypto_generichash_update(&state, length.data(), length.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()),
                            field.size());
}

std::string hash_of(const HashInput& in) {
  (void)sodium_ready();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  const std::string seq = std::to_string(in.seq);
  for (std::string_view field :
       {kHashTag, std::string_view(seq), in.at, in.user_id, in.username, in.role, in.organisation,
        in.purpose, in.action, in.children, in.what, in.outcome, in.prev_hash}) {
    absorb(state, field);
  }
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

std::string join_children(const std::vector<int64_t>& children) {
  std::string out;
  for (int64_t c : children) {
    if (!out.empty()) out += ' ';
    out += std::to_string(c);
  }
  return out;
}

// "3 5 12" -> {3, 5, 12}; nullopt unless canonical (ascending, no
// duplicates, single spaces), which is the only form record_audit writes.
std::optional<std::vector<int64_t>> parse_children(std::string_view text) {
  std::vector<int64_t> out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = std::min(text.find(' ', i), text.size());
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + end, value);
    if (ec != std::errc() || ptr != text.data() + end || end == i) return std::nullopt;
    if (!out.empty() && value <= out.back()) return std::nullopt;
    out.push_back(value);
    i = end + 1;
    if (end + 1 == text.size()) return std::nullopt;  // trailing space
  }
  return out;
}

// Now as ISO 8601 UTC with milliseconds: 2026-11-22T12:06:19.123Z (fixed
// width, so it sorts as text and compares with the store's other timestamps).
std::string timestamp_now_ms() {
  using namespace std::chrono;
  const auto now = floor<milliseconds>(system_clock::now());
  const auto secs = floor<seconds>(now);
  std::string text = format_iso_timestamp(secs);  // ...:19Z
  std::array<char, 8> ms{};
  std::snprintf(ms.data(), ms.size(), ".%03d", static_cast<int>((now - secs).count()));
  text.insert(text.size() - 1, ms.data());
  return text;
}

bool is_hex_hash(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A write that is atomic whether or not the caller is already in a
// transaction. Outside one: BEGIN IMMEDIATE, so the read of the chain's last
// row and the insert after it happen under the database's write lock (other
// threads and processes wait in SQLite's busy handler). Inside one: a
// SAVEPOINT, so a failure undoes only the audit row; the caller's
// transaction decides whether it is kept.
class AtomicWrite {
 public:
  static Result<AtomicWrite> begin(Database& db) {
    Status s = db.execute("BEGIN IMMEDIATE");
    if (s.ok()) return AtomicWrite(&db, true);
    // SQLite's words for "this connection already has a transaction open".
    if (s.error().message().find("within a transaction") == std::string::npos) return s.error();
    if (Status sp = db.execute("SAVEPOINT onechild_audit"); !sp.ok()) return sp.error();
    return AtomicWrite(&db, false);
  }
  AtomicWrite(AtomicWrite&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), own_(other.own_) {}
  AtomicWrite& operator=(AtomicWrite&&) = delete;
  ~AtomicWrite() {
    if (db_ == nullptr) return;
    if (own_) {
      (void)db_->execute("ROLLBACK");
    } else {
      (void)db_->execute("ROLLBACK TO onechild_audit");
      (void)db_->execute("RELEASE onechild_audit");
    }
  }
  Status commit() {
    Status s = db_->execute(own_ ? "COMMIT" : "RELEASE onechild_audit");
    if (s.ok()) db_ = nullptr;
    return s;
  }

 private:
  AtomicWrite(Database* db, bool own) : db_(db), own_(own) {}
  Database* db_;
  bool own_;
};

// A consistent snapshot for reading several statements (verify): a deferred
// transaction, unless the caller already has one.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(&db) { own_ = db.execute("BEGIN").ok(); }
  ~ReadSnapshot() {
    if (own_) (void)db_->execute("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database* db_;
  bool own_ = false;
};

AuditRow row_of(const Statement& s) {
  AuditRow r;
  r.seq = s.column_int64(0);
  r.at = s.column_text(1);
  if (!s.column_is_null(2)) r.user_id = s.column_int64(2);
  r.username = s.column_text(3);
  r.role = s.column_text(4);
  r.organisation = s.column_text(5);
  r.purpose = s.column_text(6);
  r.action = s.column_text(7);
  if (auto children = parse_children(s.column_view(8))) r.children = std::move(*children);
  r.what = s.column_text(9);
  r.outcome = s.column_text(10);
  r.prev_hash = s.column_text(11);
  r.hash = s.column_text(12);
  return r;
}

// --- verify ---

// A problem while walking; messages are written at the end, once runs of
// consecutive entries with the same problem have been merged.
struct Found {
  AuditProblem::Kind kind;
  int64_t first = 0, last = 0;
  int64_t other = 0;   // kMissing: the entry after the gap; kInserted: the entry linking past
                       // them; kRenumbered: the original seq of `first`
  int64_t linker = 0;  // kInserted: the entry that links past the inserted ones
  std::string text{};  // kChildren, kAnchor: the whole message
};

// Two problems that can be one run: renumbered entries only by the same shift.
bool same_shift(const Found& a, const Found& b) {
  return a.kind != AuditProblem::Kind::kRenumbered || a.other - a.first == b.other - b.first;
}

std::string range(int64_t first, int64_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

std::string message_of(const Found& f) {
  if (!f.text.empty()) return f.text;
  const bool one = f.first == f.last;
  const std::string which = (one ? "entry " : "entries ") + range(f.first, f.last);
  switch (f.kind) {
    case AuditProblem::Kind::kEdited:
      return which + (one ? " was edited (its contents do not match its hash)"
                          : " were edited (their contents do not match their hashes)");
    case AuditProblem::Kind::kMissing:
      if (f.first == 1 && f.other == 0) {
        return which + (one ? " is" : " are") + " missing (deleted) at the start of the chain";
      }
      return which + (one ? " is" : " are") + " missing (deleted) between " +
             std::to_string(f.first - 1) + " and " + std::to_string(f.other);
    case AuditProblem::Kind::kInserted:
      return which + (one ? " was" : " were") + " inserted (entry " + std::to_string(f.linker) +
             " links to entry " + std::to_string(f.other) + ")";
    case AuditProblem::Kind::kRenumbered:
      return which + (one ? " was renumbered (it was entry " : " were renumbered (they were ") +
             range(f.other, f.other + (f.last - f.first)) + ")";
    case AuditProblem::Kind::kBrokenLink:
    case AuditProblem::Kind::kChildren:
    case AuditProblem::Kind::kAnchor:
      break;
  }
  return f.text;
}

class Walker {
 public:
  explicit Walker(std::string expect_head) : expect_head_(std::move(expect_head)) {
    window_.emplace_back(std::string(kAuditGenesisHash), 0);
  }

  void row(const Statement& s) {
    ++entries_;
    const int64_t seq = s.column_int64(0);
    const std::string user_id = s.column_is_null(2) ? std::string() : s.column_text(2);
    HashInput in{seq,
                 s.column_view(1),
                 user_id,
                 s.column_view(3),
                 s.column_view(4),
                 s.column_view(5),
                 s.column_view(6),
                 s.column_view(7),
                 s.column_view(8),
                 s.column_view(9),
                 s.column_view(10),
                 s.column_view(11)};
    const std::string prev_hash(s.column_view(11));
    const std::string stored(s.column_view(12));
    if (!expect_head_.empty() && stored == expect_head_) anchor_found_ = true;

    if (seq < 1) {
      add({AuditProblem::Kind::kInserted, seq, seq, 0, 0,
           "entry " + std::to_string(seq) + " was inserted (entries are numbered from 1)"});
      return;
    }

    bool edited = hash_of(in) != stored;
    std::optional<int64_t> was;  // the seq it matches its hash under, when renumbered
    if (edited) {
      // Renumbered rows still match their hash under their original number.
      std::vector<int64_t> tries{offset_};
      for (int64_t d = 1; d <= 16; ++d) {
        tries.push_back(d);
        tries.push_back(-d);
      }
      for (int64_t d : tries) {
        if (d == 0 || seq + d < 1) continue;
        in.seq = seq + d;
        if (hash_of(in) == stored) {
          was = seq + d;
          offset_ = d;
          edited = false;
          break;
        }
      }
    }

    const std::string expected_prev = last_ ? last_->hash : std::string(kAuditGenesisHash);
    const int64_t expected_seq = last_ ? last_->seq + 1 : 1;
    if (seq > expected_seq) {
      if (!(was && *was <= expected_seq)) {
        add({AuditProblem::Kind::kMissing, expected_seq, seq - 1, last_ ? seq : 0});
      }
      if (!edited && !was && prev_hash == expected_prev && last_) {
        // Links straight over the gap: not the entry that followed the
        // deleted ones, but one put in with a number of its own choosing.
        add({AuditProblem::Kind::kInserted, seq, seq, 0, 0,
             "entry " + std::to_string(seq) + " was inserted (it links to entry " +
                 std::to_string(last_->seq) + " across the gap)"});
      }
    } else if (prev_hash != expected_prev && !(last_ && last_->edited)) {
      // The gap-free case: the row before is not the one this row was chained to.
      const auto linked = std::find_if(window_.begin(), window_.end(),
                                       [&](const auto& w) { return w.first == prev_hash; });
      if (linked != window_.end() && last_ && linked->second < last_->seq) {
        add({AuditProblem::Kind::kInserted, linked->second + 1, last_->seq, linked->second, seq});
      } else if (was && *was > seq) {
        const int64_t k = *was - seq;
        add({AuditProblem::Kind::kMissing, seq, seq + k - 1, 0, 0,
             (k == 1 ? "entry " + std::to_string(seq) + " is"
                     : "entries " + range(seq, seq + k - 1) + " are") +
                 " missing (deleted) between " + std::to_string(seq - 1) + " and " +
                 std::to_string(*was) + ", numbered as before the entries after " +
                 (k == 1 ? "it" : "them") + " were renumbered"});
      } else if (!edited) {
        add({AuditProblem::Kind::kBrokenLink, last_ ? last_->seq : seq, last_ ? last_->seq : seq, 0,
             0,
             last_ ? "entry " + std::to_string(last_->seq) +
                         " was replaced, or edited and re-hashed (entry " + std::to_string(seq) +
                         " does not link to it)"
                   : "entry " + std::to_string(seq) +
                         " does not start the chain (its prev_hash is not the genesis hash: "
                         "earlier entries were deleted and the rest renumbered)"});
      }
      // else: this row was edited (perhaps its prev_hash); reported below.
    }
    if (edited) add({AuditProblem::Kind::kEdited, seq, seq});
    if (was) add({AuditProblem::Kind::kRenumbered, seq, seq, *was});

    last_ = Last{seq, stored, edited};
    window_.emplace_back(stored, seq);
    if (window_.size() > kWindow) window_.pop_front();
  }

  // The row's children list against its rows in audit_event_children.
  void children(int64_t seq, std::string_view text, const std::vector<int64_t>& in_index) {
    const auto listed = parse_children(text);
    if (!listed) {
      add({AuditProblem::Kind::kChildren, seq, seq, 0, 0,
           "entry " + std::to_string(seq) + " has a malformed children list '" + std::string(text) +
               "'"});
    } else if (*listed != in_index) {
      add({AuditProblem::Kind::kChildren, seq, seq, 0, 0,
           "entry " + std::to_string(seq) + " names children '" + std::string(text) +
               "' but audit_event_children lists '" + join_children(in_index) + "'"});
    }
  }

  // audit_event_children rows for a seq with no row in the chain.
  void orphans(int64_t seq, const std::vector<int64_t>& kids) {
    add({AuditProblem::Kind::kChildren, seq, seq, 0, 0,
         "audit_event_children lists children '" + join_children(kids) + "' for entry " +
             std::to_string(seq) + ", which is not in the chain"});
  }

  AuditVerification finish() {
    AuditVerification v;
    v.entries = entries_;
    v.last_seq = last_ ? last_->seq : 0;
    v.head_hash = last_ ? last_->hash : std::string(kAuditGenesisHash);
    if (!expect_head_.empty() && !anchor_found_ && expect_head_ != kAuditGenesisHash) {
      add({AuditProblem::Kind::kAnchor, v.last_seq, v.last_seq, 0, 0,
           "the expected head " + expect_head_ +
               " is not in the chain: entries were deleted from the end (truncated) or the "
               "chain was rewritten with fresh hashes"});
    }
    for (const Found& f : merged(std::move(found_))) {
      v.problems.push_back({f.kind, f.first, f.last, message_of(f)});
    }
    if (unlisted_ > 0) {
      v.problems.push_back({AuditProblem::Kind::kBrokenLink, v.last_seq, v.last_seq,
                            "and " + std::to_string(unlisted_) +
                                " further problems, not listed (the first " +
                                std::to_string(kMaxProblems) + " are above)"});
    }
    return v;
  }

 private:
  static constexpr size_t kWindow = 64;
  static constexpr size_t kMaxProblems = 10000;
  struct Last {
    int64_t seq;
    std::string hash;
    bool edited;
  };

  // Extends a run still open (the same problem on the next entry) so a
  // wholesale edit costs one record, not one per row; keeps at most
  // kMaxProblems records, counting the rest.
  void add(Found f) {
    if (f.text.empty()) {
      const size_t n = found_.size();
      for (size_t i = n; i > 0 && i + 4 > n; --i) {
        Found& run = found_[i - 1];
        if (run.kind == f.kind && run.text.empty() && run.last + 1 == f.first &&
            same_shift(run, f) &&
            (f.kind == AuditProblem::Kind::kEdited || f.kind == AuditProblem::Kind::kRenumbered)) {
          run.last = f.last;
          return;
        }
      }
    }
    if (found_.size() >= kMaxProblems) {
      ++unlisted_;
      return;
    }
    found_.push_back(std::move(f));
  }

  // In entry order, with runs merged: the same problem on consecutive
  // entries (renumbered: by the same shift) is one problem.
  static std::vector<Found> merged(std::vector<Found> found) {
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& a, const Found& b) { return a.first < b.first; });
    std::vector<Found> out;
    std::map<AuditProblem::Kind, size_t> open;  // the latest run of each kind
    for (Found& f : found) {
      const bool runs = f.text.empty() && (f.kind == AuditProblem::Kind::kEdited ||
                                           f.kind == AuditProblem::Kind::kRenumbered);
      if (runs) {
        auto it = open.find(f.kind);
        if (it != open.end()) {
          Found& run = out[it->second];
          if (run.last + 1 == f.first && same_shift(run, f)) {
            run.last = f.last;
            continue;
          }
        }
        open[f.kind] = out.size();
      }
      out.push_back(std::move(f));
    }
    return out;
  }

  std::string expect_head_;
  bool anchor_found_ = false;
  int64_t entries_ = 0;
  int64_t offset_ = 0;
  std::optional<Last> last_;
  std::deque<std::pair<std::string, int64_t>> window_;  // recent hashes and their seq
  std::vector<Found> found_;
  int64_t unlisted_ = 0;
};

// --- FHIR ---

json::object coding(std::string_view system, std::string_view code, std::string_view display) {
  return {{"system", system}, {"code", code}, {"display", display}};
}

constexpr std::string_view kDcm = "http://dicom.nema.org/resources/ontology/DCM";

struct EventType {
  json::object type;
  std::optional<json::object> subtype;
  std::string_view action;  // C R U D E
};

std::string_view http_method(std::string_view what) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}) {
    if (what.size() > m.size() && what.substr(0, m.size()) == m && what[m.size()] == ' ') return m;
  }
  return {};
}

// DICOM audit event IDs (DCM CID 400), as FHIR R4's AuditEvent.type binding
// lists them; RESTful requests that fit none are typed "rest".
EventType event_type(const AuditRow& row) {
  const std::string& a = row.action;
  if (a == "login" || a == "login-failed") {
    return {coding(kDcm, "110114", "User Authentication"), coding(kDcm, "110122", "Login"), "E"};
  }
  if (a == "logout") {
    return {coding(kDcm, "110114", "User Authentication"), coding(kDcm, "110123", "Logout"), "E"};
  }
  if (a == "break-glass") {
    return {coding(kDcm, "110113", "Security Alert"),
            coding(kDcm, "110127", "Emergency Override Started"), "E"};
  }
  if (a == "export-audit" || a == "view-audit" || a == "search-audit") {
    return {coding(kDcm, "110101", "Audit Log Used"), std::nullopt, "R"};
  }
  if (a == "export" || a.rfind("export-", 0) == 0 || a == "bulk-export") {
    return {coding(kDcm, "110106", "Export"), std::nullopt, "R"};
  }
  if (a == "search" || a.rfind("view-worklist", 0) == 0 || a == "view-review-queue" ||
      a == "search-type" || a == "search-system") {
    return {coding(kDcm, "110112", "Query"), std::nullopt, "E"};
  }
  if (a == "merge-children" || a == "unmerge-child" || a == "link-decision") {
    return {coding(kDcm, "110110", "Patient Record"), std::nullopt, "U"};
  }
  if (a == "view-record" || a == "read" || a == "view-child-history" || a == "vread") {
    return {coding(kDcm, "110110", "Patient Record"),
            coding("http://hl7.org/fhir/restful-interaction", "read", "read"), "R"};
  }
  const std::string_view method = http_method(row.what);
  if (!method.empty()) {
    const std::string_view action = method == "POST"                       ? "C"
                                    : method == "PUT" || method == "PATCH" ? "U"
                                    : method == "DELETE"                   ? "D"
                                                                           : "R";
    return {coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest",
                   "RESTful Operation"),
            std::nullopt, action};
  }
  if (!row.children.empty()) return {coding(kDcm, "110110", "Patient Record"), std::nullopt, "R"};
  return {coding(kDcm, "110100", "Application Activity"), std::nullopt, "E"};
}

// v3 ActReason codes for our purposes of use.
std::optional<json::object> purpose_coding(std::string_view purpose) {
  constexpr std::string_view kActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
  if (purpose == "direct-care") return coding(kActReason, "TREAT", "treatment");
  if (purpose == "emergency-care") return coding(kActReason, "ETREAT", "Emergency Treatment");
  if (purpose == "secondary-use") return coding(kActReason, "HOPERAT", "healthcare operations");
  if (purpose == "administration")
    return coding(kActReason, "HSYSADMIN", "health system administration");
  return std::nullopt;
}

// An ONS (GSS) code such as a local authority's E06000001; else taken as ODS.
bool is_gss_code(std::string_view code) {
  return code.size() == 9 && (code[0] == 'E' || code[0] == 'W') &&
         std::all_of(code.begin() + 1, code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string audit_row_hash(const AuditRow& row) {
  const std::string user_id = row.user_id ? std::to_string(*row.user_id) : std::string();
  const std::string children = join_children(row.children);
  return hash_of({row.seq, row.at, user_id, row.username, row.role, row.organisation, row.purpose,
                  row.action, children, row.what, row.outcome, row.prev_hash});
}

Status record_audit(Database& db, const AuditEntry& entry) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  if (entry.action.empty()) return Error::invalid_argument("audit: the action is empty");
  if (entry.outcome != "allowed" && entry.outcome != "denied" && entry.outcome != "failed") {
    return Error::invalid_argument("audit: outcome '" + entry.outcome +
                                   "' is not allowed, denied or failed");
  }
  AuditRow row;
  row.user_id = entry.user_id;
  row.username = entry.username;
  row.role = entry.role;
  row.organisation = entry.organisation;
  row.purpose = entry.purpose;
  row.action = entry.action;
  row.what = entry.detail;
  row.outcome = entry.outcome;
  row.children = entry.more_children;
  if (entry.child_id) row.children.push_back(*entry.child_id);
  std::sort(row.children.begin(), row.children.end());
  row.children.erase(std::unique(row.children.begin(), row.children.end()), row.children.end());

  // Who, as the users table has them: before taking the write lock.
  if (entry.user_id && (row.username.empty() || row.role.empty())) {
    auto user = db.prepare("SELECT username, role, organisation FROM users WHERE id = ?1");
    if (!user.ok()) return user.error();
    user->bind(1, *entry.user_id);
    auto found = user->step();
    if (!found.ok()) return found.error();
    if (*found) {
      if (row.username.empty()) row.username = user->column_text(0);
      if (row.role.empty()) row.role = user->column_text(1);
      if (row.organisation.empty()) row.organisation = user->column_text(2);
    }
  }

  auto write = AtomicWrite::begin(db);
  if (!write.ok()) return write.error();
  auto last = db.prepare("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.error();
  auto has_last = last->step();
  if (!has_last.ok()) return has_last.error();
  row.seq = *has_last ? last->column_int64(0) + 1 : 1;
  row.prev_hash = *has_last ? last->column_text(1) : std::string(kAuditGenesisHash);
  last->reset();
  // Taken under the lock, so `at` follows seq whenever the clock does.
  row.at = timestamp_now_ms();
  row.hash = audit_row_hash(row);

  auto insert = db.prepare(
      "INSERT INTO audit_events (seq, at, user_id, username, role, organisation, purpose, action, "
      "children, what, outcome, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, row.seq)
      .bind(2, row.at)
      .bind(4, row.username)
      .bind(5, row.role)
      .bind(6, row.organisation)
      .bind(7, row.purpose)
      .bind(8, row.action)
      .bind(9, join_children(row.children))
      .bind(10, row.what)
      .bind(11, row.outcome)
      .bind(12, row.prev_hash)
      .bind(13, row.hash);
  if (row.user_id) {
    insert->bind(3, *row.user_id);
  } else {
    insert->bind_null(3);
  }
  if (Status s = insert->run(); !s.ok()) return s;
  if (!row.children.empty()) {
    auto child = db.prepare("INSERT INTO audit_event_children (child_id, seq) VALUES (?1, ?2)");
    if (!child.ok()) return child.error();
    for (int64_t c : row.children) {
      child->reset();
      child->bind(1, c).bind(2, row.seq);
      if (Status s = child->run(); !s.ok()) return s;
    }
  }
  return write->commit();
}

Result<AuditVerification> verify_audit(Database& db, const AuditVerifyOptions& options) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  if (!options.expect_head.empty() && !is_hex_hash(options.expect_head)) {
    return Error::invalid_argument("expected head '" + options.expect_head +
                                   "' is not a hash (64 lowercase hex digits)");
  }
  ReadSnapshot snapshot(db);
  auto rows = db.prepare("SELECT " + std::string(kColumns) + " FROM audit_events ORDER BY seq");
  if (!rows.ok()) return rows.error();
  // audit_event_children in seq order (SQLite sorts it), walked beside the
  // chain so memory stays constant however long the log.
  auto kids = db.prepare("SELECT seq, child_id FROM audit_event_children ORDER BY seq, child_id");
  if (!kids.ok()) return kids.error();
  Status kid_status;
  auto kid_step = [&]() {
    auto more = kids->step();
    if (!more.ok()) {
      kid_status = more.error();
      return false;
    }
    return *more;
  };
  bool kid = kid_step();
  Walker walker(options.expect_head);
  // The next seq's index rows: its seq and child ids, ascending.
  auto next_group = [&](std::vector<int64_t>& group) {
    const int64_t seq = kids->column_int64(0);
    group.clear();
    while (kid && kids->column_int64(0) == seq) {
      group.push_back(kids->column_int64(1));
      kid = kid_step();
    }
    return seq;
  };
  std::vector<int64_t> group;
  Status s = rows->each_row([&](const Statement& r) {
    walker.row(r);
    const int64_t seq = r.column_int64(0);
    std::vector<int64_t> at;
    while (kid && kids->column_int64(0) <= seq) {
      const int64_t g = next_group(group);
      if (g == seq) {
        at = group;
      } else {
        walker.orphans(g, group);
      }
    }
    walker.children(seq, r.column_view(8), at);
  });
  if (!s.ok()) return s.error();
  while (kid) {  // index rows after the last entry
    const int64_t g = next_group(group);
    walker.orphans(g, group);
  }
  if (!kid_status.ok()) return kid_status.error();
  return walker.finish();
}

Status for_each_audit(Database& db, const AuditQuery& query,
                      const std::function<void(const AuditRow&)>& on_row) {
  // Only the filters asked for are in the SQL, so each can use its index:
  // audit_events_by_user, audit_event_children's key, audit_events_by_at.
  std::string sql = "SELECT " + std::string(kColumns) + " FROM audit_events WHERE 1 = 1";
  std::optional<int64_t> user_id;
  if (!query.user.empty()) {
    auto user = db.prepare("SELECT id FROM users WHERE username = ?1");
    if (!user.ok()) return user.error();
    user->bind(1, query.user);
    auto found = user->step();
    if (!found.ok()) return found.error();
    if (*found) {
      user_id = user->column_int64(0);
    } else if (query.user.size() <= 18 &&
               query.user.find_first_not_of("0123456789") == std::string::npos) {
      user_id = std::stoll(query.user);
    }
    // A known user: their rows, and rows under their name with no user id
    // (failed logins). Otherwise the name as recorded (e.g. cli:alice).
    sql += user_id ? " AND (user_id = ?1 OR (user_id IS NULL AND username = ?2))"
                   : " AND username = ?2";
  }
  if (query.child_id) {
    sql += " AND seq IN (SELECT seq FROM audit_event_children WHERE child_id = ?3)";
  }
  // `at` follows seq (record_audit takes both under the write lock), so a
  // day range is also a seq range, found in a few reads of audit_events_by_at:
  // rows are then read in seq order and the scan stops at LIMIT, instead of
  // sorting every row of the range (seconds for a year of a busy ICS). The
  // `at` tests stay for the edges; unary + keeps them off the index, except
  // with a user, where audit_events_by_user (user_id, at) serves both.
  const std::string at = query.user.empty() ? "+at" : "at";
  if (query.from) {
    sql +=
        " AND seq >= coalesce((SELECT seq FROM audit_events WHERE at >= ?4 ORDER BY at, seq "
        "LIMIT 1), 4611686018427387904) AND " +
        at + " >= ?4";
  }
  if (query.to) {
    sql +=
        " AND seq <= coalesce((SELECT seq FROM audit_events WHERE at < ?5 ORDER BY at DESC, "
        "seq DESC LIMIT 1), 0) AND " +
        at + " < ?5";
  }
  if (!query.action.empty()) sql += " AND action = ?6";
  sql += query.oldest_first ? " ORDER BY seq" : " ORDER BY seq DESC";
  sql += " LIMIT ?7 OFFSET ?8";

  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  if (!query.user.empty()) {
    if (user_id) stmt->bind(1, *user_id);
    stmt->bind(2, query.user);
  }
  if (query.child_id) stmt->bind(3, *query.child_id);
  if (query.from) stmt->bind(4, format_iso_date(*query.from));
  if (query.to) stmt->bind(5, format_iso_date(add_days(*query.to, 1)));
  if (!query.action.empty()) stmt->bind(6, query.action);
  stmt->bind(7, query.limit < 0 ? int64_t{-1} : query.limit)
      .bind(8, std::max<int64_t>(0, query.offset));
  return stmt->each_row([&](const Statement& r) { on_row(row_of(r)); });
}

Result<std::vector<AuditRow>> search_audit(Database& db, const AuditQuery& query) {
  std::vector<AuditRow> rows;
  Status s = for_each_audit(db, query, [&](const AuditRow& r) { rows.push_back(r); });
  if (!s.ok()) return s.error();
  return rows;
}

std::string to_fhir_audit_event(const AuditRow& row) {
  const EventType t = event_type(row);
  json::object event;
  event["resourceType"] = "AuditEvent";
  event["id"] = "onechild-audit-" + std::to_string(row.seq);
  event["type"] = t.type;
  if (t.subtype) event["subtype"] = json::array{*t.subtype};
  event["action"] = t.action;
  event["recorded"] = row.at;
  // 0 success, 4 minor failure (refused), 8 serious failure.
  event["outcome"] = row.outcome == "allowed" ? "0" : row.outcome == "denied" ? "4" : "8";
  if (row.outcome == "denied") event["outcomeDesc"] = "access denied";
  if (row.outcome == "failed") event["outcomeDesc"] = "failed";

  json::array purposes;
  if (!row.purpose.empty()) {
    json::object purpose{{"text", row.purpose}};
    if (auto c = purpose_coding(row.purpose)) purpose["coding"] = json::array{*c};
    purposes.push_back(purpose);
    event["purposeOfEvent"] = purposes;
  }

  json::array agents;
  json::object user;
  if (!row.role.empty()) user["role"] = json::array{json::object{{"text", row.role}}};
  json::object who;
  if (row.username.empty()) {
    who["display"] = "unknown user";
  } else {
    who["identifier"] = json::object{{"value", row.username}};
    who["display"] = row.username;
  }
  user["who"] = who;
  if (row.user_id) user["altId"] = std::to_string(*row.user_id);  // users.id
  user["requestor"] = true;
  if (!purposes.empty()) user["purposeOfUse"] = purposes;
  agents.push_back(user);
  if (!row.organisation.empty()) {
    json::object identifier{{"value", row.organisation}};
    if (!is_gss_code(row.organisation)) {
      identifier["system"] = "https://fhir.nhs.uk/Id/ods-organization-code";
    }
    agents.push_back(json::object{
        {"type", json::object{{"text", "the user's organisation"}}},
        {"who", json::object{{"identifier", identifier}, {"display", row.organisation}}},
        {"requestor", false}});
  }
  event["agent"] = agents;

  event["source"] = json::object{
      {"site", "onechild"},
      {"observer", json::object{{"display", "onechild"}}},
      {"type", json::array{coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                                  "Application Server")}}};

  json::array entities;
  for (int64_t child : row.children) {
    entities.push_back(json::object{
        {"what", json::object{{"reference", "Patient/" + std::to_string(child)}}},
        {"type", coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person")},
        {"role", coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")}});
  }
  // The request itself, with its place in the chain, so an exported event
  // can be checked against the store's hash chain.
  json::object request{
      {"type",
       coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object")},
      {"name", row.action},
      {"detail",
       json::array{json::object{{"type", "seq"}, {"valueString", std::to_string(row.seq)}},
                   json::object{{"type", "hash"}, {"valueString", row.hash}},
                   json::object{{"type", "prev_hash"}, {"valueString", row.prev_hash}}}}};
  if (!row.what.empty()) request["description"] = row.what;
  entities.push_back(request);
  event["entity"] = entities;
  return json::serialize(event);
}

}  // namespace onechild
