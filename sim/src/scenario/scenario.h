// A scenario once loaded and checked: plain values in the units the
// simulation uses (ns), every default filled in. scenario_loader.h makes one
// from a JSON file; the runner only ever sees this form.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/control.h>
#include <hilcap/ks.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "device_config.h"
#include "model_frame_source.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

// A time drawn per use (a client's hold or think time).
struct DurationSpec {
  enum class Kind : std::uint8_t { kFixed, kUniform, kNormal, kExponential };
  Kind kind = Kind::kFixed;
  TimeNs fixed_ns = 0;  // fixed
  TimeNs min_ns = 0;    // uniform: [min, max]
  TimeNs max_ns = 0;
  TimeNs mean_ns = 0;   // normal, exponential
  TimeNs sigma_ns = 0;  // normal: kept within mean +- 3 sigma, and >= 0
};

// A KS client model (or, with `scripted`, a client the script acts through).
struct ClientSpec {
  std::string name;  // unique; a report path segment
  bool scripted = false;
  std::uint32_t outstanding = 1;  // ALLOCs kept in flight
  TimeNs start_at_ns = 0;
  DurationSpec hold;
  DurationSpec think;
  std::optional<TimeNs> cancel_after_ns;
  std::optional<TimeNs> close_at_ns;
  bool frame_headers = false;  // read KSSTREAM_HEADER + KS_FRAME_INFO per frame
  std::uint64_t seed = 0;      // derived from the scenario seed and the client's index
};

struct HostSpec {
  TimeNs dpc_latency_ns = 0;
  bool verify_frames = true;
  device::PinState initial_state = device::PinState::kRun;
};

// What a step's outcome should be; unset parts are not checked.
struct StepExpectation {
  struct Window {
    std::optional<TimeNs> min_ns;
    std::optional<TimeNs> max_ns;
  };
  std::optional<NTSTATUS> status;
  // alloc that pends: how and when it completes.
  bool completes = false;
  std::optional<NTSTATUS> completion_status;
  Window completion_after;
  // dropped_frames
  std::optional<std::int64_t> picture_number;
  std::optional<std::int64_t> drop_count;

  bool any() const { return status || completes || picture_number || drop_count; }
};

struct ScriptStep {
  enum class Action : std::uint8_t {
    kAlloc,
    kFree,
    kCancel,
    kClose,
    kSetState,
    kInjectFault,
    kDroppedFrames,
  };
  std::string pointer;  // "/script/3"
  TimeNs at_ns = 0;
  Action action = Action::kAlloc;
  std::string client;  // the scripted client acting
  std::string id;  // alloc: the request's name; free: the alloc whose frame; cancel: the request
                   // (empty: every pending request)
  device::PinState state = device::PinState::kRun;  // set_state
  device::FaultAction fault;                        // inject_fault
  StepExpectation expect;
};

// A USB (UVC) camera in place of the simulated device: "device": {"usb": ...}
// (camera_section.h).
struct CameraSpec {
  std::string usb;          // which camera: [VID:PID][@BUS:ADDRESS][#SERIAL], as written
  std::string format;       // as the camera names it; empty: the camera's first
  std::uint16_t width = 0;  // with height; 0: the format's default frame
  std::uint16_t height = 0;
  double fps = 0;                     // 0: the frame's default interval
  std::uint32_t stall_intervals = 3;  // no frame for longer than this many intervals: a stall
  std::uint32_t transfers = 0;        // USB transfers in flight; 0: the source's default
};

// What drives the run: virtual time (one thread, nothing sleeps) or the wall
// clock (device, host completion path and each client on their own thread).
enum class RunClock : std::uint8_t { kVirtual, kRealtime };

struct Scenario {
  std::string file;
  std::string source_text;  // the JSON as loaded (what the HTML report shows)
  std::uint64_t seed = 1;
  TimeNs duration_ns = 0;
  RunClock clock = RunClock::kVirtual;
  device::DeviceConfig device;  // the simulated device (unless `camera`)
  // How the device appears on USB (`hilcap serve`): "device.uvc" and
  // "device.format": "MJPEG" (then `device` holds the YUY2 frames it compresses).
  device::uvc::UvcPresentation uvc;
  std::optional<CameraSpec> camera;  // a USB camera in its place (then a real-time run)
  HostSpec host;
  KSALLOCATOR_FRAMING framing{};
  std::vector<ClientSpec> clients;  // models first, in file order (count expanded), then scripted
  std::vector<ScriptStep> script;   // in file order
  nlohmann::json expect;            // null when there is none

  // Replaces the seed everywhere it was used (device, clients): `--seed`.
  void reseed(std::uint64_t new_seed);

  // The options of the host's capture pin on this scenario's device
  // (host.verify_frames; the device's frame interval, when it has one).
  CapturePinOptions pin_options() const;
};

std::string_view to_string(ScriptStep::Action action);

}  // namespace hilcap::sim
