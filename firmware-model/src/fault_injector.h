// FaultInjector: which configured or injected faults act on a frame.
//
// The device asks twice per frame: when the frame is due (stall, disconnect)
// and when it has a buffer to fill (error, short, corrupt); see FaultSpec for
// the trigger rules. One-shot faults remember that they fired until rearm();
// probabilities draw from the seeded stream of their own fault, indexed by the
// frame number, so a seed gives the same faults on every run.
#pragma once

#include <hilcap/device_internal.h>

#include <array>
#include <cstdint>
#include <vector>

#include "device_config.h"
#include "seeded_random.h"

namespace hilcap::device {

// Faults that act when a frame is due, whether or not a buffer is posted.
struct DueFaults {
  bool disconnect = false;
  TimeNs stall_ns = 0;  // > 0: a stall of this length starts at this frame
};

// Faults that act on a frame being filled.
struct FillFaults {
  bool error = false;
  std::uint32_t short_bytes = 0;  // > 0: deliver only this many bytes
  bool corrupt = false;
};

class FaultInjector {
 public:
  // `faults` must be valid (DeviceConfig::validate()).
  FaultInjector(std::vector<FaultSpec> faults, std::uint64_t seed);

  DueFaults on_frame_due(std::uint64_t frame, TimeNs due_ns);
  FillFaults on_frame_filled(std::uint64_t frame, TimeNs due_ns);

  // A fault requested now (a scenario step): error, short and corrupt act on
  // the next frame filled. (The device applies stall and disconnect itself.)
  void inject_on_next_fill(const FaultAction& action);

  // Counts a stall or disconnect the device applied itself (an injected one).
  void note_fired(FaultKind kind) { ++fired_[static_cast<std::size_t>(kind)]; }

  // One-shot faults may fire again (a new stream after STOP -> ACQUIRE).
  void rearm();

  // How many times faults of each kind fired, configured and injected.
  std::uint64_t fired(FaultKind kind) const { return fired_[static_cast<std::size_t>(kind)]; }

 private:
  struct Armed {
    FaultSpec spec;
    SeededDraws draws;
    ProbabilityThreshold threshold;
    bool fired = false;
  };

  bool triggers(Armed& fault, std::uint64_t frame, TimeNs due_ns);
  void apply(const FaultAction& action, FillFaults& out);

  std::vector<Armed> due_faults_;   // stall, disconnect
  std::vector<Armed> fill_faults_;  // error, short, corrupt
  std::vector<FaultAction> injected_;
  std::array<std::uint64_t, kFaultKindCount> fired_{};
};

}  // namespace hilcap::device
