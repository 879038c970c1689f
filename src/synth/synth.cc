#include "synth/synth.h"

#include <array>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "core/csv.h"
#include "core/ethnicity.h"
#include "core/nhs_number.h"
#include "core/progress.h"
#include "synth/format.h"
#include "synth/random.h"
#include "synth/reference.h"

namespace onechild {
namespace {

using synth::Random;
using synth::zero_padded;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 24> kGirlNames = {
    "Olivia", "Amelia", "Isla",  "Ava",   "Mia",    "Ivy",    "Lily",  "Isabella",
    "Sophia", "Grace",  "Freya", "Aisha", "Zainab", "Maryam", "Chloe", "Emily",
    "Zoë",    "Niamh",  "Priya", "Amara", "Evie",   "Poppy",  "Ella",  "Ruby"};
constexpr std::array<std::string_view, 24> kBoyNames = {
    "Noah",  "Muhammad", "George", "Oliver", "Leo",     "Arthur", "Oscar",  "Theodore",
    "Harry", "Jack",     "Jacob",  "Alfie",  "Ibrahim", "Yusuf",  "Kai",    "Ethan",
    "Liam",  "Daniel",   "Samuel", "Tomás",  "Arjun",   "Kofi",   "Reuben", "Finley"};
constexpr std::array<std::string_view, 32> kFamilyNames = {
    "Smith",  "Jones",    "Williams", "Taylor",  "Brown",  "Davies",   "Evans", "Wilson",
    "Thomas", "Johnson",  "Roberts",  "Walker",  "Wright", "Khan",     "Ahmed", "Hussain",
    "Patel",  "Begum",    "Singh",    "O'Brien", "Murphy", "Kowalski", "Nowak", "Okafor",
    "Mensah", "Campbell", "Hughes",   "Clarke",  "Lewis",  "Hall",     "Ali",   "Green"};
// Informal forms a social care worker might record instead of the GP's name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kNicknames = {
    {{"Isabella", "Bella"},
     {"Theodore", "Theo"},
     {"Samuel", "Sam"},
     {"Daniel", "Danny"},
     {"Oliver", "Ollie"},
     {"Alfie", "Alfred"},
     {"Evie", "Eve"},
     {"Sophia", "Sophie"}}};

struct Vaccine {
  std::string_view code;  // SNOMED CT vaccine product (check against the UK refsets)
  std::string_view display;
};
constexpr Vaccine kSixInOne{"1162640003", "6-in-1 (DTaP/IPV/Hib/HepB)"};
constexpr Vaccine kMenB{"871873005", "MenB"};
constexpr Vaccine kRotavirus{"871761004", "Rotavirus"};
constexpr Vaccine kPcv{"836398006", "Pneumococcal (PCV)"};
constexpr Vaccine kHibMenC{"871871007", "Hib/MenC"};
constexpr Vaccine kMmr{"871831003", "MMR"};
constexpr Vaccine kFourInOne{"871893003", "4-in-1 pre-school booster (DTaP/IPV)"};

struct ScheduledDose {
  int age_days;
  Vaccine vaccine;
};
// The routine schedule before the July 2025 change, enough for a realistic
// record; the full cohort-dependent schedule lives in programmes/.
constexpr std::array<ScheduledDose, 14> kSchedule = {{{56, kSixInOne},
                                                      {56, kMenB},
                                                      {56, kRotavirus},
                                                      {84, kSixInOne},
                                                      {84, kPcv},
                                                      {84, kRotavirus},
                                                      {112, kSixInOne},
                                                      {112, kMenB},
                                                      {365, kHibMenC},
                                                      {365, kMmr},
                                                      {365, kPcv},
                                                      {365, kMenB},
                                                      {1217, kMmr},
                                                      {1217, kFourInOne}}};

constexpr std::array<std::string_view, 3> kEpisodeCategories = {
    "Child in need", "Child protection plan", "Looked after"};

// Children and their parents take NHS numbers from the 999 test range
// (909,091 valid numbers); past this many children the range runs short.
constexpr int64_t kMaxChildren = 500'000;

// Children per household, 1 to 4, and how often a further child is a twin.
constexpr std::array<double, 4> kHouseholdSizeWeight = {0.45, 0.35, 0.15, 0.05};
constexpr double kTwinRate = 0.016;
// A step-sibling, or a child known by another parent's surname.
constexpr double kOtherSurnameRate = 0.1;

struct Child {
  int64_t index = 0;  // 0-based, in the order children are generated
  std::string person_id;
  std::string nhs_number;
  std::string given_name, family_name, sex, postcode;
  std::string practice;  // ODS code of the GP practice, in the child's place
  char ethnic_category;  // Data Dictionary code
  Date birth_date;
};

std::vector<double> census_shares() {
  std::vector<double> shares;
  for (const auto& category : ethnic_categories())
    shares.push_back(category.census_2021_share);
  return shares;
}

// The home and parent that siblings share.
struct Household {
  std::string family_name;
  std::string postcode;
  std::string practice;
  std::string parent_nhs_number;
  char ethnic_category;
};

// The places and organisations children are drawn into, with the lists the
// per-child draws need prepared once.
struct World {
  explicit World(synth::Reference ref, Date as_of) : reference(std::move(ref)), as_of(as_of) {
    for (size_t p = 0; p < reference.places.size(); ++p) {
      practices_by_place.emplace_back();
      for (const auto* org : reference.of_type("gp-practice", static_cast<int>(p))) {
        practices_by_place.back().push_back(org->code);
      }
    }
  }
  Household make_household(Random& rng, std::set<std::string>& used) const;
  const synth::Lsoa& any_lsoa(Random& rng) const {
    return reference
        .lsoas[static_cast<size_t>(rng.below(static_cast<int64_t>(reference.lsoas.size())))];
  }

