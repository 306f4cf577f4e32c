#include "pin_object.h"

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

}  // namespace

PinObject::PinObject(std::shared_ptr<CaptureDriver> driver)
    : KernelObject(kType), driver_(std::move(driver)) {}

IoOutcome PinObject::device_io_control(const IoctlCall& call) {
  return dispatch_ks_ioctl(*this, kPinAutomation, call);
}

void PinObject::close() {
  driver_->close();
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
  return {driver_->set_state(static_cast<KSSTATE>(state)), 0};
}

IoOutcome PinObject::get_dropped_frames(const IoctlCall& call) {
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S value;
  std::memcpy(&value, call.input, sizeof(value));
  const NTSTATUS status = driver_->dropped_frames(value);
  if (status != STATUS_SUCCESS) return {status, 0};
  return reply(call, &value, sizeof(value));
}

}  // namespace hilcap::ks
