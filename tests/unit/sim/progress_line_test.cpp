#include "progress/progress_line.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace hilcap::sim {
namespace {

// Captures what the progress line writes, with a wall clock the test moves by hand.
class ProgressLineTest : public ::testing::Test {
 protected:
  void SetUp() override { out_ = open_memstream(&data_, &size_); }
  void TearDown() override {
    std::fclose(out_);
    std::free(data_);
  }
  std::string written() {
    std::fflush(out_);
    return std::string(data_, size_);
  }
  ProgressLine::WallClock clock() {
    return [this] {
      ++clock_reads_;
      return wall_ns_;
    };
  }
  // Calls update exactly enough times to reach the next wall-clock check.
  void check(ProgressLine& line, TimeNs virtual_now, std::uint64_t frames, std::uint64_t drops) {
    for (std::uint32_t i = 0; i < ProgressLine::kCheckEvery; ++i)
      line.update(virtual_now, frames, drops);
  }

  std::FILE* out_ = nullptr;
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::int64_t wall_ns_ = 0;
  int clock_reads_ = 0;
};

// Not a terminal: nothing is ever written and the clock is never read.
TEST_F(ProgressLineTest, DisabledWritesNothing) {
  {
    ProgressLine line(out_, false, 10'000'000'000, clock());
    wall_ns_ = 5'000'000'000;
    check(line, 1'000'000'000, 30, 0);
  }
  EXPECT_EQ(written(), "");
  EXPECT_EQ(clock_reads_, 0);
}

// Runs shorter than a second of wall time never show the line.
TEST_F(ProgressLineTest, SilentDuringTheFirstSecond) {
  ProgressLine line(out_, true, 10'000'000'000, clock());
  wall_ns_ = 999'000'000;
  check(line, 1'000'000'000, 30, 0);
  line.finish();
  EXPECT_EQ(written(), "");
}

// After a second the line shows percentage, virtual and wall time, frames, fps and drops.
TEST_F(ProgressLineTest, DrawsOneCarriageReturnLineWithFigures) {
  ProgressLine line(out_, true, 10'000'000'000, clock());
  wall_ns_ = 2'000'000'000;
  check(line, 4'100'000'000, 123, 4);
  EXPECT_EQ(written(),
            "\r[ 41%] virtual 4.100 s  wall 2.0 s  frames 123 (62 fps wall)  drops 4\x1b[K");
  EXPECT_EQ(written().find('\n'), std::string::npos);
}

// Redraws are limited to one per 100 ms of wall time, and the clock is read once per kCheckEvery
// updates.
TEST_F(ProgressLineTest, RateLimitedAndCheapToCall) {
  ProgressLine line(out_, true, 0, clock());
  const int reads_at_start = clock_reads_;
  wall_ns_ = 1'000'000'000;
  check(line, 1, 1, 0);
  wall_ns_ += 50'000'000;
  check(line, 2, 2, 0);
  const std::string after_two_checks = written();
  wall_ns_ += 50'000'000;
  check(line, 3, 3, 0);
  EXPECT_EQ(clock_reads_ - reads_at_start, 3);
  EXPECT_EQ(after_two_checks.find("frames 2"), std::string::npos);
  EXPECT_NE(written().find("frames 3"), std::string::npos);
  EXPECT_EQ(written().find('%'), std::string::npos);  // no duration, no percentage
}

// finish() erases a drawn line once; a second finish writes nothing more.
TEST_F(ProgressLineTest, FinishClearsTheLine) {
  ProgressLine line(out_, true, 1'000, clock());
  wall_ns_ = 1'500'000'000;
  check(line, 1'000, 30, 0);
  line.finish();
  const std::string text = written();
  EXPECT_TRUE(text.ends_with("\r\x1b[K")) << text;
  line.finish();
  EXPECT_EQ(written(), text);
}

}  // namespace
}  // namespace hilcap::sim
