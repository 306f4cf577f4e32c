// Chrome Trace Event Format writer on the run's clock, for Perfetto UI and
// chrome://tracing. The file says which clock (otherData.clock): "virtual"
// (virtual time) or "wall" (the wall clock since the run began).
//
// Events stream to the file as they happen through a 64 KiB buffer: nothing
// per frame is kept in memory. The file is the JSON object form
// {"displayTimeUnit":"ns","traceEvents":[...]}; the closing "]}" is written by
// close() or, if the run stops early, by the destructor, so the file is valid
// JSON whenever the writer is gone. Timestamps are µs with three decimals
// (exact ns).
//
// Tracing off costs nothing: the runner holds a TraceWriter* that is null and
// tests it before building any event.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

// Where events are drawn: a process row (one per component group) and a
// named thread track inside it.
struct TraceTrack {
  std::uint32_t pid;
  std::uint32_t tid;
};

// One name/value pair in an event's "args" (or a counter's series).
class TraceArg {
 public:
  template <std::integral T>
  TraceArg(std::string_view key, T value) : key_(key) {
    if constexpr (std::same_as<T, bool>) {
      kind_ = Kind::kBool;
      integer_ = value;
    } else if constexpr (std::signed_integral<T>) {
      kind_ = Kind::kSigned;
      integer_ = value;
    } else {
      kind_ = Kind::kUnsigned;
      unsigned_ = value;
    }
  }
  TraceArg(std::string_view key, double value) : key_(key), kind_(Kind::kReal), real_(value) {}
  TraceArg(std::string_view key, std::string_view value)
      : key_(key), kind_(Kind::kText), text_(value) {}
  TraceArg(std::string_view key, const char* value) : TraceArg(key, std::string_view(value)) {}

 private:
  friend class TraceWriter;
  enum class Kind { kBool, kSigned, kUnsigned, kReal, kText };
  std::string_view key_;
  Kind kind_;
  std::int64_t integer_ = 0;
  std::uint64_t unsigned_ = 0;
  double real_ = 0;
  std::string_view text_;
};

using TraceArgs = std::initializer_list<TraceArg>;

class TraceWriter {
 public:
  // Creates (truncates) `path`; null with `error` set when it cannot.
  // `clock` names the clock the times are on.
  static std::unique_ptr<TraceWriter> open(const std::filesystem::path& path, std::string& error,
                                           std::string_view clock = "virtual");

  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;
  ~TraceWriter();

  // A named track; the same (process, thread) pair returns the same track.
  // Processes and threads are ordered in the viewer as they were first named.
  TraceTrack track(std::string_view process, std::string_view thread);

  // "ph":"i": a point in time (frame produced, interrupt, drop...).
  void instant(TraceTrack track, std::string_view name, TimeNs at, TraceArgs args = {});
  // "ph":"X": a span with a known duration (DMA transfer, readout...).
  void complete(TraceTrack track, std::string_view name, TimeNs start, TimeNs duration,
                TraceArgs args = {});
  // "ph":"C": one or more numeric series drawn as a counter track of the process.
  void counter(TraceTrack track, std::string_view name, TimeNs at, TraceArgs series);
  // "ph":"b"/"e": overlapping spans matched by id (a pending ALLOC from issue to completion).
  void async_begin(TraceTrack track, std::string_view name, std::uint64_t id, TimeNs at,
                   TraceArgs args = {});
  void async_end(TraceTrack track, std::string_view name, std::uint64_t id, TimeNs at,
                 TraceArgs args = {});

  // Writes the closing brackets and closes the file; false with `error` set
  // if any write failed. Later events are ignored.
  bool close(std::string& error);

 private:
  TraceWriter(std::FILE* file, std::filesystem::path path, std::string_view clock);

  void begin_event(char phase, TraceTrack track, std::string_view name, TimeNs at);
  void end_event(TraceArgs args);
  void append_args(TraceArgs args);
  void append_string(std::string_view text);
  void append_time(TimeNs ns);
  void append(std::string_view text);
  void start_record();  // the separator before each element of traceEvents
  void flush_buffer();
  void finish();

  struct Thread {
    std::string name;
    std::uint32_t tid;  // unique in the whole trace
  };
  struct Process {
    std::string name;
    std::vector<Thread> threads;
  };

  std::FILE* file_;
  std::filesystem::path path_;
  std::string buffer_;
  std::vector<Process> processes_;  // pid = index + 1
  std::uint32_t next_tid_ = 1;
  int write_errno_ = 0;
  bool first_record_ = true;
  bool closed_ = false;
};

}  // namespace hilcap::sim
