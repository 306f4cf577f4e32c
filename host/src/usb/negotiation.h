// What open() does before any streaming: claim the VideoStreaming interface
// (a kernel driver detached when allowed), choose format, size and interval,
// PROBE/COMMIT with the block of the device's UVC version, and choose how the
// payloads travel.
#pragma once

#include <hilcap/uvc/uvc_source.h>
#include <libusb-1.0/libusb.h>

namespace hilcap::uvc {

// On success the interface is claimed (the caller releases it); on failure
// nothing stays claimed.
SourceResult<NegotiatedStream> negotiate_stream(libusb_device_handle* handle,
                                                const UvcDeviceInfo& device, std::size_t function,
                                                const SourceOptions& options);

// COMMIT again with what was committed, before a later stream (a bulk stream
// starts on COMMIT; alternate setting 0 ended the previous one).
std::optional<SourceError> recommit_stream(libusb_device_handle* handle,
                                           const NegotiatedStream& stream,
                                           const SourceOptions& options);

// Selects the isochronous alternate setting (after COMMIT, before the first
// transfer). A refusal with ENOSPC, or any refusal of a non-zero alternate
// setting, is reported as missing bandwidth with what was asked for.
std::optional<SourceError> select_alternate_setting(UsbContext& usb, libusb_device_handle* handle,
                                                    const NegotiatedStream& stream);

}  // namespace hilcap::uvc
