#include "link/csv_records.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/csv.h"

namespace onechild::linkage {
namespace {

std::string trimmed(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

int column_of(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (trimmed(header[i]) == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<CsvRecords> load_csv_records(const ModelSpec& spec, const std::vector<std::string>& paths) {
  CsvRecords out;
  out.records = std::make_unique<RecordSet>(spec);
  std::optional<std::regex> pattern;
  if (!spec.truth_pattern.empty()) {
    try {
      pattern.emplace(spec.truth_pattern);
    } catch (const std::regex_error& e) {
      return Error::invalid_argument(spec.origin + ": [input] truth_pattern: " + e.what());
    }
  }
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::io_error("cannot read '" + path + "'");
    CsvReader reader(in);
    auto header = reader.next();
    if (!header || header->error) return Error::invalid_argument("no CSV header").at(path, 1);
    std::vector<int> columns;
    for (const Field& f : spec.fields) {
      const int c = column_of(header->fields, f.column);
      if (c < 0) return Error::invalid_argument("no column '" + f.column + "'").at(path, 1);
      columns.push_back(c);
    }
    const int id_column = spec.id_column.empty() ? -1 : column_of(header->fields, spec.id_column);
    const int truth_column =
        spec.truth_column.empty() ? -1 : column_of(header->fields, spec.truth_column);
    for (const auto& [name, at] :
         {std::pair{&spec.id_column, id_column}, {&spec.truth_column, truth_column}}) {
      if (!name->empty() && at < 0) {
        return Error::invalid_argument("no column '" + *name + "' ([input] names it)").at(path, 1);
      }
    }
    const std::string source = std::filesystem::path(path).stem().string();
    std::vector<std::string> values(columns.size());
    std::vector<std::optional<std::string_view>> raw(columns.size());
    while (auto record = reader.next()) {
      if (record->error) return Error::invalid_argument(*record->error).at(path, record->line);
      if (record->fields.size() != header->fields.size()) {
        return Error::invalid_argument("expected " + std::to_string(header->fields.size()) +
                                       " fields, found " + std::to_string(record->fields.size()))
            .at(path, record->line);
      }
      for (size_t f = 0; f < columns.size(); ++f) {
        const std::string& v = record->fields[static_cast<size_t>(columns[f])];
        values[f] = spec.trim_values ? trimmed(v) : v;
        raw[f] = values[f].empty() ? std::nullopt : std::optional<std::string_view>(values[f]);
      }
      const int64_t key = static_cast<int64_t>(out.records->size()) + 1;
      out.records->add(source, key, 0, raw);
      out.ids.push_back(id_column < 0 ? std::to_string(key)
                                      : trimmed(record->fields[static_cast<size_t>(id_column)]));
      std::string truth =
          truth_column < 0 ? "" : trimmed(record->fields[static_cast<size_t>(truth_column)]);
      std::smatch m;
      if (pattern && std::regex_search(truth, m, *pattern) && m.size() > 1) truth = m[1].str();
      out.truth.push_back(std::move(truth));
    }
  }
  return out;
}

}  // namespace onechild::linkage
