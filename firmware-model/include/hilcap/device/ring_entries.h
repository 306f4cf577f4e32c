// What travels on the device's two rings: the buffer descriptor the host posts
// and the completion entry the device posts back. Part of the device's
// published interface (its "datasheet"): host/ builds its DMA driver on these.
#pragma once

#include <hilcap/device/timebase.h>

#include <cstddef>
#include <cstdint>

namespace hilcap::device {

// One empty buffer the host hands to the device (submission ring). The device
// owns the memory at [address, address + capacity) from the moment it takes the
// descriptor until it posts the completion that carries the same buffer_id.
struct BufferDescriptor {
  std::uint32_t buffer_id = 0;  // the host's own token (e.g. its pool slot), echoed back
  std::uint32_t capacity = 0;   // bytes the device may write
  std::byte* address = nullptr;
};

// What became of a posted buffer.
enum class CompletionStatus : std::uint8_t {
  kOk,                // a whole frame: bytes_used == frame_bytes()
  kShort,             // the frame was cut short (fault): 0 < bytes_used < frame_bytes()
  kError,             // the device failed this frame: no data (bytes_used 0), sequence consumed
  kReturnedUnfilled,  // handed back unfilled when the pin entered STOP (KS: DataUsed 0)
  kBufferRejected,    // the buffer cannot hold a frame (null, or capacity < frame_bytes());
                      // returned untouched, and the frame that was due is dropped
  kDisconnected,      // handed back unfilled because the device was disconnected
};

// Bits of CompletionEntry::flags.
struct CompletionFlags {
  // Frames were dropped since the previous delivered frame (KS:
  // KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY on the first frame after a drop).
  static constexpr std::uint8_t kDiscontinuity = 0x01;
  // Ground truth for the simulation: the device corrupted this payload on
  // purpose (fault). A real device would not say so; verify_frame() detects it
  // independently from the in-band checksum.
  static constexpr std::uint8_t kCorrupted = 0x02;
};

// One filled (or returned) buffer, posted by the device on the completion ring.
// sequence, timestamp_ns and checksum describe a frame only when status is
// kOk, kShort or kError; returned buffers carry zeros there.
struct CompletionEntry {
  std::uint32_t buffer_id = 0;
  std::uint32_t bytes_used = 0;  // KS DataUsed
  // The frame's number since the counters were last reset (entering ACQUIRE
  // from STOP), counting every frame due in RUN, dropped or not: 0, 1, 2...
  // KS PictureNumber for this frame is sequence + 1. Gaps equal drops.
  std::uint64_t sequence = 0;
  TimeNs timestamp_ns = 0;       // when the frame was captured (its due time), device clock
  std::uint64_t drop_count = 0;  // KS DropCount: frames dropped since the reset, this one included
  std::uint64_t checksum = 0;    // the in-band frame header's checksum (see frame_header.h)
  CompletionStatus status = CompletionStatus::kOk;
  std::uint8_t flags = 0;  // CompletionFlags bits

  bool has_flag(std::uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace hilcap::device
