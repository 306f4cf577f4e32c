#include "hardware_claims.h"

#include <algorithm>

namespace hilcap {

HardwareClaims& HardwareClaims::instance() {
  // Never destroyed: pins may be closed while the process exits.
  static HardwareClaims* const claims = new HardwareClaims;
  return *claims;
}

bool HardwareClaims::claim(const void* device, const std::shared_ptr<CaptureDriver>& pin) {
  std::lock_guard lock(mutex_);
  // Claims of pins that no longer exist are void.
  std::erase_if(claims_, [](const Claim& c) { return c.alive.expired(); });
  const auto it = std::find_if(claims_.begin(), claims_.end(),
                               [device](const Claim& c) { return c.device == device; });
  if (it == claims_.end()) {
    claims_.push_back({device, pin.get(), pin});
    return true;
  }
  return it->pin == pin.get();
}

void HardwareClaims::release(const void* device, const CaptureDriver* pin) {
  std::lock_guard lock(mutex_);
  std::erase_if(claims_, [&](const Claim& c) { return c.device == device && c.pin == pin; });
}

std::shared_ptr<CaptureDriver> HardwareClaims::holder(const void* device) const {
  std::lock_guard lock(mutex_);
  for (const Claim& c : claims_) {
    if (c.device == device) return c.alive.lock();
  }
  return nullptr;
}

}  // namespace hilcap
