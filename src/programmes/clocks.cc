#include "programmes/clocks.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "core/date.h"

namespace onechild {
namespace {

constexpr Day kNever = std::numeric_limits<Day>::max();

std::string iso(Day d) {
  return format_iso_date(from_day(d));
}

// `months` calendar months after (negative: before) d, as schedules count ages.
Day months_after(Day d, int months) {
  return to_day(add_months(from_day(d), months));
}

// The day a child born on `birth` reaches `when`; kNoDay if birth is unknown.
Day on(const When& when, Day birth) {
  return birth == kNoDay ? kNoDay : to_day(when.on(from_day(birth)));
}

// What was known of a fact on as_of: it had happened, and its end (a
// decision, a discharge) only if that had happened too.
bool known(const Fact& f, Day as_of) {
  return f.start != kNoDay && f.start <= as_of;
}
Day known_end(const Fact& f, Day as_of) {
  return f.end != kNoDay && f.end <= as_of ? f.end : kNoDay;
}

// The earliest known fact matching pred in [from, to]; nullptr if none.
template <typename Pred>
const Fact* earliest(const std::vector<Fact>& facts, Day as_of, Day from, Day to, Pred pred) {
  const Fact* best = nullptr;
  for (const Fact& f : facts) {
    if (!known(f, as_of) || f.start < from || f.start > to || !pred(f)) continue;
    if (best == nullptr || f.start < best->start) best = &f;
  }
  return best;
}

// The known facts matching pred, by start, one per start day (the same
// event from two records of the child is one event).
template <typename Pred>
std::vector<const Fact*> all_of(const std::vector<Fact>& facts, Day as_of, Pred pred) {
  std::vector<const Fact*> out;
  for (const Fact& f : facts) {
    if (known(f, as_of) && pred(f)) out.push_back(&f);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Fact* a, const Fact* b) { return a->start < b->start; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Fact* a, const Fact* b) { return a->start == b->start; }),
            out.end());
  return out;
}

}  // namespace

std::string_view clock_state_name(ClockState state) {
  switch (state) {
    case ClockState::kRunning:
      return "running";
    case ClockState::kOverdue:
      return "overdue";
    case ClockState::kMet:
      return "met";
    case ClockState::kMissed:
      return "missed";
    case ClockState::kException:
      return "exception";
  }
  return "running";
}

struct ClockBook::Ctx {
  const ChildFacts& child;
  const std::vector<Fact>& facts;
  Day as_of;
  Day gone;  // died or moved out on or before as_of; kNoDay otherwise
  std::vector<ClockResult>& out;

  // Adds one clock. Not shown: a disabled clock, one starting before its
  // applies_from or after as_of, or after the child died or moved out; one
  // still running when the child died or moved out that was not yet due then.
  // `ended` forces kMissed: the clock stopped without the event that meets it.
  void emit(const ClockConfig& config, std::string_view id, Day start, Day due, Day stopped,
            bool exception, std::string detail, bool ended = false) const {
    if (!config.enabled || start == kNoDay || start > as_of) return;
    if (config.applies_from && start < to_day(*config.applies_from)) return;
    if (gone != kNoDay && start > gone) return;
    if (stopped != kNoDay && stopped > as_of) stopped = kNoDay;
    ClockResult r{id, start, due, stopped, ClockState::kRunning, std::move(detail)};
    if (ended) {
      r.state = ClockState::kMissed;
    } else if (stopped != kNoDay) {
      r.state = stopped <= due ? ClockState::kMet
                : exception    ? ClockState::kException
                               : ClockState::kMissed;
    } else {
      if (gone != kNoDay) {
        if (due >= gone) return;
        r.detail += (child.died == gone ? "; died " : "; moved out ") + iso(gone);
      }
      const Day now = gone != kNoDay ? gone : as_of;
      r.state = now <= due  ? ClockState::kRunning
                : exception ? ClockState::kException
                            : ClockState::kOverdue;
    }
    out.push_back(std::move(r));
  }
};

