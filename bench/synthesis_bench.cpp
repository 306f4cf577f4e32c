// Benchmark 5 (issue 4; issue 3 section 5): pattern synthesis at 1920x1080
// YUY2 into rotating pre-faulted frame buffers, against memset of the same
// buffers in the same repeats (perf-limits.md section 4). Target >= 0.7 of
// memset's bandwidth, i.e. pattern time / memset time <= 1/0.7.
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <span>

#include "frame_synthesizer.h"
#include "harness.h"

namespace {

using hilcap::device::FrameFormat;
using hilcap::device::FrameSynthesizer;
using hilcap::device::PayloadMode;
using hilcap::device::PixelFormat;

constexpr int kBuffers = 16;
constexpr int kFramesPerMeasure = 160;

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 9;
  hilcap::bench::pin_to_cpu(0);

  const FrameFormat format{PixelFormat::kYuy2, 1920, 1080};
  FrameSynthesizer synthesizer(format, PayloadMode::kPattern);
  const std::size_t frame_bytes = synthesizer.frame_bytes();
  const std::size_t ring_bytes = frame_bytes * kBuffers;
  // One mapping for the ring, faulted in up front (first touch costs ~100x a refill).
  auto* ring = static_cast<std::byte*>(mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
  if (ring == MAP_FAILED) return 1;

  std::uint64_t sequence = 0;
  auto gbps = [&](auto&& fill) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kFramesPerMeasure; ++i) {
      std::byte* frame = ring + (static_cast<std::size_t>(i) % kBuffers) * frame_bytes;
      fill(frame);
      hilcap::bench::clobber_memory();
    }
    return static_cast<double>(frame_bytes) * kFramesPerMeasure /
           hilcap::bench::seconds_since(start) / 1e9;
  };

  hilcap::bench::Suite suite("1920x1080 YUY2 into 16 rotating buffers (one thread)", "GB/s",
                             repeats);
  suite.add("memset",
            [&] { return gbps([&](std::byte* frame) { std::memset(frame, 0x80, frame_bytes); }); });
  suite.add("pattern synthesis", [&] {
    return gbps([&](std::byte* frame) {
      synthesizer.render(std::span(frame, frame_bytes), sequence,
                         static_cast<std::int64_t>(sequence));
      ++sequence;
    });
  });
  suite.compare({"pattern synthesis", "memset", 0.7, false});
  suite.run();
  suite.print();
  munmap(ring, ring_bytes);
  return 0;
}
