#include "scenario/allocator_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Where a pool that is too large is best corrected: the first of these the
// scenario writes (frames, then the frame size, then the ring depth that
// sets the default number of frames), else frames (absent).
std::string pool_pointer(const Json& doc) {
  const Json* allocator = member(doc, "allocator");
  const Json* device = member(doc, "device");
  if (allocator && member(*allocator, "frames")) return "/allocator/frames";
  if (allocator && member(*allocator, "frame_size")) return "/allocator/frame_size";
  if (device && member(*device, "ring_depth")) return "/device/ring_depth";
  return "/allocator/frames";
}

void check_pool(const Json& doc, const KSALLOCATOR_FRAMING& framing, const RunLimits& limits,
                ScenarioChecks& checks) {
  const std::uint64_t bytes = pool_bytes(framing);
  if (bytes <= limits.max_pool_bytes) return;
  const std::string limit =
      limits.max_pool_bytes_given
          ? fmt::format("/limits/max_pool_bytes, at most {}", kKsMaxPoolBytes)
          : fmt::format(
                "the default of limits.max_pool_bytes: raise it at /limits/max_pool_bytes, "
                "up to {}",
                kKsMaxPoolBytes);
  checks.fail(
      pool_pointer(doc),
      fmt::format("a pool of at most {} bytes ({}); the whole pool is committed when the "
                  "allocator is created",
                  limits.max_pool_bytes, limit),
      fmt::format("{} frames of {} bytes: {} bytes", framing.Frames, framing.FrameSize, bytes));
}

}  // namespace

KSALLOCATOR_FRAMING read_allocator_section(const Json& doc, const device::DeviceConfig& device,
                                           bool device_usable, const RunLimits& limits,
                                           ScenarioChecks& checks) {
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames = device.ring_depth;
  const std::uint64_t frame_bytes = device.format.frame_bytes();
  framing.FrameSize = static_cast<ULONG>(std::min<std::uint64_t>(frame_bytes, 0xFFFFFFFFu));
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  const Json* section = member(doc, "allocator");
  auto read = [section](std::string_view key, ULONG& field) {
    if (section == nullptr) return;
    if (const Json* v = member(*section, key); v && v->is_number_unsigned()) {
      field = static_cast<ULONG>(std::min<std::uint64_t>(v->get<std::uint64_t>(), 0xFFFFFFFFu));
    }
  };
  read("frames", framing.Frames);
  read("frame_size", framing.FrameSize);
  read("file_alignment", framing.FileAlignment);
  if (!device_usable) return framing;

  // What KsCreateAllocator on the capture pin refuses (CaptureDriver).
  bool pin_accepts = true;
  if (section && member(*section, "frames") && framing.Frames > device.ring_depth) {
    checks.fail("/allocator/frames",
                fmt::format("at most {} frames, the device's ring depth (the pin posts every "
                            "frame of the pool on the device's submission ring)",
                            device.ring_depth));
    pin_accepts = false;
  }
  if (section && member(*section, "frame_size") && framing.FrameSize < frame_bytes) {
    checks.fail("/allocator/frame_size",
                fmt::format("at least the device's frame size ({} bytes: {}x{} {})", frame_bytes,
                            device.format.width, device.format.height,
                            device::to_string(device.format.pixel_format)));
    pin_accepts = false;
  }
  if (pin_accepts) check_pool(doc, framing, limits, checks);
  return framing;
}

}  // namespace hilcap::sim
