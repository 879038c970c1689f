// Indicator definitions and vulnerable groups as data: every shipped file
// parses into what it says, and each kind of malformed definition is refused
// with a message naming the file, the indicator and the problem.
#include "analytics/indicator_definition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

const IndicatorDefinition* find(const std::vector<IndicatorDefinition>& defs, std::string_view id) {
  const auto it = std::find_if(defs.begin(), defs.end(),
                               [&](const IndicatorDefinition& d) { return d.id == id; });
  return it == defs.end() ? nullptr : &*it;
}

// One [[indicator]] table: a valid clock proportion, with keys replaced
// (an empty value removes the key) or added after the others. Values are
// TOML as written on the right of '='.
using Changes = std::vector<std::pair<std::string, std::string>>;
std::string indicator(const Changes& changes = {}) {
  std::vector<std::pair<std::string, std::string>> keys = {
      {"id", "\"a\""},
      {"name", "\"A\""},
      {"domain", "\"D\""},
      {"source", "\"S\""},
      {"unit", "\"%\""},
      {"method", "\"proportion\""},
      {"polarity", "\"higher-is-better\""},
      {"measure", "{ type = \"clock\", clock = \"c\" }"}};
  for (const auto& [key, value] : changes) {
    const auto it =
        std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == key; });
    if (it == keys.end()) {
      keys.emplace_back(key, value);
    } else if (value.empty()) {
      keys.erase(it);
    } else {
      it->second = value;
    }
  }
  std::string out = "[[indicator]]\n";
  for (const auto& [key, value] : keys)
    out += key + " = " + value + "\n";
  return out;
}

// Measures of each type, valid as they stand.
const std::string kEvents =
    "{ type = \"events\", ages = [0, 4], event = { kind = \"ed-attendance\" } }";
const std::string kPeople =
    "{ type = \"people\", numerator = [{ when = \"before\", any = [{ kind = \"care-plan\" }] }] }";
const Changes kRate = {{"unit", "\"per 1,000\""}, {"method", "\"crude-rate\""}};

Changes with(Changes base, const Changes& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// --- The shipped files -------------------------------------------------------

TEST(IndicatorDefinitions, EveryShippedFileParses) {
  auto defs = load_indicators(ONECHILD_CONFIG_DIR "/indicators");
  ASSERT_TRUE(defs.ok()) << defs.error().to_string();
  EXPECT_EQ(defs->size(), 43u);
  EXPECT_EQ(default_indicators_dir(), ONECHILD_CONFIG_DIR "/indicators");
  for (const IndicatorDefinition& d : *defs) {
    EXPECT_FALSE(d.name.empty()) << d.id;
    EXPECT_FALSE(d.source.empty()) << d.id;
    EXPECT_TRUE(d.origin.ends_with(".toml")) << d.id << " " << d.origin;
  }

  // coverage
  const IndicatorDefinition* d = find(*defs, "imms-12m-6in1");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kCoverage);
  EXPECT_EQ(d->measure.target, "12m-6in1");
  EXPECT_EQ(d->method, Method::kProportion);
  EXPECT_EQ(d->unit, "%");
  EXPECT_EQ(d->multiplier, 100);
  EXPECT_EQ(d->polarity, stats::Polarity::kHigherIsBetter);
  EXPECT_EQ(d->domain, "Immunisation");
  EXPECT_EQ(d->period_months, 12);
  EXPECT_EQ(d->suppression.numerator_min, 0);
  EXPECT_EQ(d->suppression.numerator_max, 0);
  EXPECT_EQ(d->suppression.denominator_min, 1);
  EXPECT_EQ(d->suppression.denominator_max, 2);
  EXPECT_TRUE(d->origin.ends_with("/indicators/immunisation.toml")) << d->origin;

  // schedule, with the second deadline
  d = find(*defs, "hv-12m-by-15m");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kSchedule);
  EXPECT_EQ(d->measure.target, "12-month-review");
  EXPECT_TRUE(d->measure.also_by);
  d = find(*defs, "hv-12m-by-12m");
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->measure.also_by);

  // clock: a median in days, and a proportion on the same kind of clock
  d = find(*defs, "camhs-wait-median");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kClock);
  EXPECT_EQ(d->measure.target, "camhs-first-contact");
  EXPECT_EQ(d->method, Method::kMedian);
  EXPECT_EQ(d->unit, "days");
  EXPECT_EQ(d->multiplier, 1);
  d = find(*defs, "camhs-seen-4-weeks");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->method, Method::kProportion);
  EXPECT_EQ(d->measure.target, "camhs-first-contact");

  // events: a directly standardised rate
  d = find(*defs, "admissions-self-harm");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kEvents);
  EXPECT_EQ(d->method, Method::kDsr);
  EXPECT_EQ(d->unit, "per 100,000");
  EXPECT_EQ(d->multiplier, 1e5);
  EXPECT_EQ(d->measure.min_age, 10);
  EXPECT_EQ(d->measure.max_age, 24);
  EXPECT_EQ(d->measure.event.kind, "admission");
  EXPECT_TRUE(d->measure.event.codes.empty());
  ASSERT_FALSE(d->measure.event.values.empty());
  EXPECT_EQ(d->measure.event.values.front(), "X6*");
  EXPECT_EQ(d->measure.event.statuses, std::vector<std::string>{"2*"});
  d = find(*defs, "ae-0-4");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->method, Method::kCrudeRate);
  EXPECT_EQ(d->multiplier, 1000);
  EXPECT_EQ(d->measure.min_age, 0);
  EXPECT_EQ(d->measure.max_age, 4);

  // share: ASQ-3, every domain at its cut-off on the same day
  d = find(*defs, "asq3-all-domains");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kShare);
  EXPECT_EQ(d->measure.event.kind, "observation");
  EXPECT_EQ(d->measure.event.codes, std::vector<std::string>{"asq3-communication"});
  ASSERT_EQ(d->measure.same_day.size(), 5u);
  EXPECT_EQ(d->measure.same_day[1].codes, std::vector<std::string>{"asq3-gross-motor"});
  ASSERT_TRUE(d->measure.same_day[1].min_value.has_value());
  EXPECT_DOUBLE_EQ(*d->measure.same_day[1].min_value, 38.07);
  EXPECT_FALSE(d->measure.same_day[1].max_value.has_value());

  // people: three conditions in the numerator
  d = find(*defs, "integrated-care-composite");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.type, MeasureType::kPeople);
  EXPECT_EQ(d->measure.min_age, 0);
  EXPECT_EQ(d->measure.max_age, 17);
  EXPECT_FALSE(d->measure.birthday.has_value());
  ASSERT_EQ(d->measure.population.size(), 1u);
  EXPECT_EQ(d->measure.population[0].when, Condition::When::kBefore);
  EXPECT_EQ(d->measure.population[0].any.at(0).kind, "condition");
  ASSERT_EQ(d->measure.numerator.size(), 3u);
  EXPECT_EQ(d->measure.numerator[0].when, Condition::When::kBefore);
  EXPECT_EQ(d->measure.numerator[0].any.at(0).statuses, std::vector<std::string>{"active"});
  EXPECT_EQ(d->measure.numerator[1].when, Condition::When::kWithin);
  EXPECT_EQ(d->measure.numerator[1].within_months, 12);
  EXPECT_EQ(d->measure.numerator[2].when, Condition::When::kNoneWithin);
  EXPECT_EQ(d->measure.numerator[2].any.at(0).kind, "admission");
  d = find(*defs, "transition-plan-by-16");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->measure.birthday, 16);
  ASSERT_EQ(d->measure.population.size(), 1u);
  EXPECT_EQ(d->measure.population[0].any.size(), 2u);
  d = find(*defs, "lac-immunised");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->measure.numerator.size(), 1u);
  EXPECT_EQ(d->measure.numerator[0].when, Condition::When::kImmunised);
  EXPECT_TRUE(d->measure.numerator[0].any.empty());
  EXPECT_EQ(d->measure.population.at(0).when, Condition::When::kOpen);
}

