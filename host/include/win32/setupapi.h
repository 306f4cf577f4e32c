/* <setupapi.h> for a Windows client built against hilcap: SetupDi* over the
 * simulated machine's devices (HILCAP_DEVICES). */
#pragma once

#include <hilcap/win32_base.h>
#include <hilcap/win32_devices.h>
