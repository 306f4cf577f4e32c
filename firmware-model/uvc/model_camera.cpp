#include "model_camera.h"

namespace hilcap::device::uvc {

Checked<std::unique_ptr<ModelCamera>> ModelCamera::create(const DeviceConfig& device,
                                                          const UvcPresentation& presentation,
                                                          const ModelFrameBehaviour& behaviour) {
  if (FieldErrors errors = device.validate(); !errors.empty()) return errors;
  Checked<UvcDeviceConfig> config = uvc_config_for(device, presentation);
  if (!config.ok()) return config.errors();

  std::unique_ptr<ModelCamera> camera(new ModelCamera);
  camera->presentation_ = presentation;
  camera->frames_ = std::make_unique<ModelFrameSource>(device, behaviour);
  StreamFrameSource* source = camera->frames_.get();
  if (presentation.mjpeg) {
    camera->mjpeg_ = std::make_unique<MjpegFrameSource>(
        *camera->frames_, static_cast<std::uint16_t>(device.format.width),
        static_cast<std::uint16_t>(device.format.height), presentation.mjpeg_quality);
    source = camera->mjpeg_.get();
  }
  Checked<UvcPersonality> personality = UvcPersonality::create(config.value(), *source);
  if (!personality.ok()) return personality.errors();
  camera->personality_.emplace(std::move(personality.value()));
  FieldErrors fault_errors = camera->personality_->set_stream_faults(presentation.stream_faults);
  if (!fault_errors.empty()) {
    // The presentation's stream faults are the scenario's device.uvc.faults.
    for (FieldError& e : fault_errors)
      e.json_pointer = std::string(kStreamFaultsPointer) + e.json_pointer;
    return fault_errors;
  }
  return camera;
}

void ModelCamera::replug() {
  personality_->reset();
  frames_->restart();
}

}  // namespace hilcap::device::uvc
