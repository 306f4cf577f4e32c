// A KS capture pin on a UVC camera: the same CapturePin the device model
// gets (<hilcap/capture_pin.h>), with the camera behind it instead of the
// datasheet's rings. A KS client uses it exactly as it uses a pin on the
// model:
//
//   auto camera = uvc::UvcSource::open(usb, selector, options).value();
//   auto pin = uvc::open_camera_pin(*camera);
//   KsCreateAllocator(pin->handle(), &framing, &allocator);  // in STOP
//   KSPROPERTY_CONNECTION_STATE: ACQUIRE, PAUSE, RUN ...
//
// - STOP -> ACQUIRE claims the camera (a second pin on it gets
//   STATUS_SHARING_VIOLATION) and restarts KSPROPERTY_DROPPEDFRAMES_CURRENT's
//   counters (PictureNumber, DropCount);
// - PAUSE -> RUN starts the stream (COMMIT again on a restart, the
//   alternate setting, the transfers); RUN -> PAUSE stops it;
// - entering STOP hands every frame the camera holds back to the allocator
//   with DataUsed 0 before the request returns;
// - unplug completes every pending ALLOC with STATUS_DEVICE_NOT_CONNECTED, in
//   any state; later ALLOCs and pin properties fail at once.
// KsCreateAllocator on the pin checks FrameSize against the negotiated
// dwMaxVideoFrameSize (UvcSource::frame_size()).
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/uvc/uvc_source.h>

#include <memory>

namespace hilcap::uvc {

// A pin in STOP on `camera` (opened, PROBE/COMMIT done, not streaming), or
// nullptr when no handle is left. The camera must outlive the pin and every
// allocator made on it; several pins may be opened on one camera, one at a
// time holds it.
std::unique_ptr<CapturePin> open_camera_pin(UvcSource& camera);

}  // namespace hilcap::uvc
