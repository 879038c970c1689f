// Each local authority's children's social care extract: persons with the
// LA's own child ids (often without an NHS number), and episodes shaped like
// the children in need census (CIN, child protection plans) and the
// looked-after children return (SSDA903 episodes, health assessments).
//
// Every event file begins with the same five columns (episode_id, local_id,
// category, start_date, end_date), as the LA's case management system
// exports them; the national return's own fields follow.
#include <functional>
#include <map>

#include "synth/feeds/writer.h"

namespace onechild::synth::feeds {
namespace {

// NHS numbers are missing from about 30% of social care records (20-40%
// across LAs) and wrong in some of the rest, often a sibling's or the
// mother's; informal first names are common. A re-referral sometimes opens
// a second record for the same child.
constexpr Quality kSocialCareQuality{0.30, 0.03, 0.02, 0.03, 0.15, 0.01, 0.01};
constexpr uint64_t kSalt = 0x5C;

struct Event {
  Date start;
  int place;
  std::function<void(const std::string& local_id)> write;
};

}  // namespace

void write_social_care(Writer& w) {
  const Life& life = w.life;
  if (life.cin.empty()) return;
  const Child& c = w.child;
  std::vector<Event> events;
  const auto la = [&](Date d) { return w.place_of(d); };
  int64_t n = c.index * 256;
  const auto next = [&](std::string_view prefix) { return local_id(prefix, n++, kSalt, 9); };

  for (const CinEpisode& e : life.cin) {
    const std::string id = next("CIN");
    events.push_back({e.referral, la(e.referral), [&w, e, id](const std::string& person) {
                        Row(w.out, w.slot(Feed::kSocialCareCin, w.place_of(e.referral)))
                            << id << person << "Child in need" << e.referral << e.closed << e.source
                            << e.need << e.closure_reason;
                      }});
  }
  for (const ProtectionPlan& p : life.protection_plans) {
    const std::string id = next("CPP");
    events.push_back({p.start, la(p.start), [&w, p, id](const std::string& person) {
                        Row(w.out, w.slot(Feed::kSocialCareProtectionPlans, w.place_of(p.start)))
                            << id << person << "Child protection plan" << p.start << p.end
                            << p.initial_category << p.latest_category;
                      }});
  }
  // A period of care stays with the LA that started it, wherever the child
  // is placed.
  int period_place = 0;
  std::vector<std::pair<Date, int>> periods;
  for (const CareEpisode& e : life.care_episodes) {
    if (e.reason_new == "S") {
      period_place = la(e.start);
      periods.emplace_back(e.start, period_place);
    }
    const std::string id = next("LAC");
    const int place = period_place;
    events.push_back({e.start, place, [&w, e, id, place](const std::string& person) {
                        Row(w.out, w.slot(Feed::kSocialCareLookedAfter, place))
                            << id << person << "Looked after" << e.start << e.end << e.reason_new
                            << e.legal_status << e.placement << e.reason_ceased;
                      }});
  }
  for (const HealthAssessment& h : life.health_assessments) {
    int place = periods.empty() ? la(h.date) : periods.front().second;
    for (const auto& [start, p] : periods) {
      if (!before(h.date, start)) place = p;
    }
    const std::string id = next("HA");
    events.push_back(
        {h.date, place, [&w, h, id, place](const std::string& person) {
           Row(w.out, w.slot(Feed::kSocialCareHealthAssessments, place))
               << id << person
               << (h.initial ? "Initial health assessment" : "Review health assessment") << h.date
               << std::optional<Date>() << (h.immunisations_up_to_date ? "Y" : "N")
               << (h.dental_check ? "Y" : "N");
         }});
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return before(a.start, b.start); });

  // Each LA's record of the child, and a duplicate for some re-referrals.
  const bool duplicated = w.rng.chance(kSocialCareQuality.duplicate) && events.size() > 1;
  const Date split = events[events.size() / 2].start;
  std::map<std::pair<int, bool>, Date> last_seen;
  for (const Event& e : events) {
    const bool dup = duplicated && !before(e.start, split);
    last_seen[{e.place, dup}] = e.start;
  }
  const bool has_upn = !before(w.world.as_of, academic_year_start(reception_year(c.birth_date)));
  const std::string pupil_number = upn(w);
  std::map<std::pair<int, bool>, std::string> ids;
  for (const auto& [key, last] : last_seen) {
    const auto [place, dup] = key;
    const int64_t person = c.index + (dup ? 5'000'000 : 0);
    const std::string source = w.layout.source(Feed::kSocialCarePersons, place);
    const std::string prefix =
        std::to_string(w.world.reference.places[static_cast<size_t>(place)].la_number) + "-";
    const Identity id = record_child(w, source, local_id(prefix, person, kSalt + place, 7),
                                     kSocialCareQuality, last);
    Row(w.out, w.slot(Feed::kSocialCarePersons, place))
        << id.original_id << id.given_name << id.family_name << id.birth_date << fhir_gender(c.sex)
        << id.postcode << id.nhs_number
        << (has_upn && w.rng.chance(0.6) ? pupil_number : std::string())
        << dfe_ethnicity(c.ethnic_category);
    ids[key] = id.original_id;
  }
  for (const Event& e : events) {
    const bool dup = duplicated && !before(e.start, split);
    e.write(ids[{e.place, dup}]);
  }
}

}  // namespace onechild::synth::feeds
