// A frame's FrameInfo the way a Windows capture client reads it: the one
// mapping from the host's frame (its flags and its FrameFate) to
// KSSTREAM_HEADER and KS_FRAME_INFO, shared by KSPROPERTY_HILCAP_FRAME_HEADER
// (ks_frame_header, <hilcap/ks_extensions.h>) and IOCTL_KS_READ_STREAM.
#pragma once

#include <hilcap/frame_info.h>
#include <hilcap/ks_extensions.h>

namespace hilcap {

// KSSTREAM_HEADER::OptionsFlags: DATADISCONTINUITY, TIMEVALID and
// DURATIONVALID from the frame's flags; KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR
// when its fate marks it damaged (short, error, corrupt, rejected).
ULONG ks_stream_options(const FrameInfo& info);

}  // namespace hilcap
