#include "link/records.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/bytes.h"
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

// FNV-1a: stable across platforms and runs, so the same input gives the
// same blocks in the same order.
uint64_t stable_hash(std::string_view s) {
  if (s.empty()) return 0;
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h == 0 ? 1 : h;
}

// What comparisons need beyond the normalised text, worked out from it, so
// the snapshot stores the text alone.
void derive(FieldKind kind, Value& v) {
  switch (kind) {
    case FieldKind::kName: {
      v.several_parts = v.text.find(' ') != std::string::npos;
      std::string joined;
      for (char c : v.text) {
        if (c != ' ') joined += c;
      }
      v.phonetic = nysiis(joined);
      v.phonetic_hash = stable_hash(v.phonetic);
      break;
    }
    case FieldKind::kDate:
      if (auto date = parse_iso_date(v.text); date.ok()) {
        v.day_number =
            static_cast<int32_t>(std::chrono::sys_days(*date).time_since_epoch().count());
        v.year = static_cast<int16_t>(static_cast<int>(date->year()));
        v.month = static_cast<uint8_t>(static_cast<unsigned>(date->month()));
        v.day = static_cast<uint8_t>(static_cast<unsigned>(date->day()));
      }
      break;
    case FieldKind::kPostcode:
      if (auto pc = parse_postcode(v.text)) {
        v.sector_length = static_cast<uint8_t>(pc->sector.size());
        v.district_length = static_cast<uint8_t>(pc->district.size());
        v.area_length = static_cast<uint8_t>(pc->area.size());
        v.sector_hash = stable_hash(v.sector());
        v.district_hash = stable_hash(v.district());
      }
      break;
    case FieldKind::kSex:
    case FieldKind::kNhsNumber:
    case FieldKind::kText:
      break;
  }
}

constexpr uint8_t kValidFlag = 1, kTestRangeFlag = 2;

}  // namespace

RecordSet::RecordSet(const ModelSpec& spec) : spec_(&spec), columns_(spec.fields.size()) {}

std::optional<Value> RecordSet::normalise(const Field& field, std::string_view raw) const {
  Value v;
  switch (field.kind) {
    case FieldKind::kName:
      v.text = fold_name(raw);
      break;
    case FieldKind::kDate:
      if (const auto date = parse_date(raw, field.date_format)) v.text = format_iso_date(*date);
      break;
    case FieldKind::kPostcode:
      if (auto pc = parse_postcode(raw)) {
        v.text = pc->full;
      } else {
        v.text = lower_collapsed(raw);  // not a UK postcode: compared as text
      }
      break;
    case FieldKind::kSex:
      if (const auto sex = normalise_sex(raw)) v.text = std::string(1, *sex);
      break;
    case FieldKind::kNhsNumber: {
      for (char c : raw) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) v.text += c;
      }
      // Validity from the digits alone, so every spelling of one number
      // ("9434765919", "943 476 5919", "94 34765919") is the same value.
      const NhsNumberUse use =
          v.text.empty() ? NhsNumberUse::kMissing : classify_nhs_number(v.text);
      if (use == NhsNumberUse::kTestRange && !spec_->test_range_valid) return std::nullopt;
      v.valid = use == NhsNumberUse::kValid || use == NhsNumberUse::kTestRange;
      v.test_range = use == NhsNumberUse::kTestRange;
      break;
    }
    case FieldKind::kText:
      v.text = lower_collapsed(raw);
      break;
  }
  if (v.text.empty()) return std::nullopt;
  derive(field.kind, v);
  return v;
}

uint16_t RecordSet::source_index(std::string_view source) {
  for (size_t i = 0; i < source_names_.size(); ++i) {
    if (source_names_[i] == source) return static_cast<uint16_t>(i);
  }
  source_names_.emplace_back(source);
  return static_cast<uint16_t>(source_names_.size() - 1);
}

