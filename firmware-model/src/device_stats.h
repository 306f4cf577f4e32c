// Counters of everything the device did, for reports and invariant checks.
// Cumulative over the device's life (unlike the KS counters, which reset on
// entering ACQUIRE). At every instant:
//   frames_due      == frames_delivered + dropped_total() + in_flight
//   frames_produced == frames_delivered + dropped[kAborted] + in_flight
#pragma once

#include <hilcap/device_internal.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <string_view>

#include "device_config.h"

namespace hilcap::device {

// The device model's own account of why it did not deliver a frame. The
// model cannot see the host's <hilcap/frame_fate.h>, so it keeps its own enum,
// named apart from hilcap::DropReason; the report and the trace show it in
// the host's vocabulary through the one mapping sim/'s drop_reason_of (one
// to one, pinned by FrameFate.DeviceModelReasonsMapOneToOne).
enum class ModelDropReason : std::uint8_t {
  kStarvation,          // no buffer posted when the frame was due
  kBufferRejected,      // the posted buffer could not hold a frame (handed back unfilled)
  kScheduled,           // timing.drop_frames
  kRandom,              // timing.drop_probability
  kStall,               // inside a stall (timing.stalls or a stall fault)
  kCompletionRingFull,  // the host broke the ring contract: no room to post the frame
  kAborted,             // its DMA was cut off by STOP or a disconnect (buffer handed back)
};
inline constexpr std::size_t kModelDropReasonCount = 7;

struct DeviceStats {
  std::uint64_t frames_due = 0;        // frame-grid ticks in RUN
  std::uint64_t frames_produced = 0;   // got a buffer and started their DMA
  std::uint64_t frames_delivered = 0;  // completions carrying a frame: ok + short + error
  std::uint64_t short_frames = 0;
  std::uint64_t error_frames = 0;
  std::uint64_t corrupt_frames = 0;  // delivered with a corrupted payload (a fault)
  std::array<std::uint64_t, kModelDropReasonCount> dropped{};
  std::uint64_t in_flight = 0;                      // buffers being filled right now
  std::uint64_t buffers_returned_unfilled = 0;      // handed back at STOP
  std::uint64_t buffers_returned_disconnected = 0;  // handed back at the disconnect
  std::uint64_t buffers_left_posted = 0;  // could not be handed back: completion ring full
  std::uint64_t interrupts_raised = 0;
  std::uint64_t interrupts_coalesced = 0;  // assertions that found the line still raised
  std::array<std::uint64_t, kFaultKindCount> faults_fired{};

  std::uint64_t dropped_total() const {
    return std::accumulate(dropped.begin(), dropped.end(), std::uint64_t{0});
  }
  std::uint64_t dropped_by(ModelDropReason reason) const {
    return dropped[static_cast<std::size_t>(reason)];
  }
  std::uint64_t faults_fired_of(FaultKind kind) const {
    return faults_fired[static_cast<std::size_t>(kind)];
  }
};

}  // namespace hilcap::device
