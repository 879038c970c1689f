// The Fellegi-Sunter engine of src/link: the model file, the record set, comparison, scoring,
// training, blocking, clustering, one engine run and the CSV loader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/random.h"
#include "link/blocking.h"
#include "link/clustering.h"
#include "link/comparison.h"
#include "link/csv_records.h"
#include "link/engine.h"
#include "link/model.h"
#include "link/nicknames.h"
#include "link/records.h"
#include "link/scoring.h"
#include "link/similarity.h"
#include "link/training.h"
#include "support/temp_dir.h"

namespace onechild::linkage {
namespace {

using Values = std::vector<std::optional<std::string_view>>;

ModelSpec must_parse(std::string_view toml) {
  auto spec = ModelSpec::parse(toml, "test.toml");
  if (!spec.ok()) throw std::runtime_error("model does not parse: " + spec.error().to_string());
  return std::move(spec).value();
}

// The error message of a model that must not parse ("" and a failure when it does).
std::string parse_error(std::string_view toml) {
  auto spec = ModelSpec::parse(toml, "test.toml");
  if (spec.ok()) {
    ADD_FAILURE() << "parsed, but should not have:\n" << toml;
    return "";
  }
  EXPECT_EQ(spec.error().code(), Error::Code::kInvalidArgument);
  return spec.error().message();
}

// A model of one name field, "given_name", with these levels, and a blocking rule on it;
// `before` goes at the top of the file (top-level tables).
std::string name_model(std::string_view levels, std::string_view before = "") {
  return std::string(before) + "\n[[field]]\nname = \"given_name\"\nkind = \"name\"\nlevels = [" +
         std::string(levels) + "]\n\n[[blocking]]\nname = \"by name\"\nkeys = [\"given_name\"]\n";
}

// A model, its records and what compares them, alive together. Not movable: the record set
// and the comparer hold references to the members before them.
struct Harness {
  explicit Harness(std::string_view toml, std::string_view nickname_list = "")
      : spec(must_parse(toml)),
        nicknames(must_nicknames(nickname_list)),
        records(spec),
        comparer(records, nicknames) {}
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  uint32_t add(const Values& values, std::string_view source = "a", int64_t child = 0) {
    records.add(source, next_key++, child, values);
    return static_cast<uint32_t>(records.size() - 1);
  }
  uint8_t level(size_t field, size_t a, size_t b) const { return comparer.level(field, a, b); }

  static Nicknames must_nicknames(std::string_view text) {
    auto n = Nicknames::parse(text, "nicknames.csv");
    if (!n.ok()) throw std::runtime_error(n.error().to_string());
    return std::move(n).value();
  }

