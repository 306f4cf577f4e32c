// Reassembles UVC payloads into frames. Fed one payload at a time (an
// isochronous packet with its status, or a bulk transfer, which may hold part
// of a payload), it follows FID/EOF, keeps PTS and SCR, copies the data into a
// destination buffer and hands the frame on with what happened to it. It
// never allocates per payload and never drops anything without counting it.
#pragma once

#include <hilcap/frame_fate.h>
#include <hilcap/uvc/payload_header.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace hilcap::uvc {

// A destination buffer lent by the FrameDestination. `id` is the
// destination's own handle for it (an allocator frame, a slot number).
struct DestinationBuffer {
  std::span<std::uint8_t> bytes;
  std::uint64_t id = 0;
};

// Bits of AssembledFrame::flags: what the payloads said about the frame.
enum UvcFrameFlag : std::uint32_t {
  kUvcFrameError = 1u << 0,          // a payload had ERR set, a packet failed, or a header was bad
  kUvcFrameOverflow = 1u << 1,       // data past the capacity (counted in overflow_bytes)
  kUvcFrameIncomplete = 1u << 2,     // short of the expected size, empty, or cut by flush()
  kUvcFrameDiscontinuity = 1u << 3,  // frames were dropped before this one
  kUvcFrameNoEof = 1u << 4,          // ended by a FID toggle, not by EOF
  kUvcFrameStill = 1u << 5,          // STI bit: a still image
};

struct AssembledFrame {
  std::uint64_t sequence = 0;  // per frame seen, dropped ones included: gaps = drops
  std::size_t bytes_used = 0;
  std::uint32_t flags = 0;  // UvcFrameFlag bits
  bool fid = false;
  std::optional<std::uint32_t> pts;            // the frame's first PTS
  std::optional<ScrValue> scr;                 // the frame's last SCR
  std::chrono::nanoseconds host_time_first{};  // caller's time of the first payload
  std::chrono::nanoseconds host_time_last{};   // ... and of the one that ended the frame
  std::uint32_t payloads = 0;
  std::uint64_t overflow_bytes = 0;
};

// The assembler's frame in the host's vocabulary (<hilcap/frame_fate.h>), in
// one place, as uvc_queue.c turns a uvc_buffer's error into
// VB2_BUF_STATE_ERROR: kUvcFrameError or kUvcFrameOverflow -> kError,
// kUvcFrameIncomplete -> kShort, anything else -> kOk.
FrameFate fate_of(const AssembledFrame& frame);
// Why a damaged frame is dropped (or, delivered with kDeliverDamaged, counted
// damaged): kErrorPayload before kOverflow before kIncomplete; nothing for a
// frame that is not damaged. (A frame begun with no free buffer is dropped
// for kStarvation.)
std::optional<DropReason> damage_of(const AssembledFrame& frame);

// Where frames go: the libusb source hands out allocator frames.
class FrameDestination {
 public:
  virtual ~FrameDestination() = default;
  // A free buffer, or nothing when none is free (the frame is then dropped
  // and counted as "no free frame").
  virtual std::optional<DestinationBuffer> acquire_buffer() = 0;
  // A finished frame: its bytes are buffer.bytes[0, info.bytes_used).
  virtual void deliver_frame(const DestinationBuffer& buffer, const AssembledFrame& info) = 0;
  // A buffer given back unfilled: its frame was dropped or cut off.
  virtual void release_buffer(const DestinationBuffer& buffer) = 0;
  // A frame that will not be delivered, and why (after release_buffer when it
  // had a buffer). The counters say how many; this says which, e.g. for a
  // record of every frame the device sent.
  virtual void frame_dropped(const AssembledFrame& info, DropReason reason) = 0;
};