TEST(IndicatorDefinitions, ShippedVulnerableGroupsParse) {
  auto groups = load_vulnerable_groups(ONECHILD_CONFIG_DIR "/vulnerable_groups.toml");
  ASSERT_TRUE(groups.ok()) << groups.error().to_string();
  ASSERT_EQ(groups->size(), 6u);
  EXPECT_EQ((*groups)[0].id, "looked-after");
  EXPECT_EQ((*groups)[0].name, "Looked after");
  EXPECT_EQ((*groups)[0].condition.when, Condition::When::kOpen);
  EXPECT_EQ((*groups)[0].condition.any.at(0).kind, "social-care-episode");
  EXPECT_EQ((*groups)[0].condition.any.at(0).codes.size(), 13u);
  EXPECT_EQ((*groups)[3].id, "ehc-plan");
  ASSERT_EQ((*groups)[3].condition.any.size(), 2u);
  EXPECT_EQ((*groups)[3].condition.any[1].values, std::vector<std::string>{"*SEN E*"});
  EXPECT_EQ((*groups)[4].id, "sen-support");
  EXPECT_EQ((*groups)[4].condition.when, Condition::When::kWithin);
  EXPECT_EQ((*groups)[4].condition.within_months, 12);
}

// --- Hand-written definitions ------------------------------------------------