  ModelSpec spec;
  Nicknames nicknames;
  RecordSet records;
  Comparer comparer;
  int64_t next_key = 1;
};

// ===================================================================================== model

constexpr std::string_view kFullModel = R"toml(
[model]
name = "test model"
prior = 0.001
max_block_size = 500
nhs_test_range = "ignore"

[thresholds]
auto_link = 0.95
review = 0.6

[sources]
duplicates = ["gp", "social_care_*"]
chain_duplicates = true

[input]
id = "rec_id"
truth = "person"
truth_pattern = "^p([0-9]+)"
trim = false

[training]
u_sample_pairs = 5000
rules = ["names", "dob"]
max_pairs = 10000
max_iterations = 50
tolerance = 0.0001
seed = 7

[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [
  { compare = "exact" },
  { label = "one digit", compare = "damerau_levenshtein", threshold = 1 },
]

[[field]]
name = "given_name"
kind = "name"
column = "forename"
tf_minimum = 0.001
levels = [
  { label = "exact", compare = "exact", tf = true, m = 0.9, u = 0.01 },
  { label = "swapped", compare = "swap_with", with = "family_name" },
  { label = "JW", compare = "jaro_winkler", threshold = 0.9 },
]

[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact" } ]

[[field]]
name = "birth_date"
kind = "date"
date_format = "yyyymmdd"
levels = [ { compare = "exact" }, { compare = "within_days", threshold = 2 } ]

[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" }, { compare = "sector" } ]

[[blocking]]
name = "nhs"
keys = ["nhs_number"]

[[blocking]]
name = "dob"
keys = ["birth_date", "postcode:district"]

[[blocking]]
name = "names"
keys = ["given_name:phonetic", "family_name:initial", "birth_date:year"]
)toml";

TEST(ModelParse, ReadsFieldsAndLevels) {
  const ModelSpec spec = must_parse(kFullModel);
  EXPECT_EQ(spec.origin, "test.toml");
  EXPECT_EQ(spec.name, "test model");
  ASSERT_EQ(spec.fields.size(), 5U);
  EXPECT_EQ(spec.field_index("nhs_number"), 0);
  EXPECT_EQ(spec.field_index("postcode"), 4);
  EXPECT_EQ(spec.field_index("surname"), -1);

  const Field& nhs = spec.fields[0];
  EXPECT_EQ(nhs.kind, FieldKind::kNhsNumber);
  EXPECT_EQ(nhs.column, "nhs_number");  // defaults to the name
  ASSERT_EQ(nhs.levels.size(), 2U);
  EXPECT_EQ(nhs.levels[0].label, "exact");  // defaults to the comparator
  EXPECT_EQ(nhs.levels[0].compare, Comparator::kExact);
  EXPECT_FALSE(nhs.levels[0].m.has_value());
  EXPECT_EQ(nhs.levels[1].label, "one digit");
  EXPECT_EQ(nhs.levels[1].compare, Comparator::kDamerauLevenshtein);
  EXPECT_EQ(nhs.levels[1].threshold, 1.0);  // an integer is accepted as a number

  const Field& given = spec.fields[1];
  EXPECT_EQ(given.kind, FieldKind::kName);
  EXPECT_EQ(given.column, "forename");
  EXPECT_DOUBLE_EQ(given.tf_minimum, 0.001);
  ASSERT_EQ(given.levels.size(), 3U);
  EXPECT_TRUE(given.levels[0].tf);
  EXPECT_EQ(given.levels[0].m, 0.9);
  EXPECT_EQ(given.levels[0].u, 0.01);
  EXPECT_EQ(given.levels[1].compare, Comparator::kSwapWith);
  EXPECT_EQ(given.levels[1].with_field, 2);
  EXPECT_EQ(given.levels[2].compare, Comparator::kJaroWinkler);
  EXPECT_DOUBLE_EQ(given.levels[2].threshold, 0.9);
  EXPECT_FALSE(given.levels[2].tf);

  EXPECT_EQ(spec.fields[3].kind, FieldKind::kDate);
  EXPECT_EQ(spec.fields[3].date_format, "yyyymmdd");
  EXPECT_EQ(spec.fields[3].levels[1].compare, Comparator::kWithinDays);
  EXPECT_EQ(spec.fields[4].kind, FieldKind::kPostcode);
  EXPECT_EQ(spec.fields[4].levels[1].compare, Comparator::kSector);
  EXPECT_STREQ(to_string(Comparator::kDayMonthSwap), "day_month_swap");
}

TEST(ModelParse, ReadsBlockingThresholdsSourcesAndTraining) {
  const ModelSpec spec = must_parse(kFullModel);
  ASSERT_EQ(spec.blocking.size(), 3U);
  EXPECT_EQ(spec.blocking[0].name, "nhs");
  ASSERT_EQ(spec.blocking[0].parts.size(), 1U);
  EXPECT_EQ(spec.blocking[0].parts[0].field, 0);
  EXPECT_EQ(spec.blocking[0].parts[0].transform, KeyTransform::kValue);
  ASSERT_EQ(spec.blocking[1].parts.size(), 2U);
  EXPECT_EQ(spec.blocking[1].parts[1].field, 4);
  EXPECT_EQ(spec.blocking[1].parts[1].transform, KeyTransform::kDistrict);
  ASSERT_EQ(spec.blocking[2].parts.size(), 3U);
  EXPECT_EQ(spec.blocking[2].parts[0].transform, KeyTransform::kPhonetic);
  EXPECT_EQ(spec.blocking[2].parts[1].field, 2);
  EXPECT_EQ(spec.blocking[2].parts[1].transform, KeyTransform::kInitial);
  EXPECT_EQ(spec.blocking[2].parts[2].field, 3);
  EXPECT_EQ(spec.blocking[2].parts[2].transform, KeyTransform::kYear);

  EXPECT_EQ(spec.max_block_size, 500U);
  EXPECT_DOUBLE_EQ(spec.auto_link, 0.95);
  EXPECT_DOUBLE_EQ(spec.review, 0.6);
  ASSERT_TRUE(spec.prior.has_value());
  EXPECT_DOUBLE_EQ(*spec.prior, 0.001);
  EXPECT_FALSE(spec.test_range_valid);

  EXPECT_TRUE(spec.chain_duplicates);
  EXPECT_EQ(spec.duplicate_sources, (std::vector<std::string>{"gp", "social_care_*"}));
  EXPECT_TRUE(spec.source_has_duplicates("gp"));
  EXPECT_TRUE(spec.source_has_duplicates("social_care_leeds"));
  EXPECT_FALSE(spec.source_has_duplicates("social_care"));
  EXPECT_FALSE(spec.source_has_duplicates("gp2"));
  EXPECT_FALSE(spec.source_has_duplicates("acute"));

  EXPECT_EQ(spec.training_rules, (std::vector<int>{2, 1}));  // names resolved to indexes
  EXPECT_EQ(spec.u_sample_pairs, 5000);
  EXPECT_EQ(spec.training_max_pairs, 10000);
  EXPECT_EQ(spec.em_max_iterations, 50);
  EXPECT_DOUBLE_EQ(spec.em_tolerance, 0.0001);
  EXPECT_EQ(spec.seed, 7U);

  EXPECT_EQ(spec.id_column, "rec_id");
  EXPECT_EQ(spec.truth_column, "person");
  EXPECT_EQ(spec.truth_pattern, "^p([0-9]+)");
  EXPECT_FALSE(spec.trim_values);
}

TEST(ModelParse, Defaults) {
  const ModelSpec spec = must_parse(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]

[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]

[[blocking]]
keys = ["given_name"]

[[blocking]]
keys = ["birth_date:year"]
)toml");
  EXPECT_DOUBLE_EQ(spec.auto_link, 0.99);
  EXPECT_DOUBLE_EQ(spec.review, 0.5);
  EXPECT_FALSE(spec.prior.has_value());
  EXPECT_EQ(spec.max_block_size, 2000U);
  EXPECT_TRUE(spec.test_range_valid);
  EXPECT_TRUE(spec.duplicate_sources.empty());
  EXPECT_FALSE(spec.source_has_duplicates("gp"));
  EXPECT_FALSE(spec.chain_duplicates);
  EXPECT_TRUE(spec.nicknames_path.empty());
  EXPECT_EQ(spec.training_rules, (std::vector<int>{0, 1}));  // every rule trains
  EXPECT_EQ(spec.u_sample_pairs, 500'000);
  EXPECT_EQ(spec.training_max_pairs, 500'000);
  EXPECT_EQ(spec.em_max_iterations, 100);
  EXPECT_DOUBLE_EQ(spec.em_tolerance, 1e-6);
  EXPECT_EQ(spec.seed, 1U);
  EXPECT_TRUE(spec.id_column.empty());
  EXPECT_TRUE(spec.trim_values);
  EXPECT_EQ(spec.fields[1].date_format, "iso");
  EXPECT_EQ(spec.fields[0].tf_minimum, 0.0);
  EXPECT_EQ(spec.blocking[0].name, "blocking rule 1");
  EXPECT_EQ(spec.blocking[1].name, "blocking rule 2");
  EXPECT_FALSE(spec.text_hash.empty());
}

TEST(ModelParse, NameDefaultsToUnnamedModel) {
  EXPECT_EQ(must_parse(name_model("{ compare = \"exact\" }", "[model]\nprior = 0.01\n")).name,
            "unnamed model");
}

// Without a [model] section the name stays empty: the "unnamed model" default is applied only
// while reading [model].
TEST(ModelParse, NameDefaultsToUnnamedModelWithoutModelSection) {
  EXPECT_EQ(must_parse(name_model("{ compare = \"exact\" }")).name, "unnamed model");
}

TEST(ModelParse, TextHashFollowsTheText) {
  const std::string a = name_model("{ compare = \"exact\" }");
  const std::string b = name_model("{ compare = \"exact\" }", "# a comment\n");
  EXPECT_EQ(must_parse(a).text_hash, must_parse(a).text_hash);
  EXPECT_NE(must_parse(a).text_hash, must_parse(b).text_hash);
}

TEST(ModelParse, LoadsTheShippedModels) {
  const std::string config = ONECHILD_CONFIG_DIR;
  auto shipped = ModelSpec::load(config + "/linkage.toml");
  ASSERT_TRUE(shipped.ok()) << shipped.error().to_string();
  EXPECT_GE(shipped->field_index("nhs_number"), 0);
  // The nickname list is resolved against the model file's folder.
  EXPECT_EQ(shipped->nicknames_path, config + "/reference/nicknames.csv");

  auto febrl = ModelSpec::load(config + "/../bench/linkage/febrl.toml");
  ASSERT_TRUE(febrl.ok()) << febrl.error().to_string();
  EXPECT_TRUE(febrl->source_has_duplicates("dataset3"));
  EXPECT_FALSE(febrl->source_has_duplicates("dataset4a"));
  EXPECT_EQ(febrl->truth_pattern, "^rec-([0-9]+)-");

  auto missing = ModelSpec::load(config + "/no-such-model.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("no-such-model.toml"), std::string::npos);
}

TEST(ModelParse, RejectsUnknownTopLevelSection) {
  const std::string error = parse_error(name_model("{ compare = \"exact\" }", "[modle]\nx = 1\n"));
  EXPECT_NE(error.find("test.toml"), std::string::npos) << error;
  EXPECT_NE(error.find("'modle'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsUnknownKeyInALevel) {
  const std::string error = parse_error(name_model("{ compare = \"exact\", weight = 3 }"));
  EXPECT_NE(error.find("given_name level 1"), std::string::npos) << error;
  EXPECT_NE(error.find("'weight'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsUnknownKeyInASection) {
  const std::string error =
      parse_error(name_model("{ compare = \"exact\" }", "[thresholds]\nauto = 0.9\n"));
  EXPECT_NE(error.find("[thresholds]"), std::string::npos) << error;
  EXPECT_NE(error.find("'auto'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsUnknownComparator) {
  const std::string error =
      parse_error(name_model("{ compare = \"exact\" }, { compare = \"soundex\" }"));
  EXPECT_NE(error.find("given_name level 2"), std::string::npos) << error;
  EXPECT_NE(error.find("'soundex'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsComparatorThatDoesNotFitTheKind) {
  for (const char* comparator : {"day_month_swap", "sector", "area"}) {
    const std::string error = parse_error(
        name_model("{ compare = \"exact\" }, { compare = \"" + std::string(comparator) + "\" }"));
    EXPECT_NE(error.find("given_name level 2"), std::string::npos) << error;
    EXPECT_NE(error.find(comparator), std::string::npos) << error;
  }
  // Nor a name comparator on a date, nor a string comparator on sex.
  EXPECT_NE(parse_error(R"toml(
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "nickname" } ]
[[blocking]]
keys = ["birth_date"]
)toml")
                .find("birth_date level 1"),
            std::string::npos);
  EXPECT_NE(parse_error(R"toml(
[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "jaro_winkler", threshold = 0.9 } ]
[[blocking]]
keys = ["sex"]
)toml")
                .find("'jaro_winkler' cannot compare"),
            std::string::npos);
}

TEST(ModelParse, RejectsMissingThreshold) {
  const std::string error = parse_error(name_model("{ compare = \"jaro_winkler\" }"));
  EXPECT_NE(error.find("given_name level 1"), std::string::npos) << error;
  EXPECT_NE(error.find("'jaro_winkler' needs a threshold"), std::string::npos) << error;
  EXPECT_NE(parse_error(name_model("{ compare = \"jaro_winkler\", threshold = -0.5 }"))
                .find("needs a threshold"),
            std::string::npos);
}

TEST(ModelParse, RejectsThresholdOnExact) {
  const std::string error = parse_error(name_model("{ compare = \"exact\", threshold = 1 }"));
  EXPECT_NE(error.find("given_name level 1"), std::string::npos) << error;
  EXPECT_NE(error.find("'exact' takes no threshold"), std::string::npos) << error;
}

TEST(ModelParse, RejectsTermFrequencyOnANonExactLevel) {
  const std::string error =
      parse_error(name_model("{ compare = \"exact\" }, { compare = \"phonetic\", tf = true }"));
  EXPECT_NE(error.find("given_name level 2"), std::string::npos) << error;
  EXPECT_NE(error.find("term-frequency"), std::string::npos) << error;
}

TEST(ModelParse, RejectsSwapWithoutWith) {
  const std::string error = parse_error(name_model("{ compare = \"swap_with\" }"));
  EXPECT_NE(error.find("given_name level 1"), std::string::npos) << error;
  EXPECT_NE(error.find("needs 'with'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsWithOnALevelThatIsNotASwap) {
  const std::string error = parse_error(name_model("{ compare = \"exact\", with = \"x\" }"));
  EXPECT_NE(error.find("'with' belongs to a swap_with level only"), std::string::npos) << error;
}

TEST(ModelParse, RejectsAFractionOfAnEditOrADay) {
  const std::string error =
      parse_error(name_model("{ compare = \"damerau_levenshtein\", threshold = 1.5 }"));
  EXPECT_NE(error.find("whole-number threshold"), std::string::npos) << error;
  // Jaro-Winkler's threshold is a fraction by nature.
  EXPECT_TRUE(
      ModelSpec::parse(name_model("{ compare = \"jaro_winkler\", threshold = 0.9 }"), "test.toml")
          .ok());
}

TEST(ModelParse, RejectsABlockingKeyNoRecordCanHave) {
  const std::string error = parse_error(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[blocking]]
name = "bad"
keys = ["given_name:year"]
)toml");
  EXPECT_NE(error.find("'given_name:year' does not apply"), std::string::npos) << error;
}

TEST(ModelParse, RejectsSwapWithUnknownOrUnfitField) {
  std::string error = parse_error(name_model("{ compare = \"swap_with\", with = \"surnam\" }"));
  EXPECT_NE(error.find("given_name"), std::string::npos) << error;
  EXPECT_NE(error.find("'surnam'"), std::string::npos) << error;
  // Itself, or a field of another kind.
  error = parse_error(name_model("{ compare = \"swap_with\", with = \"given_name\" }"));
  EXPECT_NE(error.find("another field of the same kind"), std::string::npos) << error;
  error = parse_error(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "swap_with", with = "birth_date" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["given_name"]
)toml");
  EXPECT_NE(error.find("given_name"), std::string::npos) << error;
  EXPECT_NE(error.find("same kind"), std::string::npos) << error;
}

TEST(ModelParse, RejectsBlockingKeyOnUnknownFieldOrTransform) {
  const std::string field_error = parse_error(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[blocking]]
name = "names"
keys = ["given_name", "surname:phonetic"]
)toml");
  EXPECT_NE(field_error.find("names"), std::string::npos) << field_error;
  EXPECT_NE(field_error.find("unknown field 'surname'"), std::string::npos) << field_error;

  const std::string transform_error = parse_error(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[blocking]]
name = "sound"
keys = ["given_name:soundex"]
)toml");
  EXPECT_NE(transform_error.find("sound:"), std::string::npos) << transform_error;
  EXPECT_NE(transform_error.find("'given_name:soundex'"), std::string::npos) << transform_error;
}

TEST(ModelParse, RejectsUnknownTrainingRule) {
  const std::string error =
      parse_error(name_model("{ compare = \"exact\" }", "[training]\nrules = [\"by nmae\"]\n"));
  EXPECT_NE(error.find("[training] rules"), std::string::npos) << error;
  EXPECT_NE(error.find("'by nmae'"), std::string::npos) << error;
}

TEST(ModelParse, RejectsReviewAboveAutoLink) {
  const std::string error = parse_error(
      name_model("{ compare = \"exact\" }", "[thresholds]\nauto_link = 0.8\nreview = 0.9\n"));
  EXPECT_NE(error.find("review must not be above auto_link"), std::string::npos) << error;
  // Equal is allowed: no review band.
  EXPECT_TRUE(ModelSpec::parse(name_model("{ compare = \"exact\" }",
                                          "[thresholds]\nauto_link = 0.9\nreview = 0.9\n"),
                               "test.toml")
                  .ok());
}

TEST(ModelParse, RejectsProbabilityOutsideZeroOne) {
  for (const char* value : {"0", "1", "1.5", "-0.1", "\"high\""}) {
    SCOPED_TRACE(value);
    const std::string prior = parse_error(
        name_model("{ compare = \"exact\" }", "[model]\nprior = " + std::string(value)));
    EXPECT_NE(prior.find("[model] prior"), std::string::npos) << prior;
    EXPECT_NE(prior.find("between 0 and 1"), std::string::npos) << prior;
    const std::string m =
        parse_error(name_model("{ compare = \"exact\", m = " + std::string(value) + " }"));
    EXPECT_NE(m.find("given_name level 1 m"), std::string::npos) << m;
    const std::string auto_link = parse_error(
        name_model("{ compare = \"exact\" }", "[thresholds]\nauto_link = " + std::string(value)));
    EXPECT_NE(auto_link.find("auto_link"), std::string::npos) << auto_link;
  }
}

TEST(ModelParse, RejectsMoreThanSixteenFields) {
  auto model = [](int fields) {
    std::string toml;
    for (int i = 0; i < fields; ++i) {
      toml += "[[field]]\nname = \"f" + std::to_string(i) +
              "\"\nkind = \"text\"\nlevels = [ { compare = \"exact\" } ]\n";
    }
    return toml + "[[blocking]]\nkeys = [\"f0\"]\n";
  };
  EXPECT_TRUE(ModelSpec::parse(model(16), "test.toml").ok());
  const std::string error = parse_error(model(17));
  EXPECT_NE(error.find("at most 16 fields"), std::string::npos) << error;
}

TEST(ModelParse, RejectsMoreThanThirteenLevels) {
  std::string levels;
  for (int i = 0; i < 14; ++i)
    levels += "{ compare = \"jaro_winkler\", threshold = 0." + std::to_string(90 - i) + " },";
  const std::string error = parse_error(name_model(levels));
  EXPECT_NE(error.find("given_name: at most 13 levels"), std::string::npos) << error;
}

TEST(ModelParse, RejectsInvalidToml) {
  const std::string error = parse_error("[[field]\nname = \"given_name\"\n");
  EXPECT_NE(error.find("test.toml: not valid TOML"), std::string::npos) << error;
}

TEST(ModelParse, RejectsModelWithoutFieldsOrBlocking) {
  EXPECT_NE(parse_error("[model]\nname = \"x\"\n").find("[[field]]"), std::string::npos);
  EXPECT_NE(parse_error("[[field]]\nname = \"a\"\nkind = \"text\"\nlevels = [ { compare = "
                        "\"exact\" } ]\n")
                .find("[[blocking]]"),
            std::string::npos);
  EXPECT_NE(parse_error("[[field]]\nname = \"a\"\nkind = \"number\"\nlevels = [ { compare = "
                        "\"exact\" } ]\n[[blocking]]\nkeys = [\"a\"]\n")
                .find("a: 'kind' must be"),
            std::string::npos);
}

// ==================================================================================== records

constexpr std::string_view kRecordModel = R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[field]]
name = "dob_compact"
kind = "date"
date_format = "yyyymmdd"
levels = [ { compare = "exact" } ]
[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" } ]
[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "exact" } ]
[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [ { compare = "exact" } ]
[[field]]
name = "note"
kind = "text"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["given_name"]
)toml";
enum RecordField : size_t { kGiven, kDob, kDobCompact, kPostcode, kSex, kNhs, kNote };

TEST(RecordSet, OneIdForOneValueInDifferentSpellings) {
  Harness h(kRecordModel);
  const uint32_t a = h.add(
      {"O'Brien", "2014-03-07", "20140307", "ls1 4ap", "male", "943 476 5919", "  Blue   Door "});
  const uint32_t b =
      h.add({"OBRIEN", "2014-03-07", "20140307", "LS1 4AP", "M", "9434765919", "blue door"});
  const uint32_t c = h.add({"o brien", "2014-03-08", "2014-03-07", "LS14AP", "f", "", "red door"});
  for (size_t f = 0; f < h.records.field_count(); ++f) {
    SCOPED_TRACE(h.spec.fields[f].name);
    EXPECT_NE(h.records.value_id(f, a), kNull);
    EXPECT_EQ(h.records.value_id(f, a), h.records.value_id(f, b));
  }
  EXPECT_EQ(h.records.value_of(kGiven, a)->text, "obrien");
  EXPECT_EQ(h.records.value_of(kPostcode, a)->text, "LS1 4AP");
  EXPECT_EQ(h.records.value_of(kNhs, a)->text, "9434765919");
  EXPECT_EQ(h.records.value_of(kSex, a)->text, "M");
  EXPECT_EQ(h.records.value_of(kNote, a)->text, "blue door");
  // Folded "o brien" keeps its space, so it is another value; "LS14AP" is LS1 4AP.
  EXPECT_NE(h.records.value_id(kGiven, c), h.records.value_id(kGiven, a));
  EXPECT_EQ(h.records.value_of(kGiven, c)->text, "o brien");
  EXPECT_EQ(h.records.value_id(kPostcode, c), h.records.value_id(kPostcode, a));
  EXPECT_EQ(h.records.value_id(kNhs, c), kNull);         // blank
  EXPECT_EQ(h.records.value_id(kDobCompact, c), kNull);  // ISO text in a yyyymmdd field
  EXPECT_EQ(h.records.value_count(kGiven), 3U);          // null, obrien, o brien
}

TEST(RecordSet, NormalisesNamesPostcodesAndSex) {
  Harness h(kRecordModel);
  const uint32_t r = h.add({"  Zoë-Jane  O’Brien ", std::nullopt, std::nullopt, " ls1  4ap ",
                            "Female", std::nullopt, std::nullopt});
  const Value* name = h.records.value_of(kGiven, r);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->text, "zoe jane obrien");
  EXPECT_EQ(name->phonetic, nysiis("zoejaneobrien"));
  const Value* postcode = h.records.value_of(kPostcode, r);
  ASSERT_NE(postcode, nullptr);
  EXPECT_EQ(postcode->text, "LS1 4AP");
  EXPECT_EQ(postcode->sector(), "LS1 4");
  EXPECT_EQ(postcode->district(), "LS1");
  EXPECT_EQ(postcode->area(), "LS");
  EXPECT_EQ(h.records.value_of(kSex, r)->text, "F");

  // Not a UK postcode: kept as text, without sector, district or area.
  const uint32_t foreign =
      h.add({"x", std::nullopt, std::nullopt, "2000 NSW", "unknown", std::nullopt, std::nullopt});
  ASSERT_NE(h.records.value_of(kPostcode, foreign), nullptr);
  EXPECT_EQ(h.records.value_of(kPostcode, foreign)->text, "2000 nsw");
  EXPECT_TRUE(h.records.value_of(kPostcode, foreign)->district().empty());
  EXPECT_EQ(h.records.value_id(kSex, foreign), kNull);  // unknown sex is missing
  // A name with no letters is missing.
  const uint32_t blank = h.add(
      {"--- 123", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "   "});
  EXPECT_EQ(h.records.value_id(kGiven, blank), kNull);
  EXPECT_EQ(h.records.value_id(kNote, blank), kNull);
}

TEST(RecordSet, DatesInIsoAndCompactForms) {
  Harness h(kRecordModel);
  const uint32_t r = h.add({std::nullopt, "2014-03-07", "20140307"});
  for (size_t f : {kDob, kDobCompact}) {
    const Value* v = h.records.value_of(f, r);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->text, "2014-03-07");
    EXPECT_EQ(v->year, 2014);
    EXPECT_EQ(v->month, 3);
    EXPECT_EQ(v->day, 7);
    EXPECT_EQ(v->day_number, 16136);  // days since 1970-01-01
  }
  // Impossible or malformed dates are missing, not an error.
  const uint32_t bad = h.add({std::nullopt, "2014-02-30", "20140230"});
  EXPECT_EQ(h.records.value_id(kDob, bad), kNull);
  EXPECT_EQ(h.records.value_id(kDobCompact, bad), kNull);
  const uint32_t worse = h.add({std::nullopt, "07/03/2014", "2014030"});
  EXPECT_EQ(h.records.value_id(kDob, worse), kNull);
  EXPECT_EQ(h.records.value_id(kDobCompact, worse), kNull);
  // FHIR dateTime: the date part.
  const uint32_t fhir = h.add({std::nullopt, "2014-03-07T10:00:00Z"});
  EXPECT_EQ(h.records.value_id(kDob, fhir), h.records.value_id(kDob, r));
}

TEST(RecordSet, InvalidNhsNumberIsKeptAndCounted) {
  Harness h(kRecordModel);
  const Values none(5, std::nullopt);
  auto with_nhs = [&](std::string_view nhs) {
    Values v = none;
    v.push_back(nhs);
    return h.add(v);
  };
  const uint32_t valid = with_nhs("9434765919");
  const uint32_t bad = with_nhs("943 476 5918");  // wrong check digit
  const uint32_t bad_again = with_nhs("9434765918");
  ASSERT_NE(h.records.value_of(kNhs, bad), nullptr);
  EXPECT_FALSE(h.records.value_of(kNhs, bad)->valid);
  EXPECT_EQ(h.records.value_of(kNhs, bad)->text, "9434765918");
  EXPECT_EQ(h.records.value_id(kNhs, bad), h.records.value_id(kNhs, bad_again));
  EXPECT_TRUE(h.records.value_of(kNhs, valid)->valid);
  EXPECT_FALSE(h.records.value_of(kNhs, valid)->test_range);
  EXPECT_EQ(h.records.nhs_invalid(), 2);  // records, not values
  EXPECT_EQ(h.records.nhs_test_range(), 0);
}

TEST(RecordSet, TestRangeNhsNumberCountedAndValidByDefault) {
  Harness h(kRecordModel);
  Values v(5, std::nullopt);
  v.push_back("999 000 0018");
  const uint32_t r = h.add(v);
  ASSERT_NE(h.records.value_of(kNhs, r), nullptr);
  EXPECT_TRUE(h.records.value_of(kNhs, r)->valid);
  EXPECT_TRUE(h.records.value_of(kNhs, r)->test_range);
  EXPECT_EQ(h.records.nhs_test_range(), 1);
  EXPECT_EQ(h.records.nhs_invalid(), 0);
}

TEST(RecordSet, TestRangeNhsNumberIsMissingWhenIgnored) {
  Harness h("[model]\nnhs_test_range = \"ignore\"\n" + std::string(kRecordModel));
  Values v(5, std::nullopt);
  v.push_back("9990000018");
  const uint32_t r = h.add(v);
  EXPECT_EQ(h.records.value_id(kNhs, r), kNull);
  EXPECT_EQ(h.records.present(kNhs), 0U);
  // A live number is still used.
  v.back() = "9434765919";
  EXPECT_NE(h.records.value_id(kNhs, h.add(v)), kNull);
}

// With nhs_test_range = "ignore" the test-range number is dropped before it is counted, so
// the link report says 0 test-range numbers in exactly the deployment that needs to know how
// many test patients were left in a feed.
TEST(RecordSet, IgnoredTestRangeNhsNumbersAreStillCounted) {
  Harness h("[model]\nnhs_test_range = \"ignore\"\n" + std::string(kRecordModel));
  Values v(5, std::nullopt);
  v.push_back("9990000018");
  h.add(v);
  EXPECT_EQ(h.records.nhs_test_range(), 1);
}

// Linkage judges an NHS number by its digits, so every spelling of one number is one value
// with one validity, whichever spelling arrives first (it once took the first spelling's).
TEST(RecordSet, NhsNumberValidityDoesNotDependOnWhichSpellingCameFirst) {
  for (bool malformed_first : {true, false}) {
    Harness h(kRecordModel);
    auto with_nhs = [&](std::string_view nhs) {
      Values v(5, std::nullopt);
      v.push_back(nhs);
      return h.add(v);
    };
    const uint32_t early = malformed_first ? with_nhs("94 34765919") : with_nhs("9434765919");
    const uint32_t late = malformed_first ? with_nhs("9434765919") : with_nhs("94 34765919");
    const uint32_t grouped = with_nhs("943 476 5919");
    for (uint32_t r : {early, late, grouped}) {
      ASSERT_NE(h.records.value_of(kNhs, r), nullptr);
      EXPECT_TRUE(h.records.value_of(kNhs, r)->valid);
    }
    EXPECT_EQ(h.level(kNhs, early, late), 1);  // exact on a valid number
    EXPECT_EQ(h.level(kNhs, late, grouped), 1);
    EXPECT_EQ(h.records.nhs_invalid(), 0);
    with_nhs("9434765918");  // a wrong check digit, however it is spelt
    with_nhs("943 476 5918");
    EXPECT_EQ(h.records.nhs_invalid(), 2);
  }
}

TEST(RecordSet, FrequencyPresentAndSources) {
  Harness h(kRecordModel);
  h.add({"smith"}, "gp");
  h.add({"smith"}, "school");
  h.add({"smith"}, "gp");
  h.add({"jones"}, "hospital");
  h.add({std::nullopt}, "school");
  h.add({}, "gp");  // no values at all: every field missing
  EXPECT_EQ(h.records.size(), 6U);
  EXPECT_EQ(h.records.present(kGiven), 4U);
  const uint32_t smith = h.records.value_id(kGiven, 0);
  const uint32_t jones = h.records.value_id(kGiven, 3);
  EXPECT_EQ(h.records.value(kGiven, smith).count, 3U);
  EXPECT_DOUBLE_EQ(h.records.frequency(kGiven, smith), 0.75);
  EXPECT_DOUBLE_EQ(h.records.frequency(kGiven, jones), 0.25);
  EXPECT_EQ(h.records.frequency(kGiven, kNull), 0.0);
  EXPECT_EQ(h.records.frequency(kDob, kNull), 0.0);  // a field nobody has
  EXPECT_EQ(h.records.sources(), (std::vector<std::string>{"gp", "school", "hospital"}));
  EXPECT_EQ(h.records.source(0), 0);
  EXPECT_EQ(h.records.source(1), 1);
  EXPECT_EQ(h.records.source(2), 0);
  EXPECT_EQ(h.records.source(3), 2);
  EXPECT_EQ(h.records.source(5), 0);
  EXPECT_EQ(h.records.key(3), 4);
  EXPECT_EQ(h.records.value_id(kGiven, 5), kNull);
}

TEST(RecordSet, KeepsKeysAndChildren) {
  Harness h(kRecordModel);
  h.records.add("gp", 101, 0, {"amy"});
  h.records.add("gp", 102, 55, {"amy"});
  EXPECT_EQ(h.records.key(0), 101);
  EXPECT_EQ(h.records.key(1), 102);
  EXPECT_EQ(h.records.child(0), 0);
  EXPECT_EQ(h.records.child(1), 55);
}

// The index snapshot: what encode_* writes, decode reads back the same, and
// a damaged part is refused rather than guessed at.
TEST(RecordSet, SnapshotRoundTrip) {
  Harness h(kRecordModel);
  h.records.add("gp", 101, 7,
                {"Zoë-Jane", "2014-03-07", "20140307", "LS1 4AP", "F", "9434765919", "a"});
  h.records.add("school", 102, 0,
                {"Sam", std::nullopt, "20150101", "2000 NSW", "m", "9434765918", std::nullopt});
  h.records.add("gp", 103, 9, {"sam", "2014-03-07", std::nullopt, "ls1 4ap", "u", "", "b"});
  std::vector<std::string> dictionaries;
  for (size_t f = 0; f < h.records.field_count(); ++f)
    dictionaries.push_back(h.records.encode_dictionary(f));
  const std::string sources = h.records.encode_sources(), chunk = h.records.encode_records(0);
  const std::vector<std::string_view> dictionary_views(dictionaries.begin(), dictionaries.end());
  auto copy = RecordSet::decode(h.spec, sources, dictionary_views, {chunk});
  ASSERT_NE(copy, nullptr);
  ASSERT_EQ(copy->size(), 3u);
  EXPECT_EQ(copy->sources(), h.records.sources());
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(copy->key(r), h.records.key(r));
    EXPECT_EQ(copy->child(r), h.records.child(r));
    EXPECT_EQ(copy->source(r), h.records.source(r));
    for (size_t f = 0; f < h.records.field_count(); ++f) {
      EXPECT_EQ(copy->value_id(f, r), h.records.value_id(f, r));
      const Value* a = h.records.value_of(f, r);
      const Value* b = copy->value_of(f, r);
      ASSERT_EQ(a == nullptr, b == nullptr);
      if (a == nullptr) continue;
      // Derived data is worked out again from the text.
      EXPECT_EQ(a->text, b->text);
      EXPECT_EQ(a->phonetic, b->phonetic);
      EXPECT_EQ(a->sector(), b->sector());
      EXPECT_EQ(a->day_number, b->day_number);
      EXPECT_EQ(a->valid, b->valid);
      EXPECT_EQ(a->count, b->count);
    }
  }
  EXPECT_EQ(copy->nhs_invalid(), h.records.nhs_invalid());
  EXPECT_DOUBLE_EQ(copy->frequency(kGiven, copy->value_id(kGiven, 1)),
                   h.records.frequency(kGiven, h.records.value_id(kGiven, 1)));
  // Nothing changed since decoding, until something does.
  EXPECT_FALSE(copy->chunk_changed(0));
  EXPECT_FALSE(copy->dictionary_changed(kGiven));
  copy->set_child(1, 12);
  copy->add("gp", 104, 0, {"Noah"});
  EXPECT_TRUE(copy->chunk_changed(0));
  EXPECT_TRUE(copy->dictionary_changed(kGiven));
  EXPECT_FALSE(copy->dictionary_changed(kNote));

  // Damaged parts: truncated, a count larger than the bytes, a value id
  // outside its dictionary, a part missing.
  EXPECT_EQ(RecordSet::decode(h.spec, sources.substr(0, 5), dictionary_views, {chunk}), nullptr);
  std::string huge = dictionaries[kGiven];
  huge[0] = huge[1] = huge[2] = '\xff';
  auto views = dictionary_views;
  views[kGiven] = huge;
  EXPECT_EQ(RecordSet::decode(h.spec, sources, views, {chunk}), nullptr);
  std::string bad_id = chunk;
  bad_id[bad_id.size() - 1] = '\x7f';  // the last value id of the last field
  EXPECT_EQ(RecordSet::decode(h.spec, sources, dictionary_views, {bad_id}), nullptr);
  EXPECT_EQ(RecordSet::decode(h.spec, sources,
                              {dictionary_views.begin(), dictionary_views.end() - 1}, {chunk}),
            nullptr);
}

// ================================================================================= comparison

// A field "x" of `kind` with an exact level then `level`: the level under test is code 2,
// "else" code 3.
std::string second_level_model(std::string_view kind, std::string_view level) {
  return "[[field]]\nname = \"x\"\nkind = \"" + std::string(kind) +
         "\"\nlevels = [ { compare = \"exact\" }, " + std::string(level) +
         " ]\n[[blocking]]\nkeys = [\"x\"]\n";
}

// Level code of the pair (a, b) on field 0 of a model made by second_level_model.
uint8_t level_of(std::string_view kind, std::string_view level, std::string_view a,
                 std::string_view b, std::string_view nicknames = "") {
  Harness h(second_level_model(kind, level), nicknames);
  const uint32_t x = h.add({a}), y = h.add({b});
  const uint8_t forward = h.level(0, x, y);
  EXPECT_EQ(forward, h.level(0, y, x)) << a << " / " << b;  // order does not matter
  return forward;
}

TEST(Comparer, Exact) {
  Harness h(name_model("{ compare = \"exact\" }"));
  const uint32_t a = h.add({"Smith"}), b = h.add({"SMITH"}), c = h.add({"Smyth"});
  EXPECT_EQ(h.level(0, a, b), 1);
  EXPECT_EQ(h.level(0, a, c), 2);  // else
  EXPECT_EQ(h.comparer.else_level(0), 2);
}

TEST(Comparer, Nickname) {
  constexpr std::string_view kList = "william,will,bill,billy,liam\nthomas,tom\n";
  const std::string_view level = "{ compare = \"nickname\" }";
  EXPECT_EQ(level_of("name", level, "William", "Bill", kList), 2);
  EXPECT_EQ(level_of("name", level, "liam", "Billy", kList), 2);
  EXPECT_EQ(level_of("name", level, "William", "Tom", kList), 3);
  EXPECT_EQ(level_of("name", level, "William", "Bill", ""), 3);  // no list: no variants
}

TEST(Comparer, JaroWinkler) {
  const std::string_view level = "{ compare = \"jaro_winkler\", threshold = 0.9 }";
  EXPECT_EQ(level_of("name", level, "martha", "marhta"), 2);  // 0.961
  EXPECT_EQ(level_of("name", level, "dwayne", "duane"), 3);   // 0.84
}

TEST(Comparer, DamerauLevenshtein) {
  const std::string_view level = "{ compare = \"damerau_levenshtein\", threshold = 1 }";
  EXPECT_EQ(level_of("text", level, "abcd", "abdc"), 2);  // one transposition
  EXPECT_EQ(level_of("text", level, "abcd", "abce"), 2);  // one substitution
  EXPECT_EQ(level_of("text", level, "abcd", "badc"), 3);  // two
}

TEST(Comparer, Phonetic) {
  ASSERT_EQ(nysiis("catherine"), nysiis("katherine"));
  const std::string_view level = "{ compare = \"phonetic\" }";
  EXPECT_EQ(level_of("name", level, "Catherine", "Katherine"), 2);
  EXPECT_EQ(level_of("name", level, "Catherine", "Kathryn"), 3);
}

TEST(Comparer, AnyPart) {
  const std::string_view level = "{ compare = \"any_part\" }";
  EXPECT_EQ(level_of("name", level, "Smith-Jones", "Jones"), 2);
  EXPECT_EQ(level_of("name", level, "ann marie", "marie louise"), 2);
  EXPECT_EQ(level_of("name", level, "Smith-Jones", "Brown"), 3);
  EXPECT_EQ(level_of("name", level, "j smith", "j brown"), 3);  // an initial is not a name
}

TEST(Comparer, SwapWith) {
  Harness h(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" }, { compare = "swap_with", with = "family_name" } ]
[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["given_name"]
)toml");
  const uint32_t a = h.add({"Smith", "John"});
  const uint32_t b = h.add({"John", "Smith"});
  const uint32_t c = h.add({"John", "Brown"});
  const uint32_t d = h.add({"John", std::nullopt});
  EXPECT_EQ(h.level(0, a, b), 2);
  EXPECT_EQ(h.level(0, b, a), 2);
  EXPECT_EQ(h.level(0, a, c), 3);
  EXPECT_EQ(h.level(0, a, d), 3);  // the other field missing: no swap to see
  EXPECT_EQ(h.level(1, a, b), 2);  // family names differ
}

TEST(Comparer, Initial) {
  const std::string_view level = "{ compare = \"initial\" }";
  EXPECT_EQ(level_of("name", level, "Sam", "Sarah"), 2);
  EXPECT_EQ(level_of("name", level, "Sam", "Tom"), 3);
}

TEST(Comparer, DayMonthSwap) {
  const std::string_view level = "{ compare = \"day_month_swap\" }";
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2014-07-03"), 2);
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2015-07-03"), 3);  // another year
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2014-07-04"), 3);
}

TEST(Comparer, WithinDays) {
  const std::string_view level = "{ compare = \"within_days\", threshold = 1 }";
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2014-03-08"), 2);
  EXPECT_EQ(level_of("date", level, "2014-02-28", "2014-03-01"), 2);  // across a month
  EXPECT_EQ(level_of("date", level, "2013-12-31", "2014-01-01"), 2);  // across a year
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2014-03-09"), 3);
}

TEST(Comparer, YearOff) {
  const std::string_view level = "{ compare = \"year_off\", threshold = 1 }";
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2015-03-07"), 2);
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2013-03-07"), 2);
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2016-03-07"), 3);
  EXPECT_EQ(level_of("date", level, "2014-03-07", "2015-03-08"), 3);
}

TEST(Comparer, Sector) {
  const std::string_view level = "{ compare = \"sector\" }";
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "ls1 4xy"), 2);
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "LS1 5AP"), 3);
  EXPECT_EQ(level_of("postcode", level, "2000 NSW", "2000 NSX"), 3);  // not UK postcodes
}

TEST(Comparer, District) {
  const std::string_view level = "{ compare = \"district\" }";
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "LS1 9ZZ"), 2);
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "LS11 4AP"), 3);  // not a prefix match
}

