/* <windows.h> for a Windows KS capture client built against hilcap
 * (`pkg-config --cflags --libs hilcap-win32`): the Win32 basics such a client
 * uses, with Windows's names, values and x64 layouts. Not the whole of
 * Windows: what is here is listed in docs/ks-win32.md. */
#pragma once

#include <hilcap/ks.h>
#include <hilcap/win32_base.h>
#include <hilcap/win32_devices.h>
