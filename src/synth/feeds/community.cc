// The community trust's feed (health visiting, school nursing, school-aged
// immunisations, community paediatrics): FHIR R4 NDJSON. Mothers appear as
// patients of the health visiting service for the antenatal contact.
#include "synth/feeds/fhir.h"

namespace onechild::synth::feeds {
namespace {

// The community system is traced against PDS too, but less often: a few
// records lack a number; nicknames creep in from school nursing.
constexpr Quality kCommunityQuality{0.01, 0.002, 0.002, 0.005, 0.03, 0.002, 0};

struct Local {
  std::string_view code, display;
};

constexpr Local kAsqDomains[] = {{"asq3-communication", "ASQ-3 communication score"},
                                 {"asq3-gross-motor", "ASQ-3 gross motor score"},
                                 {"asq3-fine-motor", "ASQ-3 fine motor score"},
                                 {"asq3-problem-solving", "ASQ-3 problem solving score"},
                                 {"asq3-personal-social", "ASQ-3 personal-social score"}};

Local feeding_code(Feeding f) {
  switch (f) {
    case Feeding::kTotallyBreastfed:
      return {"totally-breastfed", "Totally breastfed"};
    case Feeding::kPartiallyBreastfed:
      return {"partially-breastfed", "Partially breastfed"};
    case Feeding::kNotBreastfed:
      break;
  }
  return {"not-breastfed", "Not at all breastfed"};
}

struct CommunityWriter {
  Writer& w;
  Json j;
  std::string patient;
  int n = 0;
  int64_t rows = 0;

  std::string next_id(char kind) { return patient + "-" + kind + std::to_string(++n); }