TEST(IndicatorDefinitions, BaseDefinitionsParse) {
  // The starting points of the malformed cases below are themselves valid.
  for (const Changes& c :
       {Changes{}, with(kRate, {{"measure", kEvents}}), Changes{{"measure", kPeople}},
        Changes{{"unit", "\"days\""}, {"method", "\"median\""}}}) {
    auto defs = parse_indicators(indicator(c), "x.toml");
    ASSERT_TRUE(defs.ok()) << defs.error().to_string() << "\n" << indicator(c);
    ASSERT_EQ(defs->size(), 1u);
    EXPECT_EQ(defs->front().id, "a");
    EXPECT_EQ(defs->front().origin, "x.toml");
  }

  // Every setting, read into its field.
  auto defs = parse_indicators(
      indicator({{"description", "\"Desc\""},
                 {"polarity", "\"lower-is-better\""},
                 {"period_months", "3"},
                 {"breakdowns", "[\"sex\", \"vulnerable-group\"]"},
                 {"suppress", "{ numerator = [1, 5], denominator = [1, 9] }"},
                 {"measure",
                  "{ type = \"people\", ages = [2, 5], birthday = 4, population = [{ when = "
                  "\"none-within\", months = 6, any = [{ kind = \"k\", codes = [\"C*\"], values = "
                  "[\"V\"], statuses = [\"s\"], min_value = 1.5, max_value = 9 }] }], numerator = "
                  "[{ when = \"open\", any = [{ kind = \"o\" }] }] }"}}) +
          indicator({{"id", "\"b-2\""},
                     {"method", "\"dsr\""},
                     {"unit", "\"per 10,000\""},
                     {"polarity", "\"no-judgement\""},
                     {"measure", kEvents}}),
      "x.toml");
  ASSERT_TRUE(defs.ok()) << defs.error().to_string();
  ASSERT_EQ(defs->size(), 2u);
  const IndicatorDefinition& a = (*defs)[0];
  EXPECT_EQ(a.description, "Desc");
  EXPECT_EQ(a.polarity, stats::Polarity::kLowerIsBetter);
  EXPECT_EQ(a.period_months, 3);
  EXPECT_EQ(a.breakdowns, (std::vector<std::string>{"sex", "vulnerable-group"}));
  EXPECT_EQ(a.suppression.numerator_min, 1);
  EXPECT_EQ(a.suppression.numerator_max, 5);
  EXPECT_EQ(a.suppression.denominator_max, 9);
  EXPECT_EQ(a.measure.min_age, 2);
  EXPECT_EQ(a.measure.max_age, 5);
  EXPECT_EQ(a.measure.birthday, 4);
  ASSERT_EQ(a.measure.population.size(), 1u);
  const Condition& c = a.measure.population[0];
  EXPECT_EQ(c.when, Condition::When::kNoneWithin);
  EXPECT_EQ(c.within_months, 6);
  ASSERT_EQ(c.any.size(), 1u);
  EXPECT_EQ(c.any[0].kind, "k");
  EXPECT_EQ(c.any[0].codes, std::vector<std::string>{"C*"});
  EXPECT_EQ(c.any[0].values, std::vector<std::string>{"V"});
  EXPECT_EQ(c.any[0].statuses, std::vector<std::string>{"s"});
  EXPECT_EQ(c.any[0].min_value, 1.5);
  EXPECT_EQ(c.any[0].max_value, 9);
  EXPECT_EQ(a.measure.numerator.at(0).when, Condition::When::kOpen);
  const IndicatorDefinition& b = (*defs)[1];
  EXPECT_EQ(b.id, "b-2");
  EXPECT_EQ(b.method, Method::kDsr);
  EXPECT_EQ(b.multiplier, 10000);
  EXPECT_EQ(b.polarity, stats::Polarity::kNoJudgement);
  EXPECT_TRUE(b.breakdowns.empty());
  EXPECT_EQ(b.suppression.numerator_min, 1);  // the default rule: numerators 1-7
  EXPECT_EQ(b.suppression.numerator_max, 7);

  // A file of comments only defines nothing (load_indicators refuses a
  // directory with nothing in it).
  auto none = parse_indicators("# nothing yet\n", "x.toml");
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_TRUE(none->empty());
}

struct Case {
  std::string text;
  std::string expect;  // in the message, after "x.toml"
};

void expect_refused(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    auto defs = parse_indicators(c.text, "x.toml");
    ASSERT_FALSE(defs.ok()) << "accepted:\n" << c.text;
    const std::string& m = defs.error().message();
    EXPECT_EQ(defs.error().code(), Error::Code::kInvalidArgument) << m;
    EXPECT_TRUE(m.starts_with("x.toml")) << m;
    EXPECT_NE(m.find(c.expect), std::string::npos)
        << "expected: " << c.expect << "\ngot:      " << m << "\nfor:\n"
        << c.text;
  }
}

TEST(IndicatorDefinitions, TomlSyntaxErrorNamesTheLine) {
  auto defs = parse_indicators(
      "[[indicator]]\nid = \"a\"\n# a comment\nname = \"unterminated\nunit = \"%\"\n", "x.toml");
  ASSERT_FALSE(defs.ok());
  EXPECT_TRUE(defs.error().message().starts_with("x.toml:4: ")) << defs.error().message();

  defs = parse_indicators(indicator() + indicator() + "measure = { type = \"clock\" ", "x.toml");
  ASSERT_FALSE(defs.ok());
  EXPECT_TRUE(defs.error().message().starts_with("x.toml:19: ")) << defs.error().message();

  // A key given twice is a TOML error too, not a silent overwrite.
  defs = parse_indicators(indicator({{"name", "\"B\""}}) + "name = \"C\"\n", "x.toml");
  ASSERT_FALSE(defs.ok());
  EXPECT_TRUE(defs.error().message().starts_with("x.toml:10: ")) << defs.error().message();
}