  synth::Reference reference;
  Date as_of;
  std::vector<double> ethnicity_shares = census_shares();
  std::vector<std::vector<std::string>> practices_by_place;
};

std::string make_nhs_number(Random& rng, std::set<std::string>& used) {
  for (;;) {
    std::string nine = "999" + zero_padded(rng.below(1'000'000), 6);
    const int check = NhsNumber::check_digit(nine);
    if (check < 0) continue;
    std::string number = nine + static_cast<char>('0' + check);
    if (NhsNumber::parse(number).ok() && used.insert(number).second) return number;
  }
}

// Ages 0-24 in five-year bands of roughly equal size, the 0-4s a little
// fewer (as in ONS mid-year estimates for England), uniform within a band.
int draw_age_in_days(Random& rng) {
  constexpr std::array<double, 5> kBandWeight = {0.90, 1.0, 1.0, 1.0, 1.0};
  const auto band = static_cast<int>(rng.weighted(kBandWeight));
  return band * 5 * 365 + static_cast<int>(rng.below(5 * 365));
}

char draw_ethnic_category(Random& rng, std::span<const double> shares) {
  return ethnic_categories()[rng.weighted(shares)].code;
}

Household World::make_household(Random& rng, std::set<std::string>& used) const {
  Household h;
  h.family_name = std::string(rng.pick<std::string_view>(kFamilyNames));
  const synth::Lsoa& home = any_lsoa(rng);
  h.postcode = synth::postcode_in(rng, home);
  h.practice = rng.pick<std::string>(practices_by_place[static_cast<size_t>(home.place)]);
  h.parent_nhs_number = make_nhs_number(rng, used);
  h.ethnic_category = draw_ethnic_category(rng, ethnicity_shares);
  return h;
}

// A child of the household; a twin shares the previous child's birth date.
Child make_child(Random& rng, int64_t index, const World& world, const Household& home,
                 const Child* twin_of, std::set<std::string>& used) {
  Child c;
  c.index = index;
  c.person_id = "P" + zero_padded(index + 1, 7);
  c.nhs_number = make_nhs_number(rng, used);
  c.sex = rng.chance(0.51) ? "male" : "female";
  c.given_name = std::string(c.sex == "male" ? rng.pick<std::string_view>(kBoyNames)
                                             : rng.pick<std::string_view>(kGirlNames));
  c.family_name = rng.chance(kOtherSurnameRate)
                      ? std::string(rng.pick<std::string_view>(kFamilyNames))
                      : home.family_name;
  c.postcode = home.postcode;
  c.practice = home.practice;
  c.ethnic_category = home.ethnic_category;
  c.birth_date =
      twin_of != nullptr ? twin_of->birth_date : add_days(world.as_of, -draw_age_in_days(rng));
  return c;
}

json::object gp_patient(const Child& c, const std::string& id) {
  return json::object{
      {"resourceType", "Patient"},
      {"id", id},
      {"extension",
       json::array{json::object{
           {"url", kEthnicCategoryExtension},
           {"valueCodeableConcept",
            json::object{
                {"coding", json::array{json::object{
                               {"system", kEthnicCategorySystem},
                               {"code", std::string(1, c.ethnic_category)},
                               {"display", find_ethnic_category(std::string(1, c.ethnic_category))
                                               ->name}}}}}}}}},
      {"identifier",
       json::array{json::object{
           {"extension",
            json::array{json::object{
                {"url",
                 "https://fhir.hl7.org.uk/StructureDefinition/"
                 "Extension-UKCore-NHSNumberVerificationStatus"},
                {"valueCodeableConcept",
                 json::object{{"coding", json::array{json::object{
                                             {"system",
                                              "https://fhir.hl7.org.uk/CodeSystem/"
                                              "UKCore-NHSNumberVerificationStatusEngland"},
                                             {"code", "01"},
                                             {"display", "Number present and verified"}}}}}}}}},
           {"system", "https://fhir.nhs.uk/Id/nhs-number"},
           {"value", c.nhs_number}}}},
      {"name", json::array{json::object{{"use", "official"},
                                        {"family", c.family_name},
                                        {"given", json::array{json::string(c.given_name)}}}}},
      {"gender", c.sex},
      {"birthDate", format_iso_date(c.birth_date)},
      {"address", json::array{json::object{{"postalCode", c.postcode}}}},
      {"generalPractitioner",
       json::array{json::object{
           {"identifier", json::object{{"system", "https://fhir.nhs.uk/Id/ods-organization-code"},
                                       {"value", c.practice}}}}}}};
}

json::object gp_immunisation(const std::string& id, const std::string& patient_id,
                             const Vaccine& vaccine, Date given) {
  return json::object{
      {"resourceType", "Immunization"},
      {"id", id},
      {"status", "completed"},
      {"vaccineCode",
       json::object{{"coding", json::array{json::object{{"system", "http://snomed.info/sct"},
                                                        {"code", vaccine.code},
                                                        {"display", vaccine.display}}}}}},
      {"patient", json::object{{"reference", "Patient/" + patient_id}}},
      {"occurrenceDateTime", format_iso_date(given)}};
}

// The NHS number as social care recorded it: usually right, sometimes
// missing, occasionally mistyped (one digit wrong fails Modulus 11).
// Social care's record of a value, and what kind of error (if any) it is.
struct Recorded {
  std::string value;
  std::string error;  // empty when recorded correctly
};

// The NHS number as social care recorded it: usually right; often missing;
// sometimes mistyped (one digit wrong fails Modulus 11); and sometimes a
// valid number that belongs to someone else, a sibling's or the mother's,
// which no check digit can catch.
Recorded social_care_nhs_number(Random& rng, const Child& child, const std::vector<Child>& family,
                                const Household& home) {
  if (rng.chance(0.15)) return {"", "missing"};
  if (rng.chance(0.03)) {
    std::string typo = child.nhs_number;
    const auto pos = static_cast<size_t>(rng.below(9));
    typo[pos] = static_cast<char>('0' + (typo[pos] - '0' + 1 + rng.below(9)) % 10);
    return {typo.substr(0, 3) + " " + typo.substr(3, 3) + " " + typo.substr(6), "mistyped"};
  }
  if (rng.chance(0.02)) {
    for (const Child& sibling : family) {
      if (sibling.person_id != child.person_id) return {sibling.nhs_number, "sibling's number"};
    }
    return {home.parent_nhs_number, "parent's number"};
  }
  return {child.nhs_number, ""};
}

std::string social_care_given_name(Random& rng, const std::string& name) {
  if (rng.chance(0.3)) {
    for (const auto& [formal, informal] : kNicknames) {
      if (formal == name) return std::string(informal);
    }
  }
  return name;
}

class FeedWriter {
 public:
  explicit FeedWriter(const fs::path& dir)
      : gp_(dir / "feeds" / "gp.ndjson"),
        csc_persons_(dir / "feeds" / "social_care.persons.csv"),
        csc_episodes_(dir / "feeds" / "social_care.episodes.csv"),
        truth_(dir / "truth" / "persons.csv"),
        errors_(dir / "truth" / "errors.csv") {
    csc_persons_ << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n";
    csc_episodes_ << "episode_id,local_id,category,start_date,end_date\n";
    truth_ << "source,original_id,person_id\n";
    errors_ << "source,original_id,field,true_value,recorded_value,error\n";
  }

