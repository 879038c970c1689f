#include "ingest/csv/social_care_csv.h"

#include <algorithm>
#include <array>

#include "core/date.h"
#include "core/nhs_number.h"

namespace onechild::ingest {
namespace {

constexpr std::array<std::string_view, 7> kPersonColumns = {
    "local_id", "given_name", "family_name", "date_of_birth", "sex", "postcode", "nhs_number"};
constexpr std::array<std::string_view, 5> kEpisodeColumns = {"episode_id", "local_id", "category",
                                                             "start_date", "end_date"};
// Optional columns may be missing from the header entirely.
constexpr std::string_view kOptional[] = {"sex", "end_date"};

enum Person { kLocalId, kGivenName, kFamilyName, kDateOfBirth, kSex, kPostcode, kNhsNumber };
enum Episode { kEpisodeId, kEpisodeLocalId, kCategory, kStartDate, kEndDate };

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

Error bad(std::string_view field, std::string message) {
  return Error::invalid_argument(std::move(message)).in_field(std::string(field));
}

template <size_t N>
Result<std::vector<int>> locate(const std::vector<std::string>& header,
                                const std::array<std::string_view, N>& wanted) {
  std::vector<int> columns;
  std::string missing;
  for (std::string_view name : wanted) {
    const auto it = std::find_if(header.begin(), header.end(),
                                 [&](const std::string& h) { return trimmed(h) == name; });
    if (it != header.end()) {
      columns.push_back(static_cast<int>(it - header.begin()));
    } else if (std::find(std::begin(kOptional), std::end(kOptional), name) != std::end(kOptional)) {
      columns.push_back(-1);
    } else {
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    }
  }
  if (!missing.empty()) return Error::invalid_argument("missing columns: " + missing);
  return columns;
}

}  // namespace

Result<SocialCareCsv> SocialCareCsv::from_header(const std::vector<std::string>& header) {
  const bool has_episode_id = std::any_of(header.begin(), header.end(), [](const std::string& h) {
    return trimmed(h) == "episode_id";
  });
  if (has_episode_id) {
    auto columns = locate(header, kEpisodeColumns);
    if (!columns.ok()) {
      return Error::invalid_argument("episodes header: " + columns.error().message());
    }
    return SocialCareCsv(false, std::move(columns).value(), header.size());
  }
  auto columns = locate(header, kPersonColumns);
  if (!columns.ok()) {
    return Error::invalid_argument(
        "header is neither a persons file nor an episodes file (persons " +
        columns.error().message() + ")");
  }
  return SocialCareCsv(true, std::move(columns).value(), header.size());
}

Result<std::variant<PersonRow, EventRow>> SocialCareCsv::parse(const CsvRecord& record) const {
  if (record.error) return bad("", *record.error);
  if (record.fields.size() != width_) {
    return bad("", "expected " + std::to_string(width_) + " fields, found " +
                       std::to_string(record.fields.size()));
  }
  if (is_persons_) {
    auto row = parse_person(record);
    if (!row.ok()) return row.error();
    return std::variant<PersonRow, EventRow>{std::move(row).value()};
  }
  auto row = parse_episode(record);
  if (!row.ok()) return row.error();
  return std::variant<PersonRow, EventRow>{std::move(row).value()};
}

namespace {

// The trimmed value of a column, nullopt when the column is absent or blank.
std::optional<std::string> value_of(const CsvRecord& record, int column) {
  if (column < 0) return std::nullopt;
  std::string v = trimmed(record.fields[static_cast<size_t>(column)]);
  if (v.empty()) return std::nullopt;
  return v;
}

Result<std::optional<std::string>> date_of(const CsvRecord& record, int column,
                                           std::string_view field) {
  auto text = value_of(record, column);
  if (!text) return text;
  auto date = parse_iso_date(*text);
  if (!date.ok()) return bad(field, date.error().message());
  return std::optional<std::string>{format_iso_date(*date)};
}

}  // namespace

Result<PersonRow> SocialCareCsv::parse_person(const CsvRecord& record) const {
  PersonRow row;
  auto id = value_of(record, columns_[kLocalId]);
  if (!id) return bad("local_id", "missing");
  row.original_id = *id;
  row.given_name = value_of(record, columns_[kGivenName]);
  row.family_name = value_of(record, columns_[kFamilyName]);
  auto birth = date_of(record, columns_[kDateOfBirth], "date_of_birth");
  if (!birth.ok()) return birth.error();
  if (!*birth) return bad("date_of_birth", "missing");
  row.birth_date = *birth;
  row.sex = value_of(record, columns_[kSex]);
  row.postcode = value_of(record, columns_[kPostcode]);
  if (auto text = value_of(record, columns_[kNhsNumber])) {
    auto nhs = NhsNumber::parse(*text);
    if (!nhs.ok()) return bad("nhs_number", nhs.error().message());
    row.nhs_number = nhs->digits();
  }
  return row;
}

Result<EventRow> SocialCareCsv::parse_episode(const CsvRecord& record) const {
  EventRow row;
  row.kind = "social-care-episode";
  auto id = value_of(record, columns_[kEpisodeId]);
  if (!id) return bad("episode_id", "missing");
  row.original_id = *id;
  auto person = value_of(record, columns_[kEpisodeLocalId]);
  if (!person) return bad("local_id", "missing");
  row.person_original_id = *person;
  row.display = value_of(record, columns_[kCategory]);
  if (!row.display) return bad("category", "missing");
  auto start = date_of(record, columns_[kStartDate], "start_date");
  if (!start.ok()) return start.error();
  if (!*start) return bad("start_date", "missing");
  row.start_date = **start;
  auto end = date_of(record, columns_[kEndDate], "end_date");
  if (!end.ok()) return end.error();
  row.end_date = *end;
  if (row.end_date && *row.end_date < row.start_date)
    return bad("end_date", "is before start_date");
  return row;
}

}  // namespace onechild::ingest