TEST(Comparer, Area) {
  const std::string_view level = "{ compare = \"area\" }";
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "LS27 0AA"), 2);
  EXPECT_EQ(level_of("postcode", level, "LS1 4AP", "L1 4AP"), 3);
}

TEST(Comparer, NullWhenEitherValueIsMissing) {
  Harness h(second_level_model("date", "{ compare = \"within_days\", threshold = 400 }"));
  const uint32_t a = h.add({"2014-03-07"});
  const uint32_t missing = h.add({std::nullopt});
  const uint32_t unparseable = h.add({"2014-13-45"});
  const uint32_t short_values = h.add({});
  EXPECT_EQ(h.level(0, a, missing), kNullLevel);
  EXPECT_EQ(h.level(0, missing, a), kNullLevel);
  EXPECT_EQ(h.level(0, a, unparseable), kNullLevel);
  EXPECT_EQ(h.level(0, missing, unparseable), kNullLevel);
  EXPECT_EQ(h.level(0, a, short_values), kNullLevel);
}

TEST(Comparer, FirstListedLevelWins) {
  // Identical names hold for both levels: the one listed first is the code.
  Harness phonetic_first(name_model("{ compare = \"phonetic\" }, { compare = \"exact\" }"));
  const uint32_t a = phonetic_first.add({"smith"}), b = phonetic_first.add({"smith"});
  EXPECT_EQ(phonetic_first.level(0, a, b), 1);
  Harness exact_first(name_model("{ compare = \"exact\" }, { compare = \"phonetic\" }"));
  const uint32_t c = exact_first.add({"smith"}), d = exact_first.add({"smith"});
  EXPECT_EQ(exact_first.level(0, c, d), 1);
  // A looser threshold before a tighter one swallows it.
  Harness loose_first(name_model(
      "{ compare = \"jaro_winkler\", threshold = 0.8 }, { compare = \"jaro_winkler\", threshold "
      "= 0.95 }"));
  const uint32_t e = loose_first.add({"martha"}), f = loose_first.add({"marhta"});
  EXPECT_EQ(loose_first.level(0, e, f), 1);
}