  // Notes an injected error so tests can measure what linkage recovers.
  void error(std::string_view id, std::string_view field, std::string_view truth,
             const Recorded& recorded) {
    if (recorded.error.empty()) return;
    errors_ << "social_care," << id << ',' << field << ',' << csv_quote(truth) << ','
            << csv_quote(recorded.value) << ',' << recorded.error << '\n';
  }
  bool good() const {
    return gp_.good() && csc_persons_.good() && csc_episodes_.good() && truth_.good() &&
           errors_.good();
  }

  std::ofstream gp_, csc_persons_, csc_episodes_, truth_, errors_;
};

void write_gp_records(Random& rng, const Child& c, int64_t index, Date as_of, FeedWriter& out,
                      SynthSummary& summary) {
  const std::string patient_id = "gp-" + zero_padded(index + 1, 7);
  out.gp_ << json::serialize(gp_patient(c, patient_id)) << '\n';
  out.truth_ << "gp," << patient_id << ',' << c.person_id << '\n';
  ++summary.gp_patients;
  int dose = 0;
  for (const auto& scheduled : kSchedule) {
    const Date due = add_days(c.birth_date, scheduled.age_days);
    if (std::chrono::sys_days{due} > std::chrono::sys_days{as_of} || !rng.chance(0.93)) continue;
    Date given = add_days(due, static_cast<int>(rng.below(29)));
    if (std::chrono::sys_days{given} > std::chrono::sys_days{as_of}) given = as_of;
    out.gp_ << json::serialize(gp_immunisation(patient_id + "-imm-" + std::to_string(++dose),
                                               patient_id, scheduled.vaccine, given))
            << '\n';
    ++summary.immunisations;
  }
}

void write_social_care_records(Random& rng, const Child& c, int64_t index, const World& world,
                               const std::vector<Child>& family, const Household& home,
                               FeedWriter& out, SynthSummary& summary) {
  const Date as_of = world.as_of;
  const std::string local_id = "CSC" + zero_padded(index + 1, 7);
  // One in ten have moved since the GP last heard.
  const Recorded postcode = rng.chance(0.1)
                                ? Recorded{synth::postcode_in(rng, world.any_lsoa(rng)), "moved"}
                                : Recorded{c.postcode, ""};
  const std::string given = social_care_given_name(rng, c.given_name);
  const Recorded given_name{given, given == c.given_name ? "" : "nickname"};
  const Recorded nhs = social_care_nhs_number(rng, c, family, home);
  out.csc_persons_ << local_id << ',' << csv_quote(given_name.value) << ','
                   << csv_quote(c.family_name) << ',' << format_iso_date(c.birth_date) << ','
                   << c.sex << ',' << postcode.value << ',' << nhs.value << '\n';
  out.error(local_id, "given_name", c.given_name, given_name);
  out.error(local_id, "postcode", c.postcode, postcode);
  out.error(local_id, "nhs_number", c.nhs_number, nhs);
  out.truth_ << "social_care," << local_id << ',' << c.person_id << '\n';
  ++summary.social_care_persons;

  const int age_days = static_cast<int>(
      (std::chrono::sys_days{as_of} - std::chrono::sys_days{c.birth_date}).count());
  const int episodes = static_cast<int>(rng.between(1, 2));
  for (int e = 0; e < episodes; ++e) {
    const Date start = add_days(c.birth_date, static_cast<int>(rng.below(age_days + 1)));
    const int length = static_cast<int>(rng.between(30, 700));
    const Date end = add_days(start, length);
    const bool open = std::chrono::sys_days{end} > std::chrono::sys_days{as_of};
    out.csc_episodes_ << local_id << "-E" << (e + 1) << ',' << local_id << ','
                      << rng.pick<std::string_view>(kEpisodeCategories) << ','
                      << format_iso_date(start) << ',' << (open ? "" : format_iso_date(end))
                      << '\n';
    ++summary.social_care_episodes;
  }
}

}  // namespace

