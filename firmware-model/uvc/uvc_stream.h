// A running UVC video stream on the device side: takes frames from a source,
// packetizes them for the negotiated transport, stamps PTS and SCR from the
// device clock, and fills the transfers a host posts, isochronous (one payload
// per packet) or bulk (a payload may span transfers; its end ends a transfer).
// Time on the bus advances per packet or per byte, so SCR values are those of
// a device sending at full speed.
#pragma once

#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "device_clock.h"
#include "packetizer.h"
#include "uvc_device_config.h"

namespace hilcap::device::uvc {

// What a stream carries, as negotiated.
struct StreamFormat {
  std::uint8_t format_index = 1;
  std::uint8_t frame_index = 1;
  VideoFormat format = VideoFormat::kYuy2;
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  std::uint32_t interval_100ns = 0;
  std::uint32_t max_frame_bytes = 0;  // dwMaxVideoFrameSize
};

// What becomes of a frame the source hands over, besides being sent.
enum class FrameFault : std::uint8_t {
  kNone,
  kError,       // sent with ERR in every payload header: the device reports it damaged
  kDisconnect,  // not sent: the device drops off the bus instead
};

struct FrameView {
  std::span<const std::uint8_t> data;
  TimeNs capture_time = 0;  // when the device captured it: the PTS
  FrameFault fault = FrameFault::kNone;
  // The device's number of the frame (from the stream's start, dropped frames
  // included), which stream faults are scheduled by; none: the frames sent.
  std::optional<std::uint64_t> frame_number;
};

// Supplies a stream's frames.
class StreamFrameSource {
 public:
  virtual ~StreamFrameSource() = default;
  // Frame `index` (0 for each stream's first), or nothing when none is ready
  // yet. The bytes stay valid until the next call.
  virtual std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat& format) = 0;
};

struct StreamSetup {
  StreamFormat format;
  UsbSpeed speed = UsbSpeed::kHigh;
  // Largest payload, header included: isochronous, the smaller of
  // dwMaxPayloadTransferSize and the alternate setting's bytes per interval;
  // bulk, dwMaxPayloadTransferSize.
  std::uint32_t max_payload_bytes = 0;
  PayloadStyle style;
  std::uint32_t clock_frequency_hz = 0;
  DeviceClockSettings clock;
};

enum class PacketStatus : std::uint8_t { kOk, kError };

// One isochronous packet of a transfer: the host sets `length`, the device
// sets `actual_length` and `status`.
struct IsoPacket {
  std::uint32_t length = 0;
  std::uint32_t actual_length = 0;
  PacketStatus status = PacketStatus::kOk;
};

enum class TransferEnd : std::uint8_t {
  kCompleted,     // data (possibly none, isochronous) delivered
  kNoData,        // bulk: nothing to send yet; the transfer stays pending
  kError,         // bulk: the transfer failed on the bus (its payload is lost)
  kStalled,       // the endpoint is halted
  kDisconnected,  // the device is gone
};

struct TransferResult {
  TransferEnd end = TransferEnd::kCompleted;
  std::size_t bytes = 0;
};

class UvcStream {
 public:
  UvcStream(const StreamSetup& setup, StreamFrameSource& source, std::vector<FaultAt> faults);

  // Fills an isochronous transfer whose packets lie back to back in `buffer`
  // (packet i takes packets[i].length bytes).
  TransferResult fill_iso(std::span<IsoPacket> packets, std::span<std::uint8_t> buffer);
  // Fills a bulk transfer: up to the end of the current payload or of `buffer`.
  // A payload shorter than the largest that ended exactly at the end of a
  // transfer is followed by a zero-length transfer, as a device ends such a
  // payload with a zero-length packet: a host that sees a full transfer would
  // otherwise read the next payload's header as data.
  TransferResult fill_bulk(std::span<std::uint8_t> buffer);

  // CLEAR_FEATURE(ENDPOINT_HALT): a halted stream resumes with its next frame.
  void clear_halt() { halted_ = false; }
  bool halted() const { return halted_; }
  bool disconnected() const { return disconnected_; }
  const StreamFormat& format() const { return setup_.format; }
  TimeNs bus_time() const { return bus_time_; }
  // Frames taken from the source so far, and those whose last payload has left
  // (a frame cut off by a halt, a disconnect or the stream's end never does).
  std::uint64_t frames_started() const { return packetizer_.frames_begun(); }
  std::uint64_t frames_completed() const { return frames_completed_; }
  // The largest payload, header included (StreamSetup::max_payload_bytes).
  std::uint32_t max_payload_bytes() const { return setup_.max_payload_bytes; }

 private:
  bool start_frame();
  TransferResult on_event(PayloadEvent event);
  TimeNs bulk_duration(std::size_t bytes) const;
  // Counts the frame once the payload that ends it has left.
  void note_payload_sent();

  StreamSetup setup_;
  StreamFrameSource& source_;
  Packetizer packetizer_;
  DeviceClock clock_;
  TimeNs bus_time_ = 0;
  bool halted_ = false;
  bool disconnected_ = false;
  bool frame_in_progress_ = false;
  bool zero_length_pending_ = false;  // bulk: a payload ended exactly at a transfer's end
  std::size_t payload_size_ = 0;      // bulk: the started payload's bytes, header included
  std::uint64_t frames_completed_ = 0;
};

}  // namespace hilcap::device::uvc
