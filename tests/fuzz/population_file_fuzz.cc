// The population file's decoder (decode_population) on arbitrary bytes, as
// a damaged or foreign STORE.facts-* file would give it: never crash, never
// allocate by an unchecked count; whatever it accepts encodes back to the
// same bytes. The key is "key", as in the seed corpus.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "programmes/population_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto population = onechild::decode_population(bytes, "key");
  if (population.ok() && population->has_value() &&
      onechild::encode_population(**population, "key") != bytes) {
    std::abort();
  }
  return 0;
}
