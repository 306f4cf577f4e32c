// What happened to a frame: one vocabulary for every frame source (the
// device model's DMA ring, a UVC camera) and for everything that reads a
// frame after it (the KS header and READ_STREAM, the pin's counters, the run
// report, the trace). It is to hilcap what videobuf2's enum vb2_buffer_state
// is to a V4L2 driver: each source maps its hardware's view to a fate in one
// function (map_completion for the DMA ring's completion entries, uvc::fate_of
// for the UVC assembler's frames), and nothing after it reads the hardware's
// view again.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string_view>

namespace hilcap {

enum class FrameFate : std::uint8_t {
  kOk,                // delivered whole
  kShort,             // delivered with fewer bytes than a frame (cut short, incomplete)
  kError,             // delivered, but the device failed it: an error status or error bit, a failed
                      // packet, data past the frame's size
  kCorrupt,           // delivered, but its content failed verification (the in-band checksum)
  kReturnedUnfilled,  // the buffer came back without a frame (STOP, disconnect): DataUsed 0
  kRejected,          // the device refused the buffer (too small): back with DataUsed 0
  kDropped,           // never delivered; its DropReason says why (the last fate)
};
inline constexpr std::size_t kFrameFateCount = static_cast<std::size_t>(FrameFate::kDropped) + 1;

// Why a frame was not delivered. A UVC camera's frames that the assembler
// delivers damaged instead of dropping (uvc::DamagedFramePolicy::kDeliverDamaged)
// are counted by the same reasons.
enum class DropReason : std::uint8_t {
  kStarvation,          // no free buffer when the frame was due (the model: none posted; a
                        // camera: no free allocator frame when it began one)
  kBufferRejected,      // the posted buffer could not hold the frame
  kScheduled,           // the scenario drops it (timing.drop_frames)
  kRandom,              // the scenario's drop probability (timing.drop_probability)
  kStall,               // due inside a stall
  kCompletionRingFull,  // no room on the completion ring (the host broke the ring contract)
  kAborted,             // its DMA was cut off by STOP or a disconnect
  kErrorPayload,        // a UVC payload with the error bit, a failed packet or a bad header
  kOverflow,            // UVC data past dwMaxVideoFrameSize
  kIncomplete,          // a UVC frame short of its size, empty, or cut off when the stream stopped
                        // (the last reason)
};
inline constexpr std::size_t kDropReasonCount =
    static_cast<std::size_t>(DropReason::kIncomplete) + 1;

// Whether a client is told the frame is damaged
// (KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR): short, error, corrupt, rejected.
constexpr bool marked_damaged(FrameFate fate) {
  return fate == FrameFate::kShort || fate == FrameFate::kError || fate == FrameFate::kCorrupt ||
         fate == FrameFate::kRejected;
}

// Whether the frame carries a capture (ok, short, error, corrupt), as opposed
// to a buffer handed back empty or a frame never delivered.
constexpr bool carries_capture(FrameFate fate) {
  return fate == FrameFate::kOk || fate == FrameFate::kShort || fate == FrameFate::kError ||
         fate == FrameFate::kCorrupt;
}

// The names reports and traces use ("frames.<fate>",
// "frames.dropped.by_reason.<reason>"): "ok", "short", "error", "corrupt",
// "returned_unfilled", "rejected", "dropped"; "starvation", "buffer_rejected",
// "scheduled", "random", "stall", "completion_ring_full", "aborted",
// "error_payload", "overflow", "incomplete".
std::string_view to_string(FrameFate fate);
std::string_view to_string(DropReason reason);

// Frames counted by reason.
struct DropCounts {
  std::array<std::uint64_t, kDropReasonCount> by_reason{};

  std::uint64_t& operator[](DropReason reason) {
    return by_reason[static_cast<std::size_t>(reason)];
  }
  std::uint64_t operator[](DropReason reason) const {
    return by_reason[static_cast<std::size_t>(reason)];
  }
  std::uint64_t total() const {
    return std::accumulate(by_reason.begin(), by_reason.end(), std::uint64_t{0});
  }
  DropCounts& operator+=(const DropCounts& more) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i)
      by_reason[i] += more.by_reason[i];
    return *this;
  }
  friend bool operator==(const DropCounts&, const DropCounts&) = default;
};

// Frames counted by fate; the dropped ones by reason only (their total is
// the kDropped count, kept once).
struct FrameFateCounts {
  std::array<std::uint64_t, kFrameFateCount - 1> handed{};  // by fate, every fate but kDropped
  DropCounts dropped;

  // One frame handed to the allocator with this fate (not kDropped: add_drop).
  void add(FrameFate fate) {
    assert(fate != FrameFate::kDropped);
    ++handed[static_cast<std::size_t>(fate)];
  }
  void add_drop(DropReason reason) { ++dropped[reason]; }
  void add_drops(DropReason reason, std::uint64_t frames) { dropped[reason] += frames; }
  void add_drops(const DropCounts& drops) { dropped += drops; }

  std::uint64_t operator[](FrameFate fate) const {
    return fate == FrameFate::kDropped ? dropped.total() : handed[static_cast<std::size_t>(fate)];
  }
  // Handed to the allocator: every fate but kDropped.
  std::uint64_t handed_over() const {
    return std::accumulate(handed.begin(), handed.end(), std::uint64_t{0});
  }
  // Delivered with a capture: ok, short, error, corrupt.
  std::uint64_t captured() const {
    std::uint64_t frames = 0;
    for (std::size_t i = 0; i < handed.size(); ++i)
      if (carries_capture(static_cast<FrameFate>(i))) frames += handed[i];
    return frames;
  }
  FrameFateCounts& operator+=(const FrameFateCounts& more) {
    for (std::size_t i = 0; i < handed.size(); ++i)
      handed[i] += more.handed[i];
    dropped += more.dropped;
    return *this;
  }
  friend bool operator==(const FrameFateCounts&, const FrameFateCounts&) = default;
};

}  // namespace hilcap
