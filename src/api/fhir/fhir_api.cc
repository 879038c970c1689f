#include "api/fhir/fhir_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include "access/alerts.h"
#include "access/audit.h"
#include "access/tokens.h"
#include "api/fhir/bulk_export.h"
#include "api/fhir/resources.h"
#include "api/fhir/search.h"
#include "api/router.h"
#include "core/date.h"
#include "record/protection.h"

namespace onechild::api::fhir {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "/fhir/R4";
constexpr std::string_view kFhirJson = "application/fhir+json; charset=utf-8";
// Patient search reads at most this many candidate records before asking
// for a narrower search.
constexpr size_t kMaxPatientCandidates = 2000;
// Exports the server runs at once.
constexpr int kMaxRunningExports = 2;

HttpResponse fhir_response(int status, const json::object& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kFhirJson);
  r.body = json::serialize(body);
  // Person-level data: never kept by a cache (clients may still send
  // If-None-Match with the ETag they hold).
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse outcome(int status, std::string_view code, std::string_view diagnostics,
                     std::string_view severity = "error") {
  return fhir_response(status, operation_outcome(severity, code, diagnostics));
}

std::optional<int64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

std::vector<std::string> segments_of(std::string_view rest) {
  std::vector<std::string> out;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    if (slash != 0) out.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

// ETags: W/"v", "v" or *; possibly a comma-separated list.
bool etag_matches(std::string_view header, std::string_view version) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ')
      tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ')
      tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    if (tag == version) return true;
  }
  return false;
}

