#include "trace/trace_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace hilcap::sim {
namespace {

class TraceWriterTest : public ::testing::Test {
 protected:
  // Unique per process: the gcc and sanitizer builds may run their tests at the same time.
  std::filesystem::path path_ =
      std::filesystem::path(::testing::TempDir()) /
      (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
       std::to_string(::getpid()) + ".trace.json");

  void TearDown() override { std::filesystem::remove(path_); }

  std::string text() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  nlohmann::json parsed() const { return nlohmann::json::parse(text()); }

  std::unique_ptr<TraceWriter> open() {
    std::string error;
    auto writer = TraceWriter::open(path_, error);
    EXPECT_NE(writer, nullptr) << error;
    return writer;
  }
};

nlohmann::json find_event(const nlohmann::json& events, std::string_view ph,
                          std::string_view name) {
  for (const auto& e : events) {
    if (e["ph"] == ph && e["name"] == name) return e;
  }
  return nullptr;
}

// Every event kind comes out as Trace Event Format JSON that parses back with the right fields.
TEST_F(TraceWriterTest, WritesParseableTraceEventFormat) {
  auto w = open();
  const TraceTrack device = w->track("device", "timing engine");
  const TraceTrack alloc = w->track("host", "allocator");
  w->instant(device, "frame produced", 33'333'333, {{"seq", 1}, {"bytes", std::uint64_t{4096}}});
  w->complete(device, "DMA", 33'333'333, 1'500, {{"ok", true}});
  w->counter(alloc, "ready frames", 33'334'833, {{"ready", 3}});
  w->async_begin(alloc, "ALLOC pending", 7, 40'000'000, {{"client", "c0"}});
  w->async_end(alloc, "ALLOC pending", 7, 66'666'666, {{"latency_us", 26666.666}});
  std::string error;
  ASSERT_TRUE(w->close(error)) << error;

  const nlohmann::json trace = parsed();
  EXPECT_EQ(trace["displayTimeUnit"], "ns");
  const nlohmann::json& events = trace["traceEvents"];
  const auto produced = find_event(events, "i", "frame produced");
  ASSERT_FALSE(produced.is_null());
  EXPECT_EQ(produced["pid"], device.pid);
  EXPECT_EQ(produced["tid"], device.tid);
  EXPECT_EQ(produced["s"], "t");
  EXPECT_EQ(produced["args"]["seq"], 1);
  EXPECT_DOUBLE_EQ(produced["ts"].get<double>(), 33333.333);
  EXPECT_DOUBLE_EQ(find_event(events, "X", "DMA")["dur"].get<double>(), 1.5);
  EXPECT_EQ(find_event(events, "C", "ready frames")["args"]["ready"], 3);
  EXPECT_EQ(find_event(events, "b", "ALLOC pending")["id"], "0x7");
  EXPECT_EQ(find_event(events, "e", "ALLOC pending")["args"]["latency_us"], 26666.666);
  // Track names arrive as metadata so the viewer labels the rows.
  bool named_thread = false;
  for (const auto& e : events) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["tid"] == alloc.tid) {
      named_thread = e["args"]["name"] == "allocator";
    }
  }
  EXPECT_TRUE(named_thread);
  // Timestamps are exact ns printed as µs with three decimals.
  EXPECT_NE(text().find(R"("ts":33333.333)"), std::string::npos);
  EXPECT_NE(text().find(R"("ts":66666.666)"), std::string::npos);
}

// A run that stops early (writer destroyed without close) still leaves valid JSON.
TEST_F(TraceWriterTest, DestructionClosesTheJson) {
  {
    auto w = open();
    const TraceTrack t = w->track("device", "engine");
    for (int i = 0; i < 20'000; ++i)
      w->instant(t, "frame produced", i * 1000LL, {{"seq", i}});
  }
  const nlohmann::json trace = parsed();
  // 20,000 instants plus 4 metadata records, across several 64 KiB flushes.
  EXPECT_EQ(trace["traceEvents"].size(), 20'004u);
}

// Names with quotes, backslashes and control characters round-trip through the JSON.
TEST_F(TraceWriterTest, EscapesStrings) {
  const std::string odd = "a \"quoted\" \\ name\n\twith\x01 control";
  {
    auto w = open();
    w->instant(w->track("client \"0\"", odd), odd, 0, {{"why", odd}});
  }
  const auto e = find_event(parsed()["traceEvents"], "i", odd);
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["args"]["why"], odd);
}

// The same (process, thread) is one track; new threads get trace-wide unique tids.
TEST_F(TraceWriterTest, TracksAreStableAndUnique) {
  auto w = open();
  const TraceTrack a = w->track("clients", "client 0");
  const TraceTrack b = w->track("clients", "client 1");
  const TraceTrack c = w->track("device", "client 0");
  const TraceTrack a2 = w->track("clients", "client 0");
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_NE(a.pid, c.pid);
  EXPECT_NE(a.tid, b.tid);
  EXPECT_NE(a.tid, c.tid);
  EXPECT_EQ(a.pid, a2.pid);
  EXPECT_EQ(a.tid, a2.tid);
}

// Events after close are ignored and closing twice is harmless.
TEST_F(TraceWriterTest, EventsAfterCloseAreIgnored) {
  auto w = open();
  const TraceTrack t = w->track("device", "engine");
  std::string error;
  ASSERT_TRUE(w->close(error));
  w->instant(t, "late", 5);
  EXPECT_TRUE(w->close(error));
  EXPECT_TRUE(find_event(parsed()["traceEvents"], "i", "late").is_null());
}

// An unwritable path is reported with the path and the reason, not a crash.
TEST_F(TraceWriterTest, UnwritablePathIsAnError) {
  std::string error;
  EXPECT_EQ(TraceWriter::open("/nonexistent-dir/x.json", error), nullptr);
  EXPECT_NE(error.find("/nonexistent-dir/x.json"), std::string::npos);
  EXPECT_NE(error.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace hilcap::sim
