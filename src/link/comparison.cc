#include "link/comparison.h"

#include <cstdlib>

#include "link/normalise.h"
#include "link/similarity.h"

namespace onechild::linkage {
namespace {

bool shares_part(std::string_view a, std::string_view b) {
  // Parts of one letter (initials) are too weak to count as a shared name.
  for (std::string_view pa : name_parts(a)) {
    if (pa.size() < 2) continue;
    for (std::string_view pb : name_parts(b)) {
      if (pa == pb) return true;
    }
  }
  return false;
}

}  // namespace

Comparer::Comparer(const RecordSet& records, const Nicknames& nicknames)
    : records_(records), nicknames_(nicknames), in_nicknames_(records.field_count()) {
  for (size_t f = 0; f < records.field_count(); ++f) {
    if (records.spec().fields[f].kind != FieldKind::kName) continue;
    in_nicknames_[f].resize(records.value_count(f));
    for (uint32_t id = 1; id < records.value_count(f); ++id)
      in_nicknames_[f][id] = nicknames.contains(records.value(f, id).text);
  }
}

bool Comparer::holds(const Level& level, size_t field, size_t a, size_t b,
                     double& similarity) const {
  const uint32_t ia = records_.value_id(field, a), ib = records_.value_id(field, b);
  const Value& va = records_.value(field, ia);
  const Value& vb = records_.value(field, ib);
  switch (level.compare) {
    case Comparator::kExact:
      return ia == ib && va.valid;
    case Comparator::kNickname:
      return in_nicknames_[field][ia] && in_nicknames_[field][ib] &&
             nicknames_.are_variants(va.text, vb.text);
    case Comparator::kJaroWinkler:
      if (similarity < 0) similarity = jaro_winkler(va.text, vb.text);
      return similarity >= level.threshold;
    case Comparator::kDamerauLevenshtein: {
      const int max = static_cast<int>(level.threshold);
      return damerau_levenshtein(va.text, vb.text, max) <= max;
    }
    case Comparator::kPhonetic:
      return !va.phonetic.empty() && va.phonetic == vb.phonetic;
    case Comparator::kAnyPart:
      if (!va.several_parts && !vb.several_parts) return ia == ib;
      return shares_part(va.text, vb.text);
    case Comparator::kSwapWith: {
      const auto other = static_cast<size_t>(level.with_field);
      const Value* oa = records_.value_of(other, a);
      const Value* ob = records_.value_of(other, b);
      return oa != nullptr && ob != nullptr && va.text == ob->text && vb.text == oa->text;
    }
    case Comparator::kInitial:
      return !va.text.empty() && !vb.text.empty() && va.text[0] == vb.text[0];
    case Comparator::kDayMonthSwap:
      return va.year == vb.year && va.month == vb.day && va.day == vb.month;
    case Comparator::kWithinDays:
      return std::abs(va.day_number - vb.day_number) <= static_cast<int>(level.threshold);
    case Comparator::kYearOff:
      return va.month == vb.month && va.day == vb.day &&
             std::abs(va.year - vb.year) <= static_cast<int>(level.threshold);
    case Comparator::kSector:
      return va.sector_length != 0 && va.sector() == vb.sector();
    case Comparator::kDistrict:
      return va.district_length != 0 && va.district() == vb.district();
    case Comparator::kArea:
      return va.area_length != 0 && va.area() == vb.area();
  }
  return false;
}

uint8_t Comparer::level(size_t field, size_t a, size_t b) const {
  if (records_.value_id(field, a) == kNull || records_.value_id(field, b) == kNull) {
    return kNullLevel;
  }
  const auto& levels = records_.spec().fields[field].levels;
  double similarity = -1;
  for (size_t i = 0; i < levels.size(); ++i) {
    if (holds(levels[i], field, a, b, similarity)) return static_cast<uint8_t>(i + 1);
  }
  return else_level(field);
}

LevelVector Comparer::levels(size_t a, size_t b) const {
  LevelVector v = 0;
  for (size_t f = 0; f < records_.field_count(); ++f) {
    v |= static_cast<LevelVector>(level(f, a, b)) << (4 * f);
  }
  return v;
}

}  // namespace onechild::linkage