TEST(IndicatorDefinitions, UnknownSettingsAreRefusedWhereverTheyAre) {
  expect_refused({
      {"title = \"Indicators\"\n" + indicator(),
       "x.toml: unknown setting 'title' (definitions are [[indicator]] tables)"},
      {indicator() + "[settings]\nx = 1\n", "x.toml: unknown setting 'settings'"},
      {indicator({{"colour", "\"red\""}}), "x.toml: indicator 1: unknown setting 'colour'"},
      {indicator() + indicator({{"id", "\"b\""}, {"periods", "3"}}),
       "x.toml: indicator 2: unknown setting 'periods'"},
      {indicator({{"measure", "{ type = \"clock\", clock = \"c\", clocks = \"d\" }"}}),
       "x.toml: indicator 'a' measure: unknown setting 'clocks'"},
      // A setting of another measure type is unknown to this one.
      {indicator({{"measure", "{ type = \"clock\", clock = \"c\", ages = [0, 4] }"}}),
       "x.toml: indicator 'a' measure: unknown setting 'ages'"},
      {indicator(with(
           kRate, {{"measure", "{ type = \"events\", event = { kind = \"k\" }, item = \"i\" }"}})),
       "x.toml: indicator 'a' measure: unknown setting 'item'"},
      {indicator(
           with(kRate,
                {{"measure", "{ type = \"events\", event = { kind = \"k\", code = [\"X\"] } }"}})),
       "x.toml: indicator 'a' measure event: unknown setting 'code'"},
      {indicator({{"measure",
                   "{ type = \"share\", event = { kind = \"k\" }, same_day = [{ kind = \"k\", "
                   "minimum = 3 }] }"}}),
       "x.toml: indicator 'a' measure same_day: unknown setting 'minimum'"},
      {indicator({{"measure",
                   "{ type = \"people\", numerator = [{ when = \"before\", any = [{ kind = \"k\", "
                   "status = [\"s\"] }] }] }"}}),
       "x.toml: indicator 'a' measure numerator any: unknown setting 'status'"},
      {indicator({{"measure",
                   "{ type = \"people\", numerator = [{ when = \"within\", month = 6, any = [{ "
                   "kind = \"k\" }] }] }"}}),
       "x.toml: indicator 'a' measure numerator: unknown setting 'month'"},
      {indicator({{"suppress", "{ numerators = [1, 7] }"}}),
       "x.toml: indicator 'a' suppress: unknown setting 'numerators'"},
  });
}

TEST(IndicatorDefinitions, RequiredSettingsAreRequired) {
  expect_refused({
      {indicator({{"id", ""}}), "x.toml: indicator 1: 'id' is required"},
      {indicator() + indicator({{"id", ""}}), "x.toml: indicator 2: 'id' is required"},
      {indicator({{"name", ""}}), "x.toml: indicator 'a': 'name' is required"},
      {indicator({{"domain", ""}}), "x.toml: indicator 'a': 'domain' is required"},
      {indicator({{"source", ""}}), "x.toml: indicator 'a': 'source' is required"},
      {indicator({{"unit", ""}}), "x.toml: indicator 'a': 'unit' is required"},
      {indicator({{"method", ""}}), "x.toml: indicator 'a': 'method' is required"},
      {indicator({{"polarity", ""}}), "x.toml: indicator 'a': 'polarity' is required"},
      {indicator({{"measure", ""}}),
       "x.toml: indicator 'a': 'measure' is required: a table with a type"},
      {indicator({{"measure", "\"clock\""}}), "x.toml: indicator 'a': 'measure' is required"},
      {indicator({{"measure", "{ clock = \"c\" }"}}),
       "x.toml: indicator 'a' measure: 'type' is required"},
      {indicator({{"measure", "{ type = \"clock\" }"}}),
       "x.toml: indicator 'a' measure: 'clock' is required"},
      {indicator({{"measure", "{ type = \"coverage\" }"}}),
       "x.toml: indicator 'a' measure: 'coverage' is required"},
      {indicator({{"measure", "{ type = \"schedule\", also_by = true }"}}),
       "x.toml: indicator 'a' measure: 'item' is required"},
      {indicator(with(kRate, {{"measure", "{ type = \"events\", ages = [0, 4] }"}})),
       "x.toml: indicator 'a' measure: 'event' is required"},
      {indicator({{"measure", "{ type = \"share\", same_day = [{ kind = \"k\" }] }"}}),
       "x.toml: indicator 'a' measure: 'event' is required"},
      {indicator({{"measure", "{ type = \"share\", event = { kind = \"k\" } }"}}),
       "x.toml: indicator 'a' measure: 'same_day' must list what the numerator needs"},
      {indicator({{"measure", "{ type = \"people\", ages = [0, 4] }"}}),
       "x.toml: indicator 'a' measure: 'numerator' must list at least one condition"},
      {indicator({{"measure", "{ type = \"people\", numerator = [] }"}}),
       "x.toml: indicator 'a' measure: 'numerator' must list at least one condition"},
      {indicator(with(kRate, {{"measure", "{ type = \"events\", event = { codes = [\"X\"] } }"}})),
       "x.toml: indicator 'a' measure event: 'kind' is required"},
      {indicator(
           {{"measure", "{ type = \"people\", numerator = [{ any = [{ kind = \"k\" }] }] }"}}),
       "x.toml: indicator 'a' measure numerator: 'when' is required"},
  });
}