TEST(Comparer, ExactNeedsAValidNhsNumber) {
  Harness h(
      second_level_model("nhs_number", "{ compare = \"damerau_levenshtein\", threshold = 1 }"));
  const uint32_t bad1 = h.add({"9434765918"}), bad2 = h.add({"943 476 5918"});
  const uint32_t good1 = h.add({"9434765919"}), good2 = h.add({"943-476-5919"});
  ASSERT_EQ(h.records.value_id(0, bad1), h.records.value_id(0, bad2));
  EXPECT_EQ(h.level(0, bad1, bad2), 2);  // the same digits, but not a valid number
  EXPECT_EQ(h.level(0, good1, good2), 1);
  EXPECT_EQ(h.level(0, good1, bad1), 2);  // one digit apart

  Harness exact_only(second_level_model("nhs_number", "{ compare = \"initial\" }"));
  const uint32_t x = exact_only.add({"9434765918"}), y = exact_only.add({"9434765918"});
  EXPECT_EQ(exact_only.level(0, x, y), 2);  // falls to the next level that holds
}

TEST(Comparer, LevelsPacksFourBitsPerField) {
  Harness h(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" }, { compare = "initial" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["given_name"]
)toml");
  const uint32_t a = h.add({"sam", "2014-01-01", "m"});
  const uint32_t b = h.add({"sarah", std::nullopt, "f"});
  const LevelVector v = h.comparer.levels(a, b);
  EXPECT_EQ(level_at(v, 0), 2);
  EXPECT_EQ(level_at(v, 1), kNullLevel);
  EXPECT_EQ(level_at(v, 2), 2);
  EXPECT_EQ(v, LevelVector{0x202});
}

// ==================================================================================== scoring

constexpr std::string_view kFixedModel = R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [
  { label = "exact", compare = "exact", m = 0.9, u = 0.01 },
  { label = "initial", compare = "initial", m = 0.06, u = 0.05 },
]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { label = "exact", compare = "exact", m = 0.95, u = 0.002 } ]
[[blocking]]
keys = ["birth_date"]
)toml";

Parameters fixed_parameters(const ModelSpec& spec, double prior) {
  Parameters p = Parameters::sized_for(spec);
  apply_fixed(spec, p);
  p.prior = prior;
  return p;
}

TEST(Scoring, SizedForAndApplyFixed) {
  const ModelSpec spec = must_parse(kFixedModel);
  Parameters p = Parameters::sized_for(spec);
  ASSERT_EQ(p.m.size(), 2U);
  EXPECT_EQ(p.m[0].size(), 4U);  // null, exact, initial, else
  EXPECT_EQ(p.u[1].size(), 3U);  // null, exact, else
  EXPECT_EQ(p.m[0][1], 0.0);
  apply_fixed(spec, p);
  EXPECT_EQ(p.m[0][1], 0.9);
  EXPECT_EQ(p.u[0][2], 0.05);
  EXPECT_NEAR(p.m[0][3], 0.04, 1e-12);  // else: what is left
  EXPECT_NEAR(p.u[0][3], 0.94, 1e-12);
  EXPECT_NEAR(p.m[1][2], 0.05, 1e-12);
  EXPECT_NEAR(p.u[1][2], 0.998, 1e-12);

  // Only some levels fixed: else is left alone.
  const ModelSpec partial = must_parse(
      name_model("{ compare = \"exact\", m = 0.9 }, { compare = \"initial\", u = 0.2 }"));
  Parameters q = Parameters::sized_for(partial);
  q.m[0][3] = 0.33;
  q.u[0][3] = 0.44;
  apply_fixed(partial, q);
  EXPECT_EQ(q.m[0][1], 0.9);
  EXPECT_EQ(q.u[0][2], 0.2);
  EXPECT_EQ(q.m[0][3], 0.33);
  EXPECT_EQ(q.u[0][3], 0.44);
}

TEST(Scoring, WeightIsTheSumOfLogRatios) {
  Harness h(kFixedModel);
  const uint32_t a = h.add({"sam", "2014-01-01"});
  const uint32_t b = h.add({"sam", "2014-01-01"});
  const uint32_t c = h.add({"sarah", std::nullopt});
  const uint32_t d = h.add({"tom", "2015-05-05"});
  const uint32_t nobody = h.add({});
  const Parameters p = fixed_parameters(h.spec, 0.01);
  const Scorer scorer(h.records, h.comparer, p);
  EXPECT_NEAR(scorer.weight(a, b), std::log2(0.9 / 0.01) + std::log2(0.95 / 0.002), 1e-9);
  EXPECT_NEAR(scorer.weight(a, c), std::log2(0.06 / 0.05), 1e-9);  // null date: 0
  EXPECT_NEAR(scorer.weight(a, d), std::log2(0.04 / 0.94) + std::log2(0.05 / 0.998), 1e-9);
  EXPECT_NEAR(scorer.weight_of(h.comparer.levels(a, d), a), scorer.weight(a, d), 1e-12);
  EXPECT_EQ(scorer.weight(a, nobody), 0.0);  // nothing known: no evidence

  const std::vector<Evidence> why = scorer.explain(a, c);
  ASSERT_EQ(why.size(), 2U);
  EXPECT_EQ(why[0].label, "initial");
  EXPECT_EQ(why[0].level, 2);
  EXPECT_NEAR(why[0].weight, std::log2(0.06 / 0.05), 1e-9);
  EXPECT_EQ(why[1].label, "null");
  EXPECT_EQ(why[1].weight, 0.0);
  EXPECT_EQ(level_label(h.spec, 0, 3), "else");
  EXPECT_EQ(level_label(h.spec, 1, 1), "exact");
}

TEST(Scoring, ZeroProbabilitiesGiveAFiniteWeight) {
  Harness h(kFixedModel);
  const uint32_t a = h.add({"sam", "2014-01-01"}), b = h.add({"sam", "2014-01-01"});
  Parameters p = fixed_parameters(h.spec, 0.01);
  p.m[1][1] = 0;  // a level no match fell in
  p.u[0][1] = 0;  // a level no non-match fell in
  const Scorer scorer(h.records, h.comparer, p);
  EXPECT_TRUE(std::isfinite(scorer.weight(a, b)));
  EXPECT_NEAR(scorer.weight(a, b), std::log2(0.9 / 1e-9) + std::log2(1e-9 / 0.002), 1e-6);
}