std::string like_pattern(std::string_view value, bool prefix_only) {
  std::string out = prefix_only ? "" : "%";
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// The search parameters each type takes, for the CapabilityStatement.
struct ParamDoc {
  const char* name;
  const char* type;
  const char* documentation;
};

std::vector<ParamDoc> params_of(std::string_view type) {
  if (type == "Patient") {
    return {{"_id", "token", "The child's id"},
            {"identifier", "token", "NHS number (https://fhir.nhs.uk/Id/nhs-number|9434765919)"},
            {"name", "string", "Any part of any recorded name (starts with; :exact, :contains)"},
            {"family", "string", "Family name"},
            {"given", "string", "Given name"},
            {"birthdate", "date", "Date of birth as any source recorded it"},
            {"gender", "token", "male | female | other | unknown"}};
  }
  std::vector<ParamDoc> out = {
      {"_id", "token", "The resource's id"},
      {"patient", "reference", "The child (Patient/<id> or <id>); required"},
      {"date", "date", "The care date or period (eq, ne, gt, lt, ge, le, sa, eb, ap)"},
      {"code", "token", "system|code, |code, system| or code"},
      {"category", "token", "A category, or the event kind (event-kind system)"},
      {"status", "token", "The resource's status"}};
  if (type == "Immunization") out.push_back({"vaccine-code", "token", "Same as code"});
  if (type == "Encounter" || type == "EpisodeOfCare")
    out.push_back({"type", "token", "Same as code"});
  if (type == "Condition") {
    out.push_back({"clinical-status", "token", "Same as status"});
    out.push_back({"onset-date", "date", "Same as date"});
  }
  if (type == "ServiceRequest" || type == "QuestionnaireResponse") {
    out.push_back({"authored", "date", "Same as date"});
  }
  return out;
}

json::object capability_statement(const std::string& base) {
  json::array resources;
  for (std::string_view type : resource_types()) {
    json::array params;
    for (const ParamDoc& p : params_of(type)) {
      params.push_back(
          json::object{{"name", p.name}, {"type", p.type}, {"documentation", p.documentation}});
    }
    json::object r{
        {"type", type},
        {"interaction", json::array{json::object{{"code", "read"}}, json::object{{"code", "vread"}},
                                    json::object{{"code", "search-type"}}}},
        {"versioning", "versioned"},
        {"readHistory", false},
        {"searchParam", std::move(params)}};
    if (type != "Patient")
      r["searchInclude"] = json::array{std::string(type) + ":patient", "*:patient"};
    if (type == "Patient") {
      r["operation"] = json::array{
          json::object{
              {"name", "everything"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/Patient-everything"}},
          json::object{{"name", "export"},
                       {"definition",
                        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}}};
    }
    resources.push_back(std::move(r));
  }
  resources.push_back(json::object{
      {"type", "Group"},
      {"operation",
       json::array{json::object{
           {"name", "export"},
           {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}}}},
      {"documentation", "Group/<ODS code>: the children registered with a GP practice"}});
  json::object rest{
      {"mode", "server"},
      {"documentation",
       "The integrated child record. Every call is checked (role, legitimate "
       "relationship, sensitivity) and audited."},
      {"security",
       json::object{
           {"service",
            json::array{json::object{
                {"coding",
                 json::array{json::object{
                     {"system", "http://terminology.hl7.org/CodeSystem/restful-security-service"},
                     {"code", "SMART-on-FHIR"}}}}}}},
           {"description",
            "Authorization: Bearer <token> with patient/*.read, user/*.read or "
            "system/*.read scopes (onechild tokens add), or a web session."}}},
      {"resource", std::move(resources)},
      {"operation",
       json::array{json::object{
           {"name", "export"},
           {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}}}}};
  return json::object{
      {"resourceType", "CapabilityStatement"},
      {"id", "onechild"},
      {"url", base + "/metadata"},
      {"name", "OnechildFhirServer"},
      {"title", "onechild FHIR R4 API"},
      {"status", "active"},
      {"date", format_iso_date(today())},
      {"publisher", "onechild"},
      {"kind", "instance"},
      {"instantiates",
       json::array{"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"}},
      {"software", json::object{{"name", "onechild"}, {"version", "0.1.0"}}},
      {"implementation",
       json::object{{"description", "onechild integrated child record"}, {"url", base}}},
      {"fhirVersion", "4.0.1"},
      {"format", json::array{"application/fhir+json", "json"}},
      {"rest", json::array{std::move(rest)}}};
}

}  // namespace

// One request: who asked, what for, and the helpers every route shares.
class FhirApi::Call {
 public:
  Call(FhirApi& api, const HttpRequest& request, Database& db)
      : api_(api), policy_(api.policy_), request_(request), db_(db) {
    std::string host = request.host.empty() ? "localhost" : request.host;
    if (host.find_first_of(" \t\r\n/\\\"<>") != std::string::npos) host = "localhost";
    base_ = "http://" + host + std::string(kPrefix);
  }

  HttpResponse route(const std::string& path, const std::string& query,
                     const Result<Principal>& principal);

 private:
  // --- audit and refusal ---
  void audit(const std::string& action, std::optional<int64_t> child, const std::string& detail,
             const std::string& outcome = "allowed", std::vector<int64_t> more = {},
             std::string purpose = "") {
    AuditEntry e{principal_.user_id, action, child, detail};
    e.username = principal_.username;
    e.role = principal_.role;
    e.organisation = principal_.organisation;
    e.purpose = purpose.empty() ? principal_.purpose : std::move(purpose);
    e.outcome = outcome;
    e.more_children = std::move(more);
    check(record_audit(db_, e));
  }
  std::string what() const { return request_.method + " " + request_.target; }
  HttpResponse refuse(std::optional<int64_t> child, const std::string& reason) {
    audit("denied", child, what() + ": " + reason, "denied");
    return outcome(403, "forbidden", reason);
  }
  static void check(const Status& s) {
    if (!s.ok()) throw std::runtime_error(s.error().to_string());
  }
  template <typename T>
  static T check(Result<T> r) {
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }

  // --- records ---
  struct Opened {
    ChildRecord record;
    std::vector<ProtectionFlag> flags;
  };
  // The record as the principal may see it, or the response refusing it.
  std::variant<Opened, HttpResponse> open(int64_t child_id, bool want_flags);
  std::vector<Item> items_of(const Opened& opened) {
    return record_items(opened.record, opened.flags,
                        Subject{std::to_string(opened.record.child_id), false},
                        format_iso_date(today()));
  }
  std::optional<int64_t> child_of_event(int64_t event_id, std::optional<int64_t>& replaced_by);

  // --- routes ---
  HttpResponse read(const std::string& type, const std::string& id, const std::string& version);
  HttpResponse search(const std::string& type, const std::string& query);
  HttpResponse patient_search(const Search& s);
  HttpResponse everything(const std::string& id, const std::string& query);
  HttpResponse kick_off(const std::string& level, const std::string& group,
                        const std::string& query);
  HttpResponse export_status(const std::string& id);
  HttpResponse export_file(const std::string& id, const std::string& name);

  HttpResponse bundle(const std::string& path, const Search& s,
                      const std::vector<const Item*>& page, std::optional<int64_t> total, bool more,
                      const Item* include);
  HttpResponse with_version(json::object resource, const std::string& detail_action,
                            std::optional<int64_t> child);

  FhirApi& api_;
  const AccessPolicy& policy_;
  const HttpRequest& request_;
  Database& db_;
  Principal principal_;
  std::string base_;
};

HttpResponse FhirApi::Call::route(const std::string& path, const std::string& query,
                                  const Result<Principal>& principal) {
  const std::string& method = request_.method;
  const bool get = method == "GET" || method == "HEAD";
  const std::vector<std::string> seg = segments_of(std::string_view(path).substr(kPrefix.size()));
  const auto method_not_allowed = [&](const char* allow) {
    HttpResponse r =
        outcome(405, "not-supported", method + " is not supported here (allowed: " + allow + ")");
    r.headers.emplace_back("Allow", allow);
    return r;
  };

  // The CapabilityStatement is public, as FHIR expects.
  if (seg.size() == 1 && seg[0] == "metadata") {
    if (!get) return method_not_allowed("GET");
    HttpResponse r = fhir_response(200, capability_statement(base_));
    return r;
  }
  if (!principal.ok()) {
    AuditEntry e{std::nullopt, "denied", std::nullopt, what() + ": " + principal.error().message()};
    e.outcome = "denied";
    check(record_audit(db_, e));
    HttpResponse r = outcome(401, "login", principal.error().message());
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"onechild\", error=\"invalid_token\"");
    return r;
  }
  principal_ = principal.value();
  if (policy_.role(principal_.role) == nullptr) {
    return refuse(std::nullopt, "your role '" + principal_.role + "' is not in the access policy");
  }

  if (seg.empty()) return outcome(404, "not-found", "give a resource type, e.g. /fhir/R4/Patient");
  // Bulk Data.
  if (seg[0] == "$export" && seg.size() == 1) {
    if (!get && method != "POST") return method_not_allowed("GET, POST");
    return kick_off("system", "", query);
  }
  if (seg[0] == "Patient" && seg.size() == 2 && seg[1] == "$export") {
    if (!get && method != "POST") return method_not_allowed("GET, POST");
    return kick_off("patient", "", query);
  }
  if (seg[0] == "Group" && seg.size() == 3 && seg[2] == "$export") {
    if (!get && method != "POST") return method_not_allowed("GET, POST");
    return kick_off("group", seg[1], query);
  }
  if (seg[0] == "$export-status" && seg.size() == 2) {
    if (!get && method != "DELETE") return method_not_allowed("GET, DELETE");
    return export_status(seg[1]);
  }
  if (seg[0] == "$export-file" && seg.size() == 3) {
    if (!get) return method_not_allowed("GET");
    return export_file(seg[1], seg[2]);
  }

  const std::string& type = seg[0];
  if (!is_resource_type(type)) {
    return outcome(404, "not-supported", "'" + type + "' is not a resource type this server has");
  }
  if (seg.size() == 1) {
    if (!get) return method_not_allowed("GET");
    return search(type, query);
  }
  if (seg.size() == 2 && seg[1] == "_search") {
    if (method != "POST") return method_not_allowed("POST");
    // POST _search: the parameters come as a form body (and may add to the URL's).
    return search(type, query.empty() ? request_.body : query + "&" + request_.body);
  }
  if (type == "Patient" && seg.size() == 3 && seg[2] == "$everything") {
    if (!get) return method_not_allowed("GET");
    return everything(seg[1], query);
  }
  if (seg.size() == 2 || (seg.size() == 4 && seg[2] == "_history")) {
    if (!get) return method_not_allowed("GET");
    return read(type, seg[1], seg.size() == 4 ? seg[3] : "");
  }
  return outcome(404, "not-found", "no such operation: " + path);
}

std::variant<FhirApi::Call::Opened, HttpResponse> FhirApi::Call::open(int64_t child_id,
                                                                      bool want_flags) {
  auto decision = decide_record_access(db_, policy_, principal_, child_id);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) {
      return outcome(404, "not-found", "no Patient/" + std::to_string(child_id));
    }
    check(Status(decision.error()));
  }
  if (!decision->allowed) {
    std::string reason = decision->reason;
    if (decision->may_break_glass) {
      reason += " (in an emergency, use break-glass on the child's record page first)";
    }
    return refuse(child_id, reason);
  }
  Opened opened;
  opened.record = check(load_child_record(db_, child_id));
  const auto labels = check(label_record(db_, policy_, opened.record));
  apply_sensitivity(policy_, principal_, labels, opened.record);
  const RolePolicy* role = policy_.role(principal_.role);
  // Protection flags as the record page shows them: not to family members;
  // an unscheduled-care access to a flagged child tells the local authority.
  if (!role->family && (want_flags || role->unscheduled_care)) {
    opened.flags = check(protection_flags(db_, opened.record, today()));
    if (role->unscheduled_care && !opened.flags.empty()) {
      check(notify_unscheduled_access(db_, principal_, opened.record.child_id, opened.flags));
    }
  }
  return opened;
}

