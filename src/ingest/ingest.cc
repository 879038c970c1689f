#include "ingest/ingest.h"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/line_reader.h"
#include "core/progress.h"
#include "ingest/batch.h"
#include "ingest/csv/mapping.h"
#include "ingest/fhir/fhir_resource.h"
#include "ingest/hashing_file.h"
#include "ingest/pipeline.h"

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {
namespace {

namespace fs = std::filesystem;
using ingest::Batch;
using ingest::ParsedRow;

// NDJSON lines and Bundles beyond these sizes are refused rather than read
// into memory: no real resource is that large.
constexpr size_t kMaxNdjsonLine = size_t{16} << 20;
constexpr uintmax_t kMaxBundleBytes = uintmax_t{256} << 20;

// A file to load and how to read it.
struct Planned {
  std::string path;
  std::string format;  // "fhir-ndjson" | "fhir-bundle" | "csv"
  const ingest::Mapping* mapping = nullptr;
  int order = 1;
};

ParsedRow as_parsed(ingest::FhirRow row) {
  ParsedRow out;
  std::visit(
      [&](auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, ingest::PersonRow>) {
          out.persons.push_back(std::move(r));
        } else {
          out.events.push_back(std::move(r));
        }
      },
      row);
  return out;
}

// The resource's id, when the text is JSON with one: kept with a quarantined
// row so that the fixed resource, loaded later, resolves it.
std::optional<std::string> fhir_id_of(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* id = v.get_object().if_contains("id");
  if (id == nullptr || !id->is_string()) return std::nullopt;
  return std::string(id->get_string());
}

// A FHIR resource's text as a hand-over item: its row, or why not.
ingest::ParsedItem fhir_item(Result<ingest::FhirRow> row, int64_t line, std::string raw) {
  ingest::ParsedItem item;
  item.line = line;
  if (row.ok()) {
    item.row = as_parsed(std::move(row).value());
  } else {
    item.field = row.error().field();
    item.reason = row.error().message();
    item.original_id = fhir_id_of(raw);
  }
  item.raw = std::move(raw);
  return item;
}

// The writing side, the same for every format: the row into the batch, or
// into the quarantine with its reason.
Status write_item(Batch& batch, ingest::ParsedItem& item, Progress& progress, FileReport& report) {
  if (item.converted) ++report.rows_converted;
  Status s = item.row
                 ? batch.accept(*item.row, item.line, item.raw)
                 : batch.quarantine(item.line, item.field, item.reason, item.raw, item.original_id);
  if (item.bytes_read > 0) progress.advance_to(item.bytes_read);
  return s;
}

void read_ndjson(ingest::HashingFile& in, const ingest::Emit& emit) {
  LineReader lines(in.stream(), kMaxNdjsonLine);
  ingest::FhirResourceParser parser;
  std::string line;
  while (lines.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ingest::ParsedItem item;
    if (lines.truncated()) {
      item.line = lines.line_number();
      item.reason =
          "line is longer than " + std::to_string(kMaxNdjsonLine) + " bytes (raw text cut there)";
      item.raw = std::move(line);
    } else {
      auto row = parser.parse(line);  // before the line is moved into the item
      item = fhir_item(std::move(row), lines.line_number(), std::move(line));
    }
    item.bytes_read = in.bytes_read();
    if (!emit(std::move(item))) return;
  }
}

void read_csv(CsvReader& reader, const ingest::MappedCsv& mapped, ingest::HashingFile& in,
              const ingest::Emit& emit) {
  while (auto record = reader.next()) {
    ingest::ParsedItem item;
    item.line = record->line;
    item.converted = record->converted;
    auto row = mapped.parse(*record);
    if (row.ok()) {
      item.row = std::move(row).value();
    } else {
      item.field = row.error().field();
      item.reason = row.error().message();
      item.original_id = mapped.original_id(*record);
    }
    item.raw = std::move(record->raw);
    item.bytes_read = in.bytes_read();
    if (!emit(std::move(item))) return;
  }
}

// A Bundle is parsed whole (it is one JSON document), then written in order.
Status load_bundle(ingest::HashingFile& in, const std::string& path, Batch& batch,
                   Progress& progress, FileReport& report) {
  std::ostringstream text;
  text << in.stream().rdbuf();
  auto entries = ingest::parse_fhir_bundle(text.str());
  if (!entries.ok()) return Error(entries.error()).at(path, 1);
  for (auto& entry : *entries) {
    auto item = fhir_item(std::move(entry.row), entry.index, std::move(entry.raw));
    if (Status s = write_item(batch, item, progress, report); !s.ok()) return s;
  }
  return {};
}

std::string source_of(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.substr(0, name.find('.'));
}

Result<FileReport> ingest_file(Database& db, const Planned& plan, const IngestOptions& options,
                               ingest::LoadState& state) {
  const fs::path p(plan.path);
  FileReport report;
  report.file = plan.path;
  report.source = source_of(p);
  report.format = plan.format;
  if (plan.mapping) report.mapping = plan.mapping->name();
  ingest::HashingFile in(plan.path);
  if (!in.is_open()) return Error::io_error("cannot read file").at(plan.path, 0);
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  Progress progress("ingest " + p.filename().string(), ec ? 0 : static_cast<int64_t>(size),
                    options.progress);
  const ingest::BatchOptions batch_options{options.rows_per_commit};

  if (plan.format == "fhir-bundle" && !ec && size > kMaxBundleBytes) {
    return Error::invalid_argument("Bundle is larger than 256 MiB; send it as NDJSON")
        .at(plan.path, 0);
  }
  if (plan.format != "csv") {
    auto batch = Batch::begin(db, report, batch_options, &state);
    if (!batch.ok()) return batch.error();
    Status s = plan.format == "fhir-bundle"
                   ? load_bundle(in, plan.path, *batch, progress, report)
                   : ingest::run_pipeline([&](const ingest::Emit& emit) { read_ndjson(in, emit); },
                                          [&](ingest::ParsedItem& item) {
                                            return write_item(*batch, item, progress, report);
                                          });
    if (!s.ok()) return s.error();
    if (Status f = batch->finish(in.sha256()); !f.ok()) return f.error();
    return report;
  }

  CsvReader reader(in.stream(), plan.mapping->csv_options());
  auto header = reader.next();
  if (!header) return Error::invalid_argument("file is empty (no header row)").at(plan.path, 1);
  if (header->error) {
    return Error::invalid_argument("header: " + *header->error).at(plan.path, header->line);
  }
  auto mapped = plan.mapping->bind(header->fields, options.as_of);
  if (!mapped.ok()) return Error(mapped.error()).at(plan.path, header->line);
  auto batch = Batch::begin(db, report, batch_options, &state);
  if (!batch.ok()) return batch.error();
  if (Status s = batch->record_header(header->raw); !s.ok()) return s.error();
  Status loaded = ingest::run_pipeline(
      [&](const ingest::Emit& emit) { read_csv(reader, *mapped, in, emit); },
      [&](ingest::ParsedItem& item) { return write_item(*batch, item, progress, report); });
  if (!loaded.ok()) return loaded.error();
  if (Status s = batch->finish(in.sha256()); !s.ok()) return s.error();
  return report;
}

bool is_feed(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".ndjson" || ext == ".json" || ext == ".csv";
}

Result<std::vector<std::string>> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec) && is_feed(entry.path()))
          files.push_back(entry.path().string());
      }
      if (ec) return Error::io_error("cannot list directory '" + path + "': " + ec.message());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return Error::io_error("no such file or directory: '" + path + "'");
    }
  }
  return files;
}

