#include "completion_mapping.h"

#include <hilcap/device/frame_header.h>

#include <algorithm>

namespace hilcap {

FrameInfo map_completion(const device::CompletionEntry& entry, std::span<const std::byte> frame,
                         const MappingOptions& options, std::int64_t host_time_ns) {
  using device::CompletionStatus;
  FrameInfo info;
  info.drop_count = static_cast<std::int64_t>(entry.drop_count);
  info.data_used = entry.bytes_used;
  info.host_timestamp_ns = host_time_ns;
  switch (entry.status) {
    case CompletionStatus::kReturnedUnfilled:
    case CompletionStatus::kDisconnected:
      // No frame: the buffer comes back empty, as KS returns in-flight frames at STOP.
      info.fate = FrameFate::kReturnedUnfilled;
      info.data_used = 0;
      return info;
    case CompletionStatus::kBufferRejected:
      info.fate = FrameFate::kRejected;
      info.data_used = 0;
      return info;
    case CompletionStatus::kOk:
      info.fate = FrameFate::kOk;
      if (options.verify_frames &&
          device::verify_frame(frame.first(std::min<std::size_t>(entry.bytes_used, frame.size())),
                               entry)
                  .check != device::FrameCheck::kOk) {
        info.fate = FrameFate::kCorrupt;
      }
      break;
    case CompletionStatus::kShort:
      info.fate = FrameFate::kShort;
      break;
    case CompletionStatus::kError:
      info.fate = FrameFate::kError;
      break;
  }
  info.sequence = static_cast<std::int64_t>(entry.sequence) + 1;
  info.presentation_time_ns = entry.timestamp_ns;
  info.device_timestamp_ns = entry.timestamp_ns;
  info.flags |= kFrameTimeValid;
  if (options.frame_interval_ns > 0) {
    info.duration_ns = options.frame_interval_ns;
    info.flags |= kFrameDurationValid;
  }
  if (entry.has_flag(device::CompletionFlags::kDiscontinuity)) info.flags |= kFrameDiscontinuity;
  return info;
}

}  // namespace hilcap
