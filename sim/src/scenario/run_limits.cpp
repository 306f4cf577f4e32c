#include "scenario/run_limits.h"

#include <fmt/format.h>
#include <unistd.h>

#include <variant>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Client models and script steps are each about this many events.
constexpr double kEventsPerFrame = 3;
constexpr double kEventsPerClientFrame = 2;
constexpr double kEventsPerCancelCycle = 2;

// The mean frame interval in ns (0 when there is none).
double mean_interval_ns(const device::FrameCadence& cadence) {
  if (const auto* rate = std::get_if<device::FrameRate>(&cadence)) {
    return rate->num == 0 ? 0 : 1e9 * rate->den / rate->num;
  }
  if (const auto* interval = std::get_if<device::FrameInterval>(&cadence)) {
    return static_cast<double>(interval->ns);
  }
  const auto& frames = std::get<device::TimingRecording>(cadence).frames;
  if (frames.size() < 2) return 0;
  return static_cast<double>(frames.back().at_ns - frames.front().at_ns) /
         static_cast<double>(frames.size() - 1);
}

// How the scenario sets the rate, for a message: "1000000000 fps
// (/device/timing/fps)", "30 fps by default"...
std::string describe_cadence(const device::FrameCadence& cadence, const Json& doc) {
  std::string description;
  if (const auto* rate = std::get_if<device::FrameRate>(&cadence)) {
    description = rate->den == 1 ? fmt::format("{} fps", rate->num)
                                 : fmt::format("{}/{} fps", rate->num, rate->den);
  } else if (const auto* interval = std::get_if<device::FrameInterval>(&cadence)) {
    description = fmt::format("one frame every {} ns", interval->ns);
  } else {
    description =
        fmt::format("a recording's mean interval of {:.0f} ns", mean_interval_ns(cadence));
  }
  const Json* device = member(doc, "device");
  const Json* timing = device ? member(*device, "timing") : nullptr;
  for (const char* key : {"fps", "interval_us", "replay"}) {
    if (timing != nullptr && member(*timing, key) != nullptr) {
      return fmt::format("{} (/device/timing/{})", description, key);
    }
  }
  return description + " by default";
}

}  // namespace

RunLimits read_limits(const Json& doc) {
  RunLimits limits;
  const Json* section = member(doc, "limits");
  if (section == nullptr) return limits;
  if (const Json* v = member(*section, "max_events"); v && v->is_number_unsigned()) {
    limits.max_events = v->get<std::uint64_t>();
    limits.max_events_given = true;
  }
  if (const Json* v = member(*section, "max_pool_bytes"); v && v->is_number_unsigned()) {
    limits.max_pool_bytes = std::min(v->get<std::uint64_t>(), kKsMaxPoolBytes);
    limits.max_pool_bytes_given = true;
  }
  return limits;
}

EventEstimate estimate_events(const Scenario& scenario) {
  EventEstimate e;
  const double duration_ns = static_cast<double>(scenario.duration_ns);
  const double interval_ns = mean_interval_ns(scenario.device.timing.cadence);
  e.frames = interval_ns > 0 ? duration_ns / interval_ns : 0;
  double models = 0;
  double cancel_cycles = 0;
  for (const ClientSpec& client : scenario.clients) {
    if (client.scripted) continue;
    models += 1;
    if (client.cancel_after_ns) {
      cancel_cycles +=
          client.outstanding * duration_ns / static_cast<double>(*client.cancel_after_ns);
    }
  }
  e.events_per_frame = kEventsPerFrame + kEventsPerClientFrame * models;
  e.events = e.frames * e.events_per_frame + kEventsPerCancelCycle * cancel_cycles +
             static_cast<double>(scenario.script.size());
  return e;
}

void check_event_estimate(const Scenario& scenario, const Json& doc, const RunLimits& limits,
                          bool allow_long_run, ScenarioChecks& checks) {
  if (allow_long_run) return;
  const EventEstimate e = estimate_events(scenario);
  if (e.events <= static_cast<double>(limits.max_events)) return;
  const std::string bound =
      limits.max_events_given
          ? fmt::format("at most {} events (/limits/max_events)", limits.max_events)
          : fmt::format("at most {} events (the default of limits.max_events)", limits.max_events);
  checks.fail(
      "/duration_s",
      fmt::format("a virtual-time run of {}: raise /limits/max_events, or run with "
                  "--allow-long-run, if the run is meant to be this long",
                  bound),
      fmt::format("an estimated {:.3g} events: {:.3g} s at {} is {:.3g} frames, about {:.3g} "
                  "events each",
                  e.events, static_cast<double>(scenario.duration_ns) / kNsPerS,
                  describe_cadence(scenario.device.timing.cadence, doc), e.frames,
                  e.events_per_frame));
}

std::uint64_t pool_bytes(const KSALLOCATOR_FRAMING& framing) {
  const std::uint64_t mask = framing.FileAlignment;
  const std::uint64_t stride = (std::uint64_t{framing.FrameSize} + mask) & ~mask;
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t page = page_size > 0 ? static_cast<std::uint64_t>(page_size) : 4096;
  // Frames <= 2^32 and stride < 2^33: the product fits in 64 bits.
  const std::uint64_t bytes = stride * framing.Frames;
  return (bytes + page - 1) / page * page;
}

}  // namespace hilcap::sim