TEST(Scoring, ProbabilityAndWeightAreInverses) {
  Harness h(kFixedModel);
  const Parameters p = fixed_parameters(h.spec, 0.01);
  const Scorer scorer(h.records, h.comparer, p);
  EXPECT_NEAR(scorer.prior_weight(), std::log2(0.01 / 0.99), 1e-12);
  for (double probability : {0.001, 0.1, 0.5, 0.8, 0.99, 0.999}) {
    const double w = scorer.weight_for_probability(probability);
    EXPECT_NEAR(scorer.probability(w), probability, 1e-12);
    EXPECT_NEAR(match_probability(w, p.prior), probability, 1e-12);
  }
  for (double w : {-20.0, -3.0, 0.0, 6.6, 25.0}) {
    EXPECT_NEAR(scorer.weight_for_probability(match_probability(w, 0.01)), w, 1e-9);
  }
  // At the prior's own odds a weight of 0 leaves the prior; prior 1/2 adds nothing.
  EXPECT_NEAR(match_probability(0, 0.01), 0.01, 1e-12);
  EXPECT_NEAR(match_probability(std::log2(99.0), 0.5), 0.99, 1e-12);
  EXPECT_NEAR(scorer.weight_for_probability(0.5), -scorer.prior_weight(), 1e-12);
}

// A surname model with term-frequency adjustment on exact agreement.
std::string tf_model(double tf_minimum) {
  return R"toml(
[[field]]
name = "family_name"
kind = "name"
tf_minimum = )toml" +
         std::to_string(tf_minimum) + R"toml(
levels = [
  { compare = "exact", tf = true, m = 0.9, u = 0.01 },
  { compare = "jaro_winkler", threshold = 0.8, m = 0.05, u = 0.02 },
]
[[blocking]]
keys = ["family_name"]
)toml";
}

// 50 Smiths, 2 Zebedees and 48 other surnames, each once: 100 records with a surname.
std::vector<std::string> tf_surnames() {
  std::vector<std::string> names(50, "smith");
  names.insert(names.end(), {"zebedee", "zebedee"});
  for (char a = 'a'; names.size() < 100; ++a) {
    for (char b = 'a'; b <= 'z' && names.size() < 100; ++b)
      names.push_back(std::string("q") + a + b);
  }
  return names;
}

TEST(Scoring, TermFrequencyRareSurnameOutweighsCommonOne) {
  Harness h(tf_model(0.0001));
  const std::vector<std::string> names = tf_surnames();
  for (const std::string& n : names)
    h.add({n});
  h.add({std::nullopt});  // a missing surname is not in the frequencies
  const Parameters p = fixed_parameters(h.spec, 0.01);
  const Scorer scorer(h.records, h.comparer, p);
  const uint32_t smith1 = 0, smith2 = 1, zebedee1 = 50, zebedee2 = 51;
  ASSERT_EQ(h.level(0, smith1, smith2), 1);
  ASSERT_EQ(h.level(0, zebedee1, zebedee2), 1);
  const double common = scorer.weight(smith1, smith2);
  const double rare = scorer.weight(zebedee1, zebedee2);
  EXPECT_GT(rare, common);
  EXPECT_NEAR(common, std::log2(0.9 / (50.0 / 100)), 1e-5);
  EXPECT_NEAR(rare, std::log2(0.9 / (2.0 / 100)), 1e-5);
  // Not the untuned log2(m/u) of the level.
  EXPECT_GT(std::abs(rare - std::log2(0.9 / 0.01)), 0.1);
  // Only the tf level is adjusted.
  const uint32_t q1 = 52, q2 = 53;
  EXPECT_EQ(h.level(0, q1, q2), 2);
  EXPECT_NEAR(scorer.weight(q1, q2), std::log2(0.05 / 0.02), 1e-9);
  // explain() reports the same adjusted weight.
  EXPECT_NEAR(scorer.explain(zebedee1, zebedee2)[0].weight, rare, 1e-9);
}

TEST(Scoring, TermFrequencyMinimumCapsTheWeightOfARareValue) {
  Harness h(tf_model(0.1));
  for (const std::string& n : tf_surnames())
    h.add({n});
  const Scorer scorer(h.records, h.comparer, fixed_parameters(h.spec, 0.01));
  // 2% is below the floor of 10%: the floor is used. 50% is above it: unchanged.
  EXPECT_NEAR(scorer.weight(50, 51), std::log2(0.9 / 0.1), 1e-5);
  EXPECT_NEAR(scorer.weight(0, 1), std::log2(0.9 / 0.5), 1e-5);
}

TEST(Scoring, ParametersJsonRoundTrip) {
  const ModelSpec spec = must_parse(kFixedModel);
  Parameters p = fixed_parameters(spec, 0.000123);
  p.m[0][2] = 1.0 / 3.0;  // not a short decimal
  const std::string json = p.to_json(spec);
  EXPECT_NE(json.find("\"given_name\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"initial\""), std::string::npos) << json;
  auto back = Parameters::from_json(json, spec);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_DOUBLE_EQ(back->prior, p.prior);
  ASSERT_EQ(back->m.size(), p.m.size());
  for (size_t f = 0; f < p.m.size(); ++f) {
    ASSERT_EQ(back->m[f].size(), p.m[f].size());
    for (size_t code = 1; code < p.m[f].size(); ++code) {
      EXPECT_DOUBLE_EQ(back->m[f][code], p.m[f][code]) << f << "/" << code;
      EXPECT_DOUBLE_EQ(back->u[f][code], p.u[f][code]) << f << "/" << code;
    }
  }
}

TEST(Scoring, ParametersFromJsonRejectsAnotherModel) {
  const ModelSpec spec = must_parse(kFixedModel);
  const std::string json = fixed_parameters(spec, 0.01).to_json(spec);

  // A field renamed.
  std::string renamed(kFixedModel);
  renamed.replace(renamed.find("birth_date"), 10, "dob");
  renamed.replace(renamed.find("\"birth_date\""), 12, "\"dob\"");
  auto other = Parameters::from_json(json, must_parse(renamed));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), Error::Code::kCorruption);
  EXPECT_NE(other.error().message().find("do not fit the model"), std::string::npos);

  // A level more.
  const ModelSpec more = must_parse(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" }, { compare = "initial" }, { compare = "phonetic" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["birth_date"]
)toml");
  EXPECT_FALSE(Parameters::from_json(json, more).ok());
  // A field fewer.
  EXPECT_FALSE(Parameters::from_json(json, must_parse(tf_model(0))).ok());
  // Not parameters at all.
  EXPECT_FALSE(Parameters::from_json("not json", spec).ok());
  EXPECT_FALSE(Parameters::from_json("{\"fields\": []}", spec).ok());
  EXPECT_FALSE(Parameters::from_json("[1, 2]", spec).ok());
}

// =================================================================================== training

// Three name fields with an exact and a fuzzy level each (codes 1, 2, else 3), and a fourth
// that tests may exclude; `extra` is added to field a's first level.
std::string em_model(std::string_view extra = "") {
  std::string toml = R"toml(
[training]
max_iterations = 5000
tolerance = 1e-8
)toml";
  for (const char* name : {"a", "b", "c", "d"}) {
    toml += "[[field]]\nname = \"" + std::string(name) +
            "\"\nkind = \"name\"\nlevels = [ { compare = \"exact\"" +
            (std::string_view(name) == "a" ? std::string(extra) : "") +
            " }, { compare = \"jaro_winkler\", threshold = 0.9 } ]\n";
  }
  return toml + "[[blocking]]\nkeys = [\"a\"]\n";
}

struct Mixture {
  std::vector<std::vector<double>> m, u;  // [field][code], code 0 unused
  double share;
  double missing_a;  // chance field a is null, the same in both classes
};

const Mixture kTruth = {
    {{0, 0.90, 0.07, 0.03}, {0, 0.80, 0.15, 0.05}, {0, 0.85, 0.10, 0.05}, {0, 0.6, 0.3, 0.1}},
    {{0, 0.05, 0.15, 0.80}, {0, 0.01, 0.09, 0.90}, {0, 0.10, 0.20, 0.70}, {0, 0.2, 0.2, 0.6}},
    0.2,
    0.1,
};

// Expected counts of every level pattern among `total` pairs drawn from the mixture.
std::vector<PatternCount> expected_patterns(const Mixture& mix, double total) {
  std::vector<PatternCount> out;
  for (uint8_t a = 0; a <= 3; ++a) {
    for (uint8_t b = 1; b <= 3; ++b) {
      for (uint8_t c = 1; c <= 3; ++c) {
        for (uint8_t d = 1; d <= 3; ++d) {
          const uint8_t codes[4] = {a, b, c, d};
          double pm = mix.share, pu = 1 - mix.share;
          for (size_t f = 0; f < 4; ++f) {
            if (codes[f] == 0) continue;
            pm *= mix.m[f][codes[f]];
            pu *= mix.u[f][codes[f]];
          }
          const double present = a == 0 ? mix.missing_a : 1 - mix.missing_a;
          const LevelVector v =
              LevelVector{a} | LevelVector{b} << 4 | LevelVector{c} << 8 | LevelVector{d} << 12;
          out.push_back({v, total * present * (pm + pu)});
        }
      }
    }
  }
  return out;
}

// Where EM starts: most matches agree exactly, every level equally likely for non-matches.
Parameters em_start(const ModelSpec& spec) {
  Parameters p = Parameters::sized_for(spec);
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    p.m[f] = {0, 0.85, 0.12, 0.03};
    p.u[f] = {0, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  }
  return p;
}

