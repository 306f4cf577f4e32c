#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>
#include <libusb-1.0/libusb.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "device_discovery.h"
#include "libusb_support.h"

namespace hilcap::uvc {

namespace {

constexpr std::size_t kLogLines = 32;
constexpr long kEventWaitUs = 100'000;  // the event thread notices a stop within this

// One hotplug registration's target. libusb may still run a callback while
// it is being deregistered, so targets live as long as their context and a
// departed watch only switches its target off.
struct HotplugTarget {
  std::mutex mutex;
  std::function<void(const HotplugNotice&)> notify;  // empty once the watch is gone
};

int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event,
                           void* user_data) {
  auto* target = static_cast<HotplugTarget*>(user_data);
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);
  const HotplugNotice notice{
      event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? HotplugEvent::kArrived : HotplugEvent::kLeft,
      descriptor.idVendor, descriptor.idProduct, location_of(device)};
  std::lock_guard lock(target->mutex);
  if (target->notify) target->notify(notice);
  return 0;
}

}  // namespace

namespace detail {

struct UsbContextState {
  libusb_context* context = nullptr;
  std::thread events;
  std::atomic<std::thread::id> events_id;  // kept after a detach
  std::atomic<bool> stop{false};

  mutable std::mutex mutex;  // log, hotplug targets, handles to close
  std::deque<std::string> log;
  std::vector<std::unique_ptr<HotplugTarget>> hotplug_targets;
  std::vector<libusb_device_handle*> to_close;  // by the event thread, outside event handling

  void close_pending() {
    std::vector<libusb_device_handle*> handles;
    {
      std::lock_guard lock(mutex);
      handles.swap(to_close);
    }
    for (libusb_device_handle* handle : handles)
      libusb_close(handle);
  }

  ~UsbContextState();
};

}  // namespace detail

using detail::UsbContextState;

namespace {

// libusb's log callback carries no user pointer: contexts are found here.
std::mutex g_registry_mutex;
std::map<libusb_context*, std::weak_ptr<UsbContextState>>& registry() {
  static std::map<libusb_context*, std::weak_ptr<UsbContextState>> contexts;
  return contexts;
}

void LIBUSB_CALL on_context_log(libusb_context* context, libusb_log_level, const char* text) {
  std::shared_ptr<UsbContextState> state;
  {
    std::lock_guard lock(g_registry_mutex);
    const auto found = registry().find(context);
    if (found != registry().end()) state = found->second.lock();
  }
  if (!state) return;
  std::string line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  std::lock_guard lock(state->mutex);
  state->log.push_back(std::move(line));
  if (state->log.size() > kLogLines) state->log.pop_front();
}

// Without a global handler libusb also prints every context's lines on
// stderr. They are reported through SourceErrors instead; LIBUSB_DEBUG still
// shows them.
void LIBUSB_CALL on_global_log(libusb_context*, libusb_log_level, const char* text) {
  if (std::getenv("LIBUSB_DEBUG") != nullptr) std::fputs(text, stderr);
}

void run_events(std::shared_ptr<UsbContextState> state) {
  while (!state->stop.load(std::memory_order_acquire)) {
    timeval wait{0, kEventWaitUs};
    libusb_handle_events_timeout_completed(state->context, &wait, nullptr);
    state->close_pending();
  }
  state->close_pending();
}

}  // namespace

UsbContextState::~UsbContextState() {
  if (context == nullptr) return;  // libusb_init failed
  {
    std::lock_guard lock(g_registry_mutex);
    registry().erase(context);
  }
  libusb_exit(context);
}

const char* to_string(SourceErrorKind kind) {
  switch (kind) {
    case SourceErrorKind::kNoSuchDevice:
      return "no such device";
    case SourceErrorKind::kAmbiguousDevice:
      return "several devices match";
    case SourceErrorKind::kAccessDenied:
      return "permission denied";
    case SourceErrorKind::kKernelDriver:
      return "kernel driver attached";
    case SourceErrorKind::kBusy:
      return "interface busy";
    case SourceErrorKind::kFormatNotOffered:
      return "format not offered";
    case SourceErrorKind::kBandwidth:
      return "bandwidth not available";
    case SourceErrorKind::kDescriptors:
      return "unusable descriptors";
    case SourceErrorKind::kNegotiation:
      return "negotiation failed";
    case SourceErrorKind::kDisconnected:
      return "device disconnected";
    case SourceErrorKind::kInvalidState:
      return "invalid state";
    case SourceErrorKind::kUsb:
      return "USB error";
  }
  return "?";
}

