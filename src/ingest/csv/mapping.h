// Mapping: how one organisation's CSV export becomes source persons and
// events, read from a TOML file (format in docs/ingest.md; one per feed
// shape in config/mappings/). A new organisation's export is a new mapping,
// not new code.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/date.h"
#include "core/error.h"
#include "ingest/batch.h"

namespace onechild::ingest {

struct MappingSpec;  // the parsed TOML (mapping.cc)

// A mapping bound to one file's header: column positions resolved.
class MappedCsv {
 public:
  // One data record as the rows it holds; the error's field() names the column.
  Result<ParsedRow> parse(const CsvRecord& record) const;
  // The record's original id as far as it can be read, for quarantine.
  std::optional<std::string> original_id(const CsvRecord& record) const;

 private:
  friend class Mapping;
  MappedCsv(std::shared_ptr<const MappingSpec> spec, std::vector<int> columns, size_t width,
            Date as_of);
  std::shared_ptr<const MappingSpec> spec_;
  std::vector<int> columns_;  // header position of each column the mapping names; -1 absent
  size_t width_;              // fields every record must have
  Date as_of_;
};

class Mapping {
 public:
  // `origin` (the file's path) prefixes every error; `value_sets` is the text
  // of the shared value sets file (may be empty).
  static Result<Mapping> parse(std::string_view toml, const std::string& origin,
                               std::string_view value_sets = {});
  static Result<Mapping> load(const std::string& path, std::string_view value_sets = {});

  const std::string& name() const;
  int order() const;  // files of lower order load first (persons before events)
  bool matches(std::string_view file_name) const;
  const std::vector<std::string>& files() const;  // the file name patterns
  CsvOptions csv_options() const;

  // Fits the mapping to a header; the error names the columns it lacks and,
  // when the header looks split on another character, says so.
  Result<MappedCsv> bind(const std::vector<std::string>& header, Date as_of) const;

 private:
  explicit Mapping(std::shared_ptr<const MappingSpec> spec) : spec_(std::move(spec)) {}
  std::shared_ptr<const MappingSpec> spec_;
};

// Every mapping in a directory (*.toml, with value_sets.toml shared by all).
class MappingCatalog {
 public:
  static Result<MappingCatalog> load_dir(const std::string& dir);
  static Result<MappingCatalog> single(Mapping mapping);

  // The mapping for a file name; when several match, the longest pattern wins.
  const Mapping* find(std::string_view file_name) const;
  const std::vector<Mapping>& mappings() const { return mappings_; }

 private:
  std::vector<Mapping> mappings_;
  bool single_ = false;  // --mapping: used for every file
};

}  // namespace onechild::ingest
