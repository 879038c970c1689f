// The web application's pages on arbitrary requests: every page module,
// signed in as each kind of user, with a fuzzed method, path, query and form
// body (the form token is added to posts, so forms are really submitted).
// Never a crash, and never a 500: bad input must be a 4xx page that says
// what is wrong. The store is a small ICS built once, at start-up.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "access/grants.h"
#include "access/users.h"
#include "api/connection_pool.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"

namespace {

namespace fs = std::filesystem;
using onechild::api::HttpRequest;
using onechild::api::HttpResponse;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "web_pages_fuzz: %s\n", what);
    std::abort();
  }
}

std::string header_of(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

std::string csrf_of(const std::string& html) {
  const std::string marker = R"(name="csrf" value=")";
  const size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

struct Session {
  std::string cookie, csrf;
};

// One ICS for the whole run: two children with events, one of them on a
// child protection plan, and an account for each kind of user.
struct Fixture {
  fs::path dir;
  std::unique_ptr<onechild::api::ConnectionPool> pool;
  std::unique_ptr<onechild::api::Router> router;
  std::vector<Session> sessions;

  Fixture() {
    char tmpl[] = "/tmp/onechild-web-fuzz-XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::ofstream(dir / "gp.ndjson")
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"O'Brien","given":["<b>Zoë</b>"]}],"birthDate":"2021-03-04","address":[{"postalCode":"LS1 4AP"}]})"
           "\n"
        << R"({"resourceType":"Patient","id":"g2","name":[{"family":"Smith","given":["Sam"]}],"birthDate":"2012-01-31","address":[{"postalCode":"LS2 7XY"}]})"
           "\n"
        << R"({"resourceType":"Immunization","id":"i1","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"code":"871831003","display":"MMR"}]},"occurrenceDateTime":"2022-03-10"})"
           "\n"
        << R"({"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"50373000","display":"Body height"}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":"2024-03-04","valueQuantity":{"value":112.4,"unit":"cm"}})"
           "\n";
    const std::string db_path = (dir / "x.db").string();
    auto db = onechild::Database::open(db_path);
    check(db.ok(), "open");
    check(onechild::ingest_paths(*db, {(dir / "gp.ndjson").string()}).ok(), "ingest");
    // The fixed model: training on two records would only waste the run.
    check(
        onechild::link_unlinked(*db, {ONECHILD_TEST_DATA "/linkage/fixed.toml", false, false}).ok(),
        "link");
    check(onechild::add_caseload_area(*db, "HV", "LS1").ok(), "caseload");
    struct Account {
      const char *name, *role, *organisation;
    };
    const Account accounts[] = {{"hv", "health-visitor", "HV"},
                                {"ed", "emergency-clinician", "RZA"},
                                {"sw", "social-worker", "E08000035"},
                                {"analyst", "analyst", "ICB"},
                                {"dm", "data-manager", "ICB"},
                                {"ig", "ig-officer", "ICB"},
                                {"parent", "parent", ""}};
    for (const Account& a : accounts) {
      check(
          onechild::add_user(*db, a.name, a.name, a.role, "a long enough password", a.organisation)
              .ok(),
          "user");
    }
    check(onechild::grant_family_access(*db, "parent", 1, "parent", false).ok(), "family");
    pool = std::make_unique<onechild::api::ConnectionPool>(db_path);
    router = std::make_unique<onechild::api::Router>(*pool, dir.string());
    for (const Account& a : accounts) {
      const auto form = router->handle({"GET", "/login", "", "", "localhost", ""});
      const std::string login_cookie = header_of(form, "Set-Cookie");
      auto r = router->handle({"POST", "/login", login_cookie.substr(0, login_cookie.find(';')), "",
                               "localhost",
                               std::string("username=") + a.name +
                                   "&password=a+long+enough+password&csrf=" + csrf_of(form.body)});
      const std::string cookie = header_of(r, "Set-Cookie");
      check(r.status == 303 && !cookie.empty(), "login");
      Session s{cookie.substr(0, cookie.find(';')), ""};
      s.csrf = csrf_of(router->handle({"GET", "/", s.cookie, "", "localhost", ""}).body);
      sessions.push_back(std::move(s));
    }
  }
  ~Fixture() {
    router.reset();
    pool.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// The pages' own prefixes, so the fuzzer reaches every module quickly.
constexpr std::string_view kPrefixes[] = {
    "/",
    "/search?",
    "/children/1",
    "/children/2/",
    "/family",
    "/family/1",
    "/worklists?",
    "/hub",
    "/hub/cases",
    "/notifications",
    "/outcomes",
    "/outcomes/",
    "/board",
    "/linkage",
    "/linkage/children/1/",
    "/data-quality",
    "/ig?",
    "/ig/break-glass",
    "/ig/chain",
    "/api/worklists/",
};

}  // namespace

// Input: byte 0 picks the user, byte 1 the method and prefix, then the rest
// of the target up to a newline, then the body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  if (size < 2) return 0;
  const Session& session = fixture.sessions[data[0] % fixture.sessions.size()];
  const bool post = data[1] & 0x80;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t newline = rest.find('\n');
  std::string target(kPrefixes[(data[1] & 0x7f) % std::size(kPrefixes)]);
  target += rest.substr(0, newline);
  std::string body = newline == std::string_view::npos ? "" : std::string(rest.substr(newline + 1));
  if (post) body += "&csrf=" + session.csrf;
  if (target.find_first_of(" \r\n") != std::string::npos) return 0;  // not an HTTP target
  const HttpResponse r = fixture.router->handle(
      {post ? "POST" : "GET", target, session.cookie, "", "localhost", body});
  check(r.status != 500, "a request made a 500");
  check(r.status >= 200 && r.status < 500, "a status outside 2xx-4xx");
  return 0;
}
