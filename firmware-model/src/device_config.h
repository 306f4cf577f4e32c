// The device's configuration: plain structs that sim/ fills from a scenario's
// JSON ("device": {...}), and validate(), which returns every problem as a
// FieldError at the JSON Pointer of the scenario value it came from. Field
// names follow the JSON (snake_case); durations are ns here where the
// scenario writes microseconds or milliseconds (the key in quotes says which,
// and validate() shows a wrong one both ways: "40000 (= 40000000 ns)").
//
// Frame numbers and times in this configuration are counted from the start of
// the stream (the pin entering RUN from ACQUIRE): frame k is the k-th tick of
// the frame grid, ticks missed while paused included, and times are ns since
// that start. Without a pause, frame k is the frame with sequence number k.
#pragma once

#include <hilcap/device/frame_format.h>
#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>
#include <hilcap/field_error.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "timing_recording.h"

namespace hilcap::device {

inline constexpr std::uint32_t kMaxFrameDimension = 16384;
inline constexpr std::uint32_t kMaxRingDepth = 4096;
// Every configured duration (intervals, jitter, DMA time, latency, stalls) is
// at most this: about 11.6 days, far beyond any scenario, and far from overflow.
inline constexpr TimeNs kMaxDurationNs = 1'000'000'000'000'000;

// --- When something happens ---
struct AtFrame {
  std::uint64_t frame = 0;  // "at_frame"
};
struct AtTime {
  TimeNs time_ns = 0;  // "at_ms", since the stream started
};
struct EachFrameWithProbability {
  double probability = 0;  // "probability", per frame, in [0, 1]
};
using StartPoint = std::variant<AtFrame, AtTime>;
using FaultTrigger = std::variant<AtFrame, AtTime, EachFrameWithProbability>;

// --- Frame timing ---

// "fps": num/den frames per second (30, or 30000/1001).
struct FrameRate {
  std::uint32_t num = 30;
  std::uint32_t den = 1;
};
// "interval_us": one frame every this many ns.
struct FrameInterval {
  TimeNs ns = 0;
};
// Exactly one way of pacing frames: "fps", "interval_us" or "replay".
using FrameCadence = std::variant<FrameRate, FrameInterval, TimingRecording>;

enum class JitterKind : std::uint8_t {
  kNone,
  kUniform,  // uniform in [-amplitude_ns, +amplitude_ns]
  kNormal,   // normal with sigma_ns, clamped to +-3 sigma
};

// Every kind is further clamped to just under half the gap to each neighbour
// frame, so frames never reorder or coincide (only matters if the amplitude
// reaches half an interval, e.g. inside a burst). Frame 0 is never early.
struct JitterConfig {
  JitterKind kind = JitterKind::kNone;  // "kind": "none" | "uniform" | "normal"
  TimeNs amplitude_ns = 0;              // uniform
  TimeNs sigma_ns = 0;                  // normal
};

// A run of `count` frames at a shorter interval: the frames of the run come
// early, from the grid time of the run's first frame onward, and the grid
// resumes with the frame after the run (the average rate is unchanged; the
// device delivers in clumps). With repeat_every_frames > 0 the run recurs
// every that many frames.
struct BurstSpec {
  StartPoint start = AtFrame{0};  // at_frame, or at_ns (the first frame due at or after)
  std::uint32_t count = 2;        // "count", at least 2
  TimeNs interval_ns = 1;         // "interval_us", at least 1 ns and below the frame interval
  std::uint64_t repeat_every_frames = 0;  // "repeat_every_frames", 0 or at least count
};

// No frames for duration_ns: frames due in [start, start + duration) are
// dropped (reason: stall); the grid is kept. at_frame starts the stall at that
// frame's due time.
struct StallSpec {
  StartPoint start = AtFrame{0};
  TimeNs duration_ns = 0;  // "duration_ms", > 0
};

struct TimingConfig {
  FrameCadence cadence = FrameRate{};
  JitterConfig jitter;                     // "jitter" (not with replay)
  TimeNs dma_ns = 0;                       // "dma_us": due time -> completion posted
  TimeNs interrupt_latency_ns = 0;         // "interrupt_latency_us": completion -> line asserted
  std::vector<BurstSpec> bursts;           // "bursts" (not with replay)
  std::vector<StallSpec> stalls;           // "stalls"
  std::vector<std::uint64_t> drop_frames;  // "drop_frames": frame numbers dropped on purpose
  double drop_probability = 0;             // "drop_probability": each frame, in [0, 1]

  // `pointer`: where this timing is in the scenario.
  FieldErrors validate(std::string_view pointer = "/device/timing") const;
};

// --- Faults ---
enum class FaultKind : std::uint8_t {
  kError,       // the frame completes with status kError and no data
  kShort,       // the frame completes with status kShort and `bytes` bytes
  kCorrupt,     // a bit of the frame flips after the checksum was taken
  kStall,       // no frames for duration_ns (frames due meanwhile dropped, reason stall)
  kDisconnect,  // the device stops for good
};
inline constexpr std::size_t kFaultKindCount = 5;

struct FaultAction {
  FaultKind kind =
      FaultKind::kError;    // "kind": "error" | "short" | "corrupt" | "stall" | "disconnect"
  std::uint32_t bytes = 0;  // short: bytes delivered, 0 < bytes < frame size
  TimeNs duration_ns = 0;   // stall: > 0
};

// One fault with its trigger. One-shot triggers (at_frame, at_ns) fire once per
// stream, re-armed when the counters reset (STOP -> ACQUIRE). error, short and
// corrupt act on the first frame at or after the trigger that reaches a buffer;
// stall and disconnect on the first frame due at or after it. A probability
// applies to each such frame independently.
struct FaultSpec {
  FaultAction action;
  FaultTrigger trigger = AtFrame{0};
};

// --- The device ---
struct DeviceConfig {
  FrameFormat format;  // "format" ("YUY2" | "NV12" | "GREY"), "width", "height"
  PayloadMode payload = PayloadMode::kPattern;  // "payload": "pattern" | "zeros" | "header-only"
  std::uint32_t ring_depth = 8;                 // "ring_depth": slots in each ring
  std::uint64_t seed = 1;                       // "seed": every random choice derives from it
  TimingConfig timing;                          // "timing"
  std::vector<FaultSpec> faults;                // "faults"

  // `pointer`: where this device section is in the scenario.
  FieldErrors validate(std::string_view pointer = "/device") const;
};

// The frame interval as an exact rational number of nanoseconds, num_ns / den
// (for replay: nullopt).
struct RationalInterval {
  std::uint64_t num_ns = 0;
  std::uint64_t den = 1;
};
std::optional<RationalInterval> frame_interval(const FrameCadence& cadence);

std::string_view to_string(PixelFormat format);
std::string_view to_string(PayloadMode mode);
std::string_view to_string(JitterKind kind);
std::string_view to_string(FaultKind kind);

}  // namespace hilcap::device
