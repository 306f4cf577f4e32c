#include "frame_pool.h"

#include <sys/mman.h>
#include <unistd.h>

namespace hilcap {
namespace {

std::size_t page_size() {
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t slot_stride(std::uint32_t frame_size, std::uint32_t alignment_mask) {
  return (std::uint64_t{frame_size} + alignment_mask) & ~std::uint64_t{alignment_mask};
}

}  // namespace

std::uint64_t FramePool::mapped_bytes(std::uint32_t frames, std::uint32_t frame_size,
                                      std::uint32_t alignment_mask) {
  const std::uint64_t stride = slot_stride(frame_size, alignment_mask);
  const std::uint64_t page = page_size();
  if (frames > (UINT64_MAX - page) / stride) return UINT64_MAX;  // would overflow: too large
  const std::uint64_t bytes = stride * frames;
  return (bytes + page - 1) / page * page;
}

std::unique_ptr<FramePool> FramePool::create(std::uint32_t frames, std::uint32_t frame_size,
                                             std::uint32_t alignment_mask) {
  const std::size_t mapped = mapped_bytes(frames, frame_size, alignment_mask);
  // A fresh mapping is page aligned, which covers every alignment below a page.
  // MAP_POPULATE pre-faults it.
  void* base = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  return std::unique_ptr<FramePool>(new FramePool(static_cast<std::byte*>(base), mapped,
                                                  slot_stride(frame_size, alignment_mask), frames,
                                                  frame_size));
}

FramePool::FramePool(std::byte* base, std::size_t mapped, std::size_t stride, std::uint32_t frames,
                     std::uint32_t frame_size)
    : base_(base),
      mapped_(mapped),
      stride_(stride),
      pool_bytes_(stride * frames),
      stride_reciprocal_(stride == 1 ? 0 : UINT64_MAX / stride + 1),
      frames_(frames),
      frame_size_(frame_size) {}

FramePool::~FramePool() {
  ::munmap(base_, mapped_);
}

}  // namespace hilcap
