// The index snapshot's decoder (RecordSet::decode) on arbitrary bytes, as a
// damaged link_snapshot table would give it: never crash; whatever it
// accepts encodes back to the same bytes. The input is split on "\n--\n"
// into the sources part, one dictionary per field, then record chunks.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "link/model.h"
#include "link/records.h"

namespace {

using namespace onechild::linkage;

constexpr std::string_view kModel = R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" } ]
[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["given_name"]
)toml";

const ModelSpec& model() {
  static const ModelSpec spec = [] {
    auto parsed = ModelSpec::parse(kModel, "fuzz.toml");
    if (!parsed.ok()) std::abort();
    return *parsed;
  }();
  return spec;
}

std::vector<std::string_view> split(std::string_view data) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = data.find("\n--\n");
    parts.push_back(data.substr(0, at));
    if (at == std::string_view::npos) return parts;
    data.remove_prefix(at + 4);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = split(std::string_view(reinterpret_cast<const char*>(data), size));
  const size_t fields = model().fields.size();
  if (parts.size() < 1 + fields) return 0;
  const std::vector<std::string_view> dictionaries(parts.begin() + 1, parts.begin() + 1 + fields);
  const std::vector<std::string_view> chunks(parts.begin() + 1 + fields, parts.end());
  auto set = RecordSet::decode(model(), parts[0], dictionaries, chunks);
  if (!set) return 0;
  // Accepted: it must say back exactly what it read (one chunk's worth).
  if (set->encode_sources() != parts[0]) std::abort();
  for (size_t f = 0; f < fields; ++f) {
    if (set->encode_dictionary(f) != dictionaries[f]) std::abort();
  }
  if (chunks.size() == 1 && set->size() <= RecordSet::kChunk &&
      set->encode_records(0) != chunks[0]) {
    std::abort();
  }
  for (size_t r = 0; r < set->size(); ++r) {
    for (size_t f = 0; f < fields; ++f) {
      if (set->value_id(f, r) >= set->value_count(f)) std::abort();
    }
  }
  return 0;
}
