#include "record/record_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace onechild {
namespace {

std::optional<double> number_in(const std::optional<std::string>& value, const char* unit) {
  if (!value) return std::nullopt;
  const char* begin = value->c_str();
  char* end = nullptr;
  const double n = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(n) || n <= 0) return std::nullopt;
  std::string rest(end);
  rest.erase(0, rest.find_first_not_of(' '));
  if (rest != unit) return std::nullopt;
  return n;
}

bool is(const RecordEvent& e, const char* code, const char* display) {
  return (e.code && *e.code == code) || (e.display && *e.display == display);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string json_number(const std::optional<double>& n) {
  if (!n) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *n);
  return buf;
}

// "NB1 4HE" -> "NB1": the outward code, as access control reads caseloads.
std::string district_of(const std::string& postcode) {
  std::string compact;
  for (char c : postcode) {
    if (c != ' ') compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return compact.size() > 3 ? compact.substr(0, compact.size() - 3) : "";
}

// A team's kind from the roles of its members (an area team's code says nothing).
std::string team_kind(const std::string& roles, const std::string& fallback) {
  if (roles.find("health-visitor") != std::string::npos) return "Health visiting team";
  if (roles.find("school-nurse") != std::string::npos) return "School nursing team";
  if (roles.find("social-worker") != std::string::npos) return "Social care team";
  if (roles.find("camhs-clinician") != std::string::npos) return "CAMHS team";
  if (roles.find("send-officer") != std::string::npos) return "SEND team";
  if (roles.find("paediatrician") != std::string::npos) return "Paediatric team";
  return fallback;
}

std::string relationship_name(const std::string& kind) {
  static const std::map<std::string, std::string> kNames = {
      {"caseload", "Caseload"},
      {"school-caseload", "School nursing caseload"},
      {"referral", "Referral"},
      {"mdt", "Child health hub MDT case"},
      {"social-care-allocation", "Social care allocation"},
      {"send-case", "SEND case"},
      {"unscheduled-care", "Unscheduled care attendance"}};
  auto it = kNames.find(kind);
  return it == kNames.end() ? kind : it->second;
}

// "3 March 2024" for the care team's "since", or the text as it came.
std::string uk_date(const std::string& iso) {
  auto date = parse_iso_date(iso.substr(0, 10));
  return date.ok() ? format_uk_date(*date) : iso;
}

bool open_on(const RecordEvent& e, const std::string& today) {
  return e.start_date.substr(0, 10) <= today && (!e.end_date || e.end_date->substr(0, 10) > today);
}

}  // namespace

Result<std::vector<SourceNumber>> load_source_numbers(Database& db, int64_t child_id) {
  auto stmt = db.prepare(R"sql(
    SELECT s.code, p.nhs_number, p.nhs_number_recorded, p.nhs_number_status
    FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_systems s ON s.id = p.source_system_id
    WHERE l.child_id = ?1 AND p.superseded_by IS NULL
    ORDER BY s.code, p.id)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id);
  std::vector<SourceNumber> out;
  Status s = stmt->each_row([&](const Statement& row) {
    out.push_back({row.column_text(0), row.column_optional_text(1), row.column_optional_text(2),
                   row.column_text(3)});
  });
  if (!s.ok()) return s.error();
  return out;
}

NumberAgreement nhs_number_status(const std::optional<std::string>& number,
                                  const std::vector<SourceNumber>& sources) {
  std::map<std::string, std::set<std::string>> by_number;  // valid number -> sources
  std::set<std::string> failing;                           // sent a number failing the check
  for (const auto& s : sources) {
    if (s.nhs_number)
      by_number[*s.nhs_number].insert(s.source);
    else if (s.status == "invalid")
      failing.insert(s.source);
  }
  const auto list = [](const std::set<std::string>& names) {
    std::string text;
    for (const auto& n : names)
      text += (text.empty() ? "" : ", ") + n;
    return text;
  };
  std::string failing_note;
  if (!failing.empty()) {
    failing_note = "; " + list(failing) + " sent a number that fails the check digit";
  }
  NumberAgreement out;
  if (by_number.empty()) {
    out.text = "Not known: no source sent a valid NHS number" + failing_note;
    return out;
  }
  if (by_number.size() > 1) {
    out.state = NumberAgreement::State::kDiffers;
    out.text = "Differs between sources:";
    bool first = true;
    for (const auto& [digits, names] : by_number) {
      out.text += (first ? " " : "; ") + digits.substr(0, 3) + " " + digits.substr(3, 3) + " " +
                  digits.substr(6) + " (" + list(names) + ")";
      first = false;
    }
    out.text += failing_note;
    return out;
  }
  const auto& [digits, names] = *by_number.begin();
  if (number && *number != digits) {
    out.state = NumberAgreement::State::kDiffers;
    out.text = "Differs from the number the sources send" + failing_note;
    return out;
  }
  if (names.size() >= 2) {
    out.state = NumberAgreement::State::kVerified;
    out.text = "Verified on " + std::to_string(names.size()) + " sources (" + list(names) + ")" +
               failing_note;
  } else {
    out.state = NumberAgreement::State::kSingleSource;
    out.text = "From one source only (" + list(names) + ")" + failing_note;
  }
  return out;
}

