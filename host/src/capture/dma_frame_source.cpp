#include "dma_frame_source.h"

#include "../ks_policy.h"

namespace hilcap {

DmaFrameSource::DmaFrameSource(device::SubmissionRing& submission,
                               device::CompletionRing& completion, std::uint32_t frames,
                               const MappingOptions& options)
    : submission_(submission),
      completion_(completion),
      options_(options),
      buffers_(frames),
      states_(frames, SlotState::kAway),
      kept_(frames) {}

void DmaFrameSource::recycle(FrameBuffer buffer) {
  std::lock_guard lock(mutex_);
  buffers_[buffer.slot] = buffer;
  ++held_;
  if (posting_) {
    post(buffer.slot);
  } else {
    keep(buffer.slot);
  }
}

void DmaFrameSource::post(std::uint32_t slot) {
  const FrameBuffer& buffer = buffers_[slot];
  // Never full: at most Frames <= ring depth buffers are ever outstanding.
  if (!submission_.push({.buffer_id = slot, .capacity = buffer.capacity, .address = buffer.data})) {
    keep(slot);
    return;
  }
  states_[slot] = SlotState::kPosted;
  ++stats_.buffers_posted;
}

void DmaFrameSource::keep(std::uint32_t slot) {
  states_[slot] = SlotState::kKept;
  kept_.push_back(slot);
}

void DmaFrameSource::start_posting() {
  std::lock_guard lock(mutex_);
  if (retired_) return;
  posting_ = true;
  const std::size_t waiting = kept_.size();
  for (std::size_t i = 0; i < waiting; ++i) {
    const std::uint32_t slot = kept_.front();
    kept_.pop_front();
    post(slot);
  }
}

void DmaFrameSource::stop_posting() {
  std::lock_guard lock(mutex_);
  posting_ = false;
}

void DmaFrameSource::retire(bool take_back_posted) {
  std::lock_guard lock(mutex_);
  retired_ = true;
  posting_ = false;
  if (!take_back_posted) return;
  device::BufferDescriptor descriptor;
  while (submission_.pop(descriptor)) {
    if (descriptor.buffer_id < states_.size() &&
        states_[descriptor.buffer_id] == SlotState::kPosted) {
      keep(descriptor.buffer_id);
    }
  }
}

std::size_t DmaFrameSource::drain(StreamAllocator& allocator, std::int64_t host_time_ns) {
  std::size_t drained = 0;
  device::CompletionEntry entry;
  // One entry at a time: delivering may complete ALLOCs whose clients FREE
  // (and so post) at once, and the frames reach the allocator in ring order.
  while (completion_.pop(entry)) {
    ++drained;
    FrameBuffer buffer;
    {
      std::lock_guard lock(mutex_);
      ++stats_.completions;
      if (entry.buffer_id >= states_.size() || states_[entry.buffer_id] != SlotState::kPosted) {
        continue;  // not a buffer of ours at the device: nothing to give back
      }
      buffer = buffers_[entry.buffer_id];
      const bool stays = entry.status == device::CompletionStatus::kDisconnected ||
                         (entry.status == device::CompletionStatus::kReturnedUnfilled &&
                          !kKsPolicy.stop_delivers_unfilled_frames);
      if (stays) {
        if (posting_) {
          post(buffer.slot);
        } else {
          keep(buffer.slot);
        }
        continue;
      }
      states_[buffer.slot] = SlotState::kAway;
      --held_;
    }
    const FrameInfo info =
        map_completion(entry, {buffer.data, buffer.capacity}, options_, host_time_ns);
    {
      std::lock_guard lock(mutex_);
      count(info);
    }
    allocator.deliver(buffer, info);
  }
  return drained;
}

void DmaFrameSource::count(const FrameInfo& info) {
  stats_.frames.add(info.fate);
  if (info.data_used > 0) {
    data_.bytes += info.data_used;
    ++data_.frames;
  }
}

std::uint32_t DmaFrameSource::frames_held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

CapturePinStats DmaFrameSource::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

DeliveredData DmaFrameSource::data_totals() const {
  std::lock_guard lock(mutex_);
  return data_;
}

}  // namespace hilcap
