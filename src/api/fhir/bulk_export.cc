#include "api/fhir/bulk_export.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "access/pseudonym.h"
#include "api/fhir/resources.h"
#include "core/date.h"
#include "record/protection.h"

namespace onechild::api::fhir {
namespace {

namespace fs = std::filesystem;

// Files stay small enough to download in one response.
constexpr int64_t kLinesPerFile = 100000;

// One NDJSON file per type, split into parts of kLinesPerFile lines.
class Writers {
 public:
  explicit Writers(fs::path dir) : dir_(std::move(dir)) {}
  Writers(const Writers&) = delete;
  Writers& operator=(const Writers&) = delete;
  ~Writers() {
    for (auto& [type, w] : writers_) {
      if (w.file != nullptr) std::fclose(w.file);
    }
  }

  Status write(const std::string& type, std::string_view line) {
    Writer& w = writers_[type];
    if (w.file == nullptr || w.lines == kLinesPerFile) {
      if (w.file != nullptr && std::fclose(w.file) != 0) return failed(w);
      w.file = nullptr;
      const int part = static_cast<int>(w.files.size()) + 1;
      ExportFile f{type, type + (part == 1 ? "" : "." + std::to_string(part)) + ".ndjson", 0};
      w.file = std::fopen((dir_ / f.name).c_str(), "wb");
      if (w.file == nullptr)
        return Error::io_error("cannot write '" + (dir_ / f.name).string() + "'");
      std::setvbuf(w.file, nullptr, _IOFBF, 1 << 20);
      w.files.push_back(std::move(f));
      w.lines = 0;
    }
    if (std::fwrite(line.data(), 1, line.size(), w.file) != line.size() ||
        std::fputc('\n', w.file) == EOF) {
      return failed(w);
    }
    ++w.lines;
    ++w.files.back().count;
    return {};
  }

  // Closes every file; the files in type order.
  Result<std::vector<ExportFile>> finish() {
    std::vector<ExportFile> out;
    for (auto& [type, w] : writers_) {
      if (w.file != nullptr && std::fclose(w.file) != 0) {
        w.file = nullptr;
        return failed(w).error();
      }
      w.file = nullptr;
      out.insert(out.end(), w.files.begin(), w.files.end());
    }
    return out;
  }

 private:
  struct Writer {
    FILE* file = nullptr;
    int64_t lines = 0;
    std::vector<ExportFile> files;
  };
  Status failed(const Writer& w) const {
    return Error::io_error("cannot write '" + (dir_ / w.files.back().name).string() +
                           "' (disk full?)");
  }

  fs::path dir_;
  std::map<std::string, Writer> writers_;
};

// A cursor over rows ordered by child id (column 0).
struct Cursor {
  Statement stmt;
  bool has = false;
  int64_t child = 0;

  Status next() {
    auto row = stmt.step();
    if (!row.ok()) return row.error();
    has = *row;
    if (has) child = stmt.column_int64(0);
    return {};
  }
  // Skips rows of children before `child` (none normally: links point to
  // current children only).
  Status skip_to(int64_t child_id) {
    while (has && child < child_id) {
      if (Status s = next(); !s.ok()) return s;
    }
    return {};
  }
};

struct Identity {
  SourceIdentity identity;
  int64_t person_id = 0, batch = 0;
};

struct Event {
  RecordEvent event;
  int64_t batch = 0;
};

bool is_social_care(const AccessPolicy& policy, const std::string& source) {
  return std::any_of(policy.social_care_sources.begin(), policy.social_care_sources.end(),
                     [&](const std::string& prefix) { return source.rfind(prefix, 0) == 0; });
}

std::string random_id() {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 8; ++i) {
    const unsigned v = random();
    for (int j = 0; j < 4; ++j)
      id += kHex[(v >> (j * 4)) & 15];
  }
  return id;
}

std::string now_instant() {
  return timestamp_now();
}

}  // namespace

Result<LabelTables> LabelTables::load(Database& db) {
  LabelTables t;
  auto events = db.prepare("SELECT event_id, label FROM event_labels");
  if (!events.ok()) return events.error();
  if (Status s = events->each_row([&](const Statement& row) {
        t.by_event_[row.column_int64(0)].push_back(row.column_text(1));
      });
      !s.ok()) {
    return s.error();
  }
  auto children = db.prepare("SELECT child_id, label FROM child_labels ORDER BY child_id, label");
  if (!children.ok()) return children.error();
  if (Status s = children->each_row([&](const Statement& row) {
        t.by_child_[row.column_int64(0)].push_back(row.column_text(1));
      });
      !s.ok()) {
    return s.error();
  }
  return t;
}

