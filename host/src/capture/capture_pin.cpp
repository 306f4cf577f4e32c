// CapturePin: the C++ face of a capture pin (a CaptureDriver behind a KS pin
// handle).
#include <hilcap/capture_pin.h>

#include "../ks/handle_table.h"
#include "../ks/pin_object.h"
#include "capture_driver.h"
#include "dma_ring_backend.h"

namespace hilcap {

struct CapturePin::Impl {
  HANDLE handle = nullptr;
  std::shared_ptr<CaptureDriver> driver;
};

std::unique_ptr<CapturePin> CapturePin::open(device::DeviceControl& device,
                                             CapturePinOptions options) {
  return open(std::make_unique<DmaRingBackend>(device, options));
}

std::unique_ptr<CapturePin> CapturePin::open(std::unique_ptr<CaptureBackend> backend) {
  auto impl = std::make_unique<Impl>();
  impl->driver = std::make_shared<CaptureDriver>(std::move(backend));
  impl->handle = ks::HandleTable::instance().insert(std::make_shared<ks::PinObject>(impl->driver));
  if (impl->handle == nullptr) return nullptr;
  return std::unique_ptr<CapturePin>(new CapturePin(std::move(impl)));
}

CapturePin::CapturePin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CapturePin::~CapturePin() {
  // The handle may already be closed (CloseHandle); closing is idempotent.
  if (const auto object = ks::HandleTable::instance().remove(impl_->handle)) object->close();
  impl_->driver->close();
}

HANDLE CapturePin::handle() const {
  return impl_->handle;
}

std::size_t CapturePin::service_interrupt(std::int64_t host_time_ns) {
  return impl_->driver->service_interrupt(host_time_ns);
}

std::shared_ptr<StreamAllocator> CapturePin::allocator() const {
  return impl_->driver->allocator();
}

CapturePinStats CapturePin::stats() const {
  return impl_->driver->stats();
}

std::uint32_t CapturePin::frames_at_device() const {
  return impl_->driver->frames_at_device();
}

}  // namespace hilcap
