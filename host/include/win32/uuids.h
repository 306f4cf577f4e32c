/* <uuids.h> for a Windows client built against hilcap: the media type,
 * FOURCC subtype and format GUIDs a capture client names (MEDIATYPE_Video,
 * MEDIASUBTYPE_YUY2, MEDIASUBTYPE_NV12, FORMAT_VideoInfo, PIN_CATEGORY_CAPTURE). */
#pragma once

#include <hilcap/ks_video.h>
