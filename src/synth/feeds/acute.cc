// The acute trust's CSV extracts: the patient administration system's
// patients (names in capitals, as older PAS hold them), and activity shaped
// like the Emergency Care Data Set, Admitted Patient Care and Outpatient
// Commissioning Data Set records, keyed by the hospital number (MRN).
#include "synth/feeds/writer.h"
#include "synth/names.h"

namespace onechild::synth::feeds {
namespace {

// A few % of ED patients arrive without a traced NHS number; hospital
// numbers are sometimes issued twice (a second registration at the front
// desk); a baby is sometimes booked under the mother's number.
constexpr Quality kAcuteQuality{0.03, 0.005, 0.004, 0.015, 0.02, 0.005, 0.01};
constexpr Quality kDuplicateRegistration{0.5, 0.01, 0, 0.05, 0.1, 0.02, 0};
constexpr uint64_t kSalt = 0xAC;

std::string arrival_time(int minute) {
  const int h = minute / 60, m = minute % 60;
  const char t[5] = {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':',
                     static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10)};
  return std::string(t, 5);
}

}  // namespace

void write_acute(Writer& w) {
  const Life& life = w.life;
  if (life.ed.empty() && life.admissions.empty() && life.outpatients.empty()) return;
  const Child& c = w.child;
  // Each activity goes to the main record, or to a duplicate after the day
  // the duplicate was created; the PAS record shows the last activity's details.
  const bool duplicated = w.rng.chance(kAcuteQuality.duplicate);
  std::vector<Date> days;
  for (const auto& a : life.ed)
    days.push_back(a.date);
  for (const auto& a : life.admissions)
    days.push_back(a.admitted);
  for (const auto& a : life.outpatients)
    days.push_back(a.date);
  std::sort(days.begin(), days.end(), [](Date a, Date b) { return before(a, b); });
  const Date split = days[static_cast<size_t>(w.rng.below(static_cast<int64_t>(days.size())))];
  const std::string main_mrn = local_id("RZA", c.index, kSalt, 7);
  const std::string dup_mrn = local_id("RZA", c.index + 5'000'000, kSalt, 7);
  const auto mrn_for = [&](Date day) -> const std::string& {
    return duplicated && !before(day, split) && w.rng.chance(0.6) ? dup_mrn : main_mrn;
  };
  std::optional<Date> last_main, last_dup;
  const auto see = [&](const std::string& mrn, Date day) {
    auto& last = &mrn == &dup_mrn ? last_dup : last_main;
    if (!last || before(*last, day)) last = day;
  };

  const std::string& site = w.world.acute_trust().code;
  int64_t n = c.index * 4096;  // room for every event of one child
  for (const EdAttendance& a : life.ed) {
    const std::string& mrn = mrn_for(a.date);
    see(mrn, a.date);
    Row(w.out, w.slot(Feed::kAcuteEcds))
        << local_id("EC", n++, kSalt, 10) << mrn << a.date << arrival_time(a.minute_of_day)
        << a.department_type << site + "01" << a.diagnosis->snomed.code
        << a.diagnosis->snomed.display << (a.admitted ? "306706006" : "306689006")
        << w.postcode_at(a.date).code;
  }
  for (const Admission& a : life.admissions) {
    const std::string& mrn = mrn_for(a.admitted);
    see(mrn, a.admitted);
    // Still in hospital on the reference date: no discharge yet.
    const auto discharged =
        before(a.discharged, w.world.as_of) ? std::optional<Date>(a.discharged) : std::nullopt;
    Row(w.out, w.slot(Feed::kAcuteApc))
        << local_id("SP", n++, kSalt, 10) << mrn << a.admitted << a.method << discharged << a.icd10
        << a.external_cause << a.opcs << a.treatment_function << w.postcode_at(a.admitted).code;
  }
  for (const OutpatientAppointment& a : life.outpatients) {
    const std::string& mrn = mrn_for(a.date);
    see(mrn, a.date);
    Row(w.out, w.slot(Feed::kAcuteOutpatients))
        << local_id("OP", n++, kSalt, 10) << mrn << a.date << a.treatment_function
        << (a.first ? "1" : "2") << a.attendance;
  }

  const auto patient = [&](const std::string& mrn, Date last, const Quality& q) {
    const Identity id = record_child(w, "acute", mrn, q, last);
    // Traced and verified (01), present but not traced (02), or a trace
    // needed (03) when there is none.
    const std::string_view status = id.nhs_number.empty() ? "03" : w.rng.chance(0.92) ? "01" : "02";
    Row(w.out, w.slot(Feed::kAcutePatients))
        << mrn << id.nhs_number << status << ascii_upper(id.given_name)
        << ascii_upper(id.family_name) << id.birth_date << cds_sex(c.sex) << id.postcode
        << w.family.home.address_at(last).practice;
  };
  if (last_main) patient(main_mrn, *last_main, kAcuteQuality);
  if (last_dup) patient(dup_mrn, *last_dup, kDuplicateRegistration);
}

}  // namespace onechild::synth::feeds
