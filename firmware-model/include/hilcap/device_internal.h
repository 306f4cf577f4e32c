// Included by every header of the device's implementation (firmware-model/src
// and the UVC personality in firmware-model/uvc), never by the datasheet.
// host/ may use only the device's datasheet (firmware-model/include/hilcap/
// device/): its builds do not define HILCAP_DEVICE_INTERNALS, so a device
// internal that reaches a host/ file, directly or through another header,
// does not compile there. (libcamera guards its internal headers the same
// way: include/libcamera/base/private.h and test/public-api.cpp.)
#pragma once

#ifndef HILCAP_DEVICE_INTERNALS
#error \
    "a device internal is included where only the device's datasheet may be (host/ uses only <hilcap/device/*.h>)"
#endif
