// The memory of a StreamAllocator: `frames` slots of `frame_size` bytes in one
// mapping, each slot aligned to `alignment_mask + 1`, every page touched at
// creation so that no frame faults on the hot path (perf-limits.md §4).
// A frame's identity is its data pointer; slot_of() maps it back by arithmetic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace hilcap {

class FramePool {
 public:
  // nullptr when the mapping fails. The caller has validated the sizes.
  static std::unique_ptr<FramePool> create(std::uint32_t frames, std::uint32_t frame_size,
                                           std::uint32_t alignment_mask);

  // Bytes the pool maps for this framing (slot stride times frames, in whole
  // pages); UINT64_MAX when that does not fit in 64 bits.
  static std::uint64_t mapped_bytes(std::uint32_t frames, std::uint32_t frame_size,
                                    std::uint32_t alignment_mask);

  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  ~FramePool();

  std::uint32_t frames() const { return frames_; }
  std::uint32_t frame_size() const { return frame_size_; }
  std::byte* data(std::uint32_t slot) const { return base_ + std::size_t{slot} * stride_; }

  // The slot whose frame starts exactly at `frame`; nullopt for any pointer
  // outside the pool or inside a slot.
  std::optional<std::uint32_t> slot_of(const void* frame) const;

 private:
  FramePool(std::byte* base, std::size_t mapped, std::size_t stride, std::uint32_t frames,
            std::uint32_t frame_size);

  std::byte* base_;
  std::size_t mapped_;
  std::size_t stride_;
  std::uint32_t frames_;
  std::uint32_t frame_size_;
};

}  // namespace hilcap
