#include "fault_injector.h"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace hilcap::device {

FaultInjector::FaultInjector(std::vector<FaultSpec> faults, std::uint64_t seed) {
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const FaultSpec& spec = faults[i];
    const auto* chance = std::get_if<EachFrameWithProbability>(&spec.trigger);
    Armed armed{.spec = spec,
                .draws = SeededDraws(seed, static_cast<std::uint64_t>(DrawStream::kFault) + i),
                .threshold = probability_threshold(chance ? chance->probability : 0.0)};
    const bool acts_when_due =
        spec.action.kind == FaultKind::kStall || spec.action.kind == FaultKind::kDisconnect;
    (acts_when_due ? due_faults_ : fill_faults_).push_back(armed);
  }
  // Injected faults are rare; room for a few avoids allocating while streaming.
  injected_.reserve(4);
}

bool FaultInjector::triggers(Armed& fault, std::uint64_t frame, TimeNs due_ns) {
  if (std::holds_alternative<EachFrameWithProbability>(fault.spec.trigger)) {
    return fault.threshold.hit(fault.draws.at(frame));
  }
  if (fault.fired) return false;
  const bool reached = std::visit(
      [&](const auto& trigger) {
        using T = std::decay_t<decltype(trigger)>;
        if constexpr (std::is_same_v<T, AtFrame>) {
          return frame >= trigger.frame;
        } else if constexpr (std::is_same_v<T, AtTime>) {
          return due_ns >= trigger.time_ns;
        } else {
          return false;
        }
      },
      fault.spec.trigger);
  fault.fired = reached;
  return reached;
}

DueFaults FaultInjector::on_frame_due(std::uint64_t frame, TimeNs due_ns) {
  DueFaults out;
  for (Armed& fault : due_faults_) {
    if (!triggers(fault, frame, due_ns)) continue;
    note_fired(fault.spec.action.kind);
    if (fault.spec.action.kind == FaultKind::kDisconnect) {
      out.disconnect = true;
    } else {
      out.stall_ns = std::max(out.stall_ns, fault.spec.action.duration_ns);
    }
  }
  return out;
}

void FaultInjector::apply(const FaultAction& action, FillFaults& out) {
  note_fired(action.kind);
  switch (action.kind) {
    case FaultKind::kError:
      out.error = true;
      break;
    case FaultKind::kShort:
      out.short_bytes =
          out.short_bytes == 0 ? action.bytes : std::min(out.short_bytes, action.bytes);
      break;
    case FaultKind::kCorrupt:
      out.corrupt = true;
      break;
    case FaultKind::kStall:
    case FaultKind::kDisconnect:
      break;
  }
}

FillFaults FaultInjector::on_frame_filled(std::uint64_t frame, TimeNs due_ns) {
  FillFaults out;
  for (Armed& fault : fill_faults_) {
    if (triggers(fault, frame, due_ns)) apply(fault.spec.action, out);
  }
  for (const FaultAction& action : injected_)
    apply(action, out);
  injected_.clear();
  return out;
}

void FaultInjector::inject_on_next_fill(const FaultAction& action) {
  injected_.push_back(action);
}

void FaultInjector::rearm() {
  for (Armed& fault : due_faults_)
    fault.fired = false;
  for (Armed& fault : fill_faults_)
    fault.fired = false;
}

}  // namespace hilcap::device
