// The CSV reader and every shipped mapping on arbitrary bytes: the first byte
// picks the mapping, the rest is the file. The header is bound (or refused)
// and every later record is parsed or rejected with a reason; never a crash.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "core/csv.h"
#include "ingest/csv/mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild;
  static const auto catalog = ingest::MappingCatalog::load_dir(ONECHILD_CONFIG_DIR "/mappings");
  if (!catalog.ok()) std::abort();  // the shipped mappings must always load
  if (size == 0) return 0;
  const auto& mappings = catalog->mappings();
  const ingest::Mapping& mapping = mappings[data[0] % mappings.size()];
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  CsvOptions options = mapping.csv_options();
  options.max_record_bytes = 4096;  // small limits reach the oversize paths
  CsvReader reader(in, options);
  auto header = reader.next();
  if (!header || header->error) return 0;
  using namespace std::chrono;
  auto mapped = mapping.bind(header->fields, Date{year{2026}, month{11}, day{1}});
  if (!mapped.ok()) return 0;
  while (auto record = reader.next()) {
    auto row = mapped->parse(*record);
    if (!row.ok() && row.error().message().empty()) std::abort();
    (void)mapped->original_id(*record);
  }
  return 0;
}