  std::string encounter(std::string_view type_system, std::string_view code,
                        std::string_view display, Date date,
                        std::optional<Condition> reason = std::nullopt) {
    std::string id = next_id('e');
    resource(j, "Encounter", id).field("status", "finished");
    j.key("class").object().field("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
    j.field("code", "AMB").end();
    concept_list(j, "type", type_system, code, display);
    reference(j, "subject", "Patient", patient);
    j.key("period").object().field("start", date).field("end", date).end();
    if (reason) {
      const Code c = condition_code(*reason);
      concept_list(j, "reasonCode", kSnomed, c.code, c.display);
    }
    organisation(j, "serviceProvider", w.world.community_trust().code);
    j.end().line();
    ++rows;
    return id;
  }

  // An Observation; `value` is written by the caller's lambda.
  template <typename Value>
  void observation(std::string_view system, std::string_view code, std::string_view display,
                   const std::string& enc, Date date, Value write_value) {
    resource(j, "Observation", next_id('o')).field("status", "final");
    concept_field(j, "code", system, code, display);
    reference(j, "subject", "Patient", patient);
    reference(j, "encounter", "Encounter", enc);
    j.field("effectiveDateTime", date);
    write_value();
    j.end().line();
    ++rows;
  }

  void quantity(double value, std::string_view unit, std::string_view ucum) {
    j.key("valueQuantity").object().field("value", value).field("unit", unit);
    j.field("system", "http://unitsofmeasure.org").field("code", ucum).end();
  }

  void review(const HealthVisitorReview& r) {
    const std::string enc =
        encounter(local_system("hcp-review"), review_code(r.review), review_name(r.review), r.date);
    if (r.feeding) {
      const Local f = feeding_code(*r.feeding);
      observation(local_system("observation"), "infant-feeding", "Infant feeding status", enc,
                  r.date, [&] {
                    concept_field(j, "valueCodeableConcept", local_system("infant-feeding"), f.code,
                                  f.display);
                  });
    }
    if (r.asq3) {
      for (size_t d = 0; d < 5; ++d) {
        observation(local_system("observation"), kAsqDomains[d].code, kAsqDomains[d].display, enc,
                    r.date, [&] { j.field("valueInteger", (*r.asq3)[d]); });
      }
    }
  }

  void ncmp(const NcmpMeasurement& m) {
    const bool reception = m.school_year == 0;
    const std::string enc =
        encounter(local_system("school-nursing"), reception ? "ncmp-reception" : "ncmp-year-6",
                  reception ? "NCMP measurement (Reception)" : "NCMP measurement (Year 6)", m.date);
    observation(kSnomed, "50373000", "Body height", enc, m.date,
                [&] { quantity(m.height_cm, "cm", "cm"); });
    observation(kSnomed, "27113001", "Body weight", enc, m.date,
                [&] { quantity(m.weight_kg, "kg", "kg"); });
    observation(local_system("observation"), "bmi-centile-uk90", "BMI centile (UK90)", enc, m.date,
                [&] { quantity(m.bmi_centile, "%", "%"); });
  }

  void school_dose(const Dose& d) {
    immunization(j, next_id('i'), d);
    concept_field(j, "vaccineCode", kSnomed, d.vaccine->code.code, d.vaccine->code.display);
    reference(j, "patient", "Patient", patient);
    j.field("occurrenceDateTime", d.date).field("primarySource", true);
    organisation(j, "location", w.world.community_trust().code);
    j.end().line();
    ++rows;
  }

  void referral(const PaediatricReferral& r) {
    const bool autism = r.reason == Condition::kAutism;
    resource(j, "ServiceRequest", next_id('r'))
        .field("status", before(r.assessed, w.world.as_of) ? "completed" : "active");
    j.field("intent", "order");
    concept_field(j, "code", local_system("referral"), "community-paediatrics",
                  "Referral to community paediatrics");
    concept_list(j, "reasonCode", local_system("referral-reason"),
                 autism ? "suspected-autism" : "suspected-adhd",
                 autism ? "Suspected autism" : "Suspected ADHD");
    reference(j, "subject", "Patient", patient);
    j.field("authoredOn", r.referred);
    j.end().line();
    ++rows;
    if (before(r.assessed, w.world.as_of)) {
      encounter(local_system("community-paediatrics"), "diagnostic-assessment",
                "Diagnostic assessment", r.assessed, r.reason);
    }
  }

  void transition_plan(const CarePlan& p) {
    resource(j, "CarePlan", next_id('p')).field("status", "active").field("intent", "plan");
    concept_list(j, "category", local_system("care-plan"), "transition",
                 "Transition to adult services plan");
    j.field("title", "Transition plan");
    reference(j, "subject", "Patient", patient);
    j.key("period").object().field("start", p.start).end();
    j.field("created", p.start);
    j.end().line();
    ++rows;
  }
};

// The last day the community trust had contact, for the identity it holds.
std::optional<Date> last_contact(const Life& life) {
  std::optional<Date> last;
  const auto see = [&](Date d) {
    if (!last || before(*last, d)) last = d;
  };
  for (const auto& r : life.reviews) {
    if (r.review != Review::kAntenatal) see(r.date);
  }
  for (const auto& m : life.ncmp)
    see(m.date);
  for (const auto& d : life.doses) {
    if (d.at_school) see(d.date);
  }
  for (const auto& r : life.paediatric_referrals)
    see(r.referred);
  for (const auto& p : life.transition_plans)
    see(p.start);
  return last;
}

}  // namespace

std::string_view review_code(Review review) {
  switch (review) {
    case Review::kAntenatal:
      return "antenatal";
    case Review::kNewBirth:
      return "new-birth-visit";
    case Review::kSixToEightWeek:
      return "6-8-week-review";
    case Review::kOneYear:
      return "12-month-review";
    case Review::kTwoYear:
      break;
  }
  return "2-2.5-year-review";
}

void write_community(Writer& w) {
  const auto last = last_contact(w.life);
  if (!last) return;
  const size_t out = w.slot(Feed::kCommunity);
  CommunityWriter cw{w, Json(w.out.text[out]), {}};
  const Identity id = record_child(w, "community", local_id("CH", w.child.index, 0xC0, 8),
                                   kCommunityQuality, *last);
  cw.patient = id.original_id;
  patient(cw.j, w, id, w.child.sex, w.family.home.address_at(*last).practice, w.child.died);
  cw.rows = 1;
  for (const auto& r : w.life.reviews) {
    if (r.review != Review::kAntenatal) cw.review(r);
  }
  for (const auto& m : w.life.ncmp)
    cw.ncmp(m);
  for (const auto& d : w.life.doses) {
    if (d.at_school) cw.school_dose(d);
  }
  for (const auto& r : w.life.paediatric_referrals)
    cw.referral(r);
  for (const auto& p : w.life.transition_plans)
    cw.transition_plan(p);
  w.out.rows[out] += cw.rows;
}

void write_mother(const World& world, const Layout& layout, const Family& family,
                  const std::vector<Life>& lives, Chunk& out) {
  // The antenatal contacts, one per pregnancy, on the mother's record.
  std::vector<Date> contacts;
  for (const Life& life : lives) {
    for (const auto& r : life.reviews) {
      if (r.review == Review::kAntenatal) contacts.push_back(r.date);
    }
  }
  if (contacts.empty()) return;
  const Adult& mother = family.home.mother;
  const size_t slot = layout.slot(Feed::kCommunity);
  const std::string id = local_id("CH", 20'000'000 + family.home.ordinal, 0xC0, 8);
  Json j(out.text[slot]);
  const Address& home = family.home.address_at(contacts.back());
  const Postcode& pc = world.postcode(home);
  resource(j, "Patient", id);
  j.key("identifier").array().object().field("system", "https://fhir.nhs.uk/Id/nhs-number");
  j.field("value", mother.nhs_number).end().end();
  j.key("name").array().object().field("use", "official").field("family", mother.family_name);
  j.key("given").array().value(mother.given_name).end().end().end();
  j.field("gender", "female").field("birthDate", mother.birth_date);
  j.key("address").array().object().field("postalCode", pc.code).end().end();
  j.end().line();
  int k = 0;
  for (Date date : contacts) {
    resource(j, "Encounter", id + "-e" + std::to_string(++k)).field("status", "finished");
    j.key("class").object().field("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
    j.field("code", "AMB").end();
    concept_list(j, "type", local_system("hcp-review"), review_code(Review::kAntenatal),
                 review_name(Review::kAntenatal));
    reference(j, "subject", "Patient", id);
    j.key("period").object().field("start", date).field("end", date).end();
    organisation(j, "serviceProvider", world.community_trust().code);
    j.end().line();
  }
  out.rows[slot] += 1 + static_cast<int64_t>(contacts.size());
  Row(out, layout.slot(Feed::kTruthPersons)) << "community" << id << mother.person_id;
}

}  // namespace onechild::synth::feeds
