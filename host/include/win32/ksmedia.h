/* <ksmedia.h> for a Windows KS capture client built against hilcap: video
 * formats and ranges (KS_VIDEOINFOHEADER, KS_DATAFORMAT_VIDEOINFOHEADER,
 * KS_DATARANGE_VIDEO), the video GUIDs, KS_FRAME_INFO and the dropped-frames
 * property. Includes <ks.h>. */
#pragma once

#include <hilcap/ks_video.h>

#include "ks.h"