TEST(IndicatorDefinitions, WrongValuesAreRefused) {
  expect_refused({
      // ids
      {indicator({{"id", "\"A-1\""}}),
       "x.toml: indicator 1: id 'A-1' must be lower-case letters, digits, '-'"},
      {indicator({{"id", "\"a b\""}}), "x.toml: indicator 1: id 'a b' must be lower-case"},
      {indicator({{"id", "\"a_b\""}}), "x.toml: indicator 1: id 'a_b' must be lower-case"},
      {indicator({{"id", "\"caf\u00e9\""}}), "x.toml: indicator 1: id 'caf\u00e9' must be"},
      {indicator({{"id", "\"\""}}), "x.toml: indicator 1: 'id' must be a non-empty text"},
      {indicator({{"id", "7"}}), "x.toml: indicator 1: 'id' must be a non-empty text"},
      {indicator({{"name", "\"\""}}), "x.toml: indicator 'a': 'name' must be a non-empty text"},
      // unit, method, polarity, measure type
      {indicator({{"unit", "\"percent\""}}),
       "x.toml: indicator 'a': unit 'percent' is not one of %, per 1,000, per 10,000, per "
       "100,000, days"},
      {indicator({{"unit", "\"per 1000\""}}), "x.toml: indicator 'a': unit 'per 1000' is not"},
      {indicator({{"method", "\"rate\""}}),
       "x.toml: indicator 'a': method 'rate' is not one of proportion, crude-rate, dsr, median"},
      {indicator({{"polarity", "\"up\""}}),
       "x.toml: indicator 'a': polarity 'up' is not one of higher-is-better, lower-is-better, "
       "no-judgement"},
      {indicator({{"measure", "{ type = \"survey\" }"}}),
       "x.toml: indicator 'a' measure: type 'survey' is not one of coverage, schedule, clock, "
       "events, share, people"},
      // period
      {indicator({{"period_months", "0"}}),
       "x.toml: indicator 'a': 'period_months' must be a whole number 1-60"},
      {indicator({{"period_months", "61"}}), "x.toml: indicator 'a': 'period_months' must be"},
      {indicator({{"period_months", "\"12\""}}), "x.toml: indicator 'a': 'period_months' must be"},
      // breakdowns
      {indicator({{"breakdowns", "[\"sex\", \"colour\"]"}}),
       "x.toml: indicator 'a': breakdown 'colour' is not one the engine knows"},
      {indicator({{"breakdowns", "\"sex\""}}),
       "x.toml: indicator 'a': 'breakdowns' must be a list of texts"},
      {indicator({{"breakdowns", "[\"sex\", 3]"}}),
       "x.toml: indicator 'a': 'breakdowns' must be a list of non-empty texts"},
      // the schedule's second deadline, the birthday
      {indicator({{"measure", "{ type = \"schedule\", item = \"i\", also_by = \"yes\" }"}}),
       "x.toml: indicator 'a' measure: 'also_by' must be true or false"},
      {indicator({{"measure",
                   "{ type = \"people\", birthday = 0, numerator = [{ when = \"before\", any = "
                   "[{ kind = \"k\" }] }] }"}}),
       "x.toml: indicator 'a' measure: 'birthday' must be a whole number 1-24"},
      {indicator({{"measure",
                   "{ type = \"people\", birthday = 25, numerator = [{ when = \"before\", any = "
                   "[{ kind = \"k\" }] }] }"}}),
       "x.toml: indicator 'a' measure: 'birthday' must be a whole number 1-24"},
      // events
      {indicator(with(kRate, {{"measure", "{ type = \"events\", event = \"admission\" }"}})),
       "x.toml: indicator 'a' measure event: an event must be a table { kind = \"...\" }"},
      {indicator(with(
           kRate, {{"measure", "{ type = \"events\", event = { kind = \"k\", codes = \"X\" } }"}})),
       "x.toml: indicator 'a' measure event: 'codes' must be a list of texts"},
      {indicator(
           with(kRate,
                {{"measure", "{ type = \"events\", event = { kind = \"k\", values = [\"\"] } }"}})),
       "x.toml: indicator 'a' measure event: 'values' must be a list of non-empty texts"},
      {indicator(with(
           kRate,
           {{"measure", "{ type = \"events\", event = { kind = \"k\", min_value = \"5\" } }"}})),
       "x.toml: indicator 'a' measure event: 'min_value' must be a number"},
      {indicator({{"measure",
                   "{ type = \"share\", event = { kind = \"k\" }, same_day = { kind = \"k\" } }"}}),
       "x.toml: indicator 'a' measure: 'same_day' must be a list of events"},
      // conditions
      {indicator({{"measure",
                   "{ type = \"people\", numerator = { when = \"before\", any = [{ kind = \"k\" "
                   "}] } }"}}),
       "x.toml: indicator 'a' measure: 'numerator' must be a list of conditions"},
      {indicator({{"measure", "{ type = \"people\", numerator = [\"before\"] }"}}),
       "x.toml: indicator 'a' measure: a condition must be a table"},
      {indicator({{"measure",
                   "{ type = \"people\", numerator = [{ when = \"after\", any = [{ kind = \"k\" "
                   "}] }] }"}}),
       "x.toml: indicator 'a' measure numerator: when 'after' is not one of before, within, "
       "open, none-within, immunised"},
  });
}