TEST(Training, EmRecoversAKnownMixture) {
  const ModelSpec spec = must_parse(em_model());
  Parameters p = em_start(spec);
  double share = 0.1;
  const EmSession session = expectation_maximisation(spec, expected_patterns(kTruth, 100'000),
                                                     std::vector<bool>(4, false), p, share);
  EXPECT_TRUE(session.converged);
  EXPECT_LT(session.iterations, spec.em_max_iterations);
  EXPECT_NEAR(static_cast<double>(session.pairs), 100'000, 200);  // counts truncated
  EXPECT_NEAR(share, 0.2, 0.01);
  EXPECT_NEAR(session.match_share, share, 1e-12);
  for (size_t f = 0; f < 4; ++f) {
    for (size_t code = 1; code <= 3; ++code) {
      SCOPED_TRACE(::testing::Message() << "field " << f << " level " << code);
      EXPECT_NEAR(p.m[f][code], kTruth.m[f][code], 0.01);
      EXPECT_NEAR(p.u[f][code], kTruth.u[f][code], 0.01);
    }
  }
}

TEST(Training, EmLeavesExcludedFieldsAlone) {
  const ModelSpec spec = must_parse(em_model());
  Parameters p = em_start(spec);
  p.m[3] = {0, 0.5, 0.3, 0.2};
  p.u[3] = {0, 0.2, 0.3, 0.5};
  const Parameters start = p;
  double share = 0.1;
  const EmSession session = expectation_maximisation(spec, expected_patterns(kTruth, 100'000),
                                                     {false, false, false, true}, p, share);
  EXPECT_TRUE(session.converged);
  EXPECT_EQ(p.m[3], start.m[3]);
  EXPECT_EQ(p.u[3], start.u[3]);
  // Three fields are still enough to find the mixture.
  EXPECT_NEAR(share, 0.2, 0.01);
  for (size_t f = 0; f < 3; ++f) {
    EXPECT_NEAR(p.m[f][1], kTruth.m[f][1], 0.01) << f;
    EXPECT_NEAR(p.u[f][1], kTruth.u[f][1], 0.01) << f;
  }
}

TEST(Training, EmKeepsFixedProbabilities) {
  // Fixed at values other than the truth: they must stay, whatever the data says.
  const ModelSpec spec = must_parse(em_model(", m = 0.7, u = 0.2"));
  Parameters p = em_start(spec);
  apply_fixed(spec, p);
  double share = 0.1;
  expectation_maximisation(spec, expected_patterns(kTruth, 100'000), std::vector<bool>(4, false), p,
                           share);
  EXPECT_EQ(p.m[0][1], 0.7);
  EXPECT_EQ(p.u[0][1], 0.2);
  // The other levels are still estimated.
  EXPECT_NE(p.m[0][2], 0.12);
  EXPECT_NE(p.m[1][1], 0.85);
}

TEST(Training, EmOnNoPairsStaysFinite) {
  const ModelSpec spec = must_parse(em_model());
  Parameters p = em_start(spec);
  double share = 0.1;
  const EmSession session =
      expectation_maximisation(spec, {}, std::vector<bool>(4, false), p, share);
  EXPECT_EQ(session.pairs, 0);
  EXPECT_TRUE(std::isfinite(share));
  for (size_t f = 0; f < 4; ++f) {
    for (size_t code = 1; code <= 3; ++code) {
      EXPECT_TRUE(std::isfinite(p.m[f][code]));
      EXPECT_TRUE(std::isfinite(p.u[f][code]));
    }
  }
}

TEST(Training, EstimatePriorWhenEveryCandidateIsAMatch) {
  std::vector<float> weights(100, 40.0F);
  weights.insert(weights.end(), 10'000, -40.0F);
  const double prior = estimate_prior(weights, 1e6, 1e-3);
  EXPECT_NEAR(prior, 100 / 1e6, 1e-7);
  EXPECT_NEAR(estimate_prior(weights, 1e6, 1e-8), prior, 1e-9);  // whatever the start
}

TEST(Training, EstimatePriorFindsTheFixedPoint) {
  // 1000 pairs of weight 11 among 10^6: the prior p with
  // p = (1000 / 10^6) * posterior(11, p). With c = 10^-3 and K = 2^11 c, p = c (K - 1) / (K - c).
  const std::vector<float> weights(1000, 11.0F);
  const double c = 1e-3, k = std::exp2(11.0) * c;
  const double expected = c * (k - 1) / (k - c);
  const double prior = estimate_prior(weights, 1e6, 1e-6);
  EXPECT_NEAR(prior / expected, 1.0, 1e-4) << prior << " vs " << expected;
  const double posterior = match_probability(11.0, prior);
  EXPECT_NEAR(prior, 1000 * posterior / 1e6, 1e-9);
}

// A synthetic population: `people` children, each with 2 or 3 noisy records from different
// feeds.
constexpr std::string_view kTrainingModel = R"toml(
[training]
u_sample_pairs = 20000
rules = ["dob", "names"]
seed = 3

[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" }, { compare = "jaro_winkler", threshold = 0.88 } ]
[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact" }, { compare = "jaro_winkler", threshold = 0.88 } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" }, { compare = "within_days", threshold = 1 } ]
[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "exact" } ]
[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" }, { compare = "district" } ]

[[blocking]]
name = "dob"
keys = ["birth_date"]
[[blocking]]
name = "names"
keys = ["given_name:phonetic", "family_name:phonetic"]
)toml";

struct Person {
  std::string given, family, dob, sex, postcode;
};

std::string two_digits(int64_t n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

std::string typo(std::string s, SplitMix64& rng) {
  if (s.size() < 3) return s + "e";
  const auto i = static_cast<size_t>(1 + rng.below(static_cast<int64_t>(s.size()) - 2));
  std::swap(s[i], s[i + 1]);
  return s;
}

// Adds the records of `people` synthetic children to `h`; returns each record's person.
std::vector<int> add_population(Harness& h, int people, uint64_t seed) {
  static const char* kGiven[] = {
      "oliver",  "amelia",   "george",   "isla",  "harry",  "ava",    "noah",    "mia",
      "jack",    "ivy",      "leo",      "grace", "arthur", "lily",   "oscar",   "freya",
      "charlie", "florence", "muhammad", "emily", "henry",  "sophia", "theo",    "willow",
      "alfie",   "ella",     "jacob",    "evie",  "thomas", "rosie",  "william", "poppy",
      "james",   "sienna",   "joshua",   "daisy", "edward", "alice",  "samuel",  "matilda"};
  static const char* kFamily[] = {
      "smith",      "jones",    "taylor", "brown",    "williams", "wilson",  "johnson", "davies",
      "patel",      "robinson", "wright", "thompson", "evans",    "walker",  "white",   "roberts",
      "green",      "hall",     "thomas", "clarke",   "jackson",  "wood",    "harris",  "edwards",
      "turner",     "martin",   "cooper", "hill",     "ward",     "hughes",  "moore",   "clark",
      "king",       "harrison", "lewis",  "baker",    "lee",      "allen",   "morris",  "khan",
      "scott",      "watson",   "davis",  "parker",   "james",    "bennett", "young",   "phillips",
      "richardson", "mitchell", "bailey", "carter",   "cook",     "singh",   "shaw",    "bell",
      "collins",    "morgan",   "kelly",  "begum"};
  static const char* kFeeds[] = {"gp", "school", "hospital"};
  SplitMix64 rng(seed);
  std::vector<int> person_of;
  for (int p = 0; p < people; ++p) {
    Person person{
        kGiven[rng.below(std::size(kGiven))], kFamily[rng.below(std::size(kFamily))],
        std::to_string(rng.between(2005, 2020)) + "-" + two_digits(rng.between(1, 12)) + "-" +
            two_digits(rng.between(1, 27)),
        rng.chance(0.5) ? "m" : "f",
        "LS" + std::to_string(rng.between(1, 20)) + " " + std::to_string(rng.between(1, 9)) + "AB"};
    const int records = rng.chance(0.5) ? 2 : 3;
    const auto first_feed = rng.below(3);
    for (int r = 0; r < records; ++r) {
      Person copy = person;
      if (rng.chance(0.1)) copy.given = typo(copy.given, rng);
      if (rng.chance(0.05)) copy.family = typo(copy.family, rng);
      if (rng.chance(0.05)) copy.dob.back() = copy.dob.back() == '1' ? '2' : '1';
      if (rng.chance(0.15)) copy.postcode = "LS" + std::to_string(rng.between(21, 30)) + " 1XY";
      Values values = {copy.given, copy.family, copy.dob, copy.sex, copy.postcode};
      if (rng.chance(0.1)) values[4] = std::nullopt;
      if (rng.chance(0.05)) values[3] = std::nullopt;
      h.add(values, kFeeds[(first_feed + r) % 3]);
      person_of.push_back(p);
    }
  }
  return person_of;
}

TEST(Training, TrainOnASyntheticPopulation) {
  Harness h(kTrainingModel);
  add_population(h, 300, 42);
  ASSERT_GT(h.records.size(), 600U);
  TrainingReport report;
  const Parameters p = train(h.records, h.comparer, report);
  EXPECT_EQ(report.u_pairs, 20000);
  ASSERT_EQ(report.sessions.size(), 2U);
  EXPECT_EQ(report.sessions[0].rule, "dob");
  EXPECT_EQ(report.sessions[1].rule, "names");
  for (const EmSession& s : report.sessions) {
    EXPECT_GT(s.pairs, 100) << s.rule;
    EXPECT_GT(s.match_share, 0.3) << s.rule;  // blocks hold mostly true pairs here
  }
  EXPECT_TRUE(report.untrained_fields.empty());
  EXPECT_DOUBLE_EQ(p.prior, 1e-4);  // left as given (the model has none)

  for (size_t f = 0; f < h.spec.fields.size(); ++f) {
    SCOPED_TRACE(h.spec.fields[f].name);
    EXPECT_GT(p.m[f][1], p.u[f][1]);
    EXPECT_GT(p.m[f][1], 0.5);
    // u of the exact level: the chance two different records share a value.
    const double n = h.records.present(f);
    double same = 0;
    for (uint32_t id = 1; id < h.records.value_count(f); ++id) {
      const double c = h.records.value(f, id).count;
      same += c * (c - 1);
    }
    EXPECT_NEAR(p.u[f][1], same / (n * (n - 1)), 1e-9);
    double m_total = 0, u_total = 0;
    for (size_t code = 1; code < p.m[f].size(); ++code) {
      m_total += p.m[f][code];
      u_total += p.u[f][code];
    }
    EXPECT_NEAR(m_total, 1.0, 1e-6);
    EXPECT_NEAR(u_total, 1.0, 1e-6);
  }
  // Sex agrees by chance about half the time.
  EXPECT_NEAR(p.u[3][1], 0.5, 0.05);
}

TEST(Training, TrainIsDeterministic) {
  Harness h(kTrainingModel);
  add_population(h, 150, 7);
  TrainingReport r1, r2;
  const Parameters a = train(h.records, h.comparer, r1);
  const Parameters b = train(h.records, h.comparer, r2);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.u, b.u);
}

TEST(Training, TrainOnTooFewRecordsUsesTheFixedValues) {
  Harness h(kFixedModel);
  h.add({"sam", "2014-01-01"});
  TrainingReport report;
  const Parameters p = train(h.records, h.comparer, report);
  EXPECT_EQ(report.u_pairs, 0);
  EXPECT_EQ(p.m[0][1], 0.9);
  EXPECT_EQ(p.u[1][1], 0.002);
}

// =================================================================================== blocking

constexpr std::string_view kBlockingModel = R"toml(
[model]
max_block_size = 3
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" } ]
[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [ { compare = "exact" } ]

[[blocking]]
name = "dob"
keys = ["birth_date"]
[[blocking]]
name = "family"
keys = ["family_name"]
)toml";

std::vector<std::pair<uint32_t, uint32_t>> as_pairs(const Candidates& c) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const Pair& p : c.pairs)
    out.emplace_back(p.a, p.b);
  return out;
}

using PairList = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(Blocking, UnionOfRulesWithoutRepeats) {
  Harness h(kBlockingModel);
  h.add({"sam", "smith", "2014-01-01"});  // 0
  h.add({"sam", "smith", "2014-01-01"});  // 1: found by both rules
  h.add({"amy", "smith", "2015-02-02"});  // 2: family only
  h.add({"tom", "jones", "2015-02-02"});  // 3: dob only, with 2
  h.add({"eve", "brown", "2016-03-03"});  // 4: alone
  const Candidates c = block(h.records, false);
  EXPECT_EQ(as_pairs(c), (PairList{{0, 1}, {0, 2}, {1, 2}, {2, 3}}));
  ASSERT_EQ(c.stats.size(), 2U);
  EXPECT_EQ(c.stats[0].rule, "dob");
  EXPECT_EQ(c.stats[0].pairs, 2);  // (0,1) and (2,3)
  EXPECT_EQ(c.stats[1].rule, "family");
  EXPECT_EQ(c.stats[1].pairs, 2);  // (0,2) and (1,2); (0,1) counted for dob
  EXPECT_EQ(c.stats[0].blocks_skipped, 0);
}

TEST(Blocking, OnlyNewSkipsPairsOfLinkedRecords) {
  Harness h(kBlockingModel);
  h.add({"a", "x", "2014-01-01"}, "gp", 7);  // 0: linked
  h.add({"b", "y", "2014-01-01"}, "gp", 8);  // 1: linked
  h.add({"c", "z", "2014-01-01"}, "gp", 0);  // 2: new
  h.add({"d", "w", "2015-01-01"}, "gp", 0);  // 3: new
  h.add({"e", "v", "2015-01-01"}, "gp", 0);  // 4: new
  h.add({"f", "u", "2016-01-01"}, "gp", 9);  // 5: linked
  h.add({"g", "t", "2016-01-01"}, "gp", 9);  // 6: linked, same child
  EXPECT_EQ(as_pairs(block(h.records, true)), (PairList{{0, 2}, {1, 2}, {3, 4}}));
  EXPECT_EQ(as_pairs(block(h.records, false)), (PairList{{0, 1}, {0, 2}, {1, 2}, {3, 4}, {5, 6}}));
  EXPECT_EQ(block(h.records, true).stats[0].pairs, 3);
}

TEST(Blocking, SkipsBlocksAboveMaxBlockSize) {
  Harness h(kBlockingModel);  // max_block_size = 3
  h.add({"a", "smith", "2014-01-01"});
  h.add({"b", "smith", "2014-01-01"});
  h.add({"c", "jones", "2014-01-01"});
  h.add({"d", "jones", "2014-01-01"});
  h.add({"e", "brown", "2015-01-01"});
  h.add({"f", "brown", "2015-01-01"});
  h.add({"g", "brown", "2015-01-01"});
  const Candidates c = block(h.records, false);
  // dob: the block of four is skipped, the block of three kept. family: smith and jones pairs
  // were not found by dob (skipped), so family adds them; the browns were.
  EXPECT_EQ(as_pairs(c), (PairList{{0, 1}, {2, 3}, {4, 5}, {4, 6}, {5, 6}}));
  EXPECT_EQ(c.stats[0].pairs, 3);
  EXPECT_EQ(c.stats[0].blocks_skipped, 1);
  EXPECT_EQ(c.stats[0].records_skipped, 4);
  EXPECT_EQ(c.stats[1].pairs, 2);
  EXPECT_EQ(c.stats[1].blocks_skipped, 0);
}

TEST(Blocking, RecordsMissingAKeyPartAreNotBlocked) {
  Harness h(R"toml(
[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["family_name", "birth_date"]
)toml");
  h.add({"smith", "2014-01-01"});
  h.add({"smith", std::nullopt});
  h.add({"smith", "not a date"});
  h.add({std::nullopt, "2014-01-01"});
  h.add({"smith", "2014-01-01"});
  const BlockingRule& rule = h.spec.blocking[0];
  EXPECT_NE(blocking_key(h.records, rule, 0), 0U);
  EXPECT_EQ(blocking_key(h.records, rule, 1), 0U);
  EXPECT_EQ(blocking_key(h.records, rule, 2), 0U);
  EXPECT_EQ(blocking_key(h.records, rule, 3), 0U);
  EXPECT_EQ(blocking_key(h.records, rule, 0), blocking_key(h.records, rule, 4));
  EXPECT_EQ(as_pairs(block(h.records, false)), (PairList{{0, 4}}));
}

TEST(Blocking, InvalidNhsNumbersDoNotBlock) {
  Harness h(R"toml(
[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["nhs_number"]
)toml");
  h.add({"9434765918"});
  h.add({"9434765918"});
  h.add({"9434765919"});
  h.add({"943 476 5919"});
  EXPECT_EQ(blocking_key(h.records, h.spec.blocking[0], 0), 0U);
  EXPECT_EQ(as_pairs(block(h.records, false)), (PairList{{2, 3}}));
}

TEST(Blocking, Transforms) {
  Harness h(R"toml(
[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[field]]
name = "postcode"
kind = "postcode"
levels = [ { compare = "exact" } ]
[[blocking]]
name = "phonetic"
keys = ["given_name:phonetic"]
[[blocking]]
name = "initial"
keys = ["given_name:initial"]
[[blocking]]
name = "year"
keys = ["birth_date:year"]
[[blocking]]
name = "sector"
keys = ["postcode:sector"]
[[blocking]]
name = "district"
keys = ["postcode:district"]
[[blocking]]
name = "value"
keys = ["given_name:value"]
)toml");
  const uint32_t a = h.add({"Catherine", "2014-03-07", "LS1 4AP"});
  const uint32_t b = h.add({"Katherine", "2014-11-30", "LS1 4XY"});
  const uint32_t c = h.add({"Kathryn", "2015-03-07", "LS1 5AP"});
  const uint32_t d = h.add({"Charles", "2014-03-07", "LS11 4AP"});
  auto key = [&](size_t rule, uint32_t r) {
    return blocking_key(h.records, h.spec.blocking[rule], r);
  };
  enum { kPhonetic, kInitial, kYear, kSector, kDistrict, kValue };
  EXPECT_EQ(key(kPhonetic, a), key(kPhonetic, b));  // CATARAN
  EXPECT_NE(key(kPhonetic, a), key(kPhonetic, c));  // CATRYN
  EXPECT_EQ(key(kInitial, b), key(kInitial, c));    // k
  EXPECT_EQ(key(kInitial, a), key(kInitial, d));    // c
  EXPECT_NE(key(kInitial, a), key(kInitial, b));
  EXPECT_EQ(key(kYear, a), key(kYear, b));
  EXPECT_EQ(key(kYear, a), key(kYear, d));
  EXPECT_NE(key(kYear, a), key(kYear, c));
  EXPECT_EQ(key(kSector, a), key(kSector, b));
  EXPECT_NE(key(kSector, a), key(kSector, c));
  EXPECT_NE(key(kSector, a), key(kSector, d));
  EXPECT_EQ(key(kDistrict, a), key(kDistrict, c));
  EXPECT_NE(key(kDistrict, a), key(kDistrict, d));  // LS1 is not LS11
  EXPECT_NE(key(kValue, a), key(kValue, b));
  // The same value under different rules gives different keys.
  EXPECT_NE(key(kSector, a), key(kDistrict, a));
  for (size_t rule = 0; rule < h.spec.blocking.size(); ++rule) {
    for (uint32_t r : {a, b, c, d})
      EXPECT_NE(key(rule, r), 0U);
  }
  // A postcode that is not a UK one has no sector or district.
  const uint32_t foreign = h.add({"x", "2014-01-01", "2000 NSW"});
  EXPECT_EQ(key(kSector, foreign), 0U);
  EXPECT_EQ(key(kDistrict, foreign), 0U);
}

// One rule's block of 100 records: 4,950 pairs.
constexpr std::string_view kBigBlockModel = R"toml(
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["birth_date"]
)toml";

TEST(Blocking, TrainingPairsAllWhenFewEnough) {
  Harness h(kBigBlockModel);
  for (int i = 0; i < 100; ++i)
    h.add({"2014-01-01"});
  h.add({"2015-01-01"});
  h.add({"2015-01-01"});
  const auto pairs = block_for_training(h.records, h.spec.blocking[0], 10'000, 1);
  EXPECT_EQ(pairs.size(), 4951U);
  std::set<std::pair<uint32_t, uint32_t>> distinct;
  for (const Pair& p : pairs) {
    EXPECT_LT(p.a, p.b);
    distinct.emplace(p.a, p.b);
  }
  EXPECT_EQ(distinct.size(), pairs.size());
}

TEST(Blocking, TrainingPairsSampledWhenTooMany) {
  Harness h(kBigBlockModel);
  for (int i = 0; i < 100; ++i)
    h.add({"2014-01-01"});
  for (uint64_t seed : {1, 2, 3}) {
    const auto pairs = block_for_training(h.records, h.spec.blocking[0], 1000, seed);
    // Each pair kept with chance 1000/4950: about 1000, within five standard deviations.
    EXPECT_NEAR(static_cast<double>(pairs.size()), 1000.0, 5 * 28.4) << seed;
    std::set<std::pair<uint32_t, uint32_t>> distinct;
    for (const Pair& p : pairs)
      distinct.emplace(p.a, p.b);
    EXPECT_EQ(distinct.size(), pairs.size());
  }
  EXPECT_NE(block_for_training(h.records, h.spec.blocking[0], 1000, 1),
            block_for_training(h.records, h.spec.blocking[0], 1000, 2));
  EXPECT_EQ(block_for_training(h.records, h.spec.blocking[0], 1000, 1),
            block_for_training(h.records, h.spec.blocking[0], 1000, 1));
}

// The header promises "a uniform sample of max_pairs"; Bernoulli sampling gives about
// max_pairs, often more.
TEST(Blocking, TrainingPairsNeverMoreThanMaxPairs) {
  Harness h(kBigBlockModel);
  for (int i = 0; i < 100; ++i)
    h.add({"2014-01-01"});
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    EXPECT_LE(block_for_training(h.records, h.spec.blocking[0], 1000, seed).size(), 1000U)
        << "seed " << seed;
  }
}

// ================================================================================= clustering

constexpr std::string_view kClusterModel = R"toml(
[[field]]
name = "x"
kind = "text"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["x"]
)toml";

// Records whose pair weights the test sets by hand: anything not set is -100.
struct ClusterCase {
  ClusterCase() : h(kClusterModel) {}

  uint32_t add(std::string_view source, int64_t child = 0) { return h.add({"v"}, source, child); }
  void set(uint32_t a, uint32_t b, double w) { weights[{std::min(a, b), std::max(a, b)}] = w; }
  void pair(uint32_t a, uint32_t b, double w) {
    set(a, b, w);
    pairs.push_back({a, b, static_cast<float>(w)});
  }

  Clustering run(const std::vector<Decision>& decisions = {}, bool chain_duplicates = false) {
    ClusterOptions options{kAuto, kReview, {}, chain_duplicates, [this](uint32_t a, uint32_t b) {
                             const auto it = weights.find({std::min(a, b), std::max(a, b)});
                             return it == weights.end() ? -100.0 : it->second;
                           }};
    for (const std::string& s : h.records.sources())
      options.source_repeats_people.push_back(s.starts_with("dup"));
    return cluster(h.records, pairs, decisions, options);
  }

  static constexpr double kAuto = 10, kReview = 5;
  Harness h;
  std::map<std::pair<uint32_t, uint32_t>, double> weights;
  std::vector<ScoredPair> pairs;
};

TEST(Clustering, AutoPairsJoin) {
  ClusterCase t;
  const uint32_t a = t.add("gp"), b = t.add("school"), c = t.add("hospital"), d = t.add("gp");
  t.pair(a, b, 20);
  t.pair(b, c, 10);  // exactly at the threshold
  t.pair(c, d, 9.9);
  const Clustering out = t.run();
  EXPECT_EQ(out.root[a], out.root[b]);
  EXPECT_EQ(out.root[a], out.root[c]);
  EXPECT_NE(out.root[a], out.root[d]);
  EXPECT_EQ(out.auto_pairs, 2);
  EXPECT_EQ(out.refused_one_per_feed, 0);
  ASSERT_EQ(out.root.size(), 4U);
  for (uint32_t r = 0; r < 4; ++r)
    EXPECT_EQ(out.root[out.root[r]], out.root[r]);  // roots represent themselves
}

TEST(Clustering, OneRecordPerFeedEvenThroughAChain) {
  ClusterCase t;
  const uint32_t a1 = t.add("school"), x = t.add("gp"), a2 = t.add("school");
  t.pair(a1, x, 20);
  t.pair(x, a2, 19);
  const Clustering out = t.run();
  EXPECT_EQ(out.root[a1], out.root[x]);
  EXPECT_NE(out.root[a2], out.root[x]);
  EXPECT_EQ(out.refused_one_per_feed, 1);
  EXPECT_TRUE(out.review.empty());  // the merge is forbidden, so nobody is asked
}

TEST(Clustering, DuplicatesFeedJoinsThroughAChainOnlyWhenThePairReachesReview) {
  for (const double direct : {-3.0, 6.0}) {
    SCOPED_TRACE(direct);
    ClusterCase t;
    const uint32_t d1 = t.add("dup_gp"), x = t.add("school"), d2 = t.add("dup_gp");
    t.pair(d1, x, 20);
    t.pair(x, d2, 19);
    t.set(d1, d2, direct);  // their own weight, never a candidate pair
    const Clustering out = t.run();
    EXPECT_EQ(out.root[d1], out.root[x]);
    if (direct >= ClusterCase::kReview) {
      EXPECT_EQ(out.root[d2], out.root[x]);
      EXPECT_EQ(out.refused_one_per_feed, 0);
    } else {
      EXPECT_NE(out.root[d2], out.root[x]);
      EXPECT_EQ(out.refused_one_per_feed, 1);
      // A person may still say: the refused pair goes to review.
      ASSERT_EQ(out.review.size(), 1U);
      EXPECT_EQ(out.review[0].a, x);
      EXPECT_EQ(out.review[0].b, d2);
      EXPECT_FALSE(out.review[0].existing_children);
    }
  }
}

TEST(Clustering, ChainDuplicatesJoinsPlainComponents) {
  ClusterCase t;
  const uint32_t d1 = t.add("dup_file"), d2 = t.add("dup_file"), d3 = t.add("dup_file");
  t.pair(d1, d2, 20);
  t.pair(d2, d3, 19);
  t.set(d1, d3, -30);
  const Clustering chained = t.run({}, true);
  EXPECT_EQ(chained.root[d1], chained.root[d3]);
  const Clustering strict = t.run({}, false);
  EXPECT_NE(strict.root[d1], strict.root[d3]);
}

TEST(Clustering, DifferentDecisionIsNeverCrossed) {
  ClusterCase t;
  const uint32_t a = t.add("gp"), b = t.add("school"), x = t.add("hospital"), c = t.add("acute");
  t.pair(a, b, 30);
  t.pair(a, x, 20);
  t.pair(x, c, 15);
  t.pair(c, b, 12);  // would close a chain a-x-c-b
  const Clustering out = t.run({{a, b, false}});
  EXPECT_NE(out.root[a], out.root[b]);
  EXPECT_EQ(out.root[a], out.root[x]);
  EXPECT_EQ(out.root[a], out.root[c]);
  EXPECT_EQ(out.refused_by_decision, 2);  // (a,b) itself and (c,b)
  EXPECT_TRUE(out.review.empty());
}

TEST(Clustering, SameDecisionJoinsWithoutAPair) {
  ClusterCase t;
  const uint32_t a = t.add("gp"), b = t.add("school"), c = t.add("hospital");
  const Clustering out = t.run({{a, c, true}});
  EXPECT_EQ(out.root[a], out.root[c]);
  EXPECT_NE(out.root[a], out.root[b]);
  EXPECT_EQ(out.auto_pairs, 0);
  EXPECT_TRUE(out.merges.empty());
}

TEST(Clustering, ExistingChildrenAreNeverJoinedAutomatically) {
  ClusterCase t;
  const uint32_t r1 = t.add("gp", 100), r2 = t.add("school", 200), n = t.add("hospital");
  const uint32_t r1b = t.add("acute", 100);
  t.pair(r1, r2, 30);
  t.pair(n, r2, 25);
  t.pair(n, r1, 20);
  const Clustering out = t.run();
  EXPECT_EQ(out.root[r1], out.root[r1b]);  // one child's records start together
  EXPECT_NE(out.root[r1], out.root[r2]);
  EXPECT_EQ(out.root[n], out.root[r2]);  // the stronger pair wins the new record
  EXPECT_EQ(out.refused_existing, 2);    // (r1,r2) and (n,r1)
  ASSERT_EQ(out.review.size(), 1U);      // one item for the two children: the strongest
  EXPECT_EQ(out.review[0].a, r1);
  EXPECT_EQ(out.review[0].b, r2);
  EXPECT_FLOAT_EQ(out.review[0].weight, 30);
  EXPECT_TRUE(out.review[0].existing_children);
  EXPECT_TRUE(out.merges.empty());
}

TEST(Clustering, DifferentDecisionBetweenExistingChildrenKeepsThemOutOfReview) {
  ClusterCase t;
  const uint32_t r1 = t.add("gp", 100), r2 = t.add("school", 200), r3 = t.add("acute", 200);
  t.pair(r1, r3, 30);  // another pair between the two children than the one decided
  t.pair(r1, r2, 7);
  const Clustering out = t.run({{r1, r2, false}});
  EXPECT_NE(out.root[r1], out.root[r3]);
  EXPECT_EQ(out.refused_by_decision, 1);
  EXPECT_EQ(out.refused_existing, 0);
  EXPECT_TRUE(out.review.empty());
}

TEST(Clustering, SameDecisionMergesExistingChildrenIntoTheOlder) {
  ClusterCase t;
  const uint32_t r1 = t.add("gp", 300), r2 = t.add("school", 120), r3 = t.add("gp", 300);
  const Clustering out = t.run({{r1, r2, true}});
  EXPECT_EQ(out.root[r1], out.root[r2]);
  EXPECT_EQ(out.root[r1], out.root[r3]);
  ASSERT_EQ(out.merges.size(), 1U);
  EXPECT_EQ(out.merges[0].from, 300);
  EXPECT_EQ(out.merges[0].into, 120);
}

TEST(Clustering, ReviewCandidates) {
  ClusterCase t;
  const uint32_t a1 = t.add("gp"), a2 = t.add("school");            // one cluster
  const uint32_t b = t.add("hospital");                             // review with it, twice
  const uint32_t c = t.add("acute"), d = t.add("mental_health");    // review, but decided
  const uint32_t e = t.add("community"), f = t.add("social_care");  // same cluster in the end
  const uint32_t g = t.add("maternity");
  t.pair(a1, a2, 15);
  t.pair(a1, b, 6);
  t.pair(a2, b, 8);
  t.pair(c, d, 9);
  t.pair(e, g, 12);
  t.pair(f, g, 11);
  t.pair(e, f, 7);    // in the band, but e and f end in one cluster
  t.pair(b, g, 4.9);  // below the band
  const Clustering out = t.run({{c, d, false}});
  ASSERT_EQ(out.review.size(), 1U);
  EXPECT_EQ(out.review[0].a, a2);
  EXPECT_EQ(out.review[0].b, b);
  EXPECT_FLOAT_EQ(out.review[0].weight, 8);
  EXPECT_FALSE(out.review[0].existing_children);
}

TEST(Clustering, ReviewSkipsMergesAConstraintForbids) {
  ClusterCase t;
  const uint32_t s1 = t.add("school"), x = t.add("gp"), s2 = t.add("school");
  const uint32_t y = t.add("hospital"), z = t.add("acute"), w = t.add("community");
  t.pair(s1, x, 20);
  t.pair(x, s2, 7);  // review band, but {s1,x} + {s2} would give one child two school records
  t.pair(y, z, 20);
  t.pair(z, w, 7);  // review band, but y and w were decided different
  t.pair(y, w, 1);
  const Clustering out = t.run({{y, w, false}});
  EXPECT_TRUE(out.review.empty()) << out.review.size() << " items, first " << out.review[0].a << "-"
                                  << out.review[0].b;
}

TEST(Clustering, ReviewOrderIsStrongestFirst) {
  ClusterCase t;
  std::vector<uint32_t> r;
  for (const char* s : {"a", "b", "c", "d", "e", "f"})
    r.push_back(t.add(s));
  t.pair(r[0], r[1], 6);
  t.pair(r[2], r[3], 9);
  t.pair(r[4], r[5], 7);
  const Clustering out = t.run();
  ASSERT_EQ(out.review.size(), 3U);
  EXPECT_FLOAT_EQ(out.review[0].weight, 9);
  EXPECT_FLOAT_EQ(out.review[1].weight, 7);
  EXPECT_FLOAT_EQ(out.review[2].weight, 6);
}

TEST(Clustering, StrongestPairWinsTheConflict) {
  ClusterCase t;
  const uint32_t s1 = t.add("school"), s2 = t.add("school"), x = t.add("gp");
  // Given weakest first: the order of the input must not matter.
  t.pair(x, s1, 15);
  t.pair(x, s2, 20);
  const Clustering out = t.run();
  EXPECT_EQ(out.root[x], out.root[s2]);
  EXPECT_NE(out.root[x], out.root[s1]);
  EXPECT_EQ(out.refused_one_per_feed, 1);
}

// ===================================================================================== engine

constexpr std::string_view kEngineModel = R"toml(
[thresholds]
auto_link = 0.99
review = 0.5

[[field]]
name = "given_name"
kind = "name"
levels = [ { compare = "exact", m = 0.9, u = 0.01 } ]
[[field]]
name = "family_name"
kind = "name"
levels = [ { compare = "exact", m = 0.9, u = 0.01 } ]
[[field]]
name = "birth_date"
kind = "date"
levels = [ { compare = "exact", m = 0.95, u = 0.001 } ]
[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "exact", m = 0.98, u = 0.5 } ]

[[blocking]]
name = "dob"
keys = ["birth_date"]
[[blocking]]
name = "names"
keys = ["given_name:phonetic", "family_name:phonetic"]
)toml";

