#include "link/records.h"

#include <algorithm>
#include <cctype>

#include "core/date.h"
#include "link/normalise.h"
#include "link/similarity.h"

namespace onechild::linkage {
namespace {

std::string lower_collapsed(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) != 0) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(u));
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<Date> parse_date(std::string_view raw, std::string_view format) {
  std::string text(raw);
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
             text.end());
  if (format == "yyyymmdd") {
    if (text.size() != 8) return std::nullopt;
    text = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2);
  }
  auto date = parse_iso_date(text);
  if (!date.ok()) return std::nullopt;
  return *date;
}

}  // namespace

RecordSet::RecordSet(const ModelSpec& spec) : spec_(&spec), columns_(spec.fields.size()) {}

std::optional<Value> RecordSet::normalise(const Field& field, std::string_view raw) {
  Value v;
  switch (field.kind) {
    case FieldKind::kName: {
      v.text = fold_name(raw);
      if (v.text.empty()) return std::nullopt;
      v.several_parts = v.text.find(' ') != std::string::npos;
      std::string joined;
      for (char c : v.text) {
        if (c != ' ') joined += c;
      }
      v.phonetic = nysiis(joined);
      break;
    }
    case FieldKind::kDate: {
      const auto date = parse_date(raw, field.date_format);
      if (!date) return std::nullopt;
      v.text = format_iso_date(*date);
      v.day_number = static_cast<int32_t>(std::chrono::sys_days(*date).time_since_epoch().count());
      v.year = static_cast<int16_t>(static_cast<int>(date->year()));
      v.month = static_cast<uint8_t>(static_cast<unsigned>(date->month()));
      v.day = static_cast<uint8_t>(static_cast<unsigned>(date->day()));
      break;
    }
    case FieldKind::kPostcode: {
      if (auto pc = parse_postcode(raw)) {
        v.text = pc->full;
        v.sector = pc->sector;
        v.district = pc->district;
        v.area = pc->area;
      } else {
        v.text = lower_collapsed(raw);  // not a UK postcode: compared as text
        if (v.text.empty()) return std::nullopt;
      }
      break;
    }
    case FieldKind::kSex: {
      const auto sex = normalise_sex(raw);
      if (!sex) return std::nullopt;
      v.text = std::string(1, *sex);
      break;
    }
    case FieldKind::kNhsNumber: {
      for (char c : raw) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) v.text += c;
      }
      // Validity from the digits alone, so every spelling of one number
      // ("9434765919", "943 476 5919", "94 34765919") is the same value.
      const NhsNumberUse use = v.text.empty() ? NhsNumberUse::kMissing
                                              : classify_nhs_number(v.text);
      if (use == NhsNumberUse::kMissing || v.text.empty()) return std::nullopt;
      if (use == NhsNumberUse::kTestRange && !spec_->test_range_valid) return std::nullopt;
      v.valid = use == NhsNumberUse::kValid || use == NhsNumberUse::kTestRange;
      v.test_range = use == NhsNumberUse::kTestRange;
      break;
    }
    case FieldKind::kText:
      v.text = lower_collapsed(raw);
      if (v.text.empty()) return std::nullopt;
      break;
  }
  return v;
}

uint16_t RecordSet::source_index(std::string_view source) {
  for (size_t i = 0; i < source_names_.size(); ++i) {
    if (source_names_[i] == source) return static_cast<uint16_t>(i);
  }
  source_names_.emplace_back(source);
  return static_cast<uint16_t>(source_names_.size() - 1);
}

void RecordSet::add(std::string_view source, int64_t key, int64_t child,
                    const std::vector<std::optional<std::string_view>>& raw) {
  keys_.push_back(key);
  children_.push_back(child);
  sources_.push_back(source_index(source));
  for (size_t f = 0; f < columns_.size(); ++f) {
    Column& col = columns_[f];
    uint32_t id = kNull;
    if (f < raw.size() && raw[f]) {
      const std::string_view text = *raw[f];
      auto hit = col.by_raw.find(text);
      if (hit != col.by_raw.end()) {
        id = hit->second;
      } else {
        if (auto v = normalise(spec_->fields[f], text)) {
          // Two raw spellings of one value ("ls1 4ap", "LS1 4AP") share an id.
          auto [same, added] =
              col.by_text.try_emplace(v->text, static_cast<uint32_t>(col.values.size()));
          if (added) col.values.push_back(std::move(*v));
          id = same->second;
        }
        col.by_raw.emplace(std::string(text), id);
      }
    }
    col.ids.push_back(id);
    if (id == kNull && f < raw.size() && raw[f] &&
        spec_->fields[f].kind == FieldKind::kNhsNumber) {
      // A test-range number set aside ("ignore") still counts in the report:
      // a live feed should carry none.
      if (classify_nhs_number(*raw[f]) == NhsNumberUse::kTestRange) ++nhs_test_range_;
    }
    if (id != kNull) {
      ++col.values[id].count;
      ++col.present;
      if (spec_->fields[f].kind == FieldKind::kNhsNumber) {
        if (!col.values[id].valid) ++nhs_invalid_;
        if (col.values[id].test_range) ++nhs_test_range_;
      }
    }
  }
}

double RecordSet::frequency(size_t field, uint32_t id) const {
  const Column& col = columns_[field];
  if (col.present == 0 || id == kNull) return 0;
  return static_cast<double>(col.values[id].count) / col.present;
}

}  // namespace onechild::linkage