ClockBook::ClockBook(const ProgrammesConfig& config, const BankHolidays& holidays,
                     Vocabulary& words)
    : config_(config), holidays_(holidays), words_(&words) {
  id_.social_care = words.intern("social-care-episode");
  id_.looked_after = words.intern("Looked after");
  id_.initial_health = words.intern("Initial health assessment");
  id_.review_health = words.intern("Review health assessment");
  id_.ehc_request = words.intern("ehc-request");
  id_.ehc_assessment = words.intern("ehc-assessment");
  id_.ehc_plan = words.intern("ehc-plan");
  id_.assess = words.intern("assess");
  id_.plan = words.intern("plan");
  id_.no_plan = words.intern("no plan");
  id_.exceptions_yes = words.intern("exceptions apply Y");
  id_.care_plan = words.intern("care-plan");
  id_.transition = words.intern("transition");
  id_.condition = words.intern("condition");
  id_.outpatient = words.intern("outpatient-appointment");
  id_.mh_referral = words.intern("mental-health-referral");
  id_.mh_contact = words.intern("mental-health-contact");
  id_.service_request = words.intern("service-request");
  id_.community_paediatrics = words.intern("community-paediatrics");
  id_.encounter = words.intern("encounter");
  id_.diagnostic = words.intern("diagnostic-assessment");
  id_.ed = words.intern("ed-attendance");
  id_.autism = words.intern(config.autism_diagnosis.condition);
  id_.epilepsy = words.intern(config.epilepsy_diagnosis.condition);
  id_.attended = intern_sorted(words, config.attended);
  id_.transition_conditions = intern_sorted(words, config.transition_plan.conditions);
  id_.cp_reasons = intern_sorted(words, config.community_paediatrics.reasons);
  id_.seizure_ed = intern_sorted(words, config.epilepsy_specialist.ed_codes);
  id_.specialist_functions = intern_sorted(words, config.epilepsy_specialist.functions);
  id_.autism_reasons = intern_sorted(words, config.autism_diagnosis.reasons);
  id_.dx_seizure_ed = intern_sorted(words, config.epilepsy_diagnosis.ed_codes);
  id_.dx_functions = intern_sorted(words, config.epilepsy_diagnosis.functions);
  for (const auto& [condition, functions] : config.adult_service.functions) {
    id_.adult_functions.emplace_back(words.intern(condition), intern_sorted(words, functions));
  }
}

void ClockBook::evaluate(const ChildFacts& child, Day as_of, std::vector<ClockResult>& out) const {
  Day gone = kNoDay;
  for (const Day d : {child.died, child.left}) {
    if (d != kNoDay && d <= as_of && (gone == kNoDay || d < gone)) gone = d;
  }
  // Nothing can happen after death or moving out that these records hold.
  const Ctx x{child, child.facts, gone != kNoDay ? std::min(as_of, gone) : as_of, gone, out};
  ehc(x);
  looked_after(x);
  transition(x);
  adult_service(x);
  camhs(x);
  community_paediatrics(x);
  epilepsy_specialist(x);
  autism_diagnosis(x);
  epilepsy_diagnosis(x);
}

