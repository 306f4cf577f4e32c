// Where the frames of a capture-mode StreamAllocator come from.
//
// In pool mode (the classic KS default allocator) a freed frame is simply
// ready again. In capture mode a FrameSource is attached: it receives every
// empty frame (recycle) and gives filled ones back through
// StreamAllocator::deliver from its completion path. The device model's DMA
// ring and the USB reassembler are frame sources.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hilcap {

// One frame of an allocator's pool, as a source sees it.
struct FrameBuffer {
  std::uint32_t slot = 0;      // index in the pool
  std::byte* data = nullptr;   // the frame; aligned to FileAlignment + 1
  std::uint32_t capacity = 0;  // FrameSize bytes
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  // Takes an empty frame to fill. Called with the allocator's lock held: it
  // must be cheap and must not call back into the allocator.
  virtual void recycle(FrameBuffer buffer) = 0;
};

}  // namespace hilcap
