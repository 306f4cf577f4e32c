// UvcSource: a USB Video Class camera as the FrameSource of a capture-mode
// StreamAllocator, through libusb.
//
//   auto usb = UsbContext::create();
//   auto source = UvcSource::open(*usb, DeviceSelector::parse("046d:0825"), options);
//   framing.FrameSize = source->frame_size();       // after PROBE/COMMIT
//   auto allocator = StreamAllocator::create(framing).allocator;
//   source->start(allocator);                        // clients ALLOC / FREE
//   ...
//   source->stop();                                  // bounded, never hangs
//
// open() finds the device, claims its VideoStreaming interface (detaching a
// kernel driver when allowed, re-attached on close), chooses the format, size
// and interval, negotiates PROBE/COMMIT with the block size of the device's
// UVC version (every transfer's result and length checked; what the device
// changed is reported) and picks the isochronous alternate setting (the
// smallest that carries dwMaxPayloadTransferSize) or the bulk endpoint.
//
// start() attaches to the allocator and keeps several transfers in flight on
// the context's event thread. Payloads are reassembled straight into the
// allocator's frames; every frame is delivered with its fate (fate_of in
// frame_assembler.h: kError for an error payload, a failed packet or an
// overflow past dwMaxVideoFrameSize, kShort for an incomplete frame), never
// dropped in silence: a frame is dropped only when no allocator frame is
// free, and then counted (DropReason::kStarvation).
// Device PTS/SCR are kept per frame with the host time of the completion, and
// PTS is converted to host time by a fit of SCR against host time.
//
// Unplug (or any transfer ending with LIBUSB_TRANSFER_NO_DEVICE) completes
// every pending ALLOC of the attached allocator with
// STATUS_DEVICE_NOT_CONNECTED, streaming or not; a stream that dies
// otherwise (no transfer can be resubmitted) ends them with
// STATUS_DEVICE_NOT_READY. stop() cancels the transfers in flight and waits
// for them with a bound; completions arriving later are tolerated.
#pragma once

#include <hilcap/frame_source.h>
#include <hilcap/stream_allocator.h>
#include <hilcap/uvc/frame_assembler.h>
#include <hilcap/uvc/stream_config.h>
#include <hilcap/uvc/usb_devices.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hilcap::uvc {

struct SourceOptions {
  StreamRequest stream;                          // format, size, rate; empty: the device's defaults
  unsigned transfers = 6;                        // in flight at once
  unsigned iso_packets = 32;                     // packets per isochronous transfer
  std::uint32_t max_bulk_transfer = 512 * 1024;  // bytes per bulk transfer, at most
  std::chrono::milliseconds control_timeout{1000};
  std::chrono::milliseconds transfer_timeout{2000};  // never 0: a transfer must end
  std::chrono::milliseconds stop_timeout{2000};      // how long stop() waits for cancellations
  bool detach_kernel_driver = true;  // detach (and later re-attach) a driver holding the interface
};

// What open() agreed with the device.
struct NegotiatedStream {
  UvcDeviceInfo device;
  std::uint16_t bcd_uvc = 0;
  std::uint8_t streaming_interface = 0;
  StreamChoice choice;
  ProbeCommit committed;             // as sent with COMMIT
  std::size_t probe_block_size = 0;  // 26, 34 or 48
  std::vector<Adjustment> adjusted;  // fields the device changed in its PROBE answer
  std::vector<std::string> notes;    // tolerated oddities, kernel driver detached...
  EndpointChoice endpoint;
  std::uint32_t clock_frequency_hz = 0;  // the PTS/SCR clock
  std::uint32_t transfer_bytes = 0;      // per transfer
  unsigned packets_per_transfer = 0;     // isochronous
  bool kernel_driver_detached = false;

  // Readable lines: device, format, what was adjusted, transport.
  std::vector<std::string> describe() const;
};

// What is known of one frame the device sent.
struct UvcFrameRecord {
  std::uint64_t sequence = 0;  // per frame seen, dropped ones included
  std::uint32_t bytes = 0;
  std::uint32_t uvc_flags = 0;           // UvcFrameFlag bits of frame_assembler.h
  FrameFate fate = FrameFate::kDropped;  // kDropped: not delivered, for `drop_reason`
  DropReason drop_reason = DropReason::kStarvation;
  std::optional<std::uint32_t> pts;     // the frame's first PTS (device clock ticks)
  std::optional<ScrValue> scr;          // the frame's last SCR
  std::int64_t host_time_ns = 0;        // steady clock: completion of the transfer that ended it
  std::int64_t first_host_time_ns = 0;  // ... and of the one that began it
  std::optional<std::int64_t> device_time_ns;        // PTS in ns of the device clock (unwrapped)
  std::optional<std::int64_t> presentation_time_ns;  // PTS in steady-clock ns, once the fit holds

  bool delivered() const { return fate != FrameFate::kDropped; }
};