std::optional<int64_t> FhirApi::Call::child_of_event(int64_t event_id,
                                                     std::optional<int64_t>& replaced_by) {
  auto stmt = check(db_.prepare(R"sql(
    SELECT l.child_id, e.superseded_by FROM source_events e
    LEFT JOIN source_persons p ON p.source_system_id = e.source_system_id
                              AND p.original_id = e.person_original_id
    LEFT JOIN links l ON l.source_person_id = p.id
    WHERE e.id = ?1 ORDER BY l.child_id IS NULL LIMIT 1)sql"));
  stmt.bind(1, event_id);
  if (!check(stmt.step())) return std::nullopt;
  if (!stmt.column_is_null(1)) replaced_by = stmt.column_int64(1);
  if (stmt.column_is_null(0)) return std::nullopt;
  return stmt.column_int64(0);
}

HttpResponse FhirApi::Call::with_version(json::object resource, const std::string& action,
                                         std::optional<int64_t> child) {
  const std::string version = set_version(resource);
  const std::string etag = "W/\"" + version + "\"";
  audit(action, child, what());
  if (!request_.if_none_match.empty() && etag_matches(request_.if_none_match, version)) {
    HttpResponse r;
    r.status = 304;
    r.content_type = std::string(kFhirJson);
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  HttpResponse r = fhir_response(200, resource);
  r.headers.emplace_back("ETag", etag);
  return r;
}

HttpResponse FhirApi::Call::read(const std::string& type, const std::string& id,
                                 const std::string& version) {
  if (!scope_allows_read(principal_, type)) {
    return refuse(std::nullopt, "the token's scopes do not include " + type);
  }
  const auto not_found = [&](const std::string& more = "") {
    return outcome(404, "not-found", "no " + type + "/" + id + more);
  };
  // Which child the resource belongs to.
  std::optional<int64_t> child;
  std::optional<int64_t> replaced_by;
  if (type == "Patient") {
    child = number(id);
  } else {
    std::string_view event = id;
    if ((type == "Flag" || type == "CareTeam") && event.rfind("cpis-", 0) == 0)
      event.remove_prefix(5);
    if (auto n = number(event)) child = child_of_event(*n, replaced_by);
  }
  if (!child) return not_found();
  auto opened = open(*child, type == "Flag" || type == "CareTeam");
  if (auto* refused = std::get_if<HttpResponse>(&opened)) return std::move(*refused);
  const Opened& o = std::get<Opened>(opened);
  if (type == "Patient" && o.record.child_id != *child) {
    // Merged into another child: say where the record went.
    return with_version(merged_patient_resource(*child, o.record.child_id), "read",
                        o.record.child_id);
  }
  for (Item& item : items_of(o)) {
    if (item.type != type || item.id != id) continue;
    if (!version.empty() && content_version(item.resource) != version) {
      return outcome(404, "not-found",
                     "version " + version + " of " + type + "/" + id + " is not the current one " +
                         "(only current versions are kept)");
    }
    return with_version(std::move(item.resource), "read", o.record.child_id);
  }
  if (replaced_by) {
    return not_found(" (the source sent a newer version; look for it with a search)");
  }
  return not_found();
}

HttpResponse FhirApi::Call::bundle(const std::string& path, const Search& s,
                                   const std::vector<const Item*>& page,
                                   std::optional<int64_t> total, bool more, const Item* include) {
  const auto link = [&](std::optional<int64_t> offset) {
    QueryParams q = s.paging;
    if (offset && *offset > 0) q.emplace_back("_offset", std::to_string(*offset));
    const std::string query = format_query(q);
    return base_ + path + (query.empty() ? "" : "?" + query);
  };
  json::array links{json::object{{"relation", "self"}, {"url", link(s.offset)}}};
  if (!s.summary_count) {
    links.push_back(json::object{{"relation", "first"}, {"url", link(0)}});
    if (s.offset > 0) {
      links.push_back(json::object{{"relation", "previous"},
                                   {"url", link(std::max<int64_t>(0, s.offset - s.count))}});
    }
    if (more)
      links.push_back(json::object{{"relation", "next"}, {"url", link(s.offset + s.count)}});
  }
  json::array entries;
  const auto entry = [&](const Item& item, const char* mode) {
    json::object resource = item.resource;
    set_version(resource);
    entries.push_back(json::object{{"fullUrl", base_ + "/" + item.type + "/" + item.id},
                                   {"resource", std::move(resource)},
                                   {"search", json::object{{"mode", mode}}}});
  };
  if (!s.summary_count) {
    for (const Item* item : page)
      entry(*item, "match");
    if (include != nullptr && !page.empty()) entry(*include, "include");
  }
  json::object b{{"resourceType", "Bundle"},
                 {"meta", json::object{{"lastUpdated", timestamp_now()}}},
                 {"type", "searchset"}};
  if (total) b["total"] = *total;
  b["link"] = std::move(links);
  if (!entries.empty()) b["entry"] = std::move(entries);
  return fhir_response(200, b);
}

HttpResponse FhirApi::Call::search(const std::string& type, const std::string& query) {
  auto params = parse_query(query);
  if (!params.ok()) return outcome(400, "invalid", params.error().message());
  auto s = parse_search(type, *params);
  if (!s.ok()) return outcome(400, "invalid", s.error().message());
  if (!scope_allows_read(principal_, type)) {
    return refuse(std::nullopt, "the token's scopes do not include " + type);
  }
  if (type == "Patient") return patient_search(*s);

  std::optional<int64_t> child = s->patient;
  if (!child && principal_.via == Principal::Via::kPatientToken) child = principal_.token_child;
  if (!child) {
    return outcome(400, "required",
                   "give the patient (" + type +
                       "?patient=<id>): searches are within one "
                       "child's record");
  }
  auto opened = open(*child, type == "Flag" || type == "CareTeam");
  if (auto* refused = std::get_if<HttpResponse>(&opened)) return std::move(*refused);
  const Opened& o = std::get<Opened>(opened);
  const std::vector<Item> items = items_of(o);
  std::vector<const Item*> hits;
  for (const Item& item : items) {
    if (item.type == type && matches(*s, item)) hits.push_back(&item);
  }
  const int64_t total = static_cast<int64_t>(hits.size());
  const size_t from = static_cast<size_t>(std::min<int64_t>(s->offset, total));
  const size_t to = std::min(hits.size(), from + static_cast<size_t>(s->count));
  std::vector<const Item*> page(hits.begin() + static_cast<std::ptrdiff_t>(from),
                                hits.begin() + static_cast<std::ptrdiff_t>(to));
  audit("search", o.record.child_id,
        what() + " (" + std::to_string(page.size()) + " of " + std::to_string(total) + ")");
  return bundle("/" + type, *s, page, total, to < hits.size(),
                s->include_patient ? &items.front() : nullptr);
}

HttpResponse FhirApi::Call::patient_search(const Search& s) {
  const RolePolicy* role = policy_.role(principal_.role);
  const bool family = role->family;
  const bool token_child = principal_.via == Principal::Via::kPatientToken;
  if (!family && !token_child &&
      (!policy_.permits(principal_.role, "view-record") ||
       !policy_.permits(principal_.role, "search"))) {
    return refuse(std::nullopt, role->name + "s may not search for children");
  }
  // Candidates: the children the most selective criterion finds.
  std::set<int64_t> candidates;
  const auto add_rows = [&](Statement& stmt) {
    check(stmt.each_row([&](const Statement& row) { candidates.insert(row.column_int64(0)); }));
  };
  if (token_child) {
    if (principal_.token_child) candidates.insert(*principal_.token_child);
  } else if (family) {
    auto stmt = check(db_.prepare("SELECT child_id FROM family_access WHERE user_id = ?1"));
    stmt.bind(1, principal_.user_id);
    add_rows(stmt);
  } else if (!s.ids.empty()) {
    for (const auto& id : s.ids.front()) {
      if (auto n = number(id)) candidates.insert(*n);
    }
  } else if (!s.identifiers.empty()) {
    const std::string source_prefix = std::string(kOnechildBase) + "/Id/";
    for (const TokenFilter& f : s.identifiers.front()) {
      if (!f.system || *f.system == kNhsNumberSystem) {
        auto stmt = check(db_.prepare(R"sql(
          SELECT id FROM children WHERE nhs_number = ?1 AND merged_into IS NULL
          UNION SELECT l.child_id FROM source_persons p JOIN links l ON l.source_person_id = p.id
          WHERE p.nhs_number = ?1)sql"));
        stmt.bind(1, f.code);
        add_rows(stmt);
      } else if (f.system->rfind(source_prefix, 0) == 0) {
        auto stmt = check(db_.prepare(R"sql(
          SELECT l.child_id FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id
          JOIN links l ON l.source_person_id = p.id WHERE s.code = ?1 AND p.original_id = ?2)sql"));
        stmt.bind(1, f.system->substr(source_prefix.size())).bind(2, f.code);
        add_rows(stmt);
      }
    }
  } else if (!s.birthdates.empty()) {
    for (const DateFilter& f : s.birthdates.front()) {
      // A range that holds every match (the exact test comes after).
      std::string lo, hi = "~";
      if (f.prefix == "eq") {
        lo = f.lo, hi = f.hi + "~";
      } else if (f.prefix == "ge") {
        lo = f.lo;
      } else if (f.prefix == "gt" || f.prefix == "sa") {
        lo = f.hi + "~";
      } else if (f.prefix == "le") {
        hi = f.hi + "~";
      } else if (f.prefix == "lt" || f.prefix == "eb") {
        hi = f.lo;
      }
      auto stmt = check(db_.prepare(R"sql(
        SELECT DISTINCT l.child_id FROM source_persons p JOIN links l ON l.source_person_id = p.id
        WHERE p.superseded_by IS NULL AND p.birth_date >= ?1 AND p.birth_date < ?2)sql"));
      stmt.bind(1, lo).bind(2, hi);
      add_rows(stmt);
    }
  } else if (!s.families.empty() || !s.names.empty() || !s.givens.empty()) {
    const bool by_family = !s.families.empty();
    const bool by_name = !by_family && !s.names.empty();
    const auto& filters = by_family ? s.families.front()
                          : by_name ? s.names.front()
                                    : s.givens.front();
    for (const StringFilter& f : filters) {
      auto stmt = check(db_.prepare(R"sql(
        SELECT DISTINCT l.child_id FROM source_persons p JOIN links l ON l.source_person_id = p.id
        WHERE p.superseded_by IS NULL
          AND ((?3 AND p.family_name LIKE ?1 ESCAPE '\') OR (?4 AND p.given_name LIKE ?2 ESCAPE '\')))sql"));
      stmt.bind(1, like_pattern(f.value, f.mode != StringFilter::Mode::kContains))
          .bind(2, like_pattern(f.value, false))
          .bind(3, int64_t{by_family || by_name})
          .bind(4, int64_t{!by_family});
      add_rows(stmt);
    }
  } else {
    auto stmt = check(db_.prepare("SELECT id FROM children WHERE merged_into IS NULL"));
    add_rows(stmt);
  }
  if (candidates.size() > kMaxPatientCandidates) {
    return outcome(400, "too-costly",
                   "the search matches too many children: add a name, birthdate or identifier");
  }

  // Each candidate tested on every criterion, then on access.
  std::vector<Item> hits;
  std::vector<int64_t> children;
  for (int64_t id : candidates) {
    auto record = load_child_record(db_, id);
    if (!record.ok()) {
      if (record.error().code() == Error::Code::kNotFound) continue;
      check(Status(record.error()));
    }
    if (record->child_id != id) continue;  // merged: found under its new id
    const Item item = patient_item(*record, Subject{std::to_string(id), false});
    if (!matches(s, item)) continue;
    auto decision = check(decide_record_access(db_, policy_, principal_, id));
    if (!decision.allowed) continue;
    const auto labels = check(label_record(db_, policy_, *record));
    apply_sensitivity(policy_, principal_, labels, *record);
    hits.push_back(patient_item(*record, Subject{std::to_string(id), false}));
  }
  const int64_t total = static_cast<int64_t>(hits.size());
  const size_t from = static_cast<size_t>(std::min<int64_t>(s.offset, total));
  const size_t to = std::min(hits.size(), from + static_cast<size_t>(s.count));
  std::vector<const Item*> page;
  for (size_t i = from; i < to; ++i) {
    page.push_back(&hits[i]);
    children.push_back(std::stoll(hits[i].id));
  }
  audit("search", std::nullopt,
        what() + " (" + std::to_string(page.size()) + " of " + std::to_string(total) + ")",
        "allowed", children);
  return bundle("/Patient", s, page, total, to < hits.size(), nullptr);
}

HttpResponse FhirApi::Call::everything(const std::string& id, const std::string& query) {
  auto params = parse_query(query);
  if (!params.ok()) return outcome(400, "invalid", params.error().message());
  auto s = parse_search("$everything", *params);
  if (!s.ok()) return outcome(400, "invalid", s.error().message());
  const bool counted = std::any_of(params->begin(), params->end(),
                                   [](const auto& p) { return p.first == "_count"; });
  if (!counted) s->count = std::numeric_limits<int>::max();  // everything, unless paged
  if (!scope_allows_read(principal_, "Patient")) {
    return refuse(std::nullopt, "the token's scopes do not include Patient");
  }
  const auto child = number(id);
  if (!child) return outcome(404, "not-found", "no Patient/" + id);
  auto opened = open(*child, true);
  if (auto* refused = std::get_if<HttpResponse>(&opened)) return std::move(*refused);
  const Opened& o = std::get<Opened>(opened);
  const std::vector<Item> items = items_of(o);
  std::vector<const Item*> hits;
  for (const Item& item : items) {
    if (scope_allows_read(principal_, item.type) && matches(*s, item)) hits.push_back(&item);
  }
  const int64_t total = static_cast<int64_t>(hits.size());
  const size_t from = static_cast<size_t>(std::min<int64_t>(s->offset, total));
  const size_t to = from + std::min<size_t>(hits.size() - from, static_cast<size_t>(s->count));
  std::vector<const Item*> page(hits.begin() + static_cast<std::ptrdiff_t>(from),
                                hits.begin() + static_cast<std::ptrdiff_t>(to));
  audit("everything", o.record.child_id,
        what() + " (" + std::to_string(page.size()) + " of " + std::to_string(total) + ")");
  return bundle("/Patient/" + id + "/$everything", *s, page, total, to < hits.size(), nullptr);
}

// --- Bulk Data ---------------------------------------------------------------

HttpResponse FhirApi::Call::kick_off(const std::string& level, const std::string& group,
                                     const std::string& query) {
  if (request_.prefer.find("respond-async") == std::string::npos) {
    return outcome(400, "invalid", "a bulk export is asynchronous: send 'Prefer: respond-async'");
  }
  auto params = parse_query(query);
  if (!params.ok()) return outcome(400, "invalid", params.error().message());
  // POST: the parameters may come as a Parameters resource.
  if (request_.method == "POST" && !request_.body.empty()) {
    boost::system::error_code ec;
    const json::value body = json::parse(request_.body, ec);
    const json::value* list =
        body.is_object() ? body.as_object().if_contains("parameter") : nullptr;
    if (ec || list == nullptr || !list->is_array()) {
      return outcome(400, "invalid", "the POST body must be a Parameters resource");
    }
    for (const auto& p : list->as_array()) {
      const json::value* name = p.is_object() ? p.as_object().if_contains("name") : nullptr;
      if (name == nullptr || !name->is_string()) {
        return outcome(400, "invalid", "each Parameters.parameter needs a name");
      }
      for (const auto& [key, value] : p.as_object()) {
        if (key.starts_with("value")) {
          params->emplace_back(std::string(name->as_string()), value.is_string()
                                                                   ? std::string(value.as_string())
                                                                   : json::serialize(value));
        }
      }
    }
  }
  ExportRequest request;
  request.level = level;
  request.group = group;
  for (const auto& [name, value] : *params) {
    if (name == "_outputFormat") {
      if (value != "application/fhir+ndjson" && value != "application/ndjson" &&
          value != "ndjson") {
        return outcome(400, "not-supported", "_outputFormat: only application/fhir+ndjson");
      }
    } else if (name == "_type") {
      std::stringstream list(value);
      for (std::string t; std::getline(list, t, ',');) {
        if (!is_resource_type(t))
          return outcome(400, "invalid", "_type: '" + t + "' is not exported");
        request.types.push_back(t);
      }
    } else if (name == "_since") {
      if (!fhir_date(value) || value.size() < 10) {
        return outcome(400, "invalid", "_since must be an instant (2024-01-01T00:00:00Z)");
      }
      request.since = value;
    } else if (name == "_pseudonymise" || name == "_pseudonymize") {
      if (value != "true" && value != "false") {
        return outcome(400, "invalid", "_pseudonymise is true or false");
      }
      request.pseudonymise = value == "true";
    } else {
      return outcome(400, "not-supported", "the export parameter '" + name + "' is not supported");
    }
  }
  // Who may export, and what.
  if (principal_.via == Principal::Via::kPatientToken) {
    return refuse(std::nullopt, "a patient token cannot export");
  }
  if (!policy_.permits(principal_.role, "bulk-export")) {
    return refuse(std::nullopt, "your role may not run bulk exports");
  }
  // Every type needs a scope: "*" (no _type) only a type-wide one.
  for (const std::string& type :
       request.types.empty() ? std::vector<std::string>{"*"} : request.types) {
    if (!scope_allows_read(principal_, type)) {
      return refuse(std::nullopt, "the token's scopes do not cover every type exported");
    }
  }
  if (request.pseudonymise) {
    if (!policy_.permits(principal_.role, "view-pseudonymised")) {
      return refuse(std::nullopt, "your role may not receive pseudonymised data");
    }
  } else if (!policy_.permits(principal_.role, "view-record")) {
    return refuse(std::nullopt,
                  "your role may export pseudonymised data only: add _pseudonymise=true");
  }
  if (level == "group" && check(group_members(db_, group)).empty()) {
    return outcome(404, "not-found",
                   "no Group/" + group + " (a group is a GP practice's ODS code)");
  }
  BulkExporter& exporter = api_.exporter(db_);
  if (exporter.running() >= kMaxRunningExports) {
    HttpResponse r = outcome(429, "throttled", "exports are already running: try again later");
    r.headers.emplace_back("Retry-After", "60");
    return r;
  }
  // Pseudonymised data, or any export for a purpose beyond individual care,
  // leaves out the health data of children whose families opted out.
  request.apply_opt_out = request.pseudonymise || principal_.purpose != "direct-care";
  request.principal = principal_;
  request.kick_off = base_ + request_.target.substr(kPrefix.size());
  request.file_base_url = base_ + "/$export-file";
  const std::string purpose = request.apply_opt_out ? "secondary-use" : principal_.purpose;
  const bool pseudonymised = request.pseudonymise;
  const std::string id = check(exporter.start(db_, principal_.user_id, std::move(request)));
  audit("export", std::nullopt,
        what() + " (export " + id + (pseudonymised ? ", pseudonymised" : ", identifiable") + ")",
        "allowed", {}, purpose);
  HttpResponse r = outcome(202, "informational", "export " + id + " started", "information");
  r.headers.emplace_back("Content-Location", base_ + "/$export-status/" + id);
  return r;
}

HttpResponse FhirApi::Call::export_status(const std::string& id) {
  BulkExporter& exporter = api_.exporter(db_);
  auto state = check(exporter.state(db_, id));
  if (!state || state->status == "cancelled") {
    return outcome(404, "not-found", "no export " + id);
  }
  if (state->user_id != principal_.user_id) {
    audit("denied", std::nullopt, what() + ": another user's export", "denied");
    return outcome(404, "not-found", "no export " + id);
  }
  if (request_.method == "DELETE") {
    check(exporter.cancel(db_, id));
    audit("export", std::nullopt, what() + " (cancelled)");
    return outcome(202, "informational", "export " + id + " cancelled", "information");
  }
  if (state->status == "running") {
    HttpResponse r = outcome(202, "informational", "in progress", "information");
    const int percent = state->total > 0 ? static_cast<int>(100 * state->done / state->total) : 0;
    r.headers.emplace_back("X-Progress", std::to_string(percent) + "% (" +
                                             std::to_string(state->done) + " of " +
                                             std::to_string(state->total) + " children)");
    r.headers.emplace_back("Retry-After", "2");
    return r;
  }
  if (state->status == "failed") {
    return outcome(500, "exception", "the export failed: " + state->error);
  }
  HttpResponse r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = state->manifest;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse FhirApi::Call::export_file(const std::string& id, const std::string& name) {
  BulkExporter& exporter = api_.exporter(db_);
  auto state = check(exporter.state(db_, id));
  const auto path = exporter.file(id, name);
  if (!state || state->status != "complete" || !path) {
    return outcome(404, "not-found", "no file " + name + " in export " + id);
  }
  if (state->user_id != principal_.user_id) {
    audit("denied", std::nullopt, what() + ": another user's export", "denied");
    return outcome(404, "not-found", "no file " + name + " in export " + id);
  }
  std::ifstream in(*path, std::ios::binary);
  if (!in) return outcome(404, "not-found", "no file " + name + " in export " + id);
  std::ostringstream body;
  body << in.rdbuf();
  audit("export", std::nullopt, what() + " (download)", "allowed", {}, "secondary-use");
  HttpResponse r;
  r.status = 200;
  r.content_type = "application/fhir+ndjson";
  r.body = body.str();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// --- FhirApi -------------------------------------------------------------------

FhirApi::FhirApi(const AccessPolicy& policy) : policy_(policy) {}

FhirApi::~FhirApi() = default;

BulkExporter& FhirApi::exporter(Database& db) {
  std::lock_guard lock(mutex_);
  if (!exporter_) exporter_ = std::make_unique<BulkExporter>(db.path(), policy_);
  return *exporter_;
}

HttpResponse FhirApi::handle(const HttpRequest& request, const std::string& path,
                             const std::string& query, const Result<Principal>& principal,
                             Database& db) {
  try {
    Call call(*this, request, db);
    return call.route(path, query, principal);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onechild serve: %s %s failed: %s\n", request.method.c_str(),
                 request.target.c_str(), e.what());
    return outcome(500, "exception", "the server could not answer; the problem has been logged",
                   "fatal");
  }
}

}  // namespace onechild::api::fhir