Result<Planned> plan_file(const std::string& path, const ingest::MappingCatalog& mappings) {
  const fs::path p(path);
  const auto ext = p.extension();
  if (source_of(p).empty()) {
    return Error::invalid_argument("cannot tell the source system from the file name").at(path, 0);
  }
  if (ext == ".ndjson") return Planned{path, "fhir-ndjson", nullptr, 1};
  if (ext == ".json") return Planned{path, "fhir-bundle", nullptr, 1};
  if (ext != ".csv") {
    return Error::invalid_argument("unknown feed format (expected .ndjson, .json or .csv)")
        .at(path, 0);
  }
  const ingest::Mapping* mapping = mappings.find(p.filename().string());
  if (mapping == nullptr) {
    return Error::invalid_argument(
               "no mapping for this file name in the mappings directory: write one "
               "(docs/ingest.md) or name it with --mapping")
        .at(path, 0);
  }
  return Planned{path, "csv", mapping, mapping->order()};
}

// Loads killed part-way left their batch row 'loading'; say what they are.
Status mark_interrupted(Database& db) {
  return db.execute("UPDATE ingest_batches SET status = 'interrupted' WHERE status = 'loading'");
}

// Settings for a bulk load, restored afterwards. A 256 MiB page cache keeps
// the (source, original id) indexes in memory (SQLite's default is 2 MB);
// foreign keys are not re-checked per row because the batch writes only ids
// it has just read or created in the same transaction; a larger WAL before
// each checkpoint saves rewriting hot index pages at every chunk. None of
// these weakens crash safety: commits stay atomic and WAL stays on.
class LoadSettings {
 public:
  explicit LoadSettings(Database& db) : db_(db) {
    (void)db_.execute("PRAGMA cache_size = -262144");
    (void)db_.execute("PRAGMA foreign_keys = OFF");
    (void)db_.execute("PRAGMA temp_store = MEMORY");
    (void)db_.execute("PRAGMA wal_autocheckpoint = 16384");
  }
  ~LoadSettings() {
    (void)db_.execute("PRAGMA foreign_keys = ON");
    (void)db_.execute("PRAGMA cache_size = -2000");
    (void)db_.execute("PRAGMA wal_autocheckpoint = 1000");
  }
  LoadSettings(const LoadSettings&) = delete;
  LoadSettings& operator=(const LoadSettings&) = delete;