TEST(Engine, RunsWithStoredParameters) {
  Harness h(kEngineModel);
  h.add({"Sam", "Smith", "2015-01-01", "m"}, "gp");              // 0: person 1
  h.add({"SAM", "SMITH", "2015-01-01", "male"}, "school");       // 1: person 1
  h.add({"Amy", "Jones", "2016-02-02", "f"}, "gp");              // 2: person 2
  h.add({"amy", "jones", "2016-02-02", "F"}, "school");          // 3: person 2
  h.add({"Tom", "Brown", "2015-01-01", "m"}, "hospital");        // 4: person 3, dob as person 1
  h.add({"Amy", "Jones", std::nullopt, std::nullopt}, "acute");  // 5: names only
  EngineOptions options;
  options.stored = fixed_parameters(h.spec, 0.01);
  const EngineResult result = run_engine(h.records, h.nicknames, options);
  EXPECT_FALSE(result.trained);
  EXPECT_EQ(result.params.prior, 0.01);
  // dob: (0,1) (0,4) (1,4) (2,3); names: (2,5) (3,5), (2,3) already found.
  EXPECT_EQ(result.candidate_pairs, 6);
  ASSERT_EQ(result.blocking.size(), 2U);
  EXPECT_EQ(result.blocking[0].rule, "dob");
  EXPECT_EQ(result.blocking[0].pairs, 4);
  EXPECT_EQ(result.blocking[1].rule, "names");
  EXPECT_EQ(result.blocking[1].pairs, 2);

  const double prior_weight = std::log2(0.01 / 0.99);
  EXPECT_NEAR(result.auto_weight, std::log2(99.0) - prior_weight, 1e-9);
  EXPECT_NEAR(result.review_weight, -prior_weight, 1e-9);
  // Scored: the pairs at or above review. Person 1 and 3 share only dob and sex:
  // 2 log2(0.1/0.99) + log2(950) + log2(1.96) = 4.27, below review (6.63).
  for (const ScoredPair& p : result.scored)
    EXPECT_GE(p.weight, result.review_weight);
  EXPECT_EQ(result.scored.size(), 4U);  // (0,1) (2,3) (2,5) (3,5)

  const auto& root = result.clustering.root;
  ASSERT_EQ(root.size(), 6U);
  EXPECT_EQ(root[0], root[1]);
  EXPECT_EQ(root[2], root[3]);
  // Names alone: 2 log2(90) = 12.98, below auto (13.26) but above review: one review item
  // for the two clusters.
  EXPECT_NE(root[2], root[5]);
  ASSERT_EQ(result.clustering.review.size(), 1U);
  EXPECT_EQ(result.clustering.review[0].a, 2U);
  EXPECT_EQ(result.clustering.review[0].b, 5U);
  EXPECT_NEAR(result.clustering.review[0].weight, 2 * std::log2(90.0), 1e-5);
  EXPECT_EQ(result.clustering.auto_pairs, 2);
  EXPECT_NE(root[0], root[2]);
  EXPECT_NE(root[0], root[4]);
  EXPECT_NE(root[2], root[4]);
}

