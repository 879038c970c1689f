// The synth generator's parts: reference data, names, calendar, households
// and the life course of hand-built children.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/nhs_number.h"
#include "synth/calendar.h"
#include "synth/life.h"
#include "synth/names.h"
#include "synth/population.h"
#include "synth/reference.h"
#include "synth/world.h"

namespace onechild::synth {
namespace {

using namespace std::chrono;

const Date kAsOf{year{2026}, November, day{24}};

bool matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

TEST(Reference, EveryDecileAndRealCodeFormats) {
  Random rng(3);
  const Reference ref = make_reference(rng, 20000, kAsOf);
  EXPECT_GE(ref.places.size(), 2u);
  EXPECT_LE(ref.places.size(), 4u);
  EXPECT_GE(ref.lsoas.size(), 60u);  // about one per 300 children
  std::set<int> deciles;
  std::set<std::string> postcodes;
  for (const auto& l : ref.lsoas) {
    deciles.insert(l.imd_decile);
    EXPECT_TRUE(matches(l.code, "E01[0-9]{6}")) << l.code;
    EXPECT_TRUE(matches(l.ward_code, "E05[0-9]{6}")) << l.ward_code;
    ASSERT_FALSE(l.postcodes.empty());
    for (const auto& pc : l.postcodes) {
      EXPECT_TRUE(matches(pc.code, "[A-Z]{2}[0-9]{1,2} [0-9][ABD-HJLNP-UW-Z]{2}")) << pc.code;
      EXPECT_TRUE(postcodes.insert(pc.code).second) << "postcode in two LSOAs: " << pc.code;
      EXPECT_FALSE(pc.street.empty());
    }
  }
  EXPECT_EQ(deciles.size(), 10u);
  for (const auto& p : ref.places) {
    EXPECT_TRUE(matches(p.code, "E06[0-9]{6}")) << p.code;
    EXPECT_GE(p.la_number, 990);
  }
}

TEST(Reference, DistrictsStayTwoDigitsForTheLargestIcs) {
  Random rng(5);
  const Reference ref = make_reference(rng, 500000, kAsOf);
  for (const auto& l : ref.lsoas)
    ASSERT_TRUE(matches(l.postcode_district, "[A-Z]{2}[0-9]{1,2}"));
}

TEST(Reference, PracticesBelongToAPcnInTheirPlaceAndSomeAreHubs) {
  Random rng(3);
  const Reference ref = make_reference(rng, 5000, kAsOf);
  const auto practices = ref.of_type("gp-practice");
  ASSERT_FALSE(practices.empty());
  int hubs = 0;
  for (const auto* practice : practices) {
    EXPECT_TRUE(matches(practice->code, "[A-Z][0-9]{5}")) << practice->code;
    const auto pcns = ref.of_type("pcn", practice->place);
    EXPECT_TRUE(std::any_of(pcns.begin(), pcns.end(), [&](const Organisation* pcn) {
      return pcn->code == practice->parent_code;
    })) << practice->code;
    if (practice->hub_from) ++hubs;
  }
  EXPECT_GT(hubs, 0);
  EXPECT_LT(hubs, static_cast<int>(practices.size()));
  for (const char* type : {"acute-trust", "community-trust", "mental-health-trust"}) {
    ASSERT_EQ(ref.of_type(type).size(), 1u) << type;
    EXPECT_TRUE(matches(ref.of_type(type)[0]->code, "R[A-Z0-9]{2}"));
  }
  EXPECT_EQ(ref.of_type("local-authority").size(), ref.places.size());
}

TEST(Names, InformalFormsInflectionsTyposAndAscii) {
  Random rng(1);
  const auto ollie = informal_name(rng, "Oliver");
  ASSERT_TRUE(ollie.has_value());
  EXPECT_TRUE(*ollie == "Ollie" || *ollie == "Olly") << *ollie;
  EXPECT_FALSE(informal_name(rng, "Zainab").has_value());
  EXPECT_EQ(family_name_for("Kowalski", Sex::kFemale), "Kowalska");
  EXPECT_EQ(family_name_for("Kowalski", Sex::kMale), "Kowalski");
  EXPECT_EQ(family_name_for("Smith", Sex::kFemale), "Smith");
  for (int i = 0; i < 200; ++i) {
    const std::string typo = with_typo(rng, "Wiśniewski");
    EXPECT_NE(typo, "Wiśniewski");
    EXPECT_EQ(typo[0], 'W');  // the first letter is kept
    // Multi-byte characters are never split.
    EXPECT_NE(typo.find("ś"), std::string::npos) << typo;
  }
  EXPECT_EQ(ascii_upper("Zoë O'Brien-Wójcik"), "ZOE O'BRIEN-WOJCIK");
}

TEST(Names, FirstNamesFollowTheBirthYear) {
  Random rng(2);
  int olivia_2022 = 0, chloe_2002 = 0, chloe_2022 = 0;
  for (int i = 0; i < 20000; ++i) {
    olivia_2022 += draw_given_name(rng, NameOrigin::kBritish, Sex::kFemale, 2022) == "Olivia";
    chloe_2002 += draw_given_name(rng, NameOrigin::kBritish, Sex::kFemale, 2002) == "Chloe";
    chloe_2022 += draw_given_name(rng, NameOrigin::kBritish, Sex::kFemale, 2022) == "Chloe";
  }
  EXPECT_GT(olivia_2022, 300);  // a top name: about 2-4% in its era
  EXPECT_GT(chloe_2002, 300);
  EXPECT_EQ(chloe_2022, 0);  // out of the top names by 2022
}

TEST(Calendar, SchoolYearsAndCensusDays) {
  EXPECT_EQ(reception_year(Date{year{2020}, August, day{31}}), 2024);
  EXPECT_EQ(reception_year(Date{year{2020}, September, day{1}}), 2025);
  EXPECT_EQ(census_day(2024, Term::kAutumn), (Date{year{2024}, October, day{3}}));
  EXPECT_EQ(census_day(2024, Term::kSpring), (Date{year{2025}, January, day{16}}));
  EXPECT_EQ(census_day(2024, Term::kSummer), (Date{year{2025}, May, day{15}}));
  EXPECT_EQ(birthday(Date{year{2024}, February, day{29}}, 1),
            (Date{year{2025}, February, day{28}}));
  EXPECT_EQ(academic_year_of(Date{year{2026}, August, day{31}}), 2025);
}

TEST(Population, HouseholdsAndNhsNumbers) {
  const auto plans = plan_households(9, 10000);
  int64_t children = 0;
  std::array<int, 5> sizes{};
  for (const auto& p : plans) {
    EXPECT_EQ(p.first_child, children);
    children += p.children;
    ++sizes[static_cast<size_t>(p.children)];
  }
  EXPECT_EQ(children, 10000);
  EXPECT_NEAR(sizes[1] / static_cast<double>(plans.size()), 0.45, 0.03);
  const NhsNumbers numbers(9);
  std::set<std::string> seen;
  for (int64_t i = 0; i < 2000; ++i) {
    for (const std::string& n : {numbers.child(i), numbers.mother(10000, i)}) {
      ASSERT_TRUE(NhsNumber::parse(n).ok()) << n;
      ASSERT_EQ(n.substr(0, 3), "999");
      ASSERT_TRUE(seen.insert(n).second) << "issued twice: " << n;
    }
  }
}

// A world to live in, and a child built by hand in it.
class LifeCourse : public ::testing::Test {
 protected:
  LifeCourse() : world_(reference(), options()) {
    home_.addresses.push_back(
        {Date{year{2000}, January, day{1}}, 0, 0, 1, world_.practices_by_place[0][0]->code});
  }
  static Reference reference() {
    Random rng(4);
    return make_reference(rng, 2000, kAsOf);
  }
  static SynthOptions options() {
    SynthOptions o;
    o.as_of = kAsOf;
    return o;
  }
  Child child(Date born) const {
    Child c;
    c.index = 1;
    c.birth_date = born;
    c.arrived = born;
    c.engagement = 6;  // takes up everything offered
    return c;
  }
  // The routine vaccines given by `age_days` of age.
  std::set<std::string> vaccines(const Life& life, const Child& c, int age_days) const {
    std::set<std::string> keys;
    for (const Dose& d : life.doses) {
      if (!d.declined && days_between(c.birth_date, d.due) <= age_days)
        keys.insert(std::string(d.vaccine->key));
    }
    return keys;
  }
  Life live_for(Child& c) { return live(world_, home_, c, 1); }

