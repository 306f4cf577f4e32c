/* <devioctl.h> for a Windows client built against hilcap: CTL_CODE, the
 * METHOD_* and FILE_*_ACCESS values. */
#pragma once

#include <hilcap/ks.h>
