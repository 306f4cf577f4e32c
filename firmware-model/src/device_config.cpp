#include "device_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "frame_grid.h"

namespace hilcap::device {
namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

std::string join(std::string_view path, std::string_view field) {
  return fmt::format("{}.{}", path, field);
}

std::string indexed(std::string_view path, std::string_view list, std::size_t i) {
  return fmt::format("{}.{}[{}]", path, list, i);
}

// False for NaN too.
bool valid_probability(double p) {
  return p >= 0.0 && p <= 1.0;
}

// A duration in [min_ns, kMaxDurationNs]; reports `what` ("a DMA time") otherwise.
void check_duration(TimeNs value, TimeNs min_ns, const std::string& field, std::string_view what,
                    ConfigErrors& errors) {
  if (value < min_ns || value > kMaxDurationNs) {
    errors.push_back({field, fmt::format("{} of {}..{} ns", what, min_ns, kMaxDurationNs),
                      std::to_string(value)});
  }
}

void check_start(const StartPoint& start, const std::string& at, ConfigErrors& errors) {
  if (const auto* time = std::get_if<AtTime>(&start); time && time->time_ns < 0) {
    errors.push_back({at + ".at_ns", "a time >= 0 (ns since the stream started)",
                      std::to_string(time->time_ns)});
  }
}

void check_recording(const TimingRecording& recording, const std::string& at,
                     ConfigErrors& errors) {
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

void check_bursts(const TimingConfig& timing, std::string_view path, ConfigErrors& errors) {
  if (timing.bursts.empty()) return;
  const auto interval = frame_interval(timing.cadence);
  if (!interval) {
    errors.push_back({join(path, "bursts"), "no bursts with replay",
                      fmt::format("{} burst(s)", timing.bursts.size())});
    return;
  }
  if (interval->num_ns == 0 || interval->den == 0) return;  // reported with the cadence
  const FrameGrid grid(*interval);
  bool usable = true;
  for (std::size_t i = 0; i < timing.bursts.size(); ++i) {
    const BurstSpec& burst = timing.bursts[i];
    const std::string at = indexed(path, "bursts", i);
    check_start(burst.start, at, errors);
    if (burst.count < 2) {
      errors.push_back({at + ".count", "at least 2 frames", std::to_string(burst.count)});
      usable = false;
    }
    if (burst.interval_ns < 1 || burst.interval_ns >= grid.min_gap()) {
      errors.push_back(
          {at + ".interval_ns",
           fmt::format("1..{} ns (shorter than the frame interval)", grid.min_gap() - 1),
           std::to_string(burst.interval_ns)});
    }
    if (burst.repeat_every_frames != 0 && burst.repeat_every_frames < burst.count) {
      errors.push_back({at + ".repeat_every_frames",
                        fmt::format("0 or at least count ({})", burst.count),
                        std::to_string(burst.repeat_every_frames)});
      usable = false;
    }
    if (burst.repeat_every_frames != 0 && timing.bursts.size() > 1) {
      errors.push_back({at + ".repeat_every_frames", "0 when more than one burst is configured",
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
        errors.push_back({indexed(path, "bursts", j),
                          fmt::format("a burst that does not overlap bursts[{}] (frames {}..{})", i,
                                      a, a_end - 1),
                          fmt::format("frames {}..{}", b, b_end - 1)});
      }
    }
  }
}

void check_frame_format(const FrameFormat& format, std::string_view path, ConfigErrors& errors) {
  const PixelFormat pf = format.pixel_format;
  if (pf != PixelFormat::kYuy2 && pf != PixelFormat::kNv12 && pf != PixelFormat::kGrey) {
    errors.push_back({join(path, "format"), "one of YUY2, NV12, GREY",
                      fmt::format("FourCC 0x{:08x}", static_cast<std::uint32_t>(pf))});
    return;
  }
  bool sized = true;
  for (const auto& [name, value] :
       {std::pair{"width", format.width}, std::pair{"height", format.height}}) {
    if (value == 0 || value > kMaxFrameDimension) {
      errors.push_back({join(path, name), fmt::format("1..{} pixels", kMaxFrameDimension),
                        std::to_string(value)});
      sized = false;
    }
  }
  if ((pf == PixelFormat::kYuy2 || pf == PixelFormat::kNv12) && format.width % 2 != 0) {
    errors.push_back({join(path, "width"), fmt::format("an even width for {}", to_string(pf)),
                      std::to_string(format.width)});
    sized = false;
  }
  if (pf == PixelFormat::kNv12 && format.height % 2 != 0) {
    errors.push_back(
        {join(path, "height"), "an even height for NV12", std::to_string(format.height)});
    sized = false;
  }
  if (sized && format.frame_bytes() < 64) {
    errors.push_back({join(path, "width"),
                      "a frame of at least 64 bytes (the in-band frame header)",
                      fmt::format("{}x{} {} = {} bytes", format.width, format.height, to_string(pf),
                                  format.frame_bytes())});
  }
}

void check_fault(const FaultSpec& fault, const std::string& at, std::uint64_t frame_bytes,
                 ConfigErrors& errors) {
  if (const auto* p = std::get_if<EachFrameWithProbability>(&fault.trigger);
      p && !valid_probability(p->probability)) {
    errors.push_back(
        {at + ".probability", "a probability in [0, 1]", fmt::format("{}", p->probability)});
  }
  if (const auto* time = std::get_if<AtTime>(&fault.trigger); time && time->time_ns < 0) {
    errors.push_back({at + ".at_ns", "a time >= 0 (ns since the stream started)",
                      std::to_string(time->time_ns)});
  }
  switch (fault.action.kind) {
    case FaultKind::kShort:
      if (fault.action.bytes == 0 || (frame_bytes != 0 && fault.action.bytes >= frame_bytes)) {
        errors.push_back({at + ".bytes",
                          frame_bytes != 0
                              ? fmt::format("1..{} (fewer bytes than a frame)", frame_bytes - 1)
                              : std::string("at least 1 byte"),
                          std::to_string(fault.action.bytes)});
      }
      break;
    case FaultKind::kStall:
      check_duration(fault.action.duration_ns, 1, at + ".duration_ns", "a stall duration", errors);
      break;
    case FaultKind::kError:
    case FaultKind::kCorrupt:
    case FaultKind::kDisconnect:
      break;
    default:
      errors.push_back({at + ".kind", "one of error, short, corrupt, stall, disconnect",
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

ConfigErrors TimingConfig::validate(std::string_view path) const {
  ConfigErrors errors;
  const bool replay = std::holds_alternative<TimingRecording>(cadence);
  if (const auto* rate = std::get_if<FrameRate>(&cadence)) {
    if (rate->num == 0 || rate->den == 0) {
      errors.push_back({join(path, "fps"), "a positive frame rate (num/den, both > 0)",
                        fmt::format("{}/{}", rate->num, rate->den)});
    } else if (std::uint64_t{rate->den} * kNsPerSecond < rate->num) {
      errors.push_back({join(path, "fps"), "at most 1e9 frames per second (an interval >= 1 ns)",
                        fmt::format("{}/{}", rate->num, rate->den)});
    }
  } else if (const auto* interval = std::get_if<FrameInterval>(&cadence)) {
    check_duration(interval->ns, 1, join(path, "interval_ns"), "a frame interval", errors);
  } else {
    check_recording(std::get<TimingRecording>(cadence), join(path, "replay"), errors);
  }

  check_duration(jitter.amplitude_ns, 0, join(path, "jitter.amplitude_ns"), "an amplitude", errors);
  check_duration(jitter.sigma_ns, 0, join(path, "jitter.sigma_ns"), "a sigma", errors);
  if (jitter.kind != JitterKind::kNone && jitter.kind != JitterKind::kUniform &&
      jitter.kind != JitterKind::kNormal) {
    errors.push_back({join(path, "jitter.kind"), "one of none, uniform, normal",
                      std::to_string(static_cast<int>(jitter.kind))});
  } else if (replay && jitter.kind != JitterKind::kNone) {
    errors.push_back({join(path, "jitter.kind"),
                      "none with replay (the recording has its own jitter)",
                      std::string(to_string(jitter.kind))});
  }
  check_duration(dma_ns, 0, join(path, "dma_ns"), "a DMA time", errors);
  check_duration(interrupt_latency_ns, 0, join(path, "interrupt_latency_ns"), "a latency", errors);
  check_bursts(*this, path, errors);
  for (std::size_t i = 0; i < stalls.size(); ++i) {
    const std::string at = indexed(path, "stalls", i);
    check_start(stalls[i].start, at, errors);
    check_duration(stalls[i].duration_ns, 1, at + ".duration_ns", "a stall duration", errors);
  }
  if (!valid_probability(drop_probability)) {
    errors.push_back({join(path, "drop_probability"), "a probability in [0, 1]",
                      fmt::format("{}", drop_probability)});
  }
  return errors;
}

ConfigErrors DeviceConfig::validate(std::string_view path) const {
  ConfigErrors errors;
  check_frame_format(format, path, errors);
  const std::size_t format_errors = errors.size();
  const std::uint64_t frame_bytes = format_errors == 0 ? format.frame_bytes() : 0;
  if (payload != PayloadMode::kPattern && payload != PayloadMode::kZeros &&
      payload != PayloadMode::kHeaderOnly) {
    errors.push_back({join(path, "payload"), "one of pattern, zeros, header-only",
                      std::to_string(static_cast<int>(payload))});
  }
  if (ring_depth == 0 || ring_depth > kMaxRingDepth) {
    errors.push_back({join(path, "ring_depth"), fmt::format("1..{} ring slots", kMaxRingDepth),
                      std::to_string(ring_depth)});
  }
  const std::string timing_path = join(path, "timing");
  for (auto& error : timing.validate(timing_path))
    errors.push_back(std::move(error));
  if (const auto* recording = std::get_if<TimingRecording>(&timing.cadence);
      recording && frame_bytes) {
    for (std::size_t i = 0; i < recording->frames.size(); ++i) {
      if (recording->frames[i].bytes > frame_bytes) {
        errors.push_back(
            {timing_path + ".replay",
             fmt::format("recorded byte counts of at most the frame size ({})", frame_bytes),
             fmt::format("{} bytes on recorded frame {}", recording->frames[i].bytes, i)});
        break;
      }
    }
  }
  for (std::size_t i = 0; i < faults.size(); ++i) {
    check_fault(faults[i], indexed(path, "faults", i), frame_bytes, errors);
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