  World world_;
  Household home_;
};

TEST_F(LifeCourse, ScheduleBeforeJuly2025) {
  Child c = child(Date{year{2023}, March, day{1}});
  const Life life = live_for(c);
  const auto by_16_weeks = vaccines(life, c, 112);
  for (const char* v : {"6in1", "MenB", "Rota", "PCV"})
    EXPECT_EQ(by_16_weeks.count(v), 1u) << v;
  const auto by_one = vaccines(life, c, 366);
  EXPECT_EQ(by_one.count("HibMenC"), 1u);
  EXPECT_EQ(by_one.count("MMR"), 1u);
  // PCV at 12 weeks under the 2020 schedule, MenB at 16 weeks.
  for (const Dose& d : life.doses) {
    const int due = days_between(c.birth_date, d.due);
    if (due == 84) {
      EXPECT_NE(d.vaccine->key, "MenB");
    } else if (due == 112) {
      EXPECT_NE(d.vaccine->key, "PCV");
    }
  }
}

TEST_F(LifeCourse, ScheduleBefore2006HadMenCAndNoPcv) {
  Child c = child(Date{year{2003}, May, day{20}});
  const Life life = live_for(c);
  const auto infant = vaccines(life, c, 112);
  EXPECT_EQ(infant.count("MenC"), 1u);
  EXPECT_EQ(infant.count("5in1"), 1u);
  for (const char* absent : {"PCV", "MenB", "Rota", "6in1"})
    EXPECT_EQ(infant.count(absent), 0u) << absent;
  EXPECT_EQ(vaccines(life, c, 366).count("HibMenC"), 0u);
}

TEST_F(LifeCourse, ScheduleFromJuly2025AndMmrvFromJanuary2025Births) {
  Child c = child(Date{year{2025}, May, day{1}});  // 12 weeks on 24 July 2025
  const Life life = live_for(c);
  int menb_at_12_weeks = 0, pcv_at_16_weeks = 0;
  for (const Dose& d : life.doses) {
    const int due = days_between(c.birth_date, d.due);
    menb_at_12_weeks += due == 84 && d.vaccine->key == "MenB";
    pcv_at_16_weeks += due == 112 && d.vaccine->key == "PCV";
    EXPECT_NE(d.vaccine->key, "HibMenC");
    EXPECT_NE(d.vaccine->key, "MMR");  // MMRV at 12 and 18 months instead
  }
  EXPECT_EQ(menb_at_12_weeks, 1);
  EXPECT_EQ(pcv_at_16_weeks, 1);
  EXPECT_EQ(vaccines(life, c, 366).count("MMRV"), 1u);
}

TEST_F(LifeCourse, EighteenMonthAppointmentForTheJulyToDecember2024Cohort) {
  Child c = child(Date{year{2024}, August, day{10}});
  const Life life = live_for(c);
  EXPECT_EQ(vaccines(life, c, 366).count("MMR"), 1u);      // MMR at one year
  EXPECT_EQ(vaccines(life, c, 366).count("HibMenC"), 0u);  // removed
  int at_18_months = 0;
  for (const Dose& d : life.doses) {
    if (days_between(c.birth_date, d.due) > 500 && days_between(c.birth_date, d.due) < 560) {
      EXPECT_TRUE(d.vaccine->key == "6in1" || d.vaccine->key == "MMRV") << d.vaccine->key;
      ++at_18_months;
    }
  }
  EXPECT_EQ(at_18_months, 2);
}

TEST_F(LifeCourse, NothingHappensAfterDeathOrBeforeArrival) {
  Child c = child(Date{year{2019}, June, day{1}});
  c.died = Date{year{2021}, March, day{3}};
  c.arrived = Date{year{2020}, June, day{1}};
  const Life life = live_for(c);
  for (const auto& a : life.ed) {
    EXPECT_TRUE(sys_days{a.date} < sys_days{*c.died});
    EXPECT_FALSE(sys_days{a.date} < sys_days{c.arrived});
  }
  for (const auto& d : life.doses)
    EXPECT_TRUE(sys_days{d.date} < sys_days{*c.died});
  for (const auto& e : life.census)
    EXPECT_TRUE(sys_days{e.census_day} < sys_days{*c.died});
}

}  // namespace
}  // namespace onechild::synth
