#include "ingest/ingest.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/progress.h"
#include "ingest/batch.h"
#include "ingest/csv/social_care_csv.h"
#include "ingest/fhir/fhir_resource.h"
#include "ingest/hashing_file.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;
using ingest::Batch;

// Adds a parsed row to the batch, or quarantines the row with the parse error.
template <typename Row>
Status accept_or_quarantine(Batch& batch, const Result<Row>& row, int64_t line,
                            std::string_view raw) {
  if (!row.ok()) return batch.quarantine(line, row.error().field(), row.error().message(), raw);
  return std::visit(
      [&](const auto& r) -> Status {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, ingest::PersonRow>) {
          return batch.accept_person(r, line, raw);
        } else {
          return batch.accept_event(r, line, raw);
        }
      },
      row.value());
}

Status load_ndjson(std::istream& in, Batch& batch, Progress& progress) {
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (Status s = accept_or_quarantine(batch, ingest::parse_fhir_resource(line), number, line);
        !s.ok()) {
      return s;
    }
    progress.advance();
  }
  return {};
}

Status load_csv(CsvReader& reader, const ingest::SocialCareCsv& shape, Batch& batch,
                Progress& progress) {
  while (auto record = reader.next()) {
    if (Status s = accept_or_quarantine(batch, shape.parse(*record), record->line, record->raw);
        !s.ok()) {
      return s;
    }
    progress.advance();
  }
  return {};
}

Result<FileReport> ingest_file(Database& db, const std::string& path) {
  const fs::path p(path);
  const std::string name = p.filename().string();
  const std::string extension = p.extension().string();
  FileReport report;
  report.file = path;
  report.source = name.substr(0, name.find('.'));
  if (report.source.empty()) {
    return Error::invalid_argument("cannot tell the source system from the file name").at(path, 0);
  }
  if (extension != ".ndjson" && extension != ".csv") {
    return Error::invalid_argument("unknown feed format (expected .ndjson or .csv)").at(path, 0);
  }
  ingest::HashingFile in(path);
  if (!in.is_open()) return Error::io_error("cannot read file").at(path, 0);

  Progress progress("ingest " + name, 0);
  if (extension == ".ndjson") {
    report.format = "fhir-ndjson";
    auto batch = Batch::begin(db, report);
    if (!batch.ok()) return batch.error();
    if (Status s = load_ndjson(in.stream(), *batch, progress); !s.ok()) return s.error();
    if (Status s = batch->commit(in.sha256()); !s.ok()) return s.error();
    return report;
  }
  CsvReader reader(in.stream());
  auto header = reader.next();
  if (!header) return Error::invalid_argument("file is empty (no header row)").at(path, 1);
  if (header->error)
    return Error::invalid_argument("header: " + *header->error).at(path, header->line);
  auto shape = ingest::SocialCareCsv::from_header(header->fields);
  if (!shape.ok()) return Error(shape.error()).at(path, header->line);
  report.format = shape->format();
  auto batch = Batch::begin(db, report);
  if (!batch.ok()) return batch.error();
  if (Status s = load_csv(reader, *shape, *batch, progress); !s.ok()) return s.error();
  if (Status s = batch->commit(in.sha256()); !s.ok()) return s.error();
  return report;
}

Result<std::vector<std::string>> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file(ec) && (ext == ".ndjson" || ext == ".csv")) {
          found.push_back(entry.path().string());
        }
      }
      if (ec) return Error::io_error("cannot list directory '" + path + "': " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return Error::io_error("no such file or directory: '" + path + "'");
    }
  }
  return files;
}

}  // namespace

namespace {

int64_t total(const std::vector<FileReport>& files, int64_t FileReport::*count) {
  int64_t n = 0;
  for (const auto& f : files)
    n += f.*count;
  return n;
}

}  // namespace

int64_t IngestReport::rows_read() const {
  return total(files, &FileReport::rows_read);
}
int64_t IngestReport::rows_accepted() const {
  return total(files, &FileReport::rows_accepted);
}
int64_t IngestReport::rows_quarantined() const {
  return total(files, &FileReport::rows_quarantined);
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
    file_array.push_back(json::object{{"file", f.file},
                                      {"source", f.source},
                                      {"format", f.format},
                                      {"rows_read", f.rows_read},
                                      {"rows_accepted", f.rows_accepted},
                                      {"rows_already_loaded", f.rows_already_loaded},
                                      {"rows_quarantined", f.rows_quarantined},
                                      {"reconciles", f.reconciles()},
                                      {"quarantined", std::move(quarantined)}});
  }
  return json::serialize(
      json::object{{"files", std::move(file_array)},
                   {"totals", json::object{{"rows_read", rows_read()},
                                           {"rows_accepted", rows_accepted()},
                                           {"rows_quarantined", rows_quarantined()}}},
                   {"reconciles", reconciles()}});
}

Result<IngestReport> ingest_paths(Database& db, const std::vector<std::string>& paths) {
  if (sodium_init() < 0) return Error::internal("libsodium failed to initialise");
  auto files = expand(paths);
  if (!files.ok()) return files.error();
  if (files->empty()) return Error::invalid_argument("no .ndjson or .csv feeds found to load");
  IngestReport report;
  for (const auto& file : *files) {
    auto one = ingest_file(db, file);
    if (!one.ok()) return one.error();
    report.files.push_back(std::move(one).value());
  }
  return report;
}

}  // namespace onechild
