// Where synth's text goes: the files under DIR (feeds, truth), text buffers
// for one chunk of households, and the row builders that fill them.
//
// Workers fill a Chunk each; the writer appends chunks to the files in
// order, so output never depends on which thread did what.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "synth/reference.h"

namespace onechild::synth {

enum class Feed : uint8_t {
  kGp,
  kCommunity,
  kAcutePatients,
  kAcuteEcds,
  kAcuteApc,
  kAcuteOutpatients,
  kMentalHealthPatients,
  kMentalHealthReferrals,
  kMentalHealthContacts,
  kMentalHealthOutcomes,
  kMaternityBirths,
  // One file per local authority from here to kEhcRequests.
  kSocialCarePersons,
  kSocialCareCin,
  kSocialCareProtectionPlans,
  kSocialCareLookedAfter,
  kSocialCareHealthAssessments,
  kSchoolCensus,
  kEyfsp,
  kEhcRequests,
  kTruthPersons,
  kTruthErrors,
  kTruthChildren,
  kTruthParents,
  kTruthProgrammes,
};

// The files of one ICS: a slot per file, per local authority where the
// feed is one.
class Layout {
 public:
  explicit Layout(const Reference& reference);

  size_t slot(Feed feed, int place = 0) const;
  size_t size() const { return paths_.size(); }
  const std::string& path(size_t slot) const { return paths_[slot]; }      // under DIR
  const std::string& header(size_t slot) const { return headers_[slot]; }  // "" for NDJSON
  // The source system a feed's records belong to ("acute", "social_care_northbridge").
  std::string source(Feed feed, int place = 0) const;

 private:
  std::vector<std::string> places_;  // lower-case place names, for file names
  std::vector<size_t> first_slot_;   // by Feed
  std::vector<std::string> paths_, headers_;
};

struct Chunk {
  explicit Chunk(size_t files) : text(files), rows(files, 0) {}
  std::vector<std::string> text;
  std::vector<int64_t> rows;
};

// One CSV record, written as it is built and ended when the Row goes out
// of scope: Row(chunk, slot) << id << date << ...;
class Row {
 public:
  Row(Chunk& chunk, size_t slot) : out_(chunk.text[slot]) { ++chunk.rows[slot]; }
  ~Row() { out_ += '\n'; }
  Row(const Row&) = delete;
  Row& operator=(const Row&) = delete;

  Row& operator<<(std::string_view value);  // quoted when it must be (RFC 4180)
  Row& operator<<(const std::string& value) { return *this << std::string_view(value); }
  Row& operator<<(const char* value) { return *this << std::string_view(value); }
  Row& operator<<(int64_t value);
  Row& operator<<(int value) { return *this << static_cast<int64_t>(value); }
  Row& operator<<(double value);  // one decimal place
  Row& operator<<(Date value);
  template <typename T>
  Row& operator<<(const std::optional<T>& value) {
    if (value) return *this << *value;
    return *this << std::string_view{};
  }

 private:
  void separate();
  std::string& out_;
  bool first_ = true;
};

// A minimal streaming JSON writer for NDJSON feeds: values are appended as
// they are given, with commas placed automatically; strings are escaped.
class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}

  Json& object();  // {
  Json& end();     // } or ]
  Json& array();   // [
  Json& key(std::string_view name);
  Json& value(std::string_view text);
  Json& value(const char* text) { return value(std::string_view(text)); }
  Json& value(int64_t number);
  Json& value(int number) { return value(static_cast<int64_t>(number)); }
  Json& value(double number);  // up to two decimal places
  Json& value(bool flag);
  Json& value(Date date);
  template <typename T>
  Json& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }
  // Ends one NDJSON record; the next value starts a new one.
  void line() {
    out_ += '\n';
    need_comma_ = false;
  }

 private:
  void separate();
  std::string& out_;
  std::vector<char> closers_;
  bool need_comma_ = false;
};

// Appends an ISO date ("2024-03-01") without allocating.
void append_date(std::string& out, Date date);

}  // namespace onechild::synth
