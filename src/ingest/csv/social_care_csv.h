// Children's social care CSV exports: a persons file and an episodes file,
// told apart by their header. Columns are found by name, in any order.
//
// persons:  local_id, given_name, family_name, date_of_birth, sex, postcode, nhs_number
// episodes: episode_id, local_id, category, start_date, end_date
//
// (Issue 4 replaces these fixed shapes with TOML mapping files.)
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/csv.h"
#include "core/error.h"
#include "ingest/batch.h"

namespace onechild::ingest {

class SocialCareCsv {
 public:
  // Recognises the header; an unknown header is an error naming what is missing.
  static Result<SocialCareCsv> from_header(const std::vector<std::string>& header);

  const char* format() const { return is_persons_ ? "csv-persons" : "csv-episodes"; }

  // One data record as a row; the error names the offending column in field().
  Result<std::variant<PersonRow, EventRow>> parse(const CsvRecord& record) const;

 private:
  SocialCareCsv(bool is_persons, std::vector<int> columns, size_t width)
      : is_persons_(is_persons), columns_(std::move(columns)), width_(width) {}
  Result<PersonRow> parse_person(const CsvRecord& record) const;
  Result<EventRow> parse_episode(const CsvRecord& record) const;

  bool is_persons_;
  std::vector<int> columns_;  // index in the record of each expected column, -1 if absent
  size_t width_;              // fields every record must have
};

}  // namespace onechild::ingest
