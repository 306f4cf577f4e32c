// KSPROPERTY_HILCAP_FRAME_HEADER's value: a frame's FrameInfo the way a
// Windows capture client reads it (KSSTREAM_HEADER + KS_FRAME_INFO).
#include <hilcap/ks_extensions.h>

#include "ks_time.h"

namespace hilcap {

using ks::kNsPer100Ns;

KSHILCAP_FRAME_HEADER ks_frame_header(const FrameInfo& info, void* frame, ULONG frame_extent) {
  KSHILCAP_FRAME_HEADER out{};
  KSSTREAM_HEADER& header = out.Header;
  header.Size = sizeof(KSHILCAP_FRAME_HEADER);
  header.FrameExtent = frame_extent;
  header.Data = frame;
  header.DataUsed = info.data_used;
  header.PresentationTime.Time = info.presentation_time_ns / kNsPer100Ns;
  header.PresentationTime.Numerator = 1;
  header.PresentationTime.Denominator = 1;
  header.Duration = info.duration_ns / kNsPer100Ns;
  if (info.flags & kFrameDiscontinuity) {
    header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY;
  }
  if (info.flags & kFrameTimeValid) header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_TIMEVALID;
  if (info.flags & kFrameDurationValid) {
    header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_DURATIONVALID;
  }
  if (info.flags & kFrameError) header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR;

  KS_FRAME_INFO& frame_info = out.FrameInfo;
  frame_info.ExtendedHeaderSize = sizeof(KS_FRAME_INFO);
  frame_info.dwFrameFlags = KS_VIDEO_FLAG_FRAME;
  frame_info.PictureNumber = info.sequence;
  frame_info.DropCount = info.drop_count;
  return out;
}

}  // namespace hilcap
