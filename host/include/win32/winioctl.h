/* <winioctl.h> for a Windows client built against hilcap: as <devioctl.h>. */
#pragma once

#include "devioctl.h"