uint32_t RecordSet::intern(size_t f, std::optional<std::string_view> raw) {
  if (!raw) return kNull;
  Column& col = columns_[f];
  if (auto hit = col.by_raw.find(*raw); hit != col.by_raw.end()) return hit->second;
  uint32_t id = kNull;
  if (auto v = normalise(spec_->fields[f], *raw)) {
    if (col.by_text.empty() && col.values.size() > 1) {
      // After decode(): the dictionary is known by id only until a new
      // spelling arrives.
      col.by_text.reserve(col.values.size() * 2);
      for (uint32_t i = 1; i < col.values.size(); ++i)
        col.by_text.emplace(col.values[i].text, i);
    }
    // Two raw spellings of one value ("ls1 4ap", "LS1 4AP") share an id.
    auto [same, added] = col.by_text.try_emplace(v->text, static_cast<uint32_t>(col.values.size()));
    if (added) {
      col.values.push_back(std::move(*v));
      col.changed = true;
    }
    id = same->second;
  } else if (spec_->fields[f].kind == FieldKind::kNhsNumber &&
             classify_nhs_number(*raw) == NhsNumberUse::kTestRange) {
    // A test-range number set aside ("ignore") still counts in the report:
    // a live feed should carry none. Not cached, so every record counts.
    ++nhs_test_range_;
    return kNull;
  }
  col.by_raw.emplace(std::string(*raw), id);
  return id;
}

void RecordSet::count(size_t f, uint32_t id, int delta) {
  if (id == kNull) return;
  Column& col = columns_[f];
  col.values[id].count = static_cast<uint32_t>(static_cast<int64_t>(col.values[id].count) + delta);
  col.present = static_cast<uint32_t>(static_cast<int64_t>(col.present) + delta);
  if (spec_->fields[f].kind == FieldKind::kNhsNumber) {
    if (!col.values[id].valid) nhs_invalid_ += delta;
    if (col.values[id].test_range) nhs_test_range_ += delta;
  }
}

void RecordSet::mark_changed(size_t r) {
  const size_t chunk = r / kChunk;
  if (changed_chunks_.size() <= chunk) changed_chunks_.resize(chunk + 1, false);
  changed_chunks_[chunk] = true;
}

void RecordSet::add(std::string_view source, int64_t key, int64_t child,
                    const std::vector<std::optional<std::string_view>>& raw) {
  keys_.push_back(key);
  children_.push_back(child);
  sources_.push_back(source_index(source));
  for (size_t f = 0; f < columns_.size(); ++f) {
    const uint32_t id = intern(f, f < raw.size() ? raw[f] : std::nullopt);
    columns_[f].ids.push_back(id);
    count(f, id, +1);
  }
  mark_changed(keys_.size() - 1);
}

void RecordSet::replace(size_t r, int64_t key,
                        const std::vector<std::optional<std::string_view>>& raw) {
  keys_[r] = key;
  for (size_t f = 0; f < columns_.size(); ++f) {
    const uint32_t id = intern(f, f < raw.size() ? raw[f] : std::nullopt);
    count(f, columns_[f].ids[r], -1);
    columns_[f].ids[r] = id;
    count(f, id, +1);
  }
  mark_changed(r);
}

void RecordSet::set_child(size_t r, int64_t child) {
  if (children_[r] == child) return;
  children_[r] = child;
  mark_changed(r);
}

double RecordSet::frequency(size_t field, uint32_t id) const {
  const Column& col = columns_[field];
  if (col.present == 0 || id == kNull) return 0;
  return static_cast<double>(col.values[id].count) / col.present;
}

// ---- The snapshot -------------------------------------------------------------

std::string RecordSet::encode_sources() const {
  std::string out;
  put_bytes(out, static_cast<uint32_t>(source_names_.size()));
  for (const std::string& s : source_names_) {
    put_bytes(out, static_cast<uint16_t>(s.size()));
    out += s;
  }
  return out;
}

std::string RecordSet::encode_dictionary(size_t field) const {
  const Column& col = columns_[field];
  std::string out;
  put_bytes(out, static_cast<uint32_t>(col.values.size() - 1));
  for (size_t id = 1; id < col.values.size(); ++id) {
    const Value& v = col.values[id];
    put_bytes(out, static_cast<uint8_t>((v.valid ? kValidFlag : 0) |
                                        (v.test_range ? kTestRangeFlag : 0)));
    put_bytes(out, static_cast<uint16_t>(std::min<size_t>(v.text.size(), 65535)));
    out.append(v.text, 0, std::min<size_t>(v.text.size(), 65535));
  }
  return out;
}