TEST(IndicatorDefinitions, MethodMustSuitTheMeasure) {
  const Changes median = {{"unit", "\"days\""}, {"method", "\"median\""}};
  expect_refused({
      {indicator(with(median, {{"measure", "{ type = \"coverage\", coverage = \"c\" }"}})),
       "x.toml: indicator 'a': method 'median' needs a clock measure (a duration per child)"},
      {indicator(with(median, {{"measure", kEvents}})),
       "x.toml: indicator 'a': method 'median' needs a clock measure"},
      {indicator(with(median, {{"measure", kPeople}})),
       "x.toml: indicator 'a': method 'median' needs a clock measure"},
      {indicator({{"unit", "\"per 100,000\""}, {"method", "\"dsr\""}, {"measure", kPeople}}),
       "x.toml: indicator 'a': method 'dsr' needs an events measure"},
      {indicator({{"unit", "\"per 100,000\""}, {"method", "\"dsr\""}}),
       "x.toml: indicator 'a': method 'dsr' needs an events measure"},
      {indicator({{"measure", kEvents}}),
       "x.toml: indicator 'a': an events measure is a rate: method 'crude-rate' or 'dsr'"},
      {indicator({{"unit", "\"per 1,000\""}, {"measure", kEvents}}),
       "x.toml: indicator 'a': an events measure is a rate"},
      // days and median go together, whichever is missing
      {indicator({{"unit", "\"days\""}}),
       "x.toml: indicator 'a': unit 'days' goes with method 'median' and only with it"},
      {indicator(with(kRate, {{"unit", "\"days\""}, {"measure", kEvents}})),
       "x.toml: indicator 'a': unit 'days' goes with method 'median'"},
      {indicator({{"method", "\"median\""}}),
       "x.toml: indicator 'a': unit 'days' goes with method 'median'"},
  });
}

TEST(IndicatorDefinitions, AgesMonthsAndSuppressionRanges) {
  const auto events_ages = [](const std::string& ages) {
    return indicator(with(kRate, {{"measure", "{ type = \"events\", ages = " + ages +
                                                  ", event = { kind = \"k\" } }"}}));
  };
  const auto people_within = [](const std::string& months) {
    return indicator(
        {{"measure", "{ type = \"people\", population = [{ when = \"within\", months = " + months +
                         ", any = [{ kind = \"k\" }] }], numerator = [{ when = \"before\", any = "
                         "[{ kind = \"k\" }] }] }"}});
  };
  const std::string kTwo =
      "x.toml: indicator 'a' measure: 'ages' must be two whole numbers [from, to]";
  const std::string kOrder = "x.toml: indicator 'a' measure: 'ages' must have 0 <= from <= to";
  const std::string kMonths =
      "x.toml: indicator 'a' measure population: 'months' must be a whole number 1-120";
  expect_refused({
      {events_ages("[5, 2]"), kOrder},
      {events_ages("[-1, 4]"), kOrder},
      {events_ages("[0, 25]"), "x.toml: indicator 'a' measure: 'ages' must be within 0-24"},
      {events_ages("[20, 99]"), "x.toml: indicator 'a' measure: 'ages' must be within 0-24"},
      {events_ages("[4]"), kTwo},
      {events_ages("[]"), kTwo},
      {events_ages("[0, 4, 9]"), kTwo},
      {events_ages("\"0-4\""), kTwo},
      {events_ages("4"), kTwo},
      {events_ages("[\"0\", \"4\"]"), kTwo},
      {events_ages("[0.5, 4]"), kTwo},
      {events_ages("[[0], [4]]"), kTwo},
      {people_within("0"), kMonths},
      {people_within("121"), kMonths},
      {people_within("-12"), kMonths},
      {people_within("\"12\""), kMonths},
      {people_within("1.5"), kMonths},
      {indicator({{"suppress", "{ numerator = [7, 1] }"}}),
       "x.toml: indicator 'a' suppress: 'numerator' must have 0 <= from <= to"},
      {indicator({{"suppress", "{ numerator = [-1, 7] }"}}),
       "x.toml: indicator 'a' suppress: 'numerator' must have 0 <= from <= to"},
      {indicator({{"suppress", "{ denominator = [1] }"}}),
       "x.toml: indicator 'a' suppress: 'denominator' must be two whole numbers [from, to]"},
      {indicator({{"suppress", "{ denominator = \"1-2\" }"}}),
       "x.toml: indicator 'a' suppress: 'denominator' must be two whole numbers"},
      {indicator({{"suppress", "[1, 7]"}}),
       "x.toml: indicator 'a': 'suppress' must be a table { numerator = [1, 7] }"},
  });
  // The edges themselves are fine.
  for (const std::string& text :
       {events_ages("[0, 0]"), events_ages("[24, 24]"), people_within("1"), people_within("120"),
        indicator({{"suppress", "{ numerator = [0, 0], denominator = [0, 0] }"}}),
        indicator({{"period_months", "60"}})}) {
    auto defs = parse_indicators(text, "x.toml");
    EXPECT_TRUE(defs.ok()) << defs.error().to_string() << "\n" << text;
  }
}

