// Records from CSV files rather than the store: how the public linkage data
// sets (FEBRL, fake_1000) are linked and scored. Each file is one source;
// the model's [input] names the id and truth columns and each field's
// column.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "link/records.h"

namespace onechild::linkage {

struct CsvRecords {
  std::unique_ptr<RecordSet> records;
  std::vector<std::string> ids;    // per record: the id column's value
  std::vector<std::string> truth;  // per record: the true person
};

Result<CsvRecords> load_csv_records(const ModelSpec& spec, const std::vector<std::string>& paths);

}  // namespace onechild::linkage