// EHC needs assessment requests (SEND Regulations 2014), per request:
// - ehc-decision: the decision whether to assess within 6 weeks of the
//   request (reg. 5(1)): stops on the decision date (the request's end).
// - for a request the authority decided to assess, the outcome, read from
//   the assessment row with the request's source and date (or, failing it, an
//   ehc-plan issued before the next request):
//   - ehc-plan: the final plan within 20 weeks of the request (reg. 13(2));
//   - ehc-no-plan: notice of a decision not to issue a plan within 16 weeks
//     (reg. 10(1)), when the outcome was "no plan".
//   A request recording "exceptions apply Y" (reg. 10(4), via 13(3)) makes a
//   late plan or notice kException. While the outcome is not known the plan
//   clock runs. Requests before applies_from (1 September 2014) are not
//   evaluated: they fell under the 2001 statutory assessment rules.
void ClockBook::ehc(const Ctx& x) const {
  const auto& cfg = config_;
  const auto requests =
      all_of(x.facts, x.as_of, [&](const Fact& f) { return f.kind == id_.ehc_request; });
  for (size_t i = 0; i < requests.size(); ++i) {
    const Fact& r = *requests[i];
    const Day next = i + 1 < requests.size() ? requests[i + 1]->start : kNever;
    const Day decided = known_end(r, x.as_of);
    std::string detail = "requested " + iso(r.start);
    x.emit(cfg.ehc_decision, clock_id::kEhcDecision, r.start, r.start + 7 * cfg.ehc_decision.weeks,
           decided, false,
           decided == kNoDay
               ? detail + "; no decision yet"
               : detail + "; decided " + iso(decided) + " (" + words_->text(r.status) + ")");
    if (decided == kNoDay || r.status != id_.assess) continue;
    const Fact* assessment = earliest(x.facts, x.as_of, r.start, r.start, [&](const Fact& f) {
      return f.kind == id_.ehc_assessment && f.source == r.source;
    });
    Day outcome = assessment ? known_end(*assessment, x.as_of) : kNoDay;
    const bool no_plan = outcome != kNoDay && assessment->status == id_.no_plan;
    if (assessment == nullptr) {
      if (const Fact* plan = earliest(x.facts, x.as_of, r.start, next - 1, [&](const Fact& f) {
            return f.kind == id_.ehc_plan && f.source == r.source;
          })) {
        outcome = plan->start;
      }
    }
    const bool exception = r.value == id_.exceptions_yes;
    if (exception) detail += "; reg. 10(4) exceptions apply";
    if (no_plan) {
      x.emit(cfg.ehc_no_plan, clock_id::kEhcNoPlan, r.start, r.start + 7 * cfg.ehc_no_plan.weeks,
             outcome, exception && cfg.ehc_no_plan.exceptions,
             detail + "; no plan, notified " + iso(outcome));
    } else {
      x.emit(cfg.ehc_plan, clock_id::kEhcPlan, r.start, r.start + 7 * cfg.ehc_plan.weeks, outcome,
             exception && cfg.ehc_plan.exceptions,
             outcome == kNoDay ? detail + "; assessing" : detail + "; plan issued " + iso(outcome));
    }
  }
}

