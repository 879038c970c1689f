// The social care CSV adapter on arbitrary bytes: the first record is taken
// as the header; every later record is parsed or rejected, never crashes.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "core/csv.h"
#include "ingest/csv/social_care_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  CsvReader reader(in);
  auto header = reader.next();
  if (!header || header->error) return 0;
  auto shape = ingest::SocialCareCsv::from_header(header->fields);
  if (!shape.ok()) return 0;
  while (auto record = reader.next()) {
    auto row = shape->parse(*record);
    if (!row.ok() && row.error().message().empty()) std::abort();
  }
  return 0;
}
