#include "pin_object.h"

#include <hilcap/win32_base.h>

#include <cstring>

#include "ks_automation.h"

namespace hilcap::ks {
namespace {

static_assert(sizeof(KSSTATE) == sizeof(ULONG), "KSSTATE is a 4-byte enum, as on Windows");

const KsPropertyItem<PinObject> kConnectionProperties[] = {
    {KSPROPERTY_CONNECTION_STATE, sizeof(KSPROPERTY), sizeof(KSSTATE), &PinObject::get_state,
     &PinObject::set_state},
};

// The struct is both the property descriptor and the value (§2.5).
const KsPropertyItem<PinObject> kDroppedFramesProperties[] = {
    {KSPROPERTY_DROPPEDFRAMES_CURRENT, sizeof(KSPROPERTY_DROPPEDFRAMES_CURRENT_S),
     sizeof(KSPROPERTY_DROPPEDFRAMES_CURRENT_S), &PinObject::get_dropped_frames, nullptr},
};

const KsItemSet<KsPropertyItem<PinObject>> kPinPropertySets[] = {
    {&KSPROPSETID_Connection, kConnectionProperties},
    {&PROPSETID_VIDCAP_DROPPEDFRAMES, kDroppedFramesProperties},
};

const KsAutomationTable<PinObject> kPinAutomation{{}, kPinPropertySets};

// IOCTL_KS_READ_STREAM is FILE_READ_ACCESS: the I/O manager refuses it on a
// handle opened without read access.
bool grants_read(ACCESS_MASK access) {
  return (access & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA)) != 0;
}

}  // namespace

PinObject::PinObject(std::shared_ptr<CaptureDriver> driver, PinObjectOptions options)
    : KernelObject(kType),
      driver_(std::move(driver)),
      options_(std::move(options)),
      file_event_(std::make_shared<Event>(Event::ResetMode::kManual, false)) {}

IoOutcome PinObject::device_io_control(const IoctlCall& call) {
  if (call.code == IOCTL_KS_READ_STREAM) {
    if (!grants_read(options_.access)) return {STATUS_ACCESS_DENIED, 0};
    return read_stream_.read(call);
  }
  return dispatch_ks_ioctl(*this, kPinAutomation, call);
}

bool PinObject::cancel_io(const CancelScope& scope) {
  return read_stream_.cancel(scope);
}

void PinObject::close() {
  {
    std::lock_guard lock(state_mutex_);
    if (closed_) return;
    closed_ = true;
    // The device first: once the driver closed, no delivery runs or starts,
    // so the read stream may end its reads and close its allocator.
    driver_->close();
    read_stream_.stop(kKsPolicy.read_stream_stop_status, kKsPolicy.closed_handle_status);
  }
  if (options_.on_close) options_.on_close();
}

IoOutcome PinObject::get_state(const IoctlCall& call) {
  KSSTATE state = KSSTATE_STOP;
  const NTSTATUS status = driver_->get_state(state);
  if (status != STATUS_SUCCESS) return {status, 0};
  return reply(call, &state, sizeof(state));
}

IoOutcome PinObject::set_state(const IoctlCall& call) {
  // A SET's value travels in the output buffer (IKsControl::KsProperty).
  ULONG state;
  std::memcpy(&state, call.output, sizeof(state));
  if (state > KSSTATE_RUN) return {STATUS_INVALID_PARAMETER, 0};
  std::lock_guard lock(state_mutex_);
  return {change_state(static_cast<KSSTATE>(state)), 0};
}

NTSTATUS PinObject::change_state(KSSTATE target) {
  if (closed_) return kKsPolicy.closed_handle_status;
  KSSTATE current = KSSTATE_STOP;
  if (const NTSTATUS status = driver_->get_state(current); status != STATUS_SUCCESS) {
    return status;
  }
  if (target == current) return STATUS_SUCCESS;

  bool reading = false;
  if (current == KSSTATE_STOP) {
    // The streaming style for this run, fixed now (docs/ks-win32.md).
    const std::shared_ptr<StreamAllocator> clients = driver_->allocator();
    if ((clients && !clients->closed()) || !options_.reads_without_allocator) {
      read_stream_.refuse(kKsPolicy.read_stream_allocator_mode_status);
    } else {
      StreamAllocator::Created own = driver_->create_allocator(
          driver_->own_allocator_framing(kKsPolicy.read_stream_max_frames));
      if (own.status != STATUS_SUCCESS) return own.status;
      read_stream_.start(std::move(own.allocator));
      reading = true;
    }
  }
  // Entering RUN from a stopped grid starts a stream: its times count from here.
  const bool starts_stream = target == KSSTATE_RUN && !streaming_;
  if (starts_stream && options_.device_clock) read_stream_.set_time_origin(options_.device_clock());

  const NTSTATUS status = driver_->set_state(target);
  if (status != STATUS_SUCCESS) {
    // Still in STOP (the device is held by another pin, or gone): nothing streams.
    if (reading) {
      read_stream_.stop(kKsPolicy.read_stream_stop_status, kKsPolicy.read_stream_stopped_status);
    } else if (current == KSSTATE_STOP) {
      read_stream_.refuse(kKsPolicy.read_stream_stopped_status);
    }
    return status;
  }
  if (starts_stream) streaming_ = true;
  if (target <= KSSTATE_ACQUIRE) streaming_ = false;
  if (target == KSSTATE_STOP) {
    // The device handed every buffer back before set_state returned and no
    // longer delivers: the reads still pending end now.
    read_stream_.stop(kKsPolicy.read_stream_stop_status, kKsPolicy.read_stream_stopped_status);
  }
  return STATUS_SUCCESS;
}

IoOutcome PinObject::get_dropped_frames(const IoctlCall& call) {
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S value;
  std::memcpy(&value, call.input, sizeof(value));
  const NTSTATUS status = driver_->dropped_frames(value);
  if (status != STATUS_SUCCESS) return {status, 0};
  // Frames the device captured that no read was waiting for count as dropped
  // too (a capture pin drops what it has no buffer for).
  value.DropCount += static_cast<LONGLONG>(read_stream_.dropped_frames());
  return reply(call, &value, sizeof(value));
}

}  // namespace hilcap::ks
