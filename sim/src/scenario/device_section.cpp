#include "scenario/device_section.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <variant>

#include "scenario/json_units.h"
#include "timing_recording.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;
using device::FrameRate;

// A rate written as a number: the smallest power-of-ten denominator (up to
// 10^6) that makes it a whole number of frames, e.g. 29.97 -> 2997/100.
std::optional<FrameRate> rate_from_number(double fps) {
  std::uint64_t den = 1;
  for (int decimals = 0; decimals <= 6; ++decimals, den *= 10) {
    const double scaled = fps * static_cast<double>(den);
    const double whole = std::round(scaled);
    if (whole < 1 || whole > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    if (std::fabs(scaled - whole) <= 1e-9 * whole) {
      const auto num = static_cast<std::uint64_t>(whole);
      const std::uint64_t divisor = std::gcd(num, den);
      return FrameRate{static_cast<std::uint32_t>(num / divisor),
                       static_cast<std::uint32_t>(den / divisor)};
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "30" or "30000/1001".
std::optional<FrameRate> rate_from_text(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto num = parse_u32(text.substr(0, slash));
  const auto den = slash == std::string_view::npos ? std::optional<std::uint32_t>(1)
                                                   : parse_u32(text.substr(slash + 1));
  if (!num || !den || *num == 0 || *den == 0) return std::nullopt;
  return FrameRate{*num, *den};
}

// "bytes" for short faults and "duration_ms" for stalls, nothing else.
void read_fault_parameters(const Json& fault, const std::string& pointer,
                           device::FaultAction& action, ScenarioChecks& checks) {
  using device::FaultKind;
  const bool wants_bytes = action.kind == FaultKind::kShort;
  const bool wants_duration = action.kind == FaultKind::kStall;
  const std::string kind(device::to_string(action.kind));
  for (const auto& [key, wanted] :
       {std::pair{"bytes", wants_bytes}, std::pair{"duration_ms", wants_duration}}) {
    const bool present = member(fault, key) != nullptr;
    if (wanted && !present) {
      checks.fail(pointer, fmt::format("the property \"{}\" for a fault of kind \"{}\"", key, kind),
                  describe_found(fault));
    } else if (!wanted && present) {
      checks.fail(child_pointer(pointer, key),
                  fmt::format("no \"{}\" for a fault of kind \"{}\"", key, kind));
    }
  }
  const Json* bytes = member(fault, "bytes");
  action.bytes = bytes && bytes->is_number_unsigned() && bytes->get<std::uint64_t>() <= 0xFFFFFFFFu
                     ? static_cast<std::uint32_t>(bytes->get<std::uint64_t>())
                     : 0;
  const Json* duration = member(fault, "duration_ms");
  action.duration_ns = duration ? to_ns(*duration, kNsPerMs) : 0;
}

device::FaultKind fault_kind(const Json& object) {
  const Json* kind = member(object, "kind");
  const std::string name = kind && kind->is_string() ? kind->get<std::string>() : "error";
  using device::FaultKind;
  return name == "short"        ? FaultKind::kShort
         : name == "corrupt"    ? FaultKind::kCorrupt
         : name == "stall"      ? FaultKind::kStall
         : name == "disconnect" ? FaultKind::kDisconnect
                                : FaultKind::kError;
}

class DeviceReader {
 public:
  DeviceReader(const Json& doc, const std::filesystem::path& directory, const FileReader& read_file,
               ScenarioChecks& checks)
      : doc_(doc), directory_(directory), read_file_(read_file), checks_(checks) {}

  device::DeviceConfig read(std::uint64_t seed) {
    device::DeviceConfig config;
    config.seed = seed;
    const Json* device = member(doc_, "device");
    if (device == nullptr) return config;
    if (const Json* format = member(*device, "format"); format && format->is_string()) {
      const std::string& name = format->get_ref<const std::string&>();
      config.format.pixel_format = name == "NV12"   ? device::PixelFormat::kNv12
                                   : name == "GREY" ? device::PixelFormat::kGrey
                                                    : device::PixelFormat::kYuy2;
    }
    config.format.width = unsigned_or(*device, "width", config.format.width);
    config.format.height = unsigned_or(*device, "height", config.format.height);
    if (const Json* payload = member(*device, "payload"); payload && payload->is_string()) {
      const std::string& name = payload->get_ref<const std::string&>();
      config.payload = name == "zeros"         ? device::PayloadMode::kZeros
                       : name == "header-only" ? device::PayloadMode::kHeaderOnly
                                               : device::PayloadMode::kPattern;
    }
    config.ring_depth = unsigned_or(*device, "ring_depth", config.ring_depth);
    if (const Json* timing = member(*device, "timing")) {
      config.timing = read_timing(*timing, "/device/timing");
    }
    if (const Json* faults = member(*device, "faults"); faults && faults->is_array()) {
      for (std::size_t i = 0; i < faults->size(); ++i) {
        config.faults.push_back(read_fault((*faults)[i], child_pointer("/device/faults", i)));
      }
    }
    return config;
  }

 private:
  template <typename T>
  static T unsigned_or(const Json& object, std::string_view key, T fallback) {
    const Json* value = member(object, key);
    if (value == nullptr || !value->is_number_unsigned()) return fallback;
    const auto v = value->get<std::uint64_t>();
    return v > std::numeric_limits<T>::max() ? std::numeric_limits<T>::max() : static_cast<T>(v);
  }

  static TimeNs ns_or(const Json& object, std::string_view key, std::int64_t ns_per_unit,
                      TimeNs fallback) {
    const Json* value = member(object, key);
    return value == nullptr ? fallback : to_ns(*value, ns_per_unit);
  }

  // Exactly one of `keys` may be present: the first found, or nullopt.
  std::optional<std::string_view> one_of(const Json& object, const std::string& pointer,
                                         std::initializer_list<std::string_view> keys,
                                         bool required) {
    std::optional<std::string_view> found;
    std::vector<std::string> quoted;
    for (std::string_view key : keys)
      quoted.push_back(Json(std::string(key)).dump());
    const std::string names = fmt::format("{}", fmt::join(quoted, ", "));
    for (std::string_view key : keys) {
      if (member(object, key) == nullptr) continue;
      if (found) {
        checks_.fail(child_pointer(pointer, key),
                     fmt::format("only one of {} (\"{}\" is already given)", names, *found));
      } else {
        found = key;
      }
    }
    if (!found && required) {
      checks_.fail(pointer, fmt::format("one of the properties {}", names), describe_found(object));
    }
    return found;
  }

  device::StartPoint read_start(const Json& object, const std::string& pointer) {
    const auto key = one_of(object, pointer, {"at_frame", "at_ms"}, true);
    if (key == "at_ms") return device::AtTime{to_ns(object.at("at_ms"), kNsPerMs)};
    return device::AtFrame{unsigned_or<std::uint64_t>(object, "at_frame", 0)};
  }

  device::FrameCadence read_cadence(const Json& timing, const std::string& pointer) {
    const auto key = one_of(timing, pointer, {"fps", "interval_us", "replay"}, false);
    if (!key) return FrameRate{};
    const Json& value = timing.at(std::string(*key));
    const std::string at = child_pointer(pointer, *key);
    if (*key == "interval_us") return device::FrameInterval{to_ns(value, kNsPerUs)};
    if (*key == "fps") {
      const auto rate = value.is_string() ? rate_from_text(value.get_ref<const std::string&>())
                                          : rate_from_number(value.get<double>());
      if (rate) return *rate;
      checks_.fail(at, value.is_string()
                           ? "a frame rate \"N\" or \"N/D\" with N and D in 1..4294967295"
                           : "a frame rate with at most 6 decimals (write an exact ratio as a "
                             "string, e.g. \"30000/1001\")");
      return FrameRate{};
    }
    return read_recording(value.get<std::string>(), at);
  }

  device::FrameCadence read_recording(const std::string& name, const std::string& at) {
    const std::filesystem::path path = directory_ / name;
    std::string error;
    const std::optional<std::string> text = read_file_(path, error);
    if (!text) {
      checks_.fail(at, "a readable timing recording",
                   fmt::format("{} ({}: {})", describe_found(Json(name)), path.string(), error));
      return FrameRate{};
    }
    auto parsed = device::parse_timing_recording(*text, at);
    if (auto* recording = std::get_if<device::TimingRecording>(&parsed))
      return std::move(*recording);
    const auto& e = std::get<FieldError>(parsed);
    checks_.fail(at, e.expected, fmt::format("{} in {}", e.found, path.string()));
    return FrameRate{};
  }

  device::JitterConfig read_jitter(const Json& jitter, const std::string& pointer) {
    device::JitterConfig config;
    const std::string kind = jitter.value("kind", std::string("none"));
    config.kind = kind == "uniform"  ? device::JitterKind::kUniform
                  : kind == "normal" ? device::JitterKind::kNormal
                                     : device::JitterKind::kNone;
    const bool has_amplitude = member(jitter, "amplitude_us") != nullptr;
    const bool has_sigma = member(jitter, "sigma_us") != nullptr;
    const std::string kind_text = fmt::format("for jitter of kind \"{}\"", kind);
    if (config.kind == device::JitterKind::kUniform && !has_amplitude) {
      checks_.fail(pointer, "the property \"amplitude_us\" " + kind_text, describe_found(jitter));
    }
    if (config.kind == device::JitterKind::kNormal && !has_sigma) {
      checks_.fail(pointer, "the property \"sigma_us\" " + kind_text, describe_found(jitter));
    }
    if (has_amplitude && config.kind != device::JitterKind::kUniform) {
      checks_.fail(child_pointer(pointer, "amplitude_us"), "no amplitude " + kind_text);
    }
    if (has_sigma && config.kind != device::JitterKind::kNormal) {
      checks_.fail(child_pointer(pointer, "sigma_us"), "no sigma " + kind_text);
    }
    config.amplitude_ns = ns_or(jitter, "amplitude_us", kNsPerUs, 0);
    config.sigma_ns = ns_or(jitter, "sigma_us", kNsPerUs, 0);
    return config;
  }

  device::TimingConfig read_timing(const Json& timing, const std::string& pointer) {
    device::TimingConfig config;
    config.cadence = read_cadence(timing, pointer);
    if (const Json* jitter = member(timing, "jitter")) {
      config.jitter = read_jitter(*jitter, child_pointer(pointer, "jitter"));
    }
    config.dma_ns = ns_or(timing, "dma_us", kNsPerUs, 0);
    config.interrupt_latency_ns = ns_or(timing, "interrupt_latency_us", kNsPerUs, 0);
    if (const Json* bursts = member(timing, "bursts"); bursts && bursts->is_array()) {
      for (std::size_t i = 0; i < bursts->size(); ++i) {
        const Json& b = (*bursts)[i];
        device::BurstSpec burst;
        burst.start = read_start(b, child_pointer(child_pointer(pointer, "bursts"), i));
        burst.count = unsigned_or<std::uint32_t>(b, "count", burst.count);
        burst.interval_ns = ns_or(b, "interval_us", kNsPerUs, burst.interval_ns);
        burst.repeat_every_frames = unsigned_or<std::uint64_t>(b, "repeat_every_frames", 0);
        config.bursts.push_back(burst);
      }
    }
    if (const Json* stalls = member(timing, "stalls"); stalls && stalls->is_array()) {
      for (std::size_t i = 0; i < stalls->size(); ++i) {
        const Json& s = (*stalls)[i];
        device::StallSpec stall;
        stall.start = read_start(s, child_pointer(child_pointer(pointer, "stalls"), i));
        stall.duration_ns = ns_or(s, "duration_ms", kNsPerMs, 0);
        config.stalls.push_back(stall);
      }
    }
    if (const Json* drops = member(timing, "drop_frames"); drops && drops->is_array()) {
      for (const Json& frame : *drops) {
        if (frame.is_number_unsigned()) config.drop_frames.push_back(frame.get<std::uint64_t>());
      }
    }
    if (const Json* p = member(timing, "drop_probability"); p && p->is_number()) {
      config.drop_probability = p->get<double>();
    }
    return config;
  }

  device::FaultSpec read_fault(const Json& fault, const std::string& pointer) {
    device::FaultSpec spec;
    spec.action.kind = fault_kind(fault);
    read_fault_parameters(fault, pointer, spec.action, checks_);
    const auto trigger = one_of(fault, pointer, {"at_frame", "at_ms", "probability"}, true);
    if (trigger == "at_ms") {
      spec.trigger = device::AtTime{to_ns(fault.at("at_ms"), kNsPerMs)};
    } else if (trigger == "probability") {
      spec.trigger = device::EachFrameWithProbability{fault.at("probability").get<double>()};
    } else {
      spec.trigger = device::AtFrame{unsigned_or<std::uint64_t>(fault, "at_frame", 0)};
    }
    return spec;
  }

 private:
  const Json& doc_;
  const std::filesystem::path& directory_;
  const FileReader& read_file_;
  ScenarioChecks& checks_;
};

}  // namespace

device::FaultAction read_fault_action(const Json& fault, const std::string& pointer,
                                      ScenarioChecks& checks) {
  device::FaultAction action;
  action.kind = fault_kind(fault);
  read_fault_parameters(fault, pointer, action, checks);
  return action;
}

device::DeviceConfig read_device_section(const Json& doc, std::uint64_t seed,
                                         const std::filesystem::path& directory,
                                         const FileReader& read_file, ScenarioChecks& checks) {
  return DeviceReader(doc, directory, read_file, checks).read(seed);
}

}  // namespace hilcap::sim
