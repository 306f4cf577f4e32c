// Benchmark 1 (issue 4): ALLOC+FREE when a frame is free.
//
// Subjects: the C++ API (StreamAllocator::alloc + free) and the Windows path
// (DeviceIoControl ALLOC with an OVERLAPPED, then FREE). Baselines, measured
// in the same repeats: an unsynchronised index-stack free list (the floor,
// perf-limits.md section 2) and the same free list under an uncontended
// std::mutex (what thread safety costs at least). Targets: C++ API <= 2x the
// mutex free list; DeviceIoControl <= 5x.
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <array>
#include <cstdlib>
#include <mutex>

#include "harness.h"

namespace {

using hilcap::bench::keep;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kFrames = 8;
constexpr std::uint32_t kFrameSize = 4096;
constexpr int kPairs = 2'000'000;

// The baseline pool: frames as pointers, free ones as a stack of indices.
class IndexStackFreeList {
 public:
  IndexStackFreeList() : storage_(kFrames * kFrameSize) {
    for (std::uint32_t i = 0; i < kFrames; ++i)
      free_[i] = i;
    top_ = kFrames;
  }
  void* alloc() {
    if (top_ == 0) return nullptr;
    return storage_.data() + std::size_t{free_[--top_]} * kFrameSize;
  }
  void free(void* frame) {
    const auto offset = static_cast<std::size_t>(static_cast<std::byte*>(frame) - storage_.data());
    free_[top_++] = static_cast<std::uint32_t>(offset / kFrameSize);
  }

 private:
  std::vector<std::byte> storage_;
  std::array<std::uint32_t, kFrames> free_{};
  std::uint32_t top_ = 0;
};

class MutexFreeList {
 public:
  void* alloc() {
    std::lock_guard lock(mutex_);
    return list_.alloc();
  }
  void free(void* frame) {
    std::lock_guard lock(mutex_);
    list_.free(frame);
  }

 private:
  std::mutex mutex_;
  IndexStackFreeList list_;
};

template <typename Pool>
double ns_per_pair(Pool& pool) {
  const auto start = Clock::now();
  for (int i = 0; i < kPairs; ++i) {
    void* frame = pool.alloc();
    keep(frame);
    pool.free(frame);
  }
  return hilcap::bench::seconds_since(start) * 1e9 / kPairs;
}

KSALLOCATOR_FRAMING framing() {
  KSALLOCATOR_FRAMING f{};
  f.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  f.PoolType = NonPagedPool;
  f.Frames = kFrames;
  f.FrameSize = kFrameSize;
  f.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  return f;
}

// An ALLOC request for the C++ API; it never pends here (a frame is free).
class ImmediateRequest final : public hilcap::AllocRequest {
 protected:
  void on_complete(NTSTATUS, void*) override { std::abort(); }
};

double cpp_api_ns_per_pair(hilcap::StreamAllocator& allocator) {
  ImmediateRequest request;
  const auto start = Clock::now();
  for (int i = 0; i < kPairs; ++i) {
    const hilcap::AllocOutcome got = allocator.alloc(request);
    keep(got.frame);
    if (allocator.free(got.frame) != STATUS_SUCCESS) std::abort();
  }
  return hilcap::bench::seconds_since(start) * 1e9 / kPairs;
}

double device_io_control_ns_per_pair(HANDLE allocator) {
  KSMETHOD alloc_method{};
  alloc_method.Set = KSMETHODSETID_StreamAllocator;
  alloc_method.Id = KSMETHOD_STREAMALLOCATOR_ALLOC;
  alloc_method.Flags = KSMETHOD_TYPE_WRITE;
  KSMETHOD free_method = alloc_method;
  free_method.Id = KSMETHOD_STREAMALLOCATOR_FREE;
  free_method.Flags = KSMETHOD_TYPE_READ;
  OVERLAPPED overlapped{};
  overlapped.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  DWORD bytes = 0;
  const int pairs = kPairs / 4;
  const auto start = Clock::now();
  for (int i = 0; i < pairs; ++i) {
    PVOID frame = nullptr;
    if (!DeviceIoControl(allocator, IOCTL_KS_METHOD, &alloc_method, sizeof alloc_method, &frame,
                         sizeof frame, &bytes, &overlapped))
      std::abort();
    if (!DeviceIoControl(allocator, IOCTL_KS_METHOD, &free_method, sizeof free_method, &frame,
                         sizeof frame, &bytes, &overlapped))
      std::abort();
  }
  const double ns = hilcap::bench::seconds_since(start) * 1e9 / pairs;
  CloseHandle(overlapped.hEvent);
  return ns;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 15;
  hilcap::bench::pin_to_cpu(0);

  IndexStackFreeList index_stack;
  MutexFreeList mutex_list;
  auto created = hilcap::StreamAllocator::create(framing());
  if (!created.allocator) return 1;
  HANDLE handle = nullptr;
  const KSALLOCATOR_FRAMING f = framing();
  if (KsCreateAllocator(nullptr, &f, &handle) != 0) return 1;

  hilcap::bench::Suite suite("ALLOC+FREE with a frame free (one thread)", "ns/pair", repeats);
  suite.add("index-stack free list", [&] { return ns_per_pair(index_stack); });
  suite.add("free list + std::mutex", [&] { return ns_per_pair(mutex_list); });
  suite.add("StreamAllocator (C++ API)", [&] { return cpp_api_ns_per_pair(*created.allocator); });
  suite.add("DeviceIoControl", [&] { return device_io_control_ns_per_pair(handle); });
  suite.compare({"StreamAllocator (C++ API)", "free list + std::mutex", 2.0, true});
  suite.compare({"DeviceIoControl", "free list + std::mutex", 5.0, true});
  suite.compare({"free list + std::mutex", "index-stack free list", 0, true});
  suite.run();
  suite.print();
  CloseHandle(handle);
  return 0;
}