struct AssemblerCounters {
  // Frames.
  std::uint64_t frames_started = 0;
  std::uint64_t frames_delivered = 0;
  DropCounts dropped;            // by reason (one reason per dropped frame)
  DropCounts delivered_damaged;  // delivered damaged, by damage_of() (kDeliverDamaged policy)
  // Payloads.
  std::uint64_t payloads = 0;  // headers read
  std::uint64_t header_only_payloads = 0;
  std::uint64_t empty_packets = 0;    // zero-length isochronous packets (normal)
  std::uint64_t invalid_headers = 0;  // by HeaderStatus other than kOk/kEmpty
  std::uint64_t error_bit_payloads = 0;
  std::uint64_t failed_transfers = 0;  // iso packet or bulk transfer status != 0
  std::uint64_t stale_payloads = 0;    // same FID right after an EOF: ignored
  std::uint64_t overflow_bytes = 0;
};

enum class Transport { kIsochronous, kBulk };

// What to do with a frame that has an error, overflowed, or is incomplete.
enum class DamagedFramePolicy {
  kDrop,            // give the buffer back, count the drop by reason (uvcvideo's default)
  kDeliverDamaged,  // deliver it with its flags set
};

struct AssemblerConfig {
  Transport transport = Transport::kIsochronous;
  // dwMaxVideoFrameSize from COMMIT: data past it (or past the buffer) overflows.
  std::uint32_t max_video_frame_size = 0;
  // dwMaxPayloadTransferSize from COMMIT: for bulk, where a payload ends.
  std::uint32_t max_payload_transfer_size = 0;
  // Uncompressed formats: the exact size of a whole frame (a shorter frame is
  // incomplete). 0 for compressed formats, whose size varies.
  std::uint32_t expected_frame_size = 0;
  DamagedFramePolicy damaged_frames = DamagedFramePolicy::kDrop;
};

class FrameAssembler {
 public:
  FrameAssembler(const AssemblerConfig& config, FrameDestination& destination);

  // One isochronous packet: one payload, or nothing when it is empty. A
  // non-zero `status` (the packet's libusb/usbmon status) marks the frame in
  // progress as an error frame; the packet's bytes are not used.
  void on_iso_packet(std::span<const std::uint8_t> packet, int status,
                     std::chrono::nanoseconds host_time);

  // One bulk transfer of `data.size()` bytes out of `requested_length`. A
  // payload header is expected only where a payload starts: a payload ends
  // with a short transfer or when dwMaxPayloadTransferSize bytes have come.
  // A non-zero `status` marks the frame as an error frame and ends the payload.
  void on_bulk_transfer(std::span<const std::uint8_t> data, std::size_t requested_length,
                        int status, std::chrono::nanoseconds host_time);

  // The stream stops: the frame in progress is given back (counted
  // incomplete) and the next payload starts afresh.
  void flush();

  const AssemblerCounters& counters() const { return counters_; }
  const AssemblerConfig& config() const { return config_; }

 private:
  struct CurrentFrame {
    bool active = false;
    std::optional<DestinationBuffer> buffer;  // none: dropped for lack of a free frame
    std::size_t capacity = 0;
    AssembledFrame info;
  };

  // One payload's header has been read; `data` is what follows it.
  // Returns false when the payload was ignored (stale FID after EOF).
  bool on_payload_start(const PayloadHeader& header, std::span<const std::uint8_t> data,
                        std::chrono::nanoseconds host_time);
  void append(std::span<const std::uint8_t> data, std::chrono::nanoseconds host_time);
  void mark_error();
  void begin_frame(bool fid, std::chrono::nanoseconds host_time);
  void end_frame(bool by_eof);
  void end_bulk_payload();

  AssemblerConfig config_;
  FrameDestination& destination_;
  AssemblerCounters counters_;
  CurrentFrame frame_;
  std::uint64_t next_sequence_ = 0;
  bool drop_since_delivery_ = false;
  // A packet failed while no frame was in progress: its data belonged to the next one.
  bool pending_error_ = false;
  // The FID of the frame that ended with EOF: payloads still carrying it are stale.
  std::optional<bool> finished_fid_;
  // Bulk: bytes of the current payload seen so far (0: next transfer starts one),
  // whether its header was bad (its data is skipped), and whether it had EOF.
  std::size_t bulk_payload_bytes_ = 0;
  bool bulk_payload_skipped_ = false;
  bool bulk_payload_eof_ = false;
};

}  // namespace hilcap::uvc
