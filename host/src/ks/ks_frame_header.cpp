// KSPROPERTY_HILCAP_FRAME_HEADER's value: a frame's FrameInfo the way a
// Windows capture client reads it (KSSTREAM_HEADER + KS_FRAME_INFO).
#include "ks_frame_header.h"

#include "ks_time.h"

namespace hilcap {

using ks::kNsPer100Ns;

ULONG ks_stream_options(const FrameInfo& info) {
  ULONG options = 0;
  if (info.flags & kFrameDiscontinuity) options |= KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY;
  if (info.flags & kFrameTimeValid) options |= KSSTREAM_HEADER_OPTIONSF_TIMEVALID;
  if (info.flags & kFrameDurationValid) options |= KSSTREAM_HEADER_OPTIONSF_DURATIONVALID;
  if (marked_damaged(info.fate)) options |= KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR;
  return options;
}

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
  header.OptionsFlags = ks_stream_options(info);

  KS_FRAME_INFO& frame_info = out.FrameInfo;
  frame_info.ExtendedHeaderSize = sizeof(KS_FRAME_INFO);
  frame_info.dwFrameFlags = KS_VIDEO_FLAG_FRAME;
  frame_info.PictureNumber = info.sequence;
  frame_info.DropCount = info.drop_count;
  return out;
}

}  // namespace hilcap
