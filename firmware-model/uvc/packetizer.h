// Cuts frames into UVC payloads (UVC 2.4.3.3): each payload is a header
// (bHeaderLength, bmHeaderInfo with FID/EOF/PTS/SCR/ERR/EOH, then PTS and SCR
// when configured) followed by a slice of the frame. The caller sizes each
// payload: one isochronous packet, or up to dwMaxPayloadTransferSize on bulk,
// where one payload may span several transfers. Scheduled faults alter
// specific payloads. Deterministic, and no allocation once constructed.
#pragma once

#include <hilcap/device/uvc_protocol.h>
#include <hilcap/device_internal.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "device_clock.h"
#include "uvc_device_config.h"

namespace hilcap::device::uvc {

enum class StreamFault : std::uint8_t {
  kErrorBit,             // ERR set in the payload's header
  kMissingEof,           // the frame's last payload carries no EOF (payload index ignored)
  kFidToggleEarly,       // FID toggles at this payload, inside the frame
  kFidNotToggled,        // the frame keeps the previous frame's FID (payload index ignored)
  kShortPayload,         // the payload carries half of its data; the other half is lost
  kCorruptData,          // the payload's first data byte is inverted
  kCorruptHeaderLength,  // bHeaderLength 1, below the 2-byte minimum
  kPacketError,          // the payload is lost on the bus (transfer error status)
  kStall,                // the endpoint halts instead of sending this payload (bulk only)
  kDisconnect,           // the device drops off the bus instead of sending this payload
};

const char* to_string(StreamFault fault);

// A fault hitting payload `payload` (0-based, within the frame) of frame
// `frame` (0-based, from the start of the stream).
struct FaultAt {
  StreamFault fault = StreamFault::kErrorBit;
  std::uint64_t frame = 0;
  std::uint32_t payload = 0;
};

enum class PayloadEvent : std::uint8_t {
  kPayload,     // a payload to send
  kLostOnBus,   // a payload whose transfer fails (kPacketError)
  kStall,       // no payload: the endpoint halts; the rest of the frame is dropped
  kDisconnect,  // no payload: the device is gone
};

class Packetizer {
 public:
  Packetizer(PayloadStyle style, std::vector<FaultAt> faults, std::uint8_t first_fid = 0);

  std::size_t header_size() const { return header_size_; }

  // Starts the next frame; `data` must stay valid until frame_pending() is false.
  // An error frame carries ERR in every payload header. Faults are looked up
  // by `frame_number` when the source numbers its frames (the device's own
  // frame numbers, which skip dropped frames), else by the frames begun.
  void begin_frame(std::span<const std::uint8_t> data, std::uint32_t pts, bool error_frame = false,
                   std::optional<std::uint64_t> frame_number = std::nullopt);
  // Payloads of the current frame remain to be sent.
  bool frame_pending() const { return frame_pending_; }
  std::uint64_t frames_begun() const { return frames_begun_; }

  // Starts the next payload of the current frame, at most `capacity` bytes
  // (header included; capacity >= header_size()). Needs frame_pending() and no
  // payload pending. `scr` is the clock at the payload's transmission.
  PayloadEvent begin_payload(std::size_t capacity, const SourceClockReference& scr);
  // Copies the started payload's next bytes into `out`; returns how many.
  std::size_t copy_payload(std::span<std::uint8_t> out);
  // Drops what is left of the started payload (lost with a failed transfer).
  void drop_payload() {
    header_sent_ = header_length_;
    data_sent_ = payload_data_.size();
  }
  bool payload_pending() const {
    return header_sent_ < header_length_ || data_sent_ < payload_data_.size();
  }
  // Bytes of the started payload, header included.
  std::size_t payload_size() const { return header_length_ + payload_data_.size(); }

  // A header-only payload between frames (an idle isochronous packet): no EOF,
  // the next frame's FID, the last PTS. Returns the bytes written (0 when `out`
  // cannot hold a header).
  std::size_t write_idle_payload(std::span<std::uint8_t> out,
                                 const SourceClockReference& scr) const;

 private:
  struct PayloadFaults {
    bool error = false, toggle_fid = false, short_data = false, corrupt_data = false,
         corrupt_header_length = false, lost = false, stall = false, disconnect = false;
  };
  PayloadFaults faults_of_payload() const;
  void write_header(std::uint8_t info, std::uint8_t length, const SourceClockReference& scr,
                    std::span<std::uint8_t> out) const;

  PayloadStyle style_;
  std::size_t header_size_;
  std::vector<FaultAt> faults_;  // sorted by frame
  std::size_t frame_faults_begin_ = 0, frame_faults_end_ = 0;

  std::span<const std::uint8_t> frame_;
  std::size_t frame_offset_ = 0;
  std::uint32_t pts_ = 0;
  std::uint64_t frames_begun_ = 0;
  std::uint32_t payload_index_ = 0;
  std::uint8_t fid_;
  bool frame_pending_ = false;
  bool missing_eof_ = false;
  bool error_frame_ = false;

  std::array<std::uint8_t, kMaxPayloadHeader> header_{};
  std::size_t header_length_ = 0, header_sent_ = 0;
  std::span<const std::uint8_t> payload_data_;
  std::size_t data_sent_ = 0;
  bool corrupt_first_byte_ = false;
};

}  // namespace hilcap::device::uvc