Result<SynthSummary> synthesise(const SynthOptions& options) {
  if (options.children <= 0) return Error::invalid_argument("--children must be at least 1");
  // NHS numbers come from the 999 test range: 909,091 valid numbers, and
  // drawing unique ones slows sharply as the range fills.
  if (options.children > kMaxChildren) {
    return Error::invalid_argument(
        "--children must be at most 500,000 (the NHS test number range, shared with parents)");
  }
  const fs::path dir(options.out_dir);
  std::error_code ec;
  for (const char* sub : {"feeds", "truth"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      return Error::io_error("cannot create '" + (dir / sub).string() + "': " + ec.message());
    }
  }
  FeedWriter out(dir);
  if (!out.good()) return Error::io_error("cannot write feeds under '" + dir.string() + "'");

  Random rng(options.seed);
  const World world(synth::make_reference(rng, options.children, options.as_of), options.as_of);
  if (Status s = synth::write_reference(world.reference, options.out_dir); !s.ok())
    return s.error();
  std::set<std::string> used_numbers;
  SynthSummary summary;
  Progress progress("synth", options.children);
  std::vector<Child> family;
  for (int64_t i = 0; i < options.children;) {
    const Household home = world.make_household(rng, used_numbers);
    const auto size = static_cast<int64_t>(rng.weighted(kHouseholdSizeWeight)) + 1;
    family.clear();
    for (int64_t k = 0; k < size && i < options.children; ++k, ++i) {
      const Child* twin_of = !family.empty() && rng.chance(kTwinRate) ? &family.back() : nullptr;
      family.push_back(make_child(rng, i, world, home, twin_of, used_numbers));
    }
    // Feeds are written once the whole family exists, so a record can carry
    // a sibling's number by mistake.
    for (const Child& child : family) {
      if (rng.chance(0.98)) write_gp_records(rng, child, child.index, options.as_of, out, summary);
      if (rng.chance(0.12)) {
        write_social_care_records(rng, child, child.index, world, family, home, out, summary);
      }
      ++summary.children;
      progress.advance();
    }
  }
  progress.finish();

  std::ofstream manifest(dir / "truth" / "manifest.json");
  manifest << json::serialize(json::object{{"generator", "onechild synth"},
                                           {"seed", options.seed},
                                           {"children", options.children},
                                           {"as_of", format_iso_date(options.as_of)}})
           << '\n';
  out.gp_.flush();
  if (!out.good() || !manifest.good()) {
    return Error::io_error("writing feeds under '" + dir.string() + "' failed (disk full?)");
  }
  return summary;
}

}  // namespace onechild
