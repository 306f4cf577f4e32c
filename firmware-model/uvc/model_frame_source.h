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

#include <hilcap/device_internal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device_config.h"
#include "fault_injector.h"
#include "frame_synthesizer.h"
#include "packetizer.h"
#include "timing_engine.h"
#include "uvc_device_config.h"
#include "uvc_stream.h"

namespace hilcap::device::uvc {

// Where a presentation is written in a scenario: the device section's "uvc"
// object, its "faults" the stream faults (the format and timing it presents
// are the device section's own, "/device/format" and "/device/timing").
inline constexpr std::string_view kPresentationPointer = "/device/uvc";
inline constexpr std::string_view kStreamFaultsPointer = "/device/uvc/faults";

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
  // The device's YUY2 frames compressed to MJPEG (MjpegFrameSource) instead of
  // its own uncompressed format, at this JPEG quality.
  bool mjpeg = false;
  int mjpeg_quality = 85;
  // The VideoControl interface's status interrupt endpoint.
  bool interrupt_endpoint = false;
  // UVC-level faults of every stream, at the device's frame numbers from the
  // stream's start (UvcPersonality::set_stream_faults).
  std::vector<FaultAt> stream_faults;
  // After dropping off the bus, the device plugs back in after this long
  // (none: it stays unplugged). For the bus that carries it.
  std::optional<TimeNs> reconnect_after_ns;
};

// One format (the device's uncompressed one, or MJPEG of its YUY2 frames),
// one frame (its size) at one interval (its frame rate; a replayed
// recording's mean interval), with enough isochronous alternate settings to
// carry a frame per interval (MJPEG: every standard one, and frames no larger
// than the largest carries per interval). Errors are at the scenario's JSON
// Pointer of what does not fit ("/device/format", "/device/timing", a
// presentation's "/device/uvc/...") and say what would.
Checked<UvcDeviceConfig> uvc_config_for(const DeviceConfig& device,
                                        const UvcPresentation& presentation);

// When frames may leave.
enum class Pacing : std::uint8_t {
  kOnDemand,  // as soon as the host asks (capture times still follow the timing engine)
  kRealTime,  // not before start + due(k) on the steady clock
};

// How the device behaves where the DMA path and a camera differ.
struct ModelFrameBehaviour {
  Pacing pacing = Pacing::kOnDemand;
  // An error frame is sent with its pixels and ERR in every payload header (a
  // camera flagging a damaged frame); otherwise it is sent empty, as on the
  // DMA path where an error frame carries no data.
  bool error_frames_carry_data = false;
  // Real-time pacing: a frame still unsent when the next frame is due is
  // overwritten by it, as in a camera with one frame buffer whose host does
  // not read fast enough (dropped with reason late); otherwise late frames
  // queue up and leave behind their schedule.
  bool drop_late_frames = false;
};

// Why a frame that was due never left.
struct ModelFrameDrops {
  std::uint64_t stall = 0;      // due inside a stall (timing or fault)
  std::uint64_t scheduled = 0;  // drop_frames
  std::uint64_t random = 0;     // drop_probability
  std::uint64_t late = 0;       // overwritten by the next frame before the host read it
  std::uint64_t total() const { return stall + scheduled + random + late; }
};

struct ModelFrameStats {
  std::uint64_t frames_due = 0;   // frames the timing engine made due
  std::uint64_t frames_sent = 0;  // handed to the stream (error frames included)
  std::uint64_t dropped = 0;      // due but never sent: drops.total()
  ModelFrameDrops drops;
  std::uint64_t error_frames = 0;
  std::uint64_t short_frames = 0;
  std::uint64_t corrupt_frames = 0;
  std::uint64_t streams = 0;  // streams started (frame index 0 asked for)
  bool disconnected = false;
};

// One frame handed to the stream: which, when it was due, how late it left.
struct FrameHandOver {
  std::uint64_t frame = 0;     // the device's frame number in this stream
  std::uint64_t sequence = 0;  // the in-band header's sequence
  TimeNs due_ns = 0;           // since the stream started
  TimeNs lateness_ns = 0;      // real time: from due to handed over (0 on demand)
  std::size_t bytes = 0;
  FrameFault fault = FrameFault::kNone;
};

class ModelFrameSource : public StreamFrameSource {
 public:
  // `config` must pass DeviceConfig::validate(). A stream that starts again
  // (frame index 0) starts the device's stream again: frame 0, faults re-armed.
  ModelFrameSource(const DeviceConfig& config, Pacing pacing);
  ModelFrameSource(const DeviceConfig& config, const ModelFrameBehaviour& behaviour);

  // Serves the device's next frame. The negotiated format must be the
  // device's own (uvc_config_for offers nothing else); for any other the
  // device drops off the bus, as a firmware would fail.
  std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat& format) override;

  // Real-time pacing: when the frame the stream waits for may leave; nothing
  // before a stream started, after a disconnect, or on demand.
  std::optional<std::chrono::steady_clock::time_point> next_frame_time();

  // Told of every frame handed to the stream, on the thread that asked for it.
  void set_hand_over_observer(std::function<void(const FrameHandOver&)> observer) {
    observer_ = std::move(observer);
  }

  ModelFrameStats stats() const;

  // Back to the start of a stream, faults armed again and no disconnect
  // pending: a device plugged back in.
  void restart();

 private:
  // The next frame to send, its fate settled (once per frame: faults fire once).
  struct Pending {
    std::uint64_t frame = 0;
    std::uint64_t sequence = 0;
    FramePlan plan;
  };

  bool matches(const StreamFormat& format) const;
  // Settles due frames until one is to be sent; false when the device disconnects.
  bool settle_next();
  // drop_late_frames: gives up pending frames whose successor is already due.
  void drop_overtaken(std::chrono::steady_clock::time_point now);
  void count_drop(TimingVerdict verdict);

  DeviceConfig config_;
  ModelFrameBehaviour behaviour_;
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
  std::function<void(const FrameHandOver&)> observer_;

  mutable std::mutex stats_mutex_;  // stats() may come from another thread
  ModelFrameStats stats_;
};

}  // namespace hilcap::device::uvc
