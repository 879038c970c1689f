#include "programmes/programmes_config.h"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "programmes/toml_reader.h"

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {
namespace {

// "S00", "t79": a letter and two digits, upper-cased.
std::optional<std::string> icd3(std::string_view s) {
  if (s.size() != 3) return std::nullopt;
  std::string out(s);
  if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  if (out[0] < 'A' || out[0] > 'Z') return std::nullopt;
  if (out[1] < '0' || out[1] > '9' || out[2] < '0' || out[2] > '9') return std::nullopt;
  return out;
}

using Keys = std::set<std::string_view>;

class Reader : TomlReader {
 public:
  explicit Reader(ProgrammesConfig& c) : TomlReader(c.origin), c_(c) {}
  Status read(const toml::table& root);

 private:
  using TomlReader::error;
  using TomlReader::only;
  // Each reads `key` if present and leaves `out` alone if not.
  Status text(const toml::table& t, std::string_view key, const std::string& where,
              std::string& out) const;
  Status integer(const toml::table& t, std::string_view key, const std::string& where, int lo,
                 int hi, int& out) const;
  Status boolean(const toml::table& t, std::string_view key, const std::string& where,
                 bool& out) const;
  Status texts(const toml::table& t, std::string_view key, const std::string& where,
               bool may_be_empty, std::vector<std::string>& out) const {
    return texts_of(t.get(key), key, where, may_be_empty, out);
  }
  Status texts_of(const toml::node* n, std::string_view key, const std::string& where,
                  bool may_be_empty, std::vector<std::string>& out) const;
  Status age(const toml::table& t, std::string_view key, const std::string& where,
             bool school_year_ok, When& out) const;
  Status date(const toml::table& t, std::string_view key, const std::string& where,
              std::optional<Date>& out) const;
  Status ranges(const toml::table& t, std::string_view key, const std::string& where,
                std::vector<IcdRange>& out) const;

  // The keys every clock (signal) table may have, read into the common part.
  Status clock(const toml::table& t, const std::string& where, Keys keys, ClockConfig& out) const;
  Status signal(const toml::table& t, const std::string& where, Keys keys, SignalConfig& out) const;
  Status weeks(const toml::table& t, const std::string& where, int& out) const {
    return integer(t, "weeks", where, 1, 520, out);
  }

  Status read_clock(std::string_view id, const toml::table& t);
  Status read_signal(std::string_view id, const toml::table& t);

  ProgrammesConfig& c_;
};

Status Reader::text(const toml::table& t, std::string_view key, const std::string& where,
                    std::string& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  const auto* s = n->as_string();
  if (s == nullptr || s->get().empty()) {
    return error(where, "'" + std::string(key) + "' must be a non-empty text");
  }
  out = s->get();
  return {};
}

Status Reader::integer(const toml::table& t, std::string_view key, const std::string& where, int lo,
                       int hi, int& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  const auto* v = n->as_integer();
  if (v == nullptr || v->get() < lo || v->get() > hi) {
    return error(where, "'" + std::string(key) + "' must be a whole number from " +
                            std::to_string(lo) + " to " + std::to_string(hi));
  }
  out = static_cast<int>(v->get());
  return {};
}

Status Reader::boolean(const toml::table& t, std::string_view key, const std::string& where,
                       bool& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  const auto* v = n->as_boolean();
  if (v == nullptr) return error(where, "'" + std::string(key) + "' must be true or false");
  out = v->get();
  return {};
}

Status Reader::texts_of(const toml::node* n, std::string_view key, const std::string& where,
                        bool may_be_empty, std::vector<std::string>& out) const {
  if (n == nullptr) return {};
  const auto bad = [&] {
    return error(where, "'" + std::string(key) + "' must be a list of non-empty texts" +
                            (may_be_empty ? "" : " (at least one)"));
  };
  const toml::array* a = n->as_array();
  if (a == nullptr || (a->empty() && !may_be_empty)) return bad();
  std::vector<std::string> v;
  for (const toml::node& e : *a) {
    const auto* s = e.as_string();
    if (s == nullptr || s->get().empty()) return bad();
    v.push_back(s->get());
  }
  out = std::move(v);
  return {};
}

Status Reader::age(const toml::table& t, std::string_view key, const std::string& where,
                   bool school_year_ok, When& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  const std::string what = school_year_ok ? "an age (\"14y\") or the start or end of a school year "
                                            "(\"year 9 end\") up to 30 years"
                                          : "an age (\"18y\", \"5y\", \"13y6m\") up to 30 years";
  const auto* s = n->as_string();
  if (s == nullptr) return error(where, "'" + std::string(key) + "' must be " + what);
  auto w = When::parse(s->get());
  if (!w.ok()) return error(where, "'" + std::string(key) + "': " + w.error().message());
  const bool is_age = w->kind == When::Kind::kAge;
  if ((!is_age && !school_year_ok) || (is_age && (w->months + w->days / 31 > 360))) {
    return error(where, "'" + std::string(key) + "' must be " + what);
  }
  out = *w;
  return {};
}

Status Reader::date(const toml::table& t, std::string_view key, const std::string& where,
                    std::optional<Date>& out) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return {};
  const auto* d = n->as_date();
  const auto bad = [&] {
    return error(where, "'" + std::string(key) + "' must be a date (2014-09-01, unquoted)");
  };
  if (d == nullptr) return bad();
  const Date day{std::chrono::year{d->get().year}, std::chrono::month{d->get().month},
                 std::chrono::day{d->get().day}};
  if (!day.ok()) return bad();
  out = day;
  return {};
}

Status Reader::ranges(const toml::table& t, std::string_view key, const std::string& where,
                      std::vector<IcdRange>& out) const {
  std::vector<std::string> items;
  if (Status st = texts(t, key, where, true, items); !st.ok()) return st;
  if (!t.contains(key)) return {};
  std::vector<IcdRange> v;
  for (const std::string& item : items) {
    const size_t dash = item.find('-');
    const auto from = icd3(std::string_view(item).substr(0, dash));
    const auto to =
        dash == std::string::npos ? from : icd3(std::string_view(item).substr(dash + 1));
    if (!from || !to || *to < *from) {
      return error(where, "'" + std::string(key) + "': '" + item +
                              "' is not an ICD-10 range like \"S00-T79\" or a category like "
                              "\"X60\"");
    }
    v.push_back({*from, *to});
  }
  out = std::move(v);
  return {};
}

Status Reader::clock(const toml::table& t, const std::string& where, Keys keys,
                     ClockConfig& out) const {
  keys.insert({"name", "source", "enabled", "applies_from"});
  if (Status st = only(t, where, keys); !st.ok()) return st;
  if (Status st = text(t, "name", where, out.name); !st.ok()) return st;
  if (Status st = text(t, "source", where, out.source); !st.ok()) return st;
  if (Status st = boolean(t, "enabled", where, out.enabled); !st.ok()) return st;
  return date(t, "applies_from", where, out.applies_from);
}

Status Reader::signal(const toml::table& t, const std::string& where, Keys keys,
                      SignalConfig& out) const {
  keys.insert({"name", "source", "enabled", "threshold", "window_months", "under"});
  if (Status st = only(t, where, keys); !st.ok()) return st;
  if (Status st = text(t, "name", where, out.name); !st.ok()) return st;
  if (Status st = text(t, "source", where, out.source); !st.ok()) return st;
  if (Status st = boolean(t, "enabled", where, out.enabled); !st.ok()) return st;
  if (Status st = integer(t, "threshold", where, 1, 1000, out.threshold); !st.ok()) return st;
  if (Status st = integer(t, "window_months", where, 1, 120, out.window_months); !st.ok()) {
    return st;
  }
  return age(t, "under", where, false, out.under);
}

Status Reader::read_clock(std::string_view id, const toml::table& t) {
  const std::string where = "[clock." + std::string(id) + "]";
  // Runs each step in turn, stopping at the first error.
  const auto all = [](std::initializer_list<std::function<Status()>> steps) -> Status {
    for (const auto& step : steps) {
      if (Status st = step(); !st.ok()) return st;
    }
    return {};
  };
  if (id == "ehc-decision") {
    auto& c = c_.ehc_decision;
    return all(
        {[&] { return clock(t, where, {"weeks"}, c); }, [&] { return weeks(t, where, c.weeks); }});
  }
  if (id == "ehc-plan" || id == "ehc-no-plan") {
    auto& c = id == "ehc-plan" ? c_.ehc_plan : c_.ehc_no_plan;
    return all({[&] {
                  return clock(t, where, {"weeks", "exceptions"}, c);
                },
                [&] { return weeks(t, where, c.weeks); },
                [&] { return boolean(t, "exceptions", where, c.exceptions); }});
  }
  if (id == "lac-initial-health") {
    auto& c = c_.lac_initial;
    return all({[&] {
                  return clock(t, where, {"working_days", "gap_days", "under"}, c);
                },
                [&] { return integer(t, "working_days", where, 1, 260, c.working_days); },
                [&] { return integer(t, "gap_days", where, 0, 365, c.gap_days); },
                [&] { return age(t, "under", where, false, c.under); }});
  }
  if (id == "lac-review-health") {
    auto& c = c_.lac_review;
    return all({[&] {
                  return clock(t, where, {"months_under", "months_from", "switch_age", "under"}, c);
                },
                [&] { return integer(t, "months_under", where, 1, 60, c.months_under); },
                [&] { return integer(t, "months_from", where, 1, 60, c.months_from); },
                [&] { return age(t, "switch_age", where, false, c.switch_age); },
                [&] { return age(t, "under", where, false, c.under); }});
  }
  if (id == "transition-plan") {
    auto& c = c_.transition_plan;
    return all({[&] {
                  return clock(t, where,
                               {"from", "due", "late_months", "until", "conditions", "ehc_plan"},
                               c);
                },
                [&] { return age(t, "from", where, true, c.from); },
                [&] { return age(t, "due", where, true, c.due); },
                [&] { return integer(t, "late_months", where, 0, 60, c.late_months); },
                [&] { return age(t, "until", where, false, c.until); },
                [&] { return texts(t, "conditions", where, true, c.conditions); },
                [&] { return boolean(t, "ehc_plan", where, c.ehc_plan); }});
  }
  if (id == "adult-service") {
    auto& c = c_.adult_service;
    if (Status st =
            all({[&] {
                   return clock(t, where, {"at", "allowance_days", "functions"}, c);
                 },
                 [&] { return age(t, "at", where, false, c.at); },
                 [&] { return integer(t, "allowance_days", where, 0, 3650, c.allowance_days); }});
        !st.ok()) {
      return st;
    }
    if (const toml::node* n = t.get("functions")) {
      const toml::table* ft = n->as_table();
      if (ft == nullptr) {
        return error(where,
                     "'functions' must be a table of condition code = [treatment functions]");
      }
      std::map<std::string, std::vector<std::string>> functions;
      for (const auto& [key, value] : *ft) {
        std::vector<std::string> codes;
        if (Status st =
                texts_of(&value, "functions." + std::string(key.str()), where, false, codes);
            !st.ok()) {
          return st;
        }
        functions[std::string(key.str())] = std::move(codes);
      }
      c.functions = std::move(functions);
    }
    return {};
  }
  if (id == "camhs-first-contact") {
    auto& c = c_.camhs;
    return all(
        {[&] {
           return clock(t, where, {"weeks", "under", "closed_without_contact"}, c);
         },
         [&] { return weeks(t, where, c.weeks); },
         [&] { return age(t, "under", where, false, c.under); },
         [&]() -> Status {
           if (Status st = text(t, "closed_without_contact", where, c.closed_without_contact);
               !st.ok())
             return st;
           if (c.closed_without_contact != "missed" && c.closed_without_contact != "excluded") {
             return error(where, "'closed_without_contact' must be \"missed\" or \"excluded\"");
           }
           return {};
         }});
  }
  if (id == "community-paediatrics-assessment") {
    auto& c = c_.community_paediatrics;
    return all({[&] {
                  return clock(t, where, {"weeks", "under", "reasons"}, c);
                },
                [&] { return weeks(t, where, c.weeks); },
                [&] { return age(t, "under", where, false, c.under); },
                [&] { return texts(t, "reasons", where, false, c.reasons); }});
  }
  if (id == "epilepsy-specialist") {
    auto& c = c_.epilepsy_specialist;
    return all({[&] {
                  return clock(t, where, {"weeks", "under", "ed_codes", "functions"}, c);
                },
                [&] { return weeks(t, where, c.weeks); },
                [&] { return age(t, "under", where, false, c.under); },
                [&] { return texts(t, "ed_codes", where, false, c.ed_codes); },
                [&] { return texts(t, "functions", where, false, c.functions); }});
  }
  if (id == "autism-diagnosis") {
    auto& c = c_.autism_diagnosis;
    return all({[&] {
                  return clock(t, where, {"weeks", "lookback_months", "condition", "reasons"}, c);
                },
                [&] { return weeks(t, where, c.weeks); },
                [&] { return integer(t, "lookback_months", where, 1, 240, c.lookback_months); },
                [&] { return text(t, "condition", where, c.condition); },
                [&] { return texts(t, "reasons", where, false, c.reasons); }});
  }
  if (id == "epilepsy-diagnosis") {
    auto& c = c_.epilepsy_diagnosis;
    return all({[&] {
                  return clock(t, where,
                               {"weeks", "lookback_months", "condition", "ed_codes", "functions"},
                               c);
                },
                [&] { return weeks(t, where, c.weeks); },
                [&] { return integer(t, "lookback_months", where, 1, 240, c.lookback_months); },
                [&] { return text(t, "condition", where, c.condition); },
                [&] { return texts(t, "ed_codes", where, true, c.ed_codes); },
                [&] { return texts(t, "functions", where, true, c.functions); }});
  }
  return error(where, "unknown clock '" + std::string(id) + "'");
}

Status Reader::read_signal(std::string_view id, const toml::table& t) {
  const std::string where = "[signal." + std::string(id) + "]";
  if (id == "was-not-brought") {
    auto& s = c_.was_not_brought;
    if (Status st = signal(t, where, {"kinds", "statuses"}, s); !st.ok()) return st;
    if (Status st = texts(t, "kinds", where, false, s.kinds); !st.ok()) return st;
    return texts(t, "statuses", where, false, s.statuses);
  }
  if (id == "unscheduled-care") {
    auto& s = c_.unscheduled;
    if (Status st = signal(t, where, {"kinds"}, s); !st.ok()) return st;
    return texts(t, "kinds", where, false, s.kinds);
  }
  if (id == "injuries") {
    auto& s = c_.injuries;
    if (Status st = signal(t, where,
                           {"ed_codes", "admission_codes", "external_causes",
                            "require_external_cause", "admission_methods", "same_injury_days"},
                           s);
        !st.ok())
      return st;
    if (Status st = texts(t, "ed_codes", where, true, s.ed_codes); !st.ok()) return st;
    if (Status st = ranges(t, "admission_codes", where, s.admission_codes); !st.ok()) return st;
    if (Status st = ranges(t, "external_causes", where, s.external_causes); !st.ok()) return st;
    if (Status st = boolean(t, "require_external_cause", where, s.require_external_cause); !st.ok())
      return st;
    if (Status st = texts(t, "admission_methods", where, true, s.admission_methods); !st.ok()) {
      return st;
    }
    return integer(t, "same_injury_days", where, 0, 365, s.same_injury_days);
  }
  return error(where, "unknown signal '" + std::string(id) + "'");
}

Status Reader::read(const toml::table& root) {
  if (Status st = only(root, "file", {"common", "clock", "signal"}); !st.ok()) return st;
  if (const toml::node* n = root.get("common")) {
    const toml::table* t = n->as_table();
    if (t == nullptr) return error("[common]", "must be a table");
    if (Status st = only(*t, "[common]", {"attended"}); !st.ok()) return st;
    if (Status st = texts(*t, "attended", "[common]", false, c_.attended); !st.ok()) return st;
  }
  for (const auto& [name, reader] :
       {std::pair{"clock", &Reader::read_clock}, std::pair{"signal", &Reader::read_signal}}) {
    const toml::node* n = root.get(name);
    if (n == nullptr) continue;
    const toml::table* t = n->as_table();
    if (t == nullptr) return error("[" + std::string(name) + "]", "must be a table");
    for (const auto& [key, value] : *t) {
      const toml::table* one = value.as_table();
      const std::string where = "[" + std::string(name) + "." + std::string(key.str()) + "]";
      if (one == nullptr) return error(where, "must be a table");
      if (Status st = (this->*reader)(key.str(), *one); !st.ok()) return st;
    }
  }
  return {};
}

}  // namespace