// A chunk is stored by column (keys, children, sources, then each field's
// value ids), so decoding is a copy per column rather than work per record.
std::string RecordSet::encode_records(size_t chunk) const {
  const size_t begin = chunk * kChunk, end = std::min(size(), begin + kChunk), n = end - begin;
  std::string out;
  put_bytes(out, static_cast<uint32_t>(n));
  const auto column = [&](const auto& v) {
    out.append(reinterpret_cast<const char*>(v.data() + begin), n * sizeof(v[0]));
  };
  column(keys_);
  column(children_);
  column(sources_);
  for (const Column& col : columns_)
    column(col.ids);
  return out;
}

std::unique_ptr<RecordSet> RecordSet::decode(const ModelSpec& spec, std::string_view sources,
                                             const std::vector<std::string_view>& dictionaries,
                                             const std::vector<std::string_view>& chunks) {
  auto set = std::make_unique<RecordSet>(spec);
  if (dictionaries.size() != spec.fields.size()) return nullptr;
  ByteReader s(sources);
  uint32_t n = 0;
  // Counts are checked against the bytes that follow before anything is
  // sized by them: a damaged count must not become a huge allocation.
  if (!s.get(n) || n > s.left() / 2) return nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    std::string name;
    if (!s.text(name)) return nullptr;
    set->source_names_.push_back(std::move(name));
  }
  if (!s.done()) return nullptr;
  for (size_t f = 0; f < dictionaries.size(); ++f) {
    ByteReader d(dictionaries[f]);
    Column& col = set->columns_[f];
    if (!d.get(n) || n > d.left() / 3) return nullptr;  // a flags byte and a length each
    col.values.reserve(n + 1);
    for (uint32_t i = 0; i < n; ++i) {
      Value v;
      uint8_t flags = 0;
      if (!d.get(flags) || (flags & ~(kValidFlag | kTestRangeFlag)) != 0 || !d.text(v.text)) {
        return nullptr;  // damaged: unknown flags are not guessed at
      }
      v.valid = (flags & kValidFlag) != 0;
      v.test_range = (flags & kTestRangeFlag) != 0;
      derive(spec.fields[f].kind, v);
      col.values.push_back(std::move(v));
    }
    if (!d.done()) return nullptr;
    col.changed = false;
  }
  for (std::string_view chunk : chunks) {
    ByteReader c(chunk);
    if (!c.get(n)) return nullptr;
    const size_t expected =
        n * (sizeof(int64_t) * 2 + sizeof(uint16_t) + sizeof(uint32_t) * set->columns_.size());
    if (chunk.size() != sizeof(uint32_t) + expected) return nullptr;
    const char* at = chunk.data() + sizeof(uint32_t);
    const auto column = [&](auto& v) {
      const size_t old = v.size();
      v.resize(old + n);
      std::memcpy(v.data() + old, at, n * sizeof(v[0]));
      at += n * sizeof(v[0]);
    };
    column(set->keys_);
    column(set->children_);
    column(set->sources_);
    for (Column& col : set->columns_)
      column(col.ids);
  }
  for (uint16_t source : set->sources_) {
    if (source >= set->source_names_.size()) return nullptr;
  }
  for (size_t f = 0; f < set->columns_.size(); ++f) {
    Column& col = set->columns_[f];
    for (uint32_t id : col.ids) {
      if (id >= col.values.size()) return nullptr;
      if (id != kNull) ++col.values[id].count;
    }
    for (uint32_t id = 1; id < col.values.size(); ++id) {
      const Value& v = col.values[id];
      col.present += v.count;
      if (spec.fields[f].kind == FieldKind::kNhsNumber) {
        if (!v.valid) set->nhs_invalid_ += v.count;
        if (v.test_range) set->nhs_test_range_ += v.count;
      }
    }
  }
  set->changed_chunks_.assign(set->chunk_count(), false);
  return set;
}

}  // namespace onechild::linkage
