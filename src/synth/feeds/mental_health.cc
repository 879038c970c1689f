// The mental health trust's CAMHS extract, shaped like the Mental Health
// Services Data Set: patients (MPI), referrals, care contacts and coded
// outcome scores.
#include "synth/feeds/writer.h"

namespace onechild::synth::feeds {
namespace {

constexpr Quality kMentalHealthQuality{0.02, 0.005, 0.003, 0.01, 0.05, 0.004, 0};
constexpr uint64_t kSalt = 0x3E;

}  // namespace

void write_mental_health(Writer& w) {
  const Life& life = w.life;
  if (life.camhs.empty()) return;
  const Child& c = w.child;
  const Date last = life.camhs.back().received;
  const Identity id = record_child(w, "mental_health", local_id("MH", c.index, kSalt, 8),
                                   kMentalHealthQuality, last);
  Row(w.out, w.slot(Feed::kMentalHealthPatients))
      << id.original_id << id.nhs_number << id.given_name << id.family_name << id.birth_date
      << cds_sex(c.sex) << id.postcode << std::string_view(&c.ethnic_category, 1)
      << w.family.home.address_at(last).practice;
  int64_t n = c.index * 64;
  for (const CamhsReferral& r : life.camhs) {
    const std::string request = local_id("SR", n++, kSalt, 9);
    Row(w.out, w.slot(Feed::kMentalHealthReferrals))
        << request << id.original_id << r.received << r.source << r.reason << r.discharged;
    int k = 0;
    for (const CareContact& contact : r.contacts) {
      Row(w.out, w.slot(Feed::kMentalHealthContacts))
          << request + "-C" + std::to_string(++k) << request << contact.date << contact.attendance
          << contact.mechanism;
    }
    k = 0;
    for (const OutcomeScore& s : r.scores) {
      Row(w.out, w.slot(Feed::kMentalHealthOutcomes))
          << request + "-A" + std::to_string(++k) << request << s.date << s.tool
          << static_cast<int64_t>(s.score);
    }
  }
}

}  // namespace onechild::synth::feeds
