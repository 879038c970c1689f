#include "ingest/pipeline.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "ingest/first_seen.h"

namespace onechild::ingest {
namespace {

ParsedItem item(int64_t line) {
  ParsedItem i;
  i.line = line;
  i.raw = std::to_string(line);
  return i;
}

TEST(Pipeline, DeliversEveryItemInOrder) {
  std::vector<int64_t> seen;
  Status s = run_pipeline(
      [](const Emit& emit) {
        for (int64_t i = 1; i <= 5000; ++i)
          if (!emit(item(i))) return;
      },
      [&](ParsedItem& i) -> Status {
        seen.push_back(i.line);
        return {};
      });
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(seen.size(), 5000u);
  for (size_t i = 0; i < seen.size(); ++i)
    ASSERT_EQ(seen[i], static_cast<int64_t>(i + 1));
}

TEST(Pipeline, StopsTheReaderAtTheWritersFirstError) {
  int64_t produced = 0, consumed = 0;
  Status s = run_pipeline(
      [&](const Emit& emit) {
        for (int64_t i = 1; i <= 1000000; ++i) {
          ++produced;
          if (!emit(item(i))) return;
        }
      },
      [&](ParsedItem& i) -> Status {
        ++consumed;
        if (i.line == 100) return Error::io_error("disk full");
        return {};
      });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "disk full");
  EXPECT_EQ(consumed, 100);
  EXPECT_LT(produced, 1000000);  // the reader stopped; the hand-off is bounded
}

TEST(Pipeline, AnExceptionWhileReadingIsAnInternalError) {
  Status s = run_pipeline(
      [](const Emit& emit) {
        emit(item(1));
        throw std::runtime_error("out of memory");
      },
      [](ParsedItem&) -> Status { return {}; });
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(s.error().is_user_error());
  EXPECT_NE(s.error().message().find("out of memory"), std::string::npos);
}

TEST(FirstSeen, NeverForgetsAnIdItWasGiven) {
  FirstSeen seen(12);  // 4,096 bits: crowded on purpose, false positives are fine
  EXPECT_FALSE(seen.maybe_contains(1, "A"));
  for (int i = 0; i < 2000; ++i)
    seen.add(1, "id" + std::to_string(i));
  for (int i = 0; i < 2000; ++i)
    ASSERT_TRUE(seen.maybe_contains(1, "id" + std::to_string(i))) << i;
  int false_positives = 0;
  for (int i = 0; i < 1000; ++i)
    false_positives += seen.maybe_contains(2, "other" + std::to_string(i));
  EXPECT_LT(false_positives, 1000);  // the filter still tells some ids apart
}

}  // namespace
}  // namespace onechild::ingest