struct SourceCounters {
  AssemblerCounters assembly;  // frames, drops and damage by reason, payloads, headers
  // Every frame the camera began, by fate: delivered (ok, short, error) or
  // dropped (by reason, as assembly.dropped); and the bytes of those with data.
  FrameFateCounts frames;
  std::uint64_t frames_with_data = 0;
  std::uint64_t bytes_delivered = 0;
  std::uint64_t transfers_submitted = 0;
  std::uint64_t transfers_completed = 0;
  std::uint64_t transfers_failed = 0;  // status ERROR / OVERFLOW, or every iso packet failed
  std::uint64_t transfers_timed_out = 0;
  std::uint64_t transfers_cancelled = 0;
  std::uint64_t resubmit_failures = 0;
  std::uint64_t stalls = 0;         // transfers ended by a halted endpoint
  std::uint64_t halts_cleared = 0;  // CLEAR_FEATURE(ENDPOINT_HALT) that resumed the stream
  // Times the halt-clearing thread woke to look (a halt, a stop, or a
  // spurious wake-up): O(1) per stream, not one per transfer (issue 15).
  std::uint64_t halt_clearer_wakeups = 0;
  std::uint64_t orphaned_transfers = 0;  // still in flight when stop() gave up waiting
  std::uint32_t max_in_flight = 0;
  bool disconnected = false;
  std::string stream_error;  // why the stream ended early, if it did
};

class UvcSource final : public FrameSource {
 public:
  static SourceResult<std::unique_ptr<UvcSource>> open(std::shared_ptr<UsbContext> usb,
                                                       const DeviceSelector& selector,
                                                       const SourceOptions& options);
  // stop(), release the interface (re-attaching a detached kernel driver), close.
  ~UvcSource() override;
  UvcSource(const UvcSource&) = delete;
  UvcSource& operator=(const UvcSource&) = delete;

  const NegotiatedStream& stream() const;
  // The FrameSize an allocator needs: dwMaxVideoFrameSize.
  std::uint32_t frame_size() const;

  // Called on the event thread for every frame, delivered or dropped, after
  // it was handed on. Set it before start().
  void set_frame_observer(std::function<void(const UvcFrameRecord&)> observer);

  // Attaches to `allocator` and starts streaming; the source keeps the
  // allocator alive until stop(). The allocator hands freed frames back to
  // the source, so the source must outlive it (StreamAllocator::attach).
  // Errors: bandwidth refused by the bus, the device gone, a transfer that
  // cannot be submitted, frames smaller than frame_size(), start() twice.
  std::optional<SourceError> start(std::shared_ptr<StreamAllocator> allocator);
  // Stops streaming: cancels the transfers in flight, waits for them up to
  // SourceOptions::stop_timeout, flushes the frame in progress and puts the
  // interface back to alternate setting 0. ALLOCs still pending stay pending
  // (cancel them, or close the allocator). Idempotent.
  void stop();

  // --- step by step, as a capture pin drives the camera (camera_pin.h) ---
  // Attaches to `allocator` without streaming: its frames wait in the source.
  // Again with a new allocator once the last one is closed and stop() ran or
  // the source never streamed.
  std::optional<SourceError> attach(std::shared_ptr<StreamAllocator> allocator);
  // Streams into the attached allocator; after stop_streaming() the stream
  // starts again (COMMIT again, then the alternate setting).
  std::optional<SourceError> start_streaming();
  // Why the last start_streaming() failed, if it did (a pin's RUN only
  // says STATUS_INSUFFICIENT_RESOURCES or STATUS_UNSUCCESSFUL).
  std::optional<SourceError> start_failure() const;
  // Stops streaming as stop() does, but stays attached: the allocator's
  // frames stay with the source. Idempotent.
  void stop_streaming();
  // The frames waiting in the source, taken out (a pin entering STOP hands
  // them back to the allocator unfilled).
  std::vector<hilcap::FrameBuffer> take_free_frames();
  // KS numbering restarts (a pin entering ACQUIRE, while not streaming): the
  // next frame is PictureNumber 1 and DropCount counts from 0. Delivered
  // frames carry PictureNumber (from 1) and DropCount in FrameInfo.
  void restart_numbering();
  // The allocator's frames with the source: free, being filled, or on their
  // way back to the allocator.
  std::uint32_t frames_held() const;

  bool disconnected() const;
  SourceCounters counters() const;
  // The record of a frame a client holds (by its pointer); nullopt otherwise.
  std::optional<UvcFrameRecord> frame_record(const void* frame) const;

  // FrameSource: the allocator hands over an empty frame (under its lock).
  void recycle(hilcap::FrameBuffer buffer) override;

 private:
  class Stream;
  explicit UvcSource(std::shared_ptr<Stream> stream);
  std::shared_ptr<Stream> stream_;
};

}  // namespace hilcap::uvc