SourceResult<std::shared_ptr<UsbContext>> UsbContext::create() {
  static std::once_flag global_log;
  std::call_once(global_log,
                 [] { libusb_set_log_cb(nullptr, on_global_log, LIBUSB_LOG_CB_GLOBAL); });
  auto state = std::make_shared<UsbContextState>();
  if (const int r = libusb_init(&state->context); r != 0) {
    state->context = nullptr;
    return usb_failure("libusb_init", r);
  }
  {
    std::lock_guard lock(g_registry_mutex);
    registry()[state->context] = state;
  }
  libusb_set_log_cb(state->context, on_context_log, LIBUSB_LOG_CB_CONTEXT);
  libusb_set_option(state->context, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_WARNING);
  state->events = std::thread(run_events, state);
  state->events_id = state->events.get_id();
  return std::shared_ptr<UsbContext>(new UsbContext(std::move(state)));
}

UsbContext::UsbContext(std::shared_ptr<UsbContextState> state) : state_(std::move(state)) {}

UsbContext::~UsbContext() {
  state_->stop.store(true, std::memory_order_release);
  libusb_interrupt_event_handler(state_->context);
  if (state_->events_id == std::this_thread::get_id()) {
    state_->events.detach();  // it ends after this callback; its State reference closes libusb
  } else {
    state_->events.join();
  }
}

SourceResult<std::vector<UvcDeviceInfo>> UsbContext::list_uvc_devices() {
  return discover_uvc_devices(state_->context);
}

bool UsbContext::hotplug_supported() const {
  return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
}

namespace {

class LibusbHotplugWatch : public UsbContext::HotplugWatch {
 public:
  LibusbHotplugWatch(libusb_context* context, HotplugTarget* target,
                     libusb_hotplug_callback_handle handle)
      : context_(context), target_(target), handle_(handle) {}
  ~LibusbHotplugWatch() override {
    libusb_hotplug_deregister_callback(context_, handle_);
    std::lock_guard lock(target_->mutex);  // waits for a notice in progress
    target_->notify = nullptr;
  }

 private:
  libusb_context* context_;
  HotplugTarget* target_;
  libusb_hotplug_callback_handle handle_;
};

}  // namespace

SourceResult<std::unique_ptr<UsbContext::HotplugWatch>> UsbContext::watch_hotplug(
    std::uint16_t vendor_id, std::uint16_t product_id,
    std::function<void(const HotplugNotice&)> notify) {
  if (!hotplug_supported())
    return SourceError{SourceErrorKind::kUsb, "this libusb cannot report hotplug events"};
  HotplugTarget* target = nullptr;
  {
    std::lock_guard lock(state_->mutex);
    state_->hotplug_targets.push_back(std::make_unique<HotplugTarget>());
    target = state_->hotplug_targets.back().get();
  }
  target->notify = std::move(notify);
  libusb_hotplug_callback_handle handle = 0;
  const int r = libusb_hotplug_register_callback(
      state_->context,
      static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                        LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
      LIBUSB_HOTPLUG_NO_FLAGS, vendor_id == 0 ? LIBUSB_HOTPLUG_MATCH_ANY : vendor_id,
      product_id == 0 ? LIBUSB_HOTPLUG_MATCH_ANY : product_id, LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug,
      target, &handle);
  if (r != 0) return usb_failure("libusb_hotplug_register_callback", r);
  return std::unique_ptr<HotplugWatch>(
      std::make_unique<LibusbHotplugWatch>(state_->context, target, handle));
}

std::vector<std::string> UsbContext::libusb_log() const {
  std::lock_guard lock(state_->mutex);
  return {state_->log.begin(), state_->log.end()};
}

libusb_context* UsbContext::native() const {
  return state_->context;
}

void UsbContext::close_device(libusb_device_handle* handle) {
  if (state_->events_id != std::this_thread::get_id()) {
    libusb_close(handle);
    return;
  }
  std::lock_guard lock(state_->mutex);
  state_->to_close.push_back(handle);
}

}  // namespace hilcap::uvc