TEST(IndicatorDefinitions, ConditionsNeedEventsExceptImmunised) {
  const auto numerator = [](const std::string& condition) {
    return indicator({{"measure", "{ type = \"people\", numerator = [" + condition + "] }"}});
  };
  expect_refused({
      {numerator("{ when = \"immunised\", any = [{ kind = \"k\" }] }"),
       "x.toml: indicator 'a' measure numerator: 'immunised' takes no events"},
      {numerator("{ when = \"within\", months = 12 }"),
       "x.toml: indicator 'a' measure numerator: 'any' must list at least one event"},
      {numerator("{ when = \"before\", any = [] }"),
       "x.toml: indicator 'a' measure numerator: 'any' must list at least one event"},
      {numerator("{ when = \"open\", any = [\"k\"] }"),
       "x.toml: indicator 'a' measure numerator any: an event must be a table"},
      {numerator("{ when = \"before\", any = { kind = \"k\" } }"),
       "x.toml: indicator 'a' measure numerator: 'any' must be a list of events"},
  });
  auto ok = parse_indicators(numerator("{ when = \"immunised\" }"), "x.toml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->front().measure.numerator.at(0).when, Condition::When::kImmunised);
}

TEST(IndicatorDefinitions, IndicatorsMustBeTables) {
  expect_refused({
      {"indicator = [1, 2]\n", "x.toml: indicator 1 must be a table"},
      {"indicator = [{ id = \"a\" }]\n", "x.toml: indicator 'a': 'name' is required"},
  });
  // [indicator] for [[indicator]] (or any other shape) must not silently
  // define nothing: the definitions would be lost.
  expect_refused({
      {"[indicator]\nid = \"a\"\n", "x.toml: 'indicator' must be [[indicator]] tables"},
      {"indicator = \"a\"\n", "x.toml: 'indicator' must be [[indicator]] tables"},
  });
}

// --- A directory of definitions -----------------------------------------------

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

TEST(IndicatorDefinitions, LoadsADirectoryInFileNameOrder) {
  TempDir dir;
  write(dir.file("b.toml"), indicator({{"id", "\"b\""}}));
  write(dir.file("a.toml"), indicator() + indicator({{"id", "\"c\""}}));
  write(dir.file("notes.txt"), "not a definition [[");
  write(dir.file("empty.toml"), "# none here yet\n");
  auto defs = load_indicators(dir.path().string());
  ASSERT_TRUE(defs.ok()) << defs.error().to_string();
  ASSERT_EQ(defs->size(), 3u);
  EXPECT_EQ((*defs)[0].id, "a");
  EXPECT_EQ((*defs)[1].id, "c");
  EXPECT_EQ((*defs)[2].id, "b");
  EXPECT_EQ((*defs)[0].origin, dir.file("a.toml"));
  EXPECT_EQ((*defs)[2].origin, dir.file("b.toml"));
}

TEST(IndicatorDefinitions, DuplicateIdsAcrossFilesAreRefused) {
  TempDir dir;
  write(dir.file("a.toml"), indicator({{"id", "\"x-1\""}}));
  write(dir.file("b.toml"), indicator({{"id", "\"y\""}}) + indicator({{"id", "\"x-1\""}}));
  auto defs = load_indicators(dir.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().message(), dir.file("b.toml") + ": indicator id 'x-1' is defined twice");

  // Within one file too.
  TempDir one;
  write(one.file("a.toml"), indicator() + indicator());
  defs = load_indicators(one.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().message(), one.file("a.toml") + ": indicator id 'a' is defined twice");
}

TEST(IndicatorDefinitions, AnErrorInOneFileNamesThatFile) {
  TempDir dir;
  write(dir.file("a.toml"), indicator());
  write(dir.file("b.toml"), indicator({{"id", "\"b\""}, {"unit", "\"per cent\""}}));
  auto defs = load_indicators(dir.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().message(),
            dir.file("b.toml") +
                ": indicator 'b': unit 'per cent' is not one of %, per 1,000, per 10,000, per "
                "100,000, days");

  write(dir.file("b.toml"), "[[indicator]\n");
  defs = load_indicators(dir.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_TRUE(defs.error().message().starts_with(dir.file("b.toml") + ":1: "))
      << defs.error().message();
}

TEST(IndicatorDefinitions, EmptyOrMissingDirectoryIsRefused) {
  TempDir dir;
  auto defs = load_indicators(dir.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().message(), "no indicator definitions in " + dir.path().string());

  write(dir.file("a.toml"), "# nothing\n");
  defs = load_indicators(dir.path().string());
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().message(), "no indicator definitions in " + dir.path().string());

  const std::string missing = dir.file("missing");
  defs = load_indicators(missing);
  ASSERT_FALSE(defs.ok());
  EXPECT_EQ(defs.error().code(), Error::Code::kIoError);
  EXPECT_TRUE(defs.error().message().starts_with("cannot read indicator definitions in " + missing))
      << defs.error().message();
}

// --- Vulnerable groups ---------------------------------------------------------

std::string group(const std::string& id, const std::string& rest) {
  return "[[group]]\nid = \"" + id + "\"\nname = \"Group " + id + "\"\n" + rest;
}

TEST(VulnerableGroups, ParseAndRefuseMalformedGroups) {
  const std::string open = "when = \"open\"\nany = [{ kind = \"k\", codes = [\"C*\"] }]\n";
  auto groups = parse_vulnerable_groups(
      group("a", open) + group("b-2", "when = \"within\"\nmonths = 6\nany = [{ kind = \"s\" }]\n"),
      "g.toml");
  ASSERT_TRUE(groups.ok()) << groups.error().to_string();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].id, "a");
  EXPECT_EQ((*groups)[0].name, "Group a");
  EXPECT_EQ((*groups)[0].condition.when, Condition::When::kOpen);
  EXPECT_EQ((*groups)[0].condition.any.at(0).codes, std::vector<std::string>{"C*"});
  EXPECT_EQ((*groups)[1].condition.within_months, 6);

  const std::vector<Case> cases = {
      {"[[group]\n", "g.toml:1: "},
      {"", "g.toml: expected [[group]] tables and nothing else"},
      {"title = \"G\"\n" + group("a", open), "g.toml: expected [[group]] tables and nothing else"},
      {"[[groups]]\nid = \"a\"\nname = \"A\"\n" + open,
       "g.toml: expected [[group]] tables and nothing else"},
      {"[group]\nid = \"a\"\nname = \"A\"\n" + open,
       "g.toml: expected [[group]] tables and nothing else"},
      {"group = [1]\n", "g.toml: group 1 must be a table"},
      {group("a", open) + "[[group]]\nname = \"B\"\n" + open,
       "g.toml: group 2: needs an id (lower-case letters, digits, '-') and a name"},
      {"[[group]]\nid = \"a\"\n" + open, "g.toml: group 1: needs an id"},
      {"[[group]]\nid = \"a\"\nname = \"\"\n" + open, "g.toml: group 1: needs an id"},
      {group("Looked After", open), "g.toml: group 1: needs an id"},
      {"[[group]]\nid = 3\nname = \"A\"\n" + open, "g.toml: group 1: needs an id"},
      {group("a", open + "month = 6\n"), "g.toml: group 'a': unknown setting 'month'"},
      {group("a", "any = [{ kind = \"k\" }]\n"), "g.toml: group 'a': 'when' is required"},
      {group("a", "when = \"sometimes\"\nany = [{ kind = \"k\" }]\n"),
       "g.toml: group 'a': when 'sometimes' is not one of"},
      {group("a", "when = \"immunised\"\nany = [{ kind = \"k\" }]\n"),
       "g.toml: group 'a': 'immunised' takes no events"},
      {group("a", "when = \"within\"\nmonths = 12\n"),
       "g.toml: group 'a': 'any' must list at least one event"},
      {group("a", "when = \"within\"\nmonths = 0\nany = [{ kind = \"k\" }]\n"),
       "g.toml: group 'a': 'months' must be a whole number 1-120"},
      {group("a", "when = \"open\"\nany = [{ kind = \"k\", code = [\"C1\"] }]\n"),
       "g.toml: group 'a' any: unknown setting 'code'"},
  };
  for (const Case& c : cases) {
    auto g = parse_vulnerable_groups(c.text, "g.toml");
    ASSERT_FALSE(g.ok()) << "accepted:\n" << c.text;
    EXPECT_NE(g.error().message().find(c.expect), std::string::npos)
        << "expected: " << c.expect << "\ngot:      " << g.error().message();
  }
}

