#include "device_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "frame_grid.h"

namespace hilcap::device {
namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

// The JSON Pointer of a key below `pointer`: ("/device", "timing") -> "/device/timing".
std::string child(std::string_view pointer, std::string_view key) {
  return fmt::format("{}/{}", pointer, key);
}

// The JSON Pointer of an array's item: ("/device/timing", "bursts", 3) -> ".../bursts/3".
std::string item(std::string_view pointer, std::string_view list, std::size_t i) {
  return fmt::format("{}/{}/{}", pointer, list, i);
}

// The scenario writes durations in microseconds or milliseconds (the key
// says which: "interval_us", "at_ms"); the device holds nanoseconds.
enum class Written : TimeNs { kUs = 1'000, kMs = 1'000'000 };

// A duration the way the scenario wrote it, then as the device holds it:
// "40000 (= 40000000 ns)", "0.5 (= 500 ns)".
std::string as_written(TimeNs ns, Written unit) {
  const auto per_unit = static_cast<TimeNs>(unit);
  const TimeNs whole = ns / per_unit;
  TimeNs fraction = ns % per_unit;
  std::string text = std::to_string(whole);
  if (fraction != 0) {
    if (ns < 0 && whole == 0) text = "-0";
    std::string digits = std::to_string(fraction < 0 ? -fraction : fraction);
    digits.insert(0, std::to_string(per_unit).size() - 1 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return fmt::format("{} (= {} ns)", text, ns);
}

// False for NaN too.
bool valid_probability(double p) {
  return p >= 0.0 && p <= 1.0;
}

// A duration in [min_ns, kMaxDurationNs]; reports `what` ("a DMA time") at
// `pointer` (whose key the scenario writes in `unit`) otherwise.
void check_duration(TimeNs value, TimeNs min_ns, const std::string& pointer, Written unit,
                    std::string_view what, FieldErrors& errors) {
  if (value < min_ns || value > kMaxDurationNs) {
    errors.push_back({pointer, fmt::format("{} of {}..{} ns", what, min_ns, kMaxDurationNs),
                      as_written(value, unit)});
  }
}

void check_start(const StartPoint& start, const std::string& at, FieldErrors& errors) {
  if (const auto* time = std::get_if<AtTime>(&start); time && time->time_ns < 0) {
    errors.push_back({child(at, "at_ms"), "a time >= 0 (ns since the stream started)",
                      as_written(time->time_ns, Written::kMs)});
  }
}

void check_recording(const TimingRecording& recording, const std::string& at, FieldErrors& errors) {
  const auto& frames = recording.frames;
  if (frames.size() < 2) {
    errors.push_back(
        {at, "a recording of at least 2 frames", fmt::format("{} frame(s)", frames.size())});
    return;
  }
  if (frames.front().at_ns != 0) {
    errors.push_back({at, "recorded times relative to the first frame (first at 0 ns)",
                      fmt::format("{} ns", frames.front().at_ns)});
  }
  for (std::size_t i = 1; i < frames.size(); ++i) {
    if (frames[i].at_ns <= frames[i - 1].at_ns) {
      errors.push_back({at, "strictly increasing recorded times",
                        fmt::format("frame {} at {} ns after frame {} at {} ns", i, frames[i].at_ns,
                                    i - 1, frames[i - 1].at_ns)});
      return;
    }
  }
}

// Frame where a burst starts, on the base grid.
std::uint64_t burst_start_frame(const BurstSpec& burst, const FrameGrid& grid) {
  if (const auto* frame = std::get_if<AtFrame>(&burst.start)) return frame->frame;
  return grid.first_at_or_after(std::get<AtTime>(burst.start).time_ns);
}

void check_bursts(const TimingConfig& timing, std::string_view pointer, FieldErrors& errors) {
  if (timing.bursts.empty()) return;
  const auto interval = frame_interval(timing.cadence);
  if (!interval) {
    errors.push_back({child(pointer, "bursts"), "no bursts with replay",
                      fmt::format("{} burst(s)", timing.bursts.size())});
    return;
  }
  if (interval->num_ns == 0 || interval->den == 0) return;  // reported with the cadence
  const FrameGrid grid(*interval);
  bool usable = true;
  for (std::size_t i = 0; i < timing.bursts.size(); ++i) {
    const BurstSpec& burst = timing.bursts[i];
    const std::string at = item(pointer, "bursts", i);
    check_start(burst.start, at, errors);
    if (burst.count < 2) {
      errors.push_back({child(at, "count"), "at least 2 frames", std::to_string(burst.count)});
      usable = false;
    }
    if (burst.interval_ns < 1 || burst.interval_ns >= grid.min_gap()) {
      errors.push_back(
          {child(at, "interval_us"),
           fmt::format("1..{} ns (shorter than the frame interval)", grid.min_gap() - 1),
           as_written(burst.interval_ns, Written::kUs)});
    }
    if (burst.repeat_every_frames != 0 && burst.repeat_every_frames < burst.count) {
      errors.push_back({child(at, "repeat_every_frames"),
                        fmt::format("0 or at least count ({})", burst.count),
                        std::to_string(burst.repeat_every_frames)});
      usable = false;
    }
    if (burst.repeat_every_frames != 0 && timing.bursts.size() > 1) {
      errors.push_back({child(at, "repeat_every_frames"),
                        "0 when more than one burst is configured",
                        std::to_string(burst.repeat_every_frames)});
      usable = false;
    }
  }
  if (!usable) return;
  // One-shot bursts must not overlap: frames of two runs would interleave.
  for (std::size_t i = 0; i < timing.bursts.size(); ++i) {
    const std::uint64_t a = burst_start_frame(timing.bursts[i], grid);
    for (std::size_t j = i + 1; j < timing.bursts.size(); ++j) {
      const std::uint64_t b = burst_start_frame(timing.bursts[j], grid);
      const std::uint64_t a_end = a + timing.bursts[i].count;
      const std::uint64_t b_end = b + timing.bursts[j].count;
      if (a < b_end && b < a_end) {
        errors.push_back({item(pointer, "bursts", j),
                          fmt::format("a burst that does not overlap bursts[{}] (frames {}..{})", i,
                                      a, a_end - 1),
                          fmt::format("frames {}..{}", b, b_end - 1)});
      }
    }
  }
}

void check_frame_format(const FrameFormat& format, std::string_view pointer, FieldErrors& errors) {
  const PixelFormat pf = format.pixel_format;
  if (pf != PixelFormat::kYuy2 && pf != PixelFormat::kNv12 && pf != PixelFormat::kGrey) {
    errors.push_back({child(pointer, "format"), "one of YUY2, NV12, GREY",
                      fmt::format("FourCC 0x{:08x}", static_cast<std::uint32_t>(pf))});
    return;
  }
  bool sized = true;
  for (const auto& [name, value] :
       {std::pair{"width", format.width}, std::pair{"height", format.height}}) {
    if (value == 0 || value > kMaxFrameDimension) {
      errors.push_back({child(pointer, name), fmt::format("1..{} pixels", kMaxFrameDimension),
                        std::to_string(value)});
      sized = false;
    }
  }
  if ((pf == PixelFormat::kYuy2 || pf == PixelFormat::kNv12) && format.width % 2 != 0) {
    errors.push_back({child(pointer, "width"), fmt::format("an even width for {}", to_string(pf)),
                      std::to_string(format.width)});
    sized = false;
  }
  if (pf == PixelFormat::kNv12 && format.height % 2 != 0) {
    errors.push_back(
        {child(pointer, "height"), "an even height for NV12", std::to_string(format.height)});
    sized = false;
  }
  if (sized && format.frame_bytes() < 64) {
    errors.push_back({child(pointer, "width"),
                      "a frame of at least 64 bytes (the in-band frame header)",
                      fmt::format("{}x{} {} = {} bytes", format.width, format.height, to_string(pf),
                                  format.frame_bytes())});
  }
}

void check_fault(const FaultSpec& fault, const std::string& at, std::uint64_t frame_bytes,
                 FieldErrors& errors) {
  if (const auto* p = std::get_if<EachFrameWithProbability>(&fault.trigger);
      p && !valid_probability(p->probability)) {
    errors.push_back(
        {child(at, "probability"), "a probability in [0, 1]", fmt::format("{}", p->probability)});
  }
  if (const auto* time = std::get_if<AtTime>(&fault.trigger); time && time->time_ns < 0) {
    errors.push_back({child(at, "at_ms"), "a time >= 0 (ns since the stream started)",
                      as_written(time->time_ns, Written::kMs)});
  }
  switch (fault.action.kind) {
    case FaultKind::kShort:
      if (fault.action.bytes == 0 || (frame_bytes != 0 && fault.action.bytes >= frame_bytes)) {
        errors.push_back({child(at, "bytes"),
                          frame_bytes != 0
                              ? fmt::format("1..{} (fewer bytes than a frame)", frame_bytes - 1)
                              : std::string("at least 1 byte"),
                          std::to_string(fault.action.bytes)});
      }
      break;
    case FaultKind::kStall:
      check_duration(fault.action.duration_ns, 1, child(at, "duration_ms"), Written::kMs,
                     "a stall duration", errors);
      break;
    case FaultKind::kError:
    case FaultKind::kCorrupt:
    case FaultKind::kDisconnect:
      break;
    default:
      errors.push_back({child(at, "kind"), "one of error, short, corrupt, stall, disconnect",
                        std::to_string(static_cast<int>(fault.action.kind))});
  }
}

}  // namespace

std::optional<RationalInterval> frame_interval(const FrameCadence& cadence) {
  if (const auto* rate = std::get_if<FrameRate>(&cadence)) {
    return RationalInterval{.num_ns = std::uint64_t{rate->den} * kNsPerSecond, .den = rate->num};
  }
  if (const auto* interval = std::get_if<FrameInterval>(&cadence)) {
    return RationalInterval{.num_ns = static_cast<std::uint64_t>(std::max<TimeNs>(interval->ns, 0)),
                            .den = 1};
  }
  return std::nullopt;
}

FieldErrors TimingConfig::validate(std::string_view pointer) const {
  FieldErrors errors;
  const bool replay = std::holds_alternative<TimingRecording>(cadence);
  if (const auto* rate = std::get_if<FrameRate>(&cadence)) {
    if (rate->num == 0 || rate->den == 0) {
      errors.push_back({child(pointer, "fps"), "a positive frame rate (num/den, both > 0)",
                        fmt::format("{}/{}", rate->num, rate->den)});
    } else if (std::uint64_t{rate->den} * kNsPerSecond < rate->num) {
      errors.push_back({child(pointer, "fps"),
                        "at most 1e9 frames per second (an interval >= 1 ns)",
                        fmt::format("{}/{}", rate->num, rate->den)});
    }
  } else if (const auto* interval = std::get_if<FrameInterval>(&cadence)) {
    check_duration(interval->ns, 1, child(pointer, "interval_us"), Written::kUs, "a frame interval",
                   errors);
  } else {
    check_recording(std::get<TimingRecording>(cadence), child(pointer, "replay"), errors);
  }

  const std::string jitter_at = child(pointer, "jitter");
  check_duration(jitter.amplitude_ns, 0, child(jitter_at, "amplitude_us"), Written::kUs,
                 "an amplitude", errors);
  check_duration(jitter.sigma_ns, 0, child(jitter_at, "sigma_us"), Written::kUs, "a sigma", errors);
  if (jitter.kind != JitterKind::kNone && jitter.kind != JitterKind::kUniform &&
      jitter.kind != JitterKind::kNormal) {
    errors.push_back({child(jitter_at, "kind"), "one of none, uniform, normal",
                      std::to_string(static_cast<int>(jitter.kind))});
  } else if (replay && jitter.kind != JitterKind::kNone) {
    errors.push_back({child(jitter_at, "kind"),
                      "none with replay (the recording has its own jitter)",
                      std::string(to_string(jitter.kind))});
  }
  check_duration(dma_ns, 0, child(pointer, "dma_us"), Written::kUs, "a DMA time", errors);
  check_duration(interrupt_latency_ns, 0, child(pointer, "interrupt_latency_us"), Written::kUs,
                 "a latency", errors);
  check_bursts(*this, pointer, errors);
  for (std::size_t i = 0; i < stalls.size(); ++i) {
    const std::string at = item(pointer, "stalls", i);
    check_start(stalls[i].start, at, errors);
    check_duration(stalls[i].duration_ns, 1, child(at, "duration_ms"), Written::kMs,
                   "a stall duration", errors);
  }
  if (!valid_probability(drop_probability)) {
    errors.push_back({child(pointer, "drop_probability"), "a probability in [0, 1]",
                      fmt::format("{}", drop_probability)});
  }
  return errors;
}

FieldErrors DeviceConfig::validate(std::string_view pointer) const {
  FieldErrors errors;
  check_frame_format(format, pointer, errors);
  const std::size_t format_errors = errors.size();
  const std::uint64_t frame_bytes = format_errors == 0 ? format.frame_bytes() : 0;
  if (payload != PayloadMode::kPattern && payload != PayloadMode::kZeros &&
      payload != PayloadMode::kHeaderOnly) {
    errors.push_back({child(pointer, "payload"), "one of pattern, zeros, header-only",
                      std::to_string(static_cast<int>(payload))});
  }
  if (ring_depth == 0 || ring_depth > kMaxRingDepth) {
    errors.push_back({child(pointer, "ring_depth"), fmt::format("1..{} ring slots", kMaxRingDepth),
                      std::to_string(ring_depth)});
  }
  const std::string timing_at = child(pointer, "timing");
  for (auto& error : timing.validate(timing_at))
    errors.push_back(std::move(error));
  if (const auto* recording = std::get_if<TimingRecording>(&timing.cadence);
      recording && frame_bytes) {
    for (std::size_t i = 0; i < recording->frames.size(); ++i) {
      if (recording->frames[i].bytes > frame_bytes) {
        errors.push_back(
            {child(timing_at, "replay"),
             fmt::format("recorded byte counts of at most the frame size ({})", frame_bytes),
             fmt::format("{} bytes on recorded frame {}", recording->frames[i].bytes, i)});
        break;
      }
    }
  }
  for (std::size_t i = 0; i < faults.size(); ++i) {
    check_fault(faults[i], item(pointer, "faults", i), frame_bytes, errors);
  }
  return errors;
}

std::string_view to_string(PixelFormat format) {
  switch (format) {
    case PixelFormat::kYuy2:
      return "YUY2";
    case PixelFormat::kNv12:
      return "NV12";
    case PixelFormat::kGrey:
      return "GREY";
  }
  return "unknown";
}

std::string_view to_string(PayloadMode mode) {
  switch (mode) {
    case PayloadMode::kPattern:
      return "pattern";
    case PayloadMode::kZeros:
      return "zeros";
    case PayloadMode::kHeaderOnly:
      return "header-only";
  }
  return "unknown";
}

std::string_view to_string(JitterKind kind) {
  switch (kind) {
    case JitterKind::kNone:
      return "none";
    case JitterKind::kUniform:
      return "uniform";
    case JitterKind::kNormal:
      return "normal";
  }
  return "unknown";
}

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kError:
      return "error";
    case FaultKind::kShort:
      return "short";
    case FaultKind::kCorrupt:
      return "corrupt";
    case FaultKind::kStall:
      return "stall";
    case FaultKind::kDisconnect:
      return "disconnect";
  }
  return "unknown";
}

}  // namespace hilcap::device
