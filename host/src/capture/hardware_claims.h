// Which pin holds each device. avshws hands its hardware out exclusively on
// STOP -> ACQUIRE and a second pin gets STATUS_SHARING_VIOLATION
// (ks-semantics.md §6.1, §6.4, §8 case 19); the holder also owns the device's
// rings and services its interrupt.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

namespace hilcap {

class CaptureDriver;

class HardwareClaims {
 public:
  // The process-wide registry.
  static HardwareClaims& instance();

  // Devices are known by identity (CaptureBackend::hardware()).
  // True when `pin` now holds `device` (or already did); false when another
  // live pin holds it.
  bool claim(const void* device, const std::shared_ptr<CaptureDriver>& pin);
  // Gives `device` up if `pin` holds it.
  void release(const void* device, const CaptureDriver* pin);
  // The pin holding `device`, if any.
  std::shared_ptr<CaptureDriver> holder(const void* device) const;

 private:
  struct Claim {
    const void* device;
    const CaptureDriver* pin;  // identity; `alive` says whether it still exists
    std::weak_ptr<CaptureDriver> alive;
  };

  mutable std::mutex mutex_;
  std::vector<Claim> claims_;  // a handful of devices: a list is enough
};

}  // namespace hilcap
