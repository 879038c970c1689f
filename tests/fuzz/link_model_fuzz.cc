// The linkage model parser on arbitrary text: a model or an error saying what is wrong, never a
// crash or an exception escaping. A model that parses keeps the promises the engine relies on:
// every blocking key part and swap target names a field that exists, the thresholds are
// ordered probabilities, and a pair's level codes fit in 4 bits per field.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "link/model.h"

namespace {

using namespace onechild::linkage;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_model(const ModelSpec& spec) {
  const auto fields = static_cast<int>(spec.fields.size());
  check(fields >= 1 && fields <= 16);
  for (int f = 0; f < fields; ++f) {
    const Field& field = spec.fields[static_cast<size_t>(f)];
    check(!field.name.empty());
    check(spec.field_index(field.name) == f);  // names are unique
    check(!field.levels.empty() && field.levels.size() <= 13);
    for (const Level& level : field.levels) {
      check(level.threshold >= 0);
      check(!level.tf || level.compare == Comparator::kExact);
      for (const auto& p : {level.m, level.u})
        check(!p || (*p > 0 && *p < 1));
      if (level.compare == Comparator::kSwapWith) {
        check(level.with_field >= 0 && level.with_field < fields && level.with_field != f);
        check(spec.fields[static_cast<size_t>(level.with_field)].kind == field.kind);
      }
    }
  }
  check(!spec.blocking.empty() && spec.blocking.size() <= 64);
  for (const BlockingRule& rule : spec.blocking) {
    check(!rule.parts.empty());
    for (const KeyPart& part : rule.parts)
      check(part.field >= 0 && part.field < fields);
  }
  for (const int rule : spec.training_rules)
    check(rule >= 0 && static_cast<size_t>(rule) < spec.blocking.size());
  check(!spec.training_rules.empty());
  check(spec.review > 0 && spec.auto_link < 1 && spec.review <= spec.auto_link);
  check(!spec.prior || (*spec.prior > 0 && *spec.prior < 1));
  check(spec.max_block_size >= 2);
  check(!spec.text_hash.empty());
  (void)spec.source_has_duplicates("gp");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto spec = ModelSpec::parse(text, "fuzz.toml");
  if (!spec.ok()) {
    check(!spec.error().message().empty());
    return 0;
  }
  check_model(*spec);
  return 0;
}
