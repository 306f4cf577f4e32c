// The device model presenting itself as a UVC camera: a personality
// configuration derived from the device section of a scenario (format, size,
// frame rate) plus how it sits on USB (bulk or isochronous, UVC version,
// speed), and a frame source that serves the device model's frames through it.
//
// Frames are the FrameSynthesizer's, with the in-band FrameHeader (sequence,
// timestamp, checksum), so a host can verify_frame() every frame it receives
// end to end. Their timing and fate come from the TimingEngine and the
// FaultInjector, as on the DMA path: frame k is due at due(k); dropped frames
// (stall, drop_frames, drop_probability) are never sent, and the next sent
// frame's header shows the gap in its sequence; an error frame is sent empty
// with ERR set; a short one is cut; a corrupt one has a flipped bit the
// checksum covers; a disconnect takes the device off the bus.
#pragma once

#include <hilcap/device/uvc/device_config.h>
#include <hilcap/device/uvc/uvc_stream.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device_config.h"
#include "fault_injector.h"
#include "frame_synthesizer.h"
#include "timing_engine.h"

namespace hilcap::device::uvc {

// How the device model sits on USB; the rest comes from its DeviceConfig.
struct UvcPresentation {
  std::uint16_t vendor_id = 0xcafe;
  std::uint16_t product_id = 0x4011;
  std::string serial;  // empty: none
  UsbSpeed speed = UsbSpeed::kHigh;
  UvcVersion version = UvcVersion::k1_1;
  bool bulk = false;  // a bulk endpoint; otherwise isochronous alternate settings
  // Bulk only: dwMaxPayloadTransferSize (0: one payload per frame).
  std::uint32_t bulk_max_payload = 0;
};

// One uncompressed format (the device's), one frame (its size) at one interval
// (its frame rate; a replayed recording's mean interval), with enough
// isochronous alternate settings to carry a frame per interval. Errors name
// the field and say what would fit.
Checked<UvcDeviceConfig> uvc_config_for(const DeviceConfig& device,
                                        const UvcPresentation& presentation);

// When frames may leave.
enum class Pacing : std::uint8_t {
  kOnDemand,  // as soon as the host asks (capture times still follow the timing engine)
  kRealTime,  // not before start + due(k) on the steady clock
};

struct ModelFrameStats {
  std::uint64_t frames_due = 0;   // frames the timing engine made due
  std::uint64_t frames_sent = 0;  // handed to the stream (error frames included)
  std::uint64_t dropped = 0;      // due but never sent (stall, scheduled or random drop)
  std::uint64_t error_frames = 0;
  std::uint64_t short_frames = 0;
  std::uint64_t corrupt_frames = 0;
  bool disconnected = false;
};

class ModelFrameSource : public FrameSource {
 public:
  // `config` must pass DeviceConfig::validate(). A stream that starts again
  // (frame index 0) starts the device's stream again: frame 0, faults re-armed.
  ModelFrameSource(const DeviceConfig& config, Pacing pacing);

  // Serves the device's next frame. The negotiated format must be the
  // device's own (uvc_config_for offers nothing else); for any other the
  // device drops off the bus, as a firmware would fail.
  std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat& format) override;

  ModelFrameStats stats() const;

 private:
  // The next frame to send, its fate settled (once per frame: faults fire once).
  struct Pending {
    std::uint64_t frame = 0;
    std::uint64_t sequence = 0;
    FramePlan plan;
  };

  void restart();
  bool matches(const StreamFormat& format) const;
  // Settles due frames until one is to be sent; false when the device disconnects.
  bool settle_next();

  DeviceConfig config_;
  Pacing pacing_;
  TimingEngine engine_;
  FrameSynthesizer synthesizer_;
  std::unique_ptr<FaultInjector> faults_;
  std::vector<std::byte> frame_;
  std::optional<std::chrono::steady_clock::time_point> start_;  // of the current stream
  std::optional<Pending> pending_;
  std::optional<std::uint64_t> last_sent_index_;
  std::uint64_t next_frame_ = 0;
  std::uint64_t next_sequence_ = 0;
  TimeNs stall_until_ = 0;
  bool disconnect_ = false;

  mutable std::mutex stats_mutex_;  // stats() may come from another thread
  ModelFrameStats stats_;
};

}  // namespace hilcap::device::uvc
