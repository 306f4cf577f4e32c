/* <initguid.h> for a Windows client built against hilcap: DEFINE_GUID after
 * it defines the GUID instead of declaring it, whatever was included before.
 * hilcap's own GUIDs are defined in libhilcap either way. */
#pragma once

#include <hilcap/win32_base.h>

#ifndef INITGUID
#define INITGUID
#endif
#undef DEFINE_GUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  HILCAP_GUID_DEFINITION const GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