RecordLabels LabelTables::label(const AccessPolicy& policy, const ChildRecord& record) const {
  // The same rules, in the same order, as label_record().
  RecordLabels out;
  out.by_event = label_events(policy, record, by_event_);
  if (auto it = by_child_.find(record.child_id); it != by_child_.end()) out.on_child = it->second;
  return out;
}

std::vector<std::string> exportable_types() {
  std::vector<std::string> out;
  for (auto t : resource_types())
    out.emplace_back(t);
  return out;
}

Result<std::vector<int64_t>> group_members(Database& db, const std::string& group) {
  auto stmt = db.prepare(R"sql(
    SELECT DISTINCT l.child_id FROM source_persons p JOIN links l ON l.source_person_id = p.id
    WHERE p.gp_practice = ?1 AND p.superseded_by IS NULL ORDER BY l.child_id)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, group);
  std::vector<int64_t> out;
  if (Status s = stmt->each_row([&](const Statement& row) { out.push_back(row.column_int64(0)); });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<ExportResult> run_export(Database& db, const AccessPolicy& policy,
                                const ExportRequest& request, const fs::path& dir,
                                ExportProgress* progress) {
  const auto started = std::chrono::steady_clock::now();
  ExportResult result;
  std::set<std::string, std::less<>> wanted;
  for (const auto& t : request.types) {
    if (!is_resource_type(t)) {
      return Error::invalid_argument("'" + t + "' is not a resource type the export has");
    }
    wanted.insert(t);
  }
  const auto wants = [&](std::string_view type) { return wanted.empty() || wanted.contains(type); };

  // What every child needs, read once.
  std::unordered_map<int64_t, std::string> sources, received;
  {
    auto stmt = db.prepare("SELECT id, code FROM source_systems");
    if (!stmt.ok()) return stmt.error();
    if (Status s = stmt->each_row(
            [&](const Statement& row) { sources[row.column_int64(0)] = row.column_text(1); });
        !s.ok()) {
      return s.error();
    }
  }
  if (!request.since.empty()) {
    auto stmt = db.prepare("SELECT id, received_at FROM ingest_batches");
    if (!stmt.ok()) return stmt.error();
    if (Status s = stmt->each_row(
            [&](const Statement& row) { received[row.column_int64(0)] = row.column_text(1); });
        !s.ok()) {
      return s.error();
    }
  }
  const auto arrived_since = [&](int64_t batch) {
    if (request.since.empty()) return true;
    auto it = received.find(batch);
    return it != received.end() && it->second >= request.since;
  };
  std::unordered_set<std::string> opted_out;
  if (request.apply_opt_out) {
    auto stmt = db.prepare("SELECT nhs_number FROM data_opt_outs");
    if (!stmt.ok()) return stmt.error();
    if (Status s =
            stmt->each_row([&](const Statement& row) { opted_out.insert(row.column_text(0)); });
        !s.ok()) {
      return s.error();
    }
  }
  std::optional<std::unordered_set<int64_t>> members;
  if (request.level == "group") {
    auto list = group_members(db, request.group);
    if (!list.ok()) return list.error();
    if (list->empty()) return Error::not_found("no group '" + request.group + "'");
    members.emplace(list->begin(), list->end());
  }
  std::optional<Pseudonymiser> pseudonymiser;
  if (request.pseudonymise) {
    auto p = Pseudonymiser::for_database(db.path());
    if (!p.ok()) return p.error();
    pseudonymiser.emplace(std::move(*p));
  }
  // Sensitivity: the principal's role, else the role the caller named.
  std::optional<Principal> viewer = request.principal;
  if (!viewer && !request.sensitivity_role.empty()) {
    if (policy.role(request.sensitivity_role) == nullptr) {
      return Error::invalid_argument("no role '" + request.sensitivity_role + "' in the policy");
    }
    viewer.emplace();
    viewer->role = request.sensitivity_role;
  }
  auto labels = LabelTables::load(db);
  if (!labels.ok()) return labels.error();
  const bool check_access = request.principal && !request.pseudonymise;
  const bool want_flags = wants("Flag") || wants("CareTeam");
  const Date today_date = today();
  const std::string today_text = format_iso_date(today_date);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::io_error("cannot create '" + dir.string() + "': " + ec.message());
  // Files of an earlier export into the same folder would pass for this one's.
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t dot = name.find('.');
    if (name.ends_with(".ndjson") && dot != std::string::npos &&
        is_resource_type(name.substr(0, dot))) {
      fs::remove(entry.path(), ec);
    }
  }
  Writers writers(dir);

  // One snapshot for the whole pass, so the three cursors agree.
  if (Status s = db.execute("BEGIN"); !s.ok()) return s.error();
  struct EndRead {
    Database& db;
    ~EndRead() { (void)db.execute("COMMIT"); }
  } end_read{db};

  if (progress != nullptr) {
    if (members) {
      progress->total = static_cast<int64_t>(members->size());
    } else {
      auto count = db.prepare("SELECT count(*) FROM children WHERE merged_into IS NULL");
      if (!count.ok()) return count.error();
      auto row = count->step();
      if (!row.ok()) return row.error();
      progress->total = count->column_int64(0);
    }
  }

  auto children =
      db.prepare("SELECT id, nhs_number FROM children WHERE merged_into IS NULL ORDER BY id");
  auto identities = db.prepare(R"sql(
    SELECT l.child_id, p.source_system_id, p.original_id, p.given_name, p.family_name,
           p.birth_date, p.sex, p.postcode, p.ethnic_category, p.id, p.batch_id
    FROM links l JOIN source_persons p ON p.id = l.source_person_id
    WHERE p.superseded_by IS NULL
    ORDER BY l.child_id)sql");
  // Events point at the source's own person id; every linked version of the
  // person finds them, so an event can come more than once (deduplicated
  // below, as load_child_record's DISTINCT does).
  auto events = db.prepare(R"sql(
    SELECT l.child_id, e.id, e.source_system_id, e.kind, e.start_date, e.end_date, e.code_system,
           e.code, e.display, e.status, e.value, e.batch_id
    FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_events e ON e.source_system_id = p.source_system_id
                        AND e.person_original_id = p.original_id
    WHERE e.superseded_by IS NULL
    ORDER BY l.child_id)sql");
  for (auto* stmt : {&children, &identities, &events}) {
    if (!stmt->ok()) return stmt->error();
  }
  Cursor ids{std::move(*identities)}, evs{std::move(*events)};
  if (Status s = ids.next(); !s.ok()) return s.error();
  if (Status s = evs.next(); !s.ok()) return s.error();

  const auto source_code = [&](int64_t id) -> const std::string& {
    static const std::string kUnknown = "unknown";
    auto it = sources.find(id);
    return it == sources.end() ? kUnknown : it->second;
  };

  std::vector<Identity> child_ids;
  std::vector<Event> child_events;
  std::string line;
  for (;;) {
    auto row = children->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (progress != nullptr && progress->cancel) return Error::internal("cancelled");
    const int64_t child_id = children->column_int64(0);
    if (members && !members->contains(child_id)) continue;

    // The child's rows from the two cursors.
    child_ids.clear();
    child_events.clear();
    if (Status s = ids.skip_to(child_id); !s.ok()) return s.error();
    while (ids.has && ids.child == child_id) {
      const Statement& r = ids.stmt;
      child_ids.push_back({SourceIdentity{source_code(r.column_int64(1)), r.column_text(2),
                                          r.column_optional_text(3), r.column_optional_text(4),
                                          r.column_optional_text(5), r.column_optional_text(6),
                                          r.column_optional_text(7), r.column_optional_text(8)},
                           r.column_int64(9), r.column_int64(10)});
      if (Status s = ids.next(); !s.ok()) return s.error();
    }
    if (Status s = evs.skip_to(child_id); !s.ok()) return s.error();
    while (evs.has && evs.child == child_id) {
      const Statement& r = evs.stmt;
      if (arrived_since(r.column_int64(11))) {
        child_events.push_back(
            {RecordEvent{source_code(r.column_int64(2)), r.column_text(3), r.column_text(4),
                         r.column_optional_text(5), r.column_optional_text(6),
                         r.column_optional_text(7), r.column_optional_text(8),
                         r.column_optional_text(9), r.column_optional_text(10), r.column_int64(1)},
             r.column_int64(11)});
      }
      if (Status s = evs.next(); !s.ok()) return s.error();
    }
    if (progress != nullptr) ++progress->done;

    // The record as load_child_record() gives it.
    ChildRecord record;
    record.child_id = child_id;
    record.nhs_number = children->column_optional_text(1);
    std::sort(child_ids.begin(), child_ids.end(), [](const Identity& a, const Identity& b) {
      if (a.identity.source != b.identity.source) return a.identity.source < b.identity.source;
      if (a.identity.original_id != b.identity.original_id) {
        return a.identity.original_id < b.identity.original_id;
      }
      return a.person_id > b.person_id;
    });
    bool patient_changed = request.since.empty();
    for (auto& i : child_ids) {
      patient_changed = patient_changed || arrived_since(i.batch);
      record.identities.push_back(std::move(i.identity));
    }
    std::sort(child_events.begin(), child_events.end(), [](const Event& a, const Event& b) {
      if (a.event.start_date != b.event.start_date) return a.event.start_date > b.event.start_date;
      return a.event.id > b.event.id;
    });
    for (size_t i = 0; i < child_events.size(); ++i) {
      if (i > 0 && child_events[i].event.id == child_events[i - 1].event.id) continue;
      record.events.push_back(std::move(child_events[i].event));
    }

    if (check_access) {
      auto decision = decide_record_access(db, policy, *request.principal, child_id);
      if (!decision.ok()) return decision.error();
      if (!decision->allowed) {
        ++result.refused;
        continue;
      }
    }
    if (request.apply_opt_out && record.nhs_number && opted_out.contains(*record.nhs_number)) {
      // Only children's social care data stays.
      ++result.opted_out;
      std::erase_if(record.identities,
                    [&](const SourceIdentity& i) { return !is_social_care(policy, i.source); });
      std::erase_if(record.events,
                    [&](const RecordEvent& e) { return !is_social_care(policy, e.source); });
      if (record.identities.empty() && record.events.empty()) continue;
    }
    if (viewer) {
      const RecordLabels record_labels = labels->label(policy, record);
      apply_sensitivity(policy, *viewer, record_labels, record);
    }

    const Subject subject{
        pseudonymiser ? pseudonymiser->pseudonym(child_id) : std::to_string(child_id),
        request.pseudonymise};
    const int64_t written_before = result.resources;
    const auto emit = [&](const std::string& type, const json::object& resource) -> Status {
      line = json::serialize(resource);
      ++result.resources;
      return writers.write(type, line);
    };
    if (wants("Patient") && patient_changed && !record.identities.empty()) {
      if (Status s = emit("Patient", patient_resource(record, subject)); !s.ok()) return s.error();
    }
    for (const RecordEvent& e : record.events) {
      const std::string type(mapping_for(e.kind).resource_type);
      if (!wants(type)) continue;
      if (Status s = emit(type, event_resource(e, subject, today_text)); !s.ok()) return s.error();
    }
    if (want_flags && !record.events.empty()) {
      auto flags = protection_flags(db, record, today_date);
      if (!flags.ok()) return flags.error();
      for (const ProtectionFlag& f : *flags) {
        if (wants("Flag")) {
          if (Status s = emit("Flag", protection_flag_resource(f, subject)); !s.ok()) {
            return s.error();
          }
        }
        if (wants("CareTeam")) {
          if (Status s = emit("CareTeam", protection_care_team_resource(f, subject)); !s.ok()) {
            return s.error();
          }
        }
      }
    }
    if (result.resources > written_before) ++result.children;
  }
  auto files = writers.finish();
  if (!files.ok()) return files.error();
  result.files = std::move(*files);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string export_manifest(const ExportRequest& request, const ExportResult& result,
                            const std::string& transaction_time) {
  json::array output;
  for (const ExportFile& f : result.files) {
    output.push_back(json::object{
        {"type", f.type}, {"url", request.file_base_url + "/" + f.name}, {"count", f.count}});
  }
  json::object manifest{
      {"transactionTime", transaction_time},
      {"request", request.kick_off},
      {"requiresAccessToken", true},
      {"output", std::move(output)},
      {"error", json::array{}},
      {"extension", json::object{{"https://onechild.example/fhir/bulk-export",
                                  json::object{{"pseudonymised", request.pseudonymise},
                                               {"nationalDataOptOutApplied", request.apply_opt_out},
                                               {"children", result.children},
                                               {"childrenOptedOut", result.opted_out},
                                               {"childrenNotPermitted", result.refused}}}}}};
  return json::serialize(manifest);
}

// --- BulkExporter ------------------------------------------------------------

BulkExporter::BulkExporter(std::string db_path, const AccessPolicy& policy)
    : db_path_(std::move(db_path)), policy_(policy), root_(db_path_ + ".exports") {}

BulkExporter::~BulkExporter() {
  std::map<std::string, std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, job] : jobs_)
      job->progress.cancel = true;
    jobs.swap(jobs_);
  }
  for (auto& [id, job] : jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
}

