// A sweep's runs on several threads at once in one process (issue 14): each
// run has its own clock, stack, allocator handle and completion observer,
// so the rows come out as a sweep on one thread makes them. Under
// ThreadSanitizer (`make test`) this is also the race check of runs sharing
// the process (the host's handle table, the completion observers, the
// interrupt guards nesting from worker threads).
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "cli/scenario_runner.h"
#include "sweep/sweep_run.h"

namespace hilcap::sim {
namespace {

SweepDimension dimension(const std::string& spec) {
  std::string error;
  auto d = parse_dimension(spec, error);
  EXPECT_TRUE(d) << error;
  return d ? *d : SweepDimension{};
}

TEST(SweepThreads, RowsOnFourThreadsEqualRowsOnOne) {
  const std::unique_ptr<ScenarioRunner> runner = make_scenario_runner();
  SweepPlan plan{HILCAP_SOURCE_ROOT "/tests/sweep/hold_pool.json",
                 SweepGrid({dimension("/duration_s=2"), dimension("/allocator/frames=1..4"),
                            dimension("/clients/0/hold/ms=10,70")},
                           {1, 2}),
                 {"frames.dropped.total", "frames.received", "pending_latency_us.max"},
                 {},
                 1};
  const std::atomic<bool> stop{false};
  const SweepTable one = run_sweep(*runner, plan, stop, {});
  plan.jobs = 4;
  std::atomic<std::size_t> reported{0};
  const SweepTable four =
      run_sweep(*runner, plan, stop, [&](std::size_t, std::size_t) { ++reported; });
  ASSERT_EQ(one.rows.size(), 16u);
  ASSERT_EQ(four.rows.size(), one.rows.size());
  EXPECT_EQ(reported.load(), 16u);
  for (std::size_t i = 0; i < one.rows.size(); ++i) {
    EXPECT_EQ(four.rows[i].row, one.rows[i].row);
    EXPECT_EQ(four.rows[i].status, "completed") << four.rows[i].row;
    EXPECT_EQ(four.rows[i].metrics, one.rows[i].metrics) << "row " << one.rows[i].row;
  }
  // The pool of 1 with 70 ms holds drops; 4 frames do not.
  EXPECT_GT(one.rows[2].metrics[0].get<int>(), 0);
  EXPECT_EQ(one.rows[14].metrics[0].get<int>(), 0);
}

// A stop (SIGINT) before the rows start leaves them out: nothing runs.
TEST(SweepThreads, StopLeavesTheRemainingRowsOut) {
  const std::unique_ptr<ScenarioRunner> runner = make_scenario_runner();
  const SweepPlan plan{HILCAP_SOURCE_ROOT "/tests/sweep/hold_pool.json",
                       SweepGrid({dimension("/allocator/frames=1..4")}, {1}),
                       {"frames.dropped.total"},
                       {},
                       2};
  const std::atomic<bool> stop{true};
  EXPECT_TRUE(run_sweep(*runner, plan, stop, {}).rows.empty());
}

}  // namespace
}  // namespace hilcap::sim
