// The file object behind a capture pin HANDLE: the KS connection-state and
// dropped-frames property sets (reference §7) on top of a CaptureDriver.
#pragma once

#include <memory>

#include "../capture/capture_driver.h"
#include "io_completion.h"
#include "kernel_object.h"

namespace hilcap::ks {

class PinObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kPin;

  explicit PinObject(std::shared_ptr<CaptureDriver> driver);

  const std::shared_ptr<CaptureDriver>& driver() const { return driver_; }

  IoOutcome device_io_control(const IoctlCall& call) override;
  void close() override;

  // Handlers of the automation table.
  IoOutcome get_state(const IoctlCall& call);
  IoOutcome set_state(const IoctlCall& call);
  IoOutcome get_dropped_frames(const IoctlCall& call);

 private:
  std::shared_ptr<CaptureDriver> driver_;
};

}  // namespace hilcap::ks
