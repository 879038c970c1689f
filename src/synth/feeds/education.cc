// Each local authority's education extract: the termly school census of its
// schools (UPN, no NHS number), the Reception EYFS profile, and the SEND
// service's EHC needs assessment requests (shaped like the SEN2 return).
#include <map>

#include "synth/feeds/writer.h"
#include "synth/format.h"

namespace onechild::synth::feeds {
namespace {

// No NHS number at all; legal names as the school admitted them, with
// keying slips; now and then a school issues a second UPN at transfer.
constexpr Quality kEducationQuality{1.0, 0, 0, 0.01, 0.03, 0.005, 0.005};
constexpr uint64_t kSalt = 0xED;

std::string_view term_name(Term t) {
  switch (t) {
    case Term::kAutumn:
      return "Autumn";
    case Term::kSpring:
      return "Spring";
    case Term::kSummer:
      break;
  }
  return "Summer";
}

std::string academic_year_name(int start) {
  return std::to_string(start) + "/" + zero_padded((start + 1) % 100, 2);
}

std::string year_group_name(int year_group) {
  return year_group == 0 ? "R" : std::to_string(year_group);
}

// The family name a record made on `day` shows: the identity's (with its
// slips), unless the child's surname changed between then and the identity's date.
std::string family_name_on(const Child& c, const Identity& id, Date day, Date as_at) {
  return c.family_name_at(day) == c.family_name_at(as_at) ? id.family_name : c.family_name_at(day);
}

}  // namespace

std::string upn(const Writer& w, bool reissued) {
  const Child& c = w.child;
  const int reception = reception_year(c.birth_date);
  // The LA and the year of the school that first allocated it.
  const Date allocated = latest(academic_year_start(reception), c.arrived);
  const int la = w.world.reference.places[static_cast<size_t>(w.place_of(allocated))].la_number;
  const std::string school_and_serial =
      local_id("", c.index + (reissued ? 5'000'000 : 0), kSalt, 7);  // 4 + 3 digits
  const std::string digits = zero_padded(la, 3) + school_and_serial.substr(0, 4) +
                             zero_padded(reception % 100, 2) + school_and_serial.substr(4);
  // DfE check letter: digits 2-13 weighted 2..13, the sum mod 23 indexes
  // the letters without I, O and S.
  static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i)
    sum += (digits[i] - '0') * static_cast<int>(i + 2);
  return kLetters[static_cast<size_t>(sum % 23)] + digits;
}

void write_education(Writer& w) {
  const Life& life = w.life;
  if (life.census.empty() && life.ehc_requests.empty()) return;
  const Child& c = w.child;
  const bool reissued = w.rng.chance(kEducationQuality.duplicate);
  const std::string first_upn = upn(w);
  const std::string second_upn = reissued ? upn(w, true) : first_upn;
  const auto upn_for = [&](int year_group) -> const std::string& {
    return year_group >= 7 ? second_upn : first_upn;
  };

  // Each LA's last record of the child, per UPN: the identity its files show.
  std::map<std::pair<int, std::string>, Date> last_seen;
  for (const CensusEntry& e : life.census) {
    last_seen[{e.school->place, upn_for(e.year_group)}] = e.census_day;
  }
  if (life.eyfs) last_seen[{life.eyfs->school->place, first_upn}] = life.eyfs->assessed;
  std::map<std::pair<int, std::string>, Identity> ids;
  for (const auto& [key, last] : last_seen) {
    const std::string source = w.layout.source(Feed::kSchoolCensus, key.first);
    ids.emplace(key, record_child(w, source, key.second, kEducationQuality, last));
  }

  for (const CensusEntry& e : life.census) {
    const auto key = std::make_pair(e.school->place, upn_for(e.year_group));
    const Identity& id = ids.at(key);
    Row(w.out, w.slot(Feed::kSchoolCensus, e.school->place))
        << e.census_day
        << std::string(term_name(e.term)) + " " +
               std::to_string(static_cast<int>(e.census_day.year()))
        << e.school->code << key.second << family_name_on(c, id, e.census_day, last_seen[key])
        << id.given_name << id.birth_date << school_sex(c.sex) << dfe_ethnicity(c.ethnic_category)
        << w.postcode_at(e.census_day).code << year_group_name(e.year_group) << e.entry_date
        << (e.fsm ? "true" : "false") << std::string_view(&e.sen, 1) << e.primary_need;
  }
  if (const auto& p = life.eyfs) {
    const auto key = std::make_pair(p->school->place, first_upn);
    const Identity& id = ids.at(key);
    Row(w.out, w.slot(Feed::kEyfsp, p->school->place))
        << first_upn << p->school->code << id.given_name
        << family_name_on(c, id, p->assessed, last_seen[key]) << id.birth_date << school_sex(c.sex)
        << academic_year_name(p->academic_year) << p->assessed
        << (p->good_level_of_development ? "Y" : "N");
  }

  // The SEND service's requests, under its own child id (one per LA), with
  // a UPN once the child is at school.
  std::map<int, Date> last_request;
  for (const EhcRequest& r : life.ehc_requests)
    last_request[w.place_of(r.requested)] = r.requested;
  std::map<int, Identity> send_ids;
  for (const auto& [place, last] : last_request) {
    send_ids.emplace(
        place, record_child(w, w.layout.source(Feed::kEhcRequests, place),
                            local_id("SEN", c.index, kSalt + place, 7), kEducationQuality, last));
  }
  int64_t n = c.index * 8;
  for (const EhcRequest& r : life.ehc_requests) {
    const int place = w.place_of(r.requested);
    const Identity& id = send_ids.at(place);
    const bool at_school =
        !before(r.requested, academic_year_start(reception_year(c.birth_date))) &&
        !life.census.empty();
    const std::optional<Date> outcome = r.plan_issued ? r.plan_issued : r.no_plan_notified;
    Row(w.out, w.slot(Feed::kEhcRequests, place))
        << local_id("EHC", n++, kSalt, 8) << id.original_id
        << (at_school ? first_upn : std::string()) << id.given_name << id.family_name
        << id.birth_date << w.postcode_at(r.requested).code << r.requested
        << (r.decided ? (r.assess ? "assess" : "not assess") : "") << r.decided
        << (r.plan_issued        ? "plan"
            : r.no_plan_notified ? "no plan"
                                 : "")
        << outcome << r.plan_issued << (r.exceptions ? "Y" : "N");
  }
}

}  // namespace onechild::synth::feeds
