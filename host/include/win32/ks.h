/* <ks.h> for a Windows KS client built against hilcap: the KS client API
 * (DeviceIoControl requests, properties, methods, stream headers, the
 * allocator) and filters and pins (KSPIN_CONNECT, KSPROPSETID_Pin,
 * KsCreatePin). Includes <windows.h>'s basics, so the include order of a
 * Windows program does not matter. */
#pragma once

#include <hilcap/ks.h>
#include <hilcap/ks_filter.h>
#include <hilcap/win32_base.h>