bool IcdRange::contains(std::string_view code) const {
  if (code.size() < 3) return false;
  std::string head(code.substr(0, 3));
  if (head[0] >= 'a' && head[0] <= 'z') head[0] = static_cast<char>(head[0] - 'a' + 'A');
  return from <= head && head <= to;
}

ProgrammesConfig::ProgrammesConfig() {
  ehc_decision.name = "EHC needs assessment: decision whether to assess";
  ehc_decision.source =
      "SEND Regulations 2014 (SI 2014/1530) reg. 5(1): the decision within 6 weeks of the request";
  ehc_decision.applies_from =
      Date{std::chrono::year{2014}, std::chrono::September, std::chrono::day{1}};
  ehc_plan.name = "EHC plan issued";
  ehc_plan.source =
      "SEND Regulations 2014 reg. 13(2): the final plan within 20 weeks of the request; "
      "exceptions reg. 13(3) and 10(4)";
  ehc_plan.applies_from = ehc_decision.applies_from;
  ehc_no_plan.name = "EHC needs assessment: notice of a decision not to issue a plan";
  ehc_no_plan.source =
      "SEND Regulations 2014 reg. 10(1): notice within 16 weeks of the request; exceptions reg. "
      "10(4)";
  ehc_no_plan.weeks = 16;
  ehc_no_plan.applies_from = ehc_decision.applies_from;
  lac_initial.name = "Looked-after child: initial health assessment";
  lac_initial.source =
      "Care Planning, Placement and Case Review (England) Regulations 2010 reg. 7; DfE/DHSC "
      "statutory guidance 'Promoting the health and well-being of looked-after children' (2015): "
      "within 20 working days of becoming looked after";
  lac_review.name = "Looked-after child: review health assessment";
  lac_review.source =
      "Care Planning, Placement and Case Review (England) Regulations 2010 reg. 7; statutory "
      "guidance (2015): every 6 months before the 5th birthday, every 12 months from it";
  transition_plan.name = "Transition to adult services: plan started";
  transition_plan.source =
      "NICE NG43 section 1.2: start planning from Year 9 (age 13 to 14) at the latest; SEND Code "
      "of Practice 8.9";
  adult_service.name = "Transition to adult services: no gap";
  adult_service.source =
      "NICE NG43 sections 1.4-1.5 (no national time limit: the allowance is a local choice)";
  camhs.name = "CAMHS: referral to first contact";
  camhs.source =
      "NHS England proposed 4-week waiting time standard for children and young people's mental "
      "health services (2021 consultation; piloted)";
  community_paediatrics.name = "Community paediatrics: referral to diagnostic assessment";
  community_paediatrics.source =
      "NICE CG128 and quality standard QS51 statement 1: the autism diagnostic assessment started "
      "within 3 months of referral (13 weeks; applied locally to ADHD)";
  epilepsy_specialist.name = "First seizure: seen by a paediatrician with expertise in epilepsy";
  epilepsy_specialist.source =
      "NICE NG217 rec. 1.1.1 and QS211 statement 1: seen within 2 weeks of a first suspected "
      "seizure";
  autism_diagnosis.name = "Autism: first presentation to diagnosis";
  autism_diagnosis.source =
      "No national standard for diagnosis; NICE QS51 statement 1 (assessment within 3 months of "
      "referral) as the target";
  epilepsy_diagnosis.name = "Epilepsy: first presentation to diagnosis";
  epilepsy_diagnosis.source =
      "NICE NG217 rec. 1.1.1 (specialist assessment within 2 weeks of a first suspected seizure) "
      "as the target";
  was_not_brought.name = "Was not brought";
  was_not_brought.source =
      "Local safeguarding policy (every missed appointment of a child is a 'was not brought'; "
      "Child Safeguarding Practice Review Panel); no national threshold";
  was_not_brought.threshold = 2;
  unscheduled.name = "Unscheduled care: emergency department attendances";
  unscheduled.source = "Local safeguarding policy; no national threshold";
  injuries.name = "Injuries";
  injuries.source =
      "Local safeguarding policy; injury codes as OHID Fingertips (primary diagnosis S00-T79 with "
      "an external cause V01-Y36)";
}

Result<ProgrammesConfig> parse_programmes_config(std::string_view text, const std::string& origin) {
  ProgrammesConfig c;
  c.origin = origin;
  auto root = parse_toml(text, origin);
  if (!root.ok()) return root.error();
  if (Status st = Reader(c).read(*root); !st.ok()) return st.error();
  return c;
}

Result<ProgrammesConfig> load_programmes_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read the programmes settings " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_programmes_config(text.str(), path);
}

std::string default_programmes_config_path() {
  return std::string(ONECHILD_CONFIG_DIR) + "/programmes.toml";
}

}  // namespace onechild
