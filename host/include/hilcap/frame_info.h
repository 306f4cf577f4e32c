// What is known about the contents of a frame: filled in by a frame source in
// capture mode, all zero in pool mode (a pool-mode frame carries no capture).
#pragma once

#include <hilcap/frame_fate.h>

#include <cstdint>

namespace hilcap {

// Bits of FrameInfo::flags.
enum FrameFlag : std::uint32_t {
  kFrameDiscontinuity = 1u << 0,  // frames were dropped just before this one
  kFrameTimeValid = 1u << 2,      // presentation_time_ns is meaningful
  kFrameDurationValid = 1u << 3,  // duration_ns is meaningful
};

struct FrameInfo {
  std::int64_t sequence = 0;    // PictureNumber: frames captured + dropped so far
  std::int64_t drop_count = 0;  // DropCount: frames the source failed to capture so far
  std::int64_t presentation_time_ns = 0;
  std::int64_t duration_ns = 0;
  std::uint32_t data_used = 0;           // bytes of the frame holding data
  FrameFate fate = FrameFate::kOk;       // what happened to it (never kDropped here)
  std::uint32_t flags = 0;               // FrameFlag bits
  std::int64_t device_timestamp_ns = 0;  // the device's timestamp of the frame, device clock
  std::int64_t host_timestamp_ns = 0;    // when the host completion path saw it

  friend bool operator==(const FrameInfo&, const FrameInfo&) = default;
};

}  // namespace hilcap
