// A UVC camera built from the device model: a DeviceConfig (format, size,
// frame rate, timing, faults) and how it appears on USB (UvcPresentation:
// bulk or isochronous, UVC version, speed, MJPEG or uncompressed, the status
// interrupt endpoint, UVC-level faults, reconnect after a disconnect). It
// owns the model's frame source (and its MJPEG encoder) and the UVC
// personality that presents them; whoever carries USB (usbredir, umockdev)
// drives the personality and asks the camera when the next frame may leave.
#pragma once

#include <hilcap/device_internal.h>

#include <chrono>
#include <memory>
#include <optional>

#include "mjpeg_frame_source.h"
#include "model_frame_source.h"
#include "uvc_personality.h"

namespace hilcap::device::uvc {

class ModelCamera {
 public:
  // A camera for a valid device configuration and presentation; otherwise
  // every error (field, expected, found), the device's own checks first.
  static Checked<std::unique_ptr<ModelCamera>> create(const DeviceConfig& device,
                                                      const UvcPresentation& presentation,
                                                      const ModelFrameBehaviour& behaviour);

  UvcPersonality& personality() { return *personality_; }
  const UvcPresentation& presentation() const { return presentation_; }
  ModelFrameSource& frames() { return *frames_; }
  // The MJPEG encoder's source, when the camera sends MJPEG.
  const MjpegFrameSource* mjpeg() const { return mjpeg_.get(); }

  // When the frame the stream waits for may leave (real-time pacing).
  std::optional<std::chrono::steady_clock::time_point> next_frame_time() {
    return frames_->next_frame_time();
  }
  // Plugged back in after a disconnect: bus reset state, the next stream
  // starts from frame 0 with its faults armed again.
  void replug();

 private:
  ModelCamera() = default;

  UvcPresentation presentation_;
  std::unique_ptr<ModelFrameSource> frames_;
  std::unique_ptr<MjpegFrameSource> mjpeg_;
  std::optional<UvcPersonality> personality_;
};

}  // namespace hilcap::device::uvc