// Looked-after children (Care Planning, Placement and Case Review (England)
// Regulations 2010 reg. 7; statutory guidance 2015). A period of care is a run
// of SSDA903 episodes ("Looked after"), each starting the day the last ended
// (or within gap_days of it); a child looked after again later has a new
// period. Periods starting at 18 or over are not evaluated.
// - lac-initial-health: the first "Initial health assessment" on or after the
//   period's start (and before the next period's) within 20 working days of
//   the start (BankHolidays: Monday to Friday, not a bank holiday in England;
//   the start day is not counted). A child who leaves care on or before the
//   due day without one has no clock; one who leaves after it without one is
//   kMissed, stopped on the day care ended.
// - lac-review-health: after each health assessment (initial or review) of
//   the period, the next is due 6 months later if the child was under 5 on
//   that assessment's date and 12 months later if 5 or over. A child is 5 on
//   the 5th birthday, so a review on the 5th birthday sets the next 12 months
//   later (the regulations' "before the fifth birthday" is then over).
//   The chain starts at the period's first assessment: with none, only the
//   initial health assessment clock shows. A review falling due after care
//   ended or from the 18th birthday does not apply; care ending after the due
//   day without a review is kMissed, stopped when care ended.
void ClockBook::looked_after(const Ctx& x) const {
  struct Period {
    Day start, end;  // end kNoDay while open on as_of
  };
  std::vector<Period> periods;
  const int gap = config_.lac_initial.gap_days;
  for (const Fact* e : all_of(x.facts, x.as_of, [&](const Fact& f) {
         return f.kind == id_.social_care && f.display == id_.looked_after;
       })) {
    const Day end = known_end(*e, x.as_of);
    if (!periods.empty() &&
        (periods.back().end == kNoDay || e->start <= periods.back().end + gap)) {
      Period& p = periods.back();
      p.end = p.end == kNoDay || end == kNoDay ? kNoDay : std::max(p.end, end);
      continue;
    }
    periods.push_back({e->start, end});
  }
  const Day birth = x.child.birth;
  const Day initial_adult = on(config_.lac_initial.under, birth);
  const Day review_adult = on(config_.lac_review.under, birth);
  const Day five = on(config_.lac_review.switch_age, birth);
  const Day covered = to_day(holidays_.covered_until());
  for (size_t i = 0; i < periods.size(); ++i) {
    const Period& p = periods[i];
    const Day next = i + 1 < periods.size() ? periods[i + 1].start : kNever;
    const std::string from = "looked after from " + iso(p.start);

    if (initial_adult == kNoDay || p.start < initial_adult) {
      const auto& cfg = config_.lac_initial;
      const Day due = to_day(holidays_.add_working_days(from_day(p.start), cfg.working_days));
      std::string detail = from;
      if (due > covered) detail += "; bank holidays known only to " + iso(covered);
      const Fact* iha = earliest(x.facts, x.as_of, p.start, next - 1, [&](const Fact& f) {
        return f.kind == id_.social_care && f.display == id_.initial_health;
      });
      if (iha != nullptr) {
        x.emit(cfg, clock_id::kLacInitialHealth, p.start, due, iha->start, false,
               detail + "; initial health assessment " + iso(iha->start));
      } else if (p.end != kNoDay) {
        if (p.end > due) {
          x.emit(cfg, clock_id::kLacInitialHealth, p.start, due, p.end, false,
                 detail + "; left care " + iso(p.end) + " without an initial health assessment",
                 true);
        }
      } else {
        x.emit(cfg, clock_id::kLacInitialHealth, p.start, due, kNoDay, false, detail);
      }
    }

    if (five == kNoDay) continue;  // the interval depends on age
    const auto& cfg = config_.lac_review;
    const auto assessments = all_of(x.facts, x.as_of, [&](const Fact& f) {
      return f.kind == id_.social_care && f.start >= p.start && f.start < next &&
             (f.display == id_.initial_health || f.display == id_.review_health);
    });
    for (size_t k = 0; k < assessments.size(); ++k) {
      const Day last = assessments[k]->start;
      const bool under_five = last < five;
      const int months = under_five ? cfg.months_under : cfg.months_from;
      const Day due = months_after(last, months);
      std::string detail =
          from + "; last health assessment " + iso(last) +
          (under_five ? " (under 5): next within " : " (5 or over): next within ") +
          std::to_string(months) + " months";
      if (k + 1 < assessments.size()) {
        const Day stop = assessments[k + 1]->start;
        x.emit(cfg, clock_id::kLacReviewHealth, last, due, stop, false,
               detail + "; reviewed " + iso(stop));
        continue;
      }
      if (review_adult != kNoDay && due >= review_adult) continue;
      if (p.end != kNoDay) {
        if (p.end > due) {
          x.emit(cfg, clock_id::kLacReviewHealth, last, due, p.end, false,
                 detail + "; care ended " + iso(p.end) + " without a review", true);
        }
        continue;
      }
      x.emit(cfg, clock_id::kLacReviewHealth, last, due, kNoDay, false, detail);
    }
  }
}

