#include <hilcap/frame_fate.h>

namespace hilcap {

std::string_view to_string(FrameFate fate) {
  switch (fate) {
    case FrameFate::kOk:
      return "ok";
    case FrameFate::kShort:
      return "short";
    case FrameFate::kError:
      return "error";
    case FrameFate::kCorrupt:
      return "corrupt";
    case FrameFate::kReturnedUnfilled:
      return "returned_unfilled";
    case FrameFate::kRejected:
      return "rejected";
    case FrameFate::kDropped:
      return "dropped";
  }
  return "unknown";
}

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::kStarvation:
      return "starvation";
    case DropReason::kBufferRejected:
      return "buffer_rejected";
    case DropReason::kScheduled:
      return "scheduled";
    case DropReason::kRandom:
      return "random";
    case DropReason::kStall:
      return "stall";
    case DropReason::kCompletionRingFull:
      return "completion_ring_full";
    case DropReason::kAborted:
      return "aborted";
    case DropReason::kErrorPayload:
      return "error_payload";
    case DropReason::kOverflow:
      return "overflow";
    case DropReason::kIncomplete:
      return "incomplete";
  }
  return "unknown";
}

}  // namespace hilcap
