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
  // outside the pool or inside a slot. Every FREE and delivery asks, so it
  // divides by multiplying with a precomputed reciprocal (exact for 32-bit
  // offsets, Lemire et al. 2019) instead of a 64-bit div.
  std::optional<std::uint32_t> slot_of(const void* frame) const {
    const std::uintptr_t offset =
        reinterpret_cast<std::uintptr_t>(frame) - reinterpret_cast<std::uintptr_t>(base_);
    if (offset >= pool_bytes_) return std::nullopt;  // also below base_ (wraps around)
    const auto slot =
        stride_ == 1 ? static_cast<std::uint32_t>(offset)
                     : static_cast<std::uint32_t>(
                           (static_cast<unsigned __int128>(stride_reciprocal_) * offset) >> 64);
    if (std::size_t{slot} * stride_ != offset) return std::nullopt;
    return slot;
  }

 private:
  FramePool(std::byte* base, std::size_t mapped, std::size_t stride, std::uint32_t frames,
            std::uint32_t frame_size);

  std::byte* base_;
  std::size_t mapped_;
  std::size_t stride_;
  std::size_t pool_bytes_;           // stride * frames, below 2^32 (kKsPolicy.max_pool_bytes)
  std::uint64_t stride_reciprocal_;  // ceil(2^64 / stride), for stride > 1
  std::uint32_t frames_;
  std::uint32_t frame_size_;
};

}  // namespace hilcap