// Transition to adult services (NICE NG43 section 1.2; SEND Code of Practice
// 8.9): young people who have one of the configured conditions (type 1
// diabetes, epilepsy) diagnosed, or an EHC plan issued, before `until` (18).
// The clock starts at the later of `from` (13th birthday) and the day they
// qualified, and is due at `due` ("year 9 end": 31 August at the end of Year
// 9; or an age such as "14y"), or `late_months` after qualifying if that is
// later. It stops at the first transition plan (care-plan "transition"),
// whenever it started. No plan by `until` is kMissed, stopped at `until`,
// unless the young person qualified too late for the plan to be due before it.
void ClockBook::transition(const Ctx& x) const {
  const auto& cfg = config_.transition_plan;
  const Day birth = x.child.birth;
  if (birth == kNoDay) return;
  const Day until = on(cfg.until, birth);
  const Fact* condition = earliest(x.facts, x.as_of, kNoDay + 1, until - 1, [&](const Fact& f) {
    return f.kind == id_.condition && contains_id(id_.transition_conditions, f.code);
  });
  const Fact* ehc_plan = cfg.ehc_plan
                             ? earliest(x.facts, x.as_of, kNoDay + 1, until - 1,
                                        [&](const Fact& f) { return f.kind == id_.ehc_plan; })
                             : nullptr;
  const Fact* why = condition;
  if (ehc_plan != nullptr && (why == nullptr || ehc_plan->start < why->start)) why = ehc_plan;
  if (why == nullptr) return;
  const Day start = std::max(on(cfg.from, birth), why->start);
  const Day due = std::max(on(cfg.due, birth), months_after(why->start, cfg.late_months));
  std::string detail =
      why == ehc_plan ? "EHC plan issued " + iso(why->start)
                      : (why->display != 0 ? words_->text(why->display) : words_->text(why->code)) +
                            " diagnosed " + iso(why->start);
  const Fact* plan = earliest(x.facts, x.as_of, kNoDay + 1, kNever, [&](const Fact& f) {
    return f.kind == id_.care_plan && f.code == id_.transition;
  });
  if (plan != nullptr) {
    x.emit(cfg, clock_id::kTransitionPlan, start, due, plan->start, false,
           detail + "; transition plan " + iso(plan->start));
  } else if (x.as_of >= until) {
    if (due < until) {
      x.emit(cfg, clock_id::kTransitionPlan, start, due, until, false,
             detail + "; no transition plan by " + iso(until), true);
    }
  } else {
    x.emit(cfg, clock_id::kTransitionPlan, start, due, kNoDay, false, detail);
  }
}

// "No gap" (NICE NG43 sections 1.4-1.5): for each configured condition
// diagnosed before the `at` birthday (18), the adult service (diabetes
// medicine 307 for type 1 diabetes, neurology 400 for epilepsy) has an
// attended appointment no later than `allowance_days` after that birthday.
// The clock starts on the birthday; an adult appointment before it (a joint
// transition clinic) meets it.
void ClockBook::adult_service(const Ctx& x) const {
  const auto& cfg = config_.adult_service;
  const Day at = on(cfg.at, x.child.birth);
  if (at == kNoDay) return;
  for (const auto& route : id_.adult_functions) {
    const uint32_t condition = route.first;
    const Ids& functions = route.second;
    const Fact* c = earliest(x.facts, x.as_of, kNoDay + 1, at - 1, [&](const Fact& f) {
      return f.kind == id_.condition && f.code == condition;
    });
    if (c == nullptr) continue;
    const Fact* seen = earliest(x.facts, x.as_of, kNoDay + 1, kNever, [&](const Fact& f) {
      return f.kind == id_.outpatient && contains_id(functions, f.code) &&
             contains_id(id_.attended, f.status);
    });
    std::string detail = (c->display != 0 ? words_->text(c->display) : words_->text(c->code)) +
                         " diagnosed " + iso(c->start);
    if (seen != nullptr) {
      detail += "; adult service (" + words_->text(seen->code) + ") seen " + iso(seen->start);
    }
    x.emit(cfg, clock_id::kAdultService, at, at + cfg.allowance_days, seen ? seen->start : kNoDay,
           false, detail);
  }
}