 private:
  Database& db_;
};

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<ingest::MappingCatalog> catalog_for(const IngestOptions& options) {
  if (!options.mapping_file.empty()) {
    // A mapping of one's own may still name the shared value sets: those
    // beside it, else the shipped ones.
    std::string value_sets;
    for (const fs::path& dir : {fs::path(options.mapping_file).parent_path(),
                                fs::path(ONECHILD_CONFIG_DIR "/mappings")}) {
      std::error_code ec;
      if (fs::exists(dir / "value_sets.toml", ec)) {
        auto text = read_file(dir / "value_sets.toml");
        if (!text.ok()) return text.error();
        value_sets = std::move(text).value();
        break;
      }
    }
    auto mapping = ingest::Mapping::load(options.mapping_file, value_sets);
    if (!mapping.ok()) return mapping.error();
    return ingest::MappingCatalog::single(std::move(mapping).value());
  }
  return ingest::MappingCatalog::load_dir(
      options.mappings_dir.empty() ? ONECHILD_CONFIG_DIR "/mappings" : options.mappings_dir);
}

}  // namespace

int64_t IngestReport::total(int64_t FileReport::*count) const {
  int64_t n = 0;
  for (const auto& f : files)
    n += f.*count;
  return n;
}

int64_t IngestReport::rows_accepted() const {
  int64_t n = 0;
  for (const auto& f : files)
    n += f.rows_accepted();
  return n;
}

bool IngestReport::reconciles() const {
  return std::all_of(files.begin(), files.end(),
                     [](const FileReport& f) { return f.reconciles(); });
}

std::string IngestReport::to_json() const {
  namespace json = boost::json;
  json::array file_array;
  for (const auto& f : files) {
    json::array quarantined;
    for (const auto& q : f.quarantined) {
      quarantined.push_back(
          json::object{{"line", q.line}, {"field", q.field}, {"reason", q.reason}});
    }
    json::object by_reason;
    for (const auto& [reason, n] : f.quarantined_by_reason)
      by_reason[reason] = n;
    file_array.push_back(json::object{{"file", f.file},
                                      {"source", f.source},
                                      {"format", f.format},
                                      {"mapping", f.mapping},
                                      {"rows_read", f.rows_read},
                                      {"rows_accepted", f.rows_accepted()},
                                      {"rows_new", f.rows_new},
                                      {"rows_updated", f.rows_updated},
                                      {"rows_unchanged", f.rows_unchanged},
                                      {"rows_quarantined", f.rows_quarantined},
                                      {"rows_converted_from_windows_1252", f.rows_converted},
                                      {"invalid_nhs_numbers", f.invalid_nhs_numbers},
                                      {"quarantined_by_reason", std::move(by_reason)},
                                      {"reconciles", f.reconciles()},
                                      {"quarantined", std::move(quarantined)}});
  }
  return json::serialize(
      json::object{{"files", std::move(file_array)},
                   {"totals", json::object{{"rows_read", rows_read()},
                                           {"rows_accepted", rows_accepted()},
                                           {"rows_new", total(&FileReport::rows_new)},
                                           {"rows_updated", total(&FileReport::rows_updated)},
                                           {"rows_unchanged", total(&FileReport::rows_unchanged)},
                                           {"rows_quarantined", rows_quarantined()}}},
                   {"reconciles", reconciles()}});
}

std::string IngestReport::summary() const {
  std::ostringstream out;
  out << "ingest: " << files.size() << " files, " << rows_read()
      << " rows read: " << total(&FileReport::rows_new) << " new, "
      << total(&FileReport::rows_updated) << " updated, " << total(&FileReport::rows_unchanged)
      << " unchanged, " << rows_quarantined() << " quarantined"
      << (reconciles() ? "" : " (DO NOT RECONCILE)");
  return out.str();
}

Result<IngestReport> ingest_paths(Database& db, const std::vector<std::string>& paths,
                                  const IngestOptions& options) {
  if (sodium_init() < 0) return Error::internal("libsodium failed to initialise");
  auto files = expand(paths);
  if (!files.ok()) return files.error();
  if (files->empty())
    return Error::invalid_argument("no .ndjson, .json or .csv feeds found to load");
  const bool any_csv = std::any_of(files->begin(), files->end(), [](const std::string& f) {
    return fs::path(f).extension() == ".csv";
  });
  ingest::MappingCatalog mappings;
  if (any_csv) {
    auto catalog = catalog_for(options);
    if (!catalog.ok()) return catalog.error();
    mappings = std::move(catalog).value();
  }
  std::vector<Planned> plan;
  for (const auto& file : *files) {
    auto planned = plan_file(file, mappings);
    if (!planned.ok()) return planned.error();
    plan.push_back(std::move(planned).value());
  }
  // Persons before the events that refer to them; then by name, so a load
  // is the same whatever order the files were given in.
  std::stable_sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) {
    return std::pair(a.order, fs::path(a.path).filename()) <
           std::pair(b.order, fs::path(b.path).filename());
  });
  if (Status s = mark_interrupted(db); !s.ok()) return s.error();
  LoadSettings settings(db);
  ingest::LoadState state;
  IngestReport report;
  for (const auto& planned : plan) {
    auto one = ingest_file(db, planned, options, state);
    if (!one.ok()) return one.error();
    if (options.on_file) options.on_file(*one);
    report.files.push_back(std::move(one).value());
  }
  return report;
}

}  // namespace onechild