std::vector<GrowthPoint> growth_of(const ChildRecord& record) {
  std::map<std::string, GrowthPoint> by_date;
  for (const auto& e : record.events) {
    if (e.kind != "observation") continue;
    const bool height = is(e, "50373000", "Body height");
    const bool weight = is(e, "27113001", "Body weight");
    if (!height && !weight) continue;
    const auto value = number_in(e.value, height ? "cm" : "kg");
    if (!value) continue;
    const std::string date = e.start_date.substr(0, 10);
    GrowthPoint& p = by_date[date];
    p.date = date;
    if (p.source.empty())
      p.source = e.source;
    else if (p.source.find(e.source) == std::string::npos)
      p.source += ", " + e.source;
    (height ? p.height_cm : p.weight_kg) = *value;
  }
  std::vector<GrowthPoint> out;
  for (auto& [date, p] : by_date) {
    if (p.height_cm && p.weight_kg) {
      const double metres = *p.height_cm / 100.0;
      p.bmi = std::round(*p.weight_kg / (metres * metres) * 10.0) / 10.0;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string growth_json(const std::vector<GrowthPoint>& points) {
  std::string json = R"({"points":[)";
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    json += (i ? "," : "") + std::string(R"({"date":)") + json_string(p.date) + R"(,"height_cm":)" +
            json_number(p.height_cm) + R"(,"weight_kg":)" + json_number(p.weight_kg) +
            R"(,"bmi":)" + json_number(p.bmi) + R"(,"source":)" + json_string(p.source) + "}";
  }
  return json + "]}";
}

std::vector<const RecordEvent*> conditions_of(const ChildRecord& record) {
  std::vector<const RecordEvent*> out;
  for (const auto& e : record.events) {
    if (e.kind == "condition") out.push_back(&e);
  }
  return out;
}

std::vector<const RecordEvent*> referrals_of(const ChildRecord& record) {
  std::vector<const RecordEvent*> out;
  for (const auto& e : record.events) {
    if (e.kind == "service-request" || e.kind == "mental-health-referral" ||
        e.kind == "outpatient-appointment") {
      out.push_back(&e);
    }
  }
  return out;
}

std::vector<Plan> plans_of(const ChildRecord& record) {
  std::vector<Plan> out;
  for (const auto& e : record.events) {
    Plan p{"", e.status.value_or(""), e.start_date, e.source, e.end_date};
    if (e.kind == "care-plan") {
      p.name = e.display.value_or(e.code.value_or("Care plan"));
    } else if (e.kind == "ehc-plan") {
      p.name = "Education, health and care (EHC) plan";
      if (p.status.empty()) p.status = e.end_date ? "ended" : "issued";
    } else if (e.kind == "ehc-request") {
      p.name = "Request for an EHC needs assessment";
      if (p.status == "assess") p.status = "agreed to assess";
    } else if (e.kind == "ehc-assessment") {
      p.name = "EHC needs assessment";
      if (p.status == "plan") p.status = "plan to be issued";
      if (p.status == "no-plan") p.status = "no plan needed";
    } else {
      continue;
    }
    if (p.status.empty()) p.status = "recorded";
    out.push_back(std::move(p));
  }
  return out;
}

Education education_of(const ChildRecord& record) {
  Education out;
  for (const auto& e : record.events) {  // newest first: the first census is the latest
    if (e.kind == "school-census" && !out.census_date) {
      out.school_urn = e.code;
      out.term = e.display;
      out.census_date = e.start_date;
      out.source = e.source;
      // value: "year 4, FSM false, SEN N"
      const std::string value = e.value.value_or("");
      size_t at = 0;
      while (at < value.size()) {
        size_t comma = value.find(',', at);
        if (comma == std::string::npos) comma = value.size();
        std::string part = value.substr(at, comma - at);
        part.erase(0, part.find_first_not_of(' '));
        at = comma + 1;
        if (part.rfind("year ", 0) == 0) {
          const std::string year = part.substr(5);
          out.year_group = year == "R" || year == "0" ? "Reception" : "Year " + year;
        } else if (part.rfind("FSM ", 0) == 0) {
          out.free_meals = part.substr(4) == "true" ? "Yes" : "No";
        } else if (part.rfind("SEN ", 0) == 0) {
          const std::string sen = part.substr(4);
          out.sen = sen == "K"   ? "SEN support"
                    : sen == "E" ? "Education, health and care plan"
                    : sen == "N" ? "No special educational needs"
                                 : sen;
        }
      }
    }
    if (e.kind == "eyfsp" && !out.eyfsp) {
      out.eyfsp = e.display.value_or("Early years foundation stage profile") + ": " +
                  (e.value == "Y"   ? "yes"
                   : e.value == "N" ? "no"
                                    : e.value.value_or("")) +
                  " (" + e.start_date.substr(0, 10) + ")";
    }
  }
  return out;
}

std::string event_kind_name(const std::string& kind) {
  static const std::map<std::string, std::string> kNames = {
      {"immunisation", "Immunisation"},
      {"social-care-episode", "Social care"},
      {"encounter", "Contact"},
      {"condition", "Condition"},
      {"observation", "Observation"},
      {"care-plan", "Care plan"},
      {"service-request", "Referral"},
      {"admission", "Hospital admission"},
      {"ed-attendance", "Emergency department attendance"},
      {"outpatient-appointment", "Outpatient appointment"},
      {"procedure", "Procedure"},
      {"ehc-request", "EHC needs assessment request"},
      {"ehc-assessment", "EHC needs assessment"},
      {"ehc-plan", "EHC plan"},
      {"eyfsp", "Early years foundation stage profile"},
      {"school-census", "School census"},
      {"birth", "Birth"},
      {"mental-health-contact", "Mental health contact"},
      {"mental-health-referral", "Mental health referral"},
      {"outcome-measure", "Outcome measure"}};
  auto it = kNames.find(kind);
  return it == kNames.end() ? kind : it->second;
}

std::string event_detail(const RecordEvent& e) {
  if (e.kind == "school-census") {
    return e.display.value_or("Census") + (e.code ? ", school URN " + *e.code : "");
  }
  if (e.kind == "mental-health-referral" && e.value) return *e.value;
  if (e.display) return *e.display;
  if (e.code) return *e.code;
  return e.status.value_or("");
}

Result<CareTeam> load_care_team(Database& db, const ChildRecord& record, Date today,
                                const std::string& now_timestamp) {
  CareTeam team;
  const std::string today_iso = format_iso_date(today);
  // Registered GP practice, as any current source says.
  {
    auto stmt = db.prepare(R"sql(
      SELECT DISTINCT sp.gp_practice FROM links l JOIN source_persons sp ON sp.id = l.source_person_id
      WHERE l.child_id = ?1 AND sp.superseded_by IS NULL AND sp.gp_practice <> ''
      ORDER BY 1 LIMIT 5)sql");
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, record.child_id);
    Status s = stmt->each_row([&](const Statement& row) {
      team.members.push_back({"Registered GP practice", row.column_text(0), "GP registration"});
    });
    if (!s.ok()) return s.error();
  }
  // Area teams for the child's postcode districts. From the record's postcodes
  // after sensitivity filtering: a sealed address does not show its area.
  {
    std::set<std::string> districts;
    for (const auto& id : record.identities) {
      if (id.postcode && !district_of(*id.postcode).empty()) {
        districts.insert(district_of(*id.postcode));
      }
    }
    auto stmt = db.prepare(R"sql(
      SELECT a.organisation,
             (SELECT group_concat(DISTINCT u.role) FROM users u WHERE u.organisation = a.organisation)
      FROM caseload_areas a WHERE a.postcode_district = ?1 ORDER BY a.organisation LIMIT 10)sql");
    if (!stmt.ok()) return stmt.error();
    for (const auto& district : districts) {
      stmt->reset();
      stmt->bind(1, district);
      Status s = stmt->each_row([&](const Statement& row) {
        team.members.push_back({team_kind(row.column_optional_text(1).value_or(""), "Area team"),
                                row.column_text(0), "Caseload area " + district});
      });
      if (!s.ok()) return s.error();
    }
  }
  // Recorded relationships current now, on this child or one merged into it.
  {
    auto stmt = db.prepare(R"sql(
      SELECT r.kind, r.organisation, u.display_name, r.valid_from,
             (SELECT group_concat(DISTINCT x.role) FROM users x WHERE x.organisation = r.organisation)
      FROM relationships r LEFT JOIN users u ON u.id = r.user_id
      WHERE r.child_id IN (WITH RECURSIVE m(id) AS (SELECT ?1 UNION
                           SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                           SELECT id FROM m)
        AND r.valid_from <= ?2 AND (r.valid_until IS NULL OR r.valid_until > ?2)
      ORDER BY r.valid_from DESC, r.id DESC LIMIT 50)sql");
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, record.child_id).bind(2, now_timestamp);
    Status s = stmt->each_row([&](const Statement& row) {
      const std::string kind = row.column_text(0);
      const std::string fallback = kind == "school-caseload"          ? "School nursing team"
                                   : kind == "caseload"               ? "Health visiting team"
                                   : kind == "social-care-allocation" ? "Social care team"
                                   : kind == "send-case"              ? "SEND team"
                                                                      : "Team";
      CareTeamMember m{team_kind(row.column_optional_text(4).value_or(""), fallback),
                       row.column_text(1),
                       relationship_name(kind) + " since " + uk_date(row.column_text(3)),
                       row.column_optional_text(2)};
      m.recorded = true;
      team.members.push_back(std::move(m));
    });
    if (!s.ok()) return s.error();
  }
  // The local authority of an open child protection, looked-after or child
  // in need episode (in the record as this viewer may see it).
  std::optional<size_t> social_worker;
  {
    auto stmt = db.prepare(
        "SELECT code, name, office_hours_phone FROM local_authorities WHERE social_care_source = "
        "?1");
    if (!stmt.ok()) return stmt.error();
    std::set<std::string> seen;
    for (const auto& e : record.events) {
      if (e.kind != "social-care-episode" || !e.display || !open_on(e, today_iso)) continue;
      if (*e.display != "Child protection plan" && *e.display != "Looked after" &&
          *e.display != "Child in need") {
        continue;
      }
      if (!seen.insert(e.source).second) continue;
      stmt->reset();
      stmt->bind(1, e.source);
      auto row = stmt->step();
      if (!row.ok()) return row.error();
      CareTeamMember m{"Social worker (local authority)", *row ? stmt->column_text(1) : e.source,
                       *e.display + " since " + uk_date(e.start_date)};
      if (*row) m.phone = stmt->column_text(2);
      // A named social worker allocated in the relationships table.
      for (const auto& r : team.members) {
        if (r.recorded && r.person && *row && r.organisation == stmt->column_text(0)) {
          m.person = r.person;
        }
      }
      if (!social_worker) social_worker = team.members.size();
      team.members.push_back(std::move(m));
    }
  }
  const Education education = education_of(record);
  if (education.school_urn) {
    team.members.push_back(
        {"School", "URN " + *education.school_urn, "School census " + education.term.value_or("")});
  }
  // The lead professional (the one person or team others contact first):
  //  1. the local authority's social worker while a child protection plan,
  //     looked-after episode or child in need episode is open;
  //  2. otherwise the health visiting team for a child under 5;
  //  3. the school nursing team from 5 until 19;
  //  4. otherwise none is named.
  const auto born = record.birth_date() ? parse_iso_date(record.birth_date()->substr(0, 10))
                                        : Result<Date>(Error::not_found("no birth date"));
  const std::optional<int> age =
      born.ok() ? std::optional<int>(age_in_years(*born, today)) : std::nullopt;
  const auto first_of = [&](const char* role) -> std::optional<size_t> {
    for (size_t i = 0; i < team.members.size(); ++i) {
      if (team.members[i].role == role) return i;
    }
    return std::nullopt;
  };
  std::optional<size_t> lead;
  if (social_worker) {
    lead = social_worker;
    team.lead_reason =
        "The local authority's social worker leads while a social care plan or "
        "episode is open.";
  } else if (age && *age < 5) {
    lead = first_of("Health visiting team");
    team.lead_reason = "The health visiting team leads for a child under 5.";
  } else if (age && *age < 19) {
    lead = first_of("School nursing team");
    team.lead_reason = "The school nursing team leads for a child from 5 to 19.";
  } else {
    team.lead_reason = age ? "No lead professional is named from age 19."
                           : "The date of birth is not known, so no lead professional is named.";
  }
  if (lead) {
    team.members[*lead].lead = true;
  } else if (!social_worker && age && *age < 19) {
    team.lead_reason += " No such team is recorded for this child.";
  }
  return team;
}

}  // namespace onechild