// CAMHS (the proposed 4-week waiting time standard): per referral received
// before `under` (18), referral to the first attended contact. The contact
// record does not name its referral: the first attended contact on or after
// the referral date, up to its discharge and before the next referral, is
// taken. A referral discharged (or followed by a new referral) without an
// attended contact stops there and is kMissed (closed_without_contact =
// "missed", the default: the child was not seen), or is left out
// ("excluded", as waiting-time returns count only referrals with a contact).
void ClockBook::camhs(const Ctx& x) const {
  const auto& cfg = config_.camhs;
  const Day adult = on(cfg.under, x.child.birth);
  const auto referrals =
      all_of(x.facts, x.as_of, [&](const Fact& f) { return f.kind == id_.mh_referral; });
  for (size_t i = 0; i < referrals.size(); ++i) {
    const Fact& r = *referrals[i];
    if (adult != kNoDay && r.start >= adult) continue;
    const Day next = i + 1 < referrals.size() ? referrals[i + 1]->start : kNever;
    const Day discharged = known_end(r, x.as_of);
    const Day limit = std::min(next - 1, discharged == kNoDay ? kNever : discharged);
    const Fact* contact = earliest(x.facts, x.as_of, r.start, limit, [&](const Fact& f) {
      return f.kind == id_.mh_contact && contains_id(id_.attended, f.status);
    });
    const Day due = r.start + 7 * cfg.weeks;
    std::string detail = "referred " + iso(r.start);
    if (r.value != 0) detail += " (" + words_->text(r.value) + ")";
    if (contact != nullptr) {
      x.emit(cfg, clock_id::kCamhsFirstContact, r.start, due, contact->start, false,
             detail + "; first attended contact " + iso(contact->start));
    } else if (discharged != kNoDay || next <= x.as_of) {
      if (cfg.closed_without_contact == "excluded") continue;
      const Day stop = discharged != kNoDay && discharged < next ? discharged : next;
      x.emit(cfg, clock_id::kCamhsFirstContact, r.start, due, stop, false,
             detail + (stop == discharged ? "; discharged " : "; referred again ") + iso(stop) +
                 " without an attended contact",
             true);
    } else {
      x.emit(cfg, clock_id::kCamhsFirstContact, r.start, due, kNoDay, false, detail);
    }
  }
}

// Community paediatrics (NICE CG128, QS51 statement 1: the autism diagnostic
// assessment started within 3 months, taken as 13 weeks): per referral for
// one of `reasons`, received before `under`, referral to its diagnostic
// assessment. The assessment record does not name its referral, and a child
// may be referred for autism and for ADHD while waiting, so assessments are
// matched to referrals in order: each referral takes the earliest assessment
// on or after its date that an earlier referral has not taken.
void ClockBook::community_paediatrics(const Ctx& x) const {
  const auto& cfg = config_.community_paediatrics;
  const Day adult = on(cfg.under, x.child.birth);
  std::vector<const Fact*> referrals;
  for (const Fact& f : x.facts) {
    if (known(f, x.as_of) && f.kind == id_.service_request && f.code == id_.community_paediatrics) {
      referrals.push_back(&f);
    }
  }
  // By date; the same referral from two records of the child once.
  const auto key = [](const Fact* f) { return std::pair{f->start, f->value}; };
  std::sort(referrals.begin(), referrals.end(),
            [&](const Fact* a, const Fact* b) { return key(a) < key(b); });
  referrals.erase(std::unique(referrals.begin(), referrals.end(),
                              [&](const Fact* a, const Fact* b) { return key(a) == key(b); }),
                  referrals.end());
  const auto assessments = all_of(x.facts, x.as_of, [&](const Fact& f) {
    return f.kind == id_.encounter && f.code == id_.diagnostic;
  });
  std::vector<bool> taken(assessments.size(), false);
  for (const Fact* r : referrals) {
    const Fact* seen = nullptr;
    for (size_t k = 0; k < assessments.size(); ++k) {
      if (!taken[k] && assessments[k]->start >= r->start) {
        taken[k] = true;
        seen = assessments[k];
        break;
      }
    }
    if (!contains_id(id_.cp_reasons, r->value) || (adult != kNoDay && r->start >= adult)) continue;
    std::string detail = "referred " + iso(r->start) + " (" + words_->text(r->value) + ")";
    if (seen != nullptr) detail += "; assessed " + iso(seen->start);
    x.emit(cfg, clock_id::kCommunityPaediatrics, r->start, r->start + 7 * cfg.weeks,
           seen ? seen->start : kNoDay, false, detail);
  }
}