TEST(Engine, TrainsWhenNothingIsStored) {
  Harness h(kTrainingModel);
  const std::vector<int> person = add_population(h, 200, 11);
  const EngineResult result = run_engine(h.records, h.nicknames, {});
  EXPECT_TRUE(result.trained);
  EXPECT_EQ(result.training.sessions.size(), 2U);
  EXPECT_GT(result.params.prior, 0.0);
  EXPECT_LT(result.params.prior, 0.01);
  // Most true pairs end in one child, and few false ones.
  int64_t true_pairs = 0, found = 0, false_joins = 0;
  for (size_t a = 0; a < person.size(); ++a) {
    for (size_t b = a + 1; b < person.size(); ++b) {
      const bool same = result.clustering.root[a] == result.clustering.root[b];
      if (person[a] == person[b]) {
        ++true_pairs;
        found += same ? 1 : 0;
      } else {
        false_joins += same ? 1 : 0;
      }
    }
  }
  EXPECT_GT(static_cast<double>(found) / static_cast<double>(true_pairs), 0.8);
  EXPECT_LT(false_joins, 10);
}

// ================================================================================ CSV records

constexpr std::string_view kCsvModel = R"toml(
[input]
id = "rec_id"
truth = "rec_id"
truth_pattern = "^rec-([0-9]+)-"

[[field]]
name = "given_name"
column = "given"
kind = "name"
levels = [ { compare = "exact" } ]
[[field]]
name = "birth_date"
column = "dob"
kind = "date"
date_format = "yyyymmdd"
levels = [ { compare = "exact" } ]
[[field]]
name = "note"
kind = "text"
levels = [ { compare = "exact" } ]
[[blocking]]
keys = ["birth_date"]
)toml";

TEST(CsvRecords, ReadsIdsTruthAndSources) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.csv")) << "rec_id,given,dob,note\n"
                                   << "rec-1-org,Sam,20140307,x\n"
                                   << "rec-2-org,Amy,,y\n";
  // Another column order, and a header with blanks around the names.
  std::ofstream(dir.file("b.csv")) << "note , dob,given,rec_id\n"
                                   << "x,20140307,sam,rec-1-dup-0\n"
                                   << "z,20150101,tom,no-pattern\n";
  const ModelSpec spec = must_parse(kCsvModel);
  auto loaded = load_csv_records(spec, {dir.file("a.csv"), dir.file("b.csv")});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const RecordSet& records = *loaded->records;
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(loaded->ids,
            (std::vector<std::string>{"rec-1-org", "rec-2-org", "rec-1-dup-0", "no-pattern"}));
  // The pattern's first group where it matches; the column as it is where it does not.
  EXPECT_EQ(loaded->truth, (std::vector<std::string>{"1", "2", "1", "no-pattern"}));
  EXPECT_EQ(records.sources(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records.source(1), 0);
  EXPECT_EQ(records.source(2), 1);
  EXPECT_EQ(records.key(0), 1);
  EXPECT_EQ(records.key(3), 4);
  EXPECT_EQ(records.value_id(0, 0), records.value_id(0, 2));  // Sam, sam
  EXPECT_EQ(records.value_id(1, 0), records.value_id(1, 2));
  EXPECT_EQ(records.value_of(1, 0)->text, "2014-03-07");
  EXPECT_EQ(records.value_id(1, 1), kNull);  // empty cell
  EXPECT_EQ(records.value_of(2, 3)->text, "z");
}

TEST(CsvRecords, WithoutIdColumnsUsesRowNumbers) {
  testing::TempDir dir;
  std::ofstream(dir.file("plain.csv")) << "given,dob,note\nsam,20140307,x\namy,20150101,y\n";
  std::string toml(kCsvModel);
  toml.erase(0, toml.find("[[field]]"));
  auto loaded = load_csv_records(must_parse(toml), {dir.file("plain.csv")});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(loaded->truth, (std::vector<std::string>{"", ""}));
}

TEST(CsvRecords, MalformedCsvNamesFileAndLine) {
  testing::TempDir dir;
  const ModelSpec spec = must_parse(kCsvModel);
  std::ofstream(dir.file("quote.csv")) << "rec_id,given,dob,note\n"
                                       << "rec-1-a,sam,20140307,x\n"
                                       << "rec-2-a,a\"b,20140307,x\n";
  auto quote = load_csv_records(spec, {dir.file("quote.csv")});
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.error().file(), dir.file("quote.csv"));
  EXPECT_EQ(quote.error().line(), 3);

  std::ofstream(dir.file("short.csv")) << "rec_id,given,dob,note\n"
                                       << "rec-1-a,sam,20140307,x\n\n"
                                       << "rec-2-a,sam\n";
  auto short_row = load_csv_records(spec, {dir.file("short.csv")});
  ASSERT_FALSE(short_row.ok());
  EXPECT_EQ(short_row.error().file(), dir.file("short.csv"));
  EXPECT_EQ(short_row.error().line(), 4);
  EXPECT_NE(short_row.error().message().find("expected 4 fields, found 2"), std::string::npos)
      << short_row.error().message();

  std::ofstream(dir.file("empty.csv")) << "";
  auto empty = load_csv_records(spec, {dir.file("empty.csv")});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().file(), dir.file("empty.csv"));
  EXPECT_EQ(empty.error().line(), 1);

  auto missing = load_csv_records(spec, {dir.file("nope.csv")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kIoError);
  EXPECT_NE(missing.error().message().find("nope.csv"), std::string::npos);
}

TEST(CsvRecords, MissingFieldColumnIsNamed) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.csv")) << "rec_id,given,birth,note\nrec-1-a,sam,20140307,x\n";
  auto loaded = load_csv_records(must_parse(kCsvModel), {dir.file("a.csv")});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().file(), dir.file("a.csv"));
  EXPECT_EQ(loaded.error().line(), 1);
  EXPECT_NE(loaded.error().message().find("'dob'"), std::string::npos) << loaded.error().message();
}

// The id and truth columns' error says "no id or truth column as [input] names them" without
// saying which column it looked for.
TEST(CsvRecords, MissingIdColumnIsNamed) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.csv")) << "record,given,dob,note\nrec-1-a,sam,20140307,x\n";
  auto loaded = load_csv_records(must_parse(kCsvModel), {dir.file("a.csv")});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("rec_id"), std::string::npos) << loaded.error().message();
}

TEST(CsvRecords, MissingIdColumnIsAnError) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.csv")) << "record,given,dob,note\nrec-1-a,sam,20140307,x\n";
  auto loaded = load_csv_records(must_parse(kCsvModel), {dir.file("a.csv")});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().file(), dir.file("a.csv"));
  EXPECT_EQ(loaded.error().line(), 1);
}

TEST(CsvRecords, BadTruthPatternIsAnError) {
  std::string toml(kCsvModel);
  toml.replace(toml.find("^rec-([0-9]+)-"), 14, "^rec-([0-9]+-");
  auto loaded = load_csv_records(must_parse(toml), {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("truth_pattern"), std::string::npos)
      << loaded.error().message();
}

TEST(CsvRecords, TrimsValues) {
  testing::TempDir dir;
  std::ofstream(dir.file("a.csv")) << "rec_id,given,dob,note\n"
                                   << " rec-1-a ,  sam\t, 20140307 ,  x y \n"
                                   << "rec-2-a,sam,20140307,x y\n"
                                   << "rec-3-a,   ,  ,\t\n";
  auto loaded = load_csv_records(must_parse(kCsvModel), {dir.file("a.csv")});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const RecordSet& records = *loaded->records;
  EXPECT_EQ(loaded->ids[0], "rec-1-a");
  EXPECT_EQ(loaded->truth[0], "1");
  for (size_t f = 0; f < 3; ++f) {
    EXPECT_NE(records.value_id(f, 0), kNull) << f;
    EXPECT_EQ(records.value_id(f, 0), records.value_id(f, 1)) << f;
    EXPECT_EQ(records.value_id(f, 2), kNull) << f;  // blanks only: missing
  }
  EXPECT_EQ(records.value_of(2, 0)->text, "x y");
}

}  // namespace
}  // namespace onechild::linkage
