// The GP feed: FHIR R4 NDJSON from the practices' clinical systems, UK Core
// conventions. Patient, Encounter, Observation, Condition, Immunization and
// CarePlan, newest registration only.
#include "synth/feeds/fhir.h"

namespace onechild::synth::feeds {
namespace {

// Near-perfect identity: the GP record is traced against the national
// Personal Demographics Service. A few temporary registrations duplicate it.
constexpr Quality kGpQuality{0.001, 0, 0, 0.002, 0, 0.001, 0.002};
constexpr Quality kTemporaryRegistration{0.5, 0, 0, 0.02, 0.05, 0.01, 0};
// About 2% of children are not registered with a GP.
constexpr double kRegistered = 0.98;

struct GpContactType {
  std::string_view klass, code, display;
};

GpContactType contact_type(GpContactKind kind) {
  switch (kind) {
    case GpContactKind::kFaceToFace:
      return {"AMB", "11429006", "Consultation"};
    case GpContactKind::kTelephone:
      return {"VR", "185317003", "Telephone encounter"};
    case GpContactKind::kBabyCheck:
      return {"AMB", "410620009", "Well child visit"};
    case GpContactKind::kConditionReview:
      break;
  }
  return {"AMB", "390906007", "Follow-up encounter"};
}

std::string_view plan_title(std::string_view kind) {
  if (kind == "asthma") return "Asthma action plan";
  if (kind == "diabetes") return "Diabetes care plan";
  return "Epilepsy care plan";
}

void encounter(Json& j, const std::string& id, const std::string& patient, const GpContact& c,
               std::string_view practice) {
  const GpContactType t = contact_type(c.kind);
  resource(j, "Encounter", id).field("status", "finished");
  j.key("class").object().field("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  j.field("code", t.klass).end();
  concept_list(j, "type", kSnomed, t.code, t.display);
  reference(j, "subject", "Patient", patient);
  j.key("period").object().field("start", c.date).field("end", c.date).end();
  if (c.about) {
    const Code code = condition_code(*c.about);
    concept_list(j, "reasonCode", kSnomed, code.code, code.display);
  }
  organisation(j, "serviceProvider", practice);
  j.end().line();
}

void weight(Json& j, const std::string& id, const std::string& patient, const std::string& enc,
            Date date, double kg) {
  resource(j, "Observation", id).field("status", "final");
  concept_list(j, "category", "http://terminology.hl7.org/CodeSystem/observation-category",
               "vital-signs", "Vital Signs");
  concept_field(j, "code", kSnomed, "27113001", "Body weight");
  reference(j, "subject", "Patient", patient);
  reference(j, "encounter", "Encounter", enc);
  j.field("effectiveDateTime", date);
  j.key("valueQuantity").object().field("value", kg).field("unit", "kg");
  j.field("system", "http://unitsofmeasure.org").field("code", "kg").end();
  j.end().line();
}

void condition(Json& j, const std::string& id, const std::string& patient, const Diagnosis& d) {
  const Code code = condition_code(d.condition);
  resource(j, "Condition", id);
  concept_field(j, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "active", "Active");
  concept_field(j, "verificationStatus",
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed",
                "Confirmed");
  concept_list(j, "category", "http://terminology.hl7.org/CodeSystem/condition-category",
               "problem-list-item", "Problem List Item");
  concept_field(j, "code", kSnomed, code.code, code.display);
  reference(j, "subject", "Patient", patient);
  j.field("onsetDateTime", d.diagnosed).field("recordedDate", d.diagnosed);
  j.end().line();
}

void write_dose(Json& j, const std::string& id, const std::string& patient, const Dose& d) {
  immunization(j, id, d);
  concept_field(j, "vaccineCode", kSnomed, d.vaccine->code.code, d.vaccine->code.display);
  reference(j, "patient", "Patient", patient);
  j.field("occurrenceDateTime", d.date).field("primarySource", true);
  j.end().line();
}

void care_plan(Json& j, const std::string& id, const std::string& patient, const CarePlan& p,
               bool current) {
  resource(j, "CarePlan", id).field("status", current ? "active" : "completed");
  j.field("intent", "plan");
  concept_list(j, "category", local_system("care-plan"), p.kind, plan_title(p.kind));
  j.field("title", plan_title(p.kind));
  reference(j, "subject", "Patient", patient);
  j.key("period").object().field("start", p.start).end();
  j.field("created", p.start);
  j.end().line();
}

}  // namespace

void write_gp(Writer& w) {
  const Child& c = w.child;
  if (!w.rng.chance(kRegistered)) return;
  const size_t out = w.slot(Feed::kGp);
  Json j(w.out.text[out]);
  const std::string practice = w.family.home.address_at(w.world.as_of).practice;
  const Identity id =
      record_child(w, "gp", local_id("gp", c.index, 0x6701, 8), kGpQuality, w.world.as_of);
  patient(j, w, id, c.sex, practice, c.died);
  int64_t rows = 1;
  const std::string& pid = id.original_id;
  int n = 0;
  const auto next_id = [&](char kind) { return pid + "-" + kind + std::to_string(++n); };

  for (const GpContact& contact : w.life.gp_contacts) {
    const std::string enc = next_id('e');
    encounter(j, enc, pid, contact, w.family.home.address_at(contact.date).practice);
    ++rows;
    if (contact.weight_kg) {
      weight(j, next_id('o'), pid, enc, contact.date, *contact.weight_kg);
      ++rows;
    }
  }
  for (const Diagnosis& d : c.diagnoses) {
    condition(j, next_id('c'), pid, d);
    ++rows;
  }
  for (const Dose& d : w.life.doses) {
    if (d.at_school) continue;  // the school-aged service reports those
    write_dose(j, next_id('i'), pid, d);
    ++rows;
  }
  for (size_t i = 0; i < w.life.gp_care_plans.size(); ++i) {
    const CarePlan& p = w.life.gp_care_plans[i];
    bool current = true;
    for (size_t k = i + 1; k < w.life.gp_care_plans.size(); ++k) {
      if (w.life.gp_care_plans[k].kind == p.kind) current = false;
    }
    care_plan(j, next_id('p'), pid, p, current);
    ++rows;
  }
  w.out.rows[out] += rows;

  // A temporary registration elsewhere: a second, thinner record.
  if (w.rng.chance(kGpQuality.duplicate)) {
    const Date registered = w.family.home.addresses.front().from;
    const Identity dup = record_child(w, "gp", local_id("gp", c.index + 50'000'000, 0x6701, 8),
                                      kTemporaryRegistration, latest(registered, c.arrived));
    patient(j, w, dup, c.sex, w.family.home.address_at(c.arrived).practice, std::nullopt);
    ++w.out.rows[out];
  }
}

}  // namespace onechild::synth::feeds