// First seizure (NICE NG217 rec. 1.1.1; QS211 statement 1): a child whose
// first ED attendance for a seizure comes before any epilepsy diagnosis, and
// before `under`, is seen in paediatric neurology (an attended appointment
// with one of `functions`) within 2 weeks.
void ClockBook::epilepsy_specialist(const Ctx& x) const {
  const auto& cfg = config_.epilepsy_specialist;
  const Fact* first = earliest(x.facts, x.as_of, kNoDay + 1, kNever, [&](const Fact& f) {
    return f.kind == id_.ed && contains_id(id_.seizure_ed, f.code);
  });
  if (first == nullptr) return;
  const Day adult = on(cfg.under, x.child.birth);
  if (adult != kNoDay && first->start >= adult) return;
  if (earliest(x.facts, x.as_of, kNoDay + 1, first->start - 1, [&](const Fact& f) {
        return f.kind == id_.condition && f.code == id_.epilepsy;
      }) != nullptr) {
    return;  // known epilepsy: not a first seizure
  }
  const Fact* seen = earliest(x.facts, x.as_of, first->start, kNever, [&](const Fact& f) {
    return f.kind == id_.outpatient && contains_id(id_.specialist_functions, f.code) &&
           contains_id(id_.attended, f.status);
  });
  std::string detail = "seizure (ED) " + iso(first->start);
  if (seen != nullptr)
    detail += "; seen in clinic " + words_->text(seen->code) + " " + iso(seen->start);
  x.emit(cfg, clock_id::kEpilepsySpecialist, first->start, first->start + 7 * cfg.weeks,
         seen ? seen->start : kNoDay, false, detail);
}

// Time to diagnosis, for children with the diagnosis (a measure of the
// pathway, so it is never running: waits are the clocks above). Autism: the
// earliest community paediatrics referral for suspected autism in the
// lookback_months before the diagnosis (condition 35919005) to the diagnosis;
// the target is QS51's 3 months for starting the assessment, as there is no
// national target for the diagnosis itself.
void ClockBook::autism_diagnosis(const Ctx& x) const {
  const auto& cfg = config_.autism_diagnosis;
  const Fact* dx = earliest(x.facts, x.as_of, kNoDay + 1, kNever, [&](const Fact& f) {
    return f.kind == id_.condition && f.code == id_.autism;
  });
  if (dx == nullptr) return;
  const Fact* referral = earliest(x.facts, x.as_of, months_after(dx->start, -cfg.lookback_months),
                                  dx->start, [&](const Fact& f) {
                                    return f.kind == id_.service_request &&
                                           f.code == id_.community_paediatrics &&
                                           contains_id(id_.autism_reasons, f.value);
                                  });
  if (referral == nullptr) return;
  x.emit(cfg, clock_id::kAutismDiagnosis, referral->start, referral->start + 7 * cfg.weeks,
         dx->start, false, "referred " + iso(referral->start) + "; diagnosed " + iso(dx->start));
}

// Epilepsy: the earliest presentation in the lookback_months before the
// diagnosis (condition 84757009) -- an ED attendance for a seizure or an
// attended paediatric neurology appointment -- to the diagnosis, against
// NG217's 2 weeks (which asks for the specialist appointment, not the
// diagnosis: see epilepsy-specialist).
void ClockBook::epilepsy_diagnosis(const Ctx& x) const {
  const auto& cfg = config_.epilepsy_diagnosis;
  const Fact* dx = earliest(x.facts, x.as_of, kNoDay + 1, kNever, [&](const Fact& f) {
    return f.kind == id_.condition && f.code == id_.epilepsy;
  });
  if (dx == nullptr) return;
  const Fact* presented =
      earliest(x.facts, x.as_of, months_after(dx->start, -cfg.lookback_months), dx->start,
               [&](const Fact& f) {
                 return (f.kind == id_.ed && contains_id(id_.dx_seizure_ed, f.code)) ||
                        (f.kind == id_.outpatient && contains_id(id_.dx_functions, f.code) &&
                         contains_id(id_.attended, f.status));
               });
  if (presented == nullptr) return;
  x.emit(cfg, clock_id::kEpilepsyDiagnosis, presented->start, presented->start + 7 * cfg.weeks,
         dx->start, false,
         (presented->kind == id_.ed ? "seizure (ED) " : "paediatric neurology ") +
             iso(presented->start) + "; diagnosed " + iso(dx->start));
}

}  // namespace onechild