TEST(VulnerableGroups, MissingFileIsAnIoError) {
  TempDir dir;
  auto g = load_vulnerable_groups(dir.file("groups.toml"));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code(), Error::Code::kIoError);
  EXPECT_EQ(g.error().message(), "cannot read vulnerable groups " + dir.file("groups.toml"));
}

}  // namespace
}  // namespace onechild

namespace onechild {
namespace {

TEST(VulnerableGroups, DuplicateIdsAndMisplacedMonthsAreErrors) {
  auto twice = parse_vulnerable_groups(R"toml(
[[group]]
id = "a"
name = "A"
when = "before"
any = [{ kind = "condition" }]

[[group]]
id = "a"
name = "A again"
when = "before"
any = [{ kind = "condition" }]
)toml",
                                       "g.toml");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message(), "g.toml: group 'a' is defined twice");
  auto months = parse_vulnerable_groups(R"toml(
[[group]]
id = "b"
name = "B"
when = "open"
months = 6
any = [{ kind = "condition" }]
)toml",
                                        "g.toml");
  ASSERT_FALSE(months.ok());
  EXPECT_NE(months.error().message().find("'months' goes with 'within' or 'none-within'"),
            std::string::npos)
      << months.error().message();
}

}  // namespace
}  // namespace onechild