void BulkExporter::reap() {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second->finished) {
      if (it->second->thread.joinable()) it->second->thread.join();
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

int BulkExporter::running() {
  std::lock_guard lock(mutex_);
  reap();
  return static_cast<int>(jobs_.size());
}

Result<std::string> BulkExporter::start(Database& db, int64_t user_id, ExportRequest request) {
  const std::string id = random_id();
  const std::string requested_at = now_instant();
  request.file_base_url += "/" + id;
  auto insert = db.prepare(
      "INSERT INTO bulk_exports (id, user_id, level, request, status, requested_at) "
      "VALUES (?1, ?2, ?3, ?4, 'running', ?5)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, id)
      .bind(2, user_id)
      .bind(3, request.level)
      .bind(4, request.kick_off)
      .bind(5, requested_at);
  if (Status s = insert->run(); !s.ok()) return s.error();

  std::lock_guard lock(mutex_);
  reap();
  auto job = std::make_unique<Job>();
  Job* raw = job.get();
  job->thread = std::thread([this, id, requested_at, request = std::move(request), raw] {
    const fs::path dir = root_ / id;
    Result<ExportResult> result = Error::internal("the export did not start");
    auto db = Database::open(db_path_);
    if (db.ok()) result = run_export(*db, policy_, request, dir, &raw->progress);
    if (db.ok()) {
      auto update = db->prepare(
          "UPDATE bulk_exports SET status = ?2, completed_at = ?3, manifest = ?4, error = ?5 "
          "WHERE id = ?1 AND status = 'running'");
      if (update.ok()) {
        update->bind(1, id).bind(3, now_instant());
        if (raw->progress.cancel) {
          update->bind(2, "cancelled").bind_null(4).bind_null(5);
        } else if (result.ok()) {
          update->bind(2, "complete").bind(4, export_manifest(request, *result, requested_at));
          update->bind_null(5);
        } else {
          update->bind(2, "failed").bind_null(4).bind(5, result.error().to_string());
        }
        if (Status s = update->run(); !s.ok()) {
          std::fprintf(stderr, "onechild serve: export %s: %s\n", id.c_str(),
                       s.error().to_string().c_str());
        }
      }
    } else {
      std::fprintf(stderr, "onechild serve: export %s: %s\n", id.c_str(),
                   db.error().to_string().c_str());
    }
    std::lock_guard done(mutex_);
    if (raw->progress.cancel || !result.ok()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
    raw->finished = true;
  });
  jobs_.emplace(id, std::move(job));
  return id;
}

Result<std::optional<BulkExporter::State>> BulkExporter::state(Database& db,
                                                               const std::string& id) {
  auto stmt = db.prepare(
      "SELECT user_id, status, manifest, error, requested_at FROM bulk_exports WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<State>();
  State s;
  s.user_id = stmt->column_int64(0);
  s.status = stmt->column_text(1);
  s.manifest = stmt->column_optional_text(2).value_or("");
  s.error = stmt->column_optional_text(3).value_or("");
  s.requested_at = stmt->column_text(4);
  if (s.status == "running") {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) {
      s.status = "failed";
      s.error = "the export was interrupted (the server stopped); start it again";
    } else {
      s.done = it->second->progress.done;
      s.total = it->second->progress.total;
    }
  }
  return std::optional<State>(std::move(s));
}

Status BulkExporter::cancel(Database& db, const std::string& id) {
  auto update =
      db.prepare("UPDATE bulk_exports SET status = 'cancelled', completed_at = ?2 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, id).bind(2, now_instant());
  if (Status s = update->run(); !s.ok()) return s;
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it != jobs_.end() && !it->second->finished) {
    it->second->progress.cancel = true;  // the thread deletes its files
    return {};
  }
  std::error_code ec;
  fs::remove_all(root_ / id, ec);
  return {};
}

std::optional<fs::path> BulkExporter::file(const std::string& id, const std::string& name) const {
  const auto is_hex = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
  };
  // <Type>[.<n>].ndjson, nothing else.
  const size_t dot = name.find('.');
  if (!is_hex(id) || dot == std::string::npos || !is_resource_type(name.substr(0, dot))) {
    return std::nullopt;
  }
  std::string rest = name.substr(dot + 1);
  if (rest != "ndjson") {
    const size_t second = rest.find('.');
    if (second == std::string::npos || rest.substr(second + 1) != "ndjson" || second == 0 ||
        rest.substr(0, second).find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
  }
  return root_ / id / name;
}

}  // namespace onechild::api::fhir
