// The population file's format: what is written reads back the same, a
// file saved for another store is stale (not an error), and damaged bytes
// are refused with a reason, never read past or trusted.
#include "programmes/population_file.h"

#include <gtest/gtest.h>

#include <cstring>

namespace onechild {
namespace {

Population sample() {
  Population p;
  const uint32_t gp = p.words.intern("gp"), imms = p.words.intern("immunisation");
  const uint32_t code = p.words.intern("6in1-1"), female = p.words.intern("female");
  const uint32_t practice = p.words.intern("A81001"), value = p.words.intern("");
  ChildFacts a;
  a.child_id = 3;
  a.birth = 19000;
  a.sex = female;
  a.practice = practice;
  a.postcode = p.words.intern("LS1 4AP");
  a.ethnicity = p.words.intern("A");
  a.sources = {gp};
  a.facts.push_back({gp, imms, code, p.words.intern("6-in-1 first dose"),
                     p.words.intern("completed"), value, 19060, kNoDay});
  a.facts.push_back({gp, imms, code, 0, 0, p.words.intern("12.5 kg"), 19100, 19101});
  ChildFacts b;  // nothing known but the id
  b.child_id = 7;
  ChildFacts c;
  c.child_id = 12;
  c.birth = 18000;
  c.died = 18500;
  c.left = 18400;
  p.children = {a, b, c};
  return p;
}

void expect_same(const Population& got, const Population& want) {
  ASSERT_EQ(got.words.size(), want.words.size());
  for (uint32_t w = 0; w < want.words.size(); ++w)
    EXPECT_EQ(got.words.text(w), want.words.text(w));
  ASSERT_EQ(got.children.size(), want.children.size());
  for (size_t i = 0; i < want.children.size(); ++i) {
    const ChildFacts &g = got.children[i], &w = want.children[i];
    EXPECT_EQ(g.child_id, w.child_id);
    EXPECT_EQ(std::tuple(g.birth, g.died, g.left), std::tuple(w.birth, w.died, w.left));
    EXPECT_EQ(std::tuple(g.sex, g.practice, g.postcode, g.ethnicity),
              std::tuple(w.sex, w.practice, w.postcode, w.ethnicity));
    EXPECT_EQ(g.sources, w.sources);
    ASSERT_EQ(g.facts.size(), w.facts.size());
    for (size_t f = 0; f < w.facts.size(); ++f)
      EXPECT_EQ(std::memcmp(&g.facts[f], &w.facts[f], sizeof(Fact)), 0) << "child " << i;
  }
}

TEST(PopulationFile, ReadsBackEveryField) {
  const Population p = sample();
  auto back = decode_population(encode_population(p, "store 1/2/3"), "store 1/2/3");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_TRUE(back->has_value());
  expect_same(**back, p);
}

TEST(PopulationFile, EmptyPopulationReadsBack) {
  auto back = decode_population(encode_population(Population{}, "k"), "k");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_TRUE(back->has_value());
  EXPECT_TRUE((*back)->children.empty());
  EXPECT_EQ((*back)->words.size(), 1u);
}

TEST(PopulationFile, SavedForAnotherStoreIsStaleNotDamaged) {
  auto back = decode_population(encode_population(sample(), "store 1/2/3"), "store 1/2/4");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_FALSE(back->has_value());
}

TEST(PopulationFile, EveryTruncationIsRefused) {
  const std::string bytes = encode_population(sample(), "key");
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto back = decode_population(std::string_view(bytes).substr(0, n), "key");
    EXPECT_FALSE(back.ok()) << "accepted the first " << n << " of " << bytes.size() << " bytes";
  }
}

// Offsets into the sample's bytes, found from its layout.
struct Layout {
  std::string bytes;
  size_t words_count, first_child;
};
Layout layout() {
  Layout l;
  l.bytes = encode_population(sample(), "key");
  l.words_count = std::strlen("onechild population\n") + 4 + 4 + 4 + 3;
  const Population p = sample();
  size_t at = l.words_count + 4;
  for (uint32_t w = 1; w < p.words.size(); ++w)
    at += 4 + p.words.text(w).size();
  l.first_child = at + 8;  // after the child count
  return l;
}

std::string error_of(const std::string& bytes) {
  auto back = decode_population(bytes, "key");
  return back.ok() ? "accepted" : back.error().message();
}

TEST(PopulationFile, DamageIsNamed) {
  Layout l = layout();
  ASSERT_EQ(error_of(l.bytes), "accepted");
  EXPECT_EQ(error_of("SQLite format 3" + std::string(40, '\0')), "not a population file");

  std::string other_format = l.bytes;
  other_format[std::strlen("onechild population\n")] = 9;
  EXPECT_NE(error_of(other_format).find("another version or machine"), std::string::npos);

  EXPECT_NE(error_of(l.bytes + "x").find("bytes after the last child"), std::string::npos);

  std::string huge_words = l.bytes;
  const uint32_t many = 0xFFFFFFFF;
  std::memcpy(huge_words.data() + l.words_count, &many, 4);
  EXPECT_NE(error_of(huge_words).find("word count is larger"), std::string::npos);

  std::string huge_children = l.bytes;
  const uint64_t lots = 1ULL << 60;
  std::memcpy(huge_children.data() + l.first_child - 8, &lots, 8);
  EXPECT_NE(error_of(huge_children).find("child count is larger"), std::string::npos);

  // The first child's sex (after id and three days) names word 4000.
  std::string bad_word = l.bytes;
  const uint32_t unknown = 4000;
  std::memcpy(bad_word.data() + l.first_child + 8 + 12, &unknown, 4);
  EXPECT_NE(error_of(bad_word).find("does not define"), std::string::npos);

  // The second child's id made smaller than the first's.
  Population p = sample();
  p.children[1].child_id = 1;
  EXPECT_NE(error_of(encode_population(p, "key")).find("out of order"), std::string::npos);
}

TEST(PopulationFile, AFactNamingAnUnknownWordIsRefused) {
  Population p = sample();
  p.children[0].facts[1].value = p.words.size();  // one past the last word
  EXPECT_NE(error_of(encode_population(p, "key")).find("a fact names a word"), std::string::npos);
}

}  // namespace
}  // namespace onechild
