// <hilcap/ks_extensions.h>'s C part: the frame-header property's set GUID and
// x64 layouts, the same in C11 and C++.
#include <gtest/gtest.h>
#include <hilcap/ks_extensions.h>

#include <array>
#include <cstring>

#include "ks_extensions_c11.h"

namespace hilcap {
namespace {

// The set GUID is 095adc09-09ab-4cad-b4a0-2f6fa6a121be, laid out as Windows does.
TEST(KsExtensions, FrameSetGuidBytes) {
  const std::array<unsigned char, 16> expected = {0x09, 0xdc, 0x5a, 0x09, 0xab, 0x09, 0xad, 0x4c,
                                                  0xb4, 0xa0, 0x2f, 0x6f, 0xa6, 0xa1, 0x21, 0xbe};
  std::array<unsigned char, 16> bytes;
  std::memcpy(bytes.data(), &KSPROPSETID_HilcapFrame, sizeof(GUID));
  EXPECT_EQ(bytes, expected);
}

// A C11 client sees the same sizes and offsets as C++: 32-byte request,
// 128-byte value (KSSTREAM_HEADER then KS_FRAME_INFO at 56), and the same flag.
TEST(KsExtensions, SameLayoutInC11) {
  KsExtensionsC11Layout c{};
  ks_extensions_c11_layout(&c);
  EXPECT_EQ(c.frame_request, sizeof(KSP_HILCAP_FRAME));
  EXPECT_EQ(c.frame_request, 32u);
  EXPECT_EQ(c.frame_pointer_offset, 24u);
  EXPECT_EQ(c.frame_header, sizeof(KSHILCAP_FRAME_HEADER));
  EXPECT_EQ(c.frame_header, 128u);
  EXPECT_EQ(c.frame_info_offset, 56u);
  EXPECT_EQ(c.error_flag, static_cast<unsigned long>(KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR));
  EXPECT_TRUE(c.set_matches);
}

// The header built from a FrameInfo: 100 ns units, flags mapped one to one.
TEST(KsExtensions, FrameHeaderFromFrameInfo) {
  FrameInfo info;
  info.sequence = 12;
  info.drop_count = 3;
  info.presentation_time_ns = 123'456'789;
  info.duration_ns = 33'333'333;
  info.data_used = 4096;
  info.flags = kFrameDiscontinuity | kFrameTimeValid | kFrameDurationValid;
  info.fate = FrameFate::kShort;
  int frame = 0;
  const KSHILCAP_FRAME_HEADER h = ks_frame_header(info, &frame, 5000);
  EXPECT_EQ(h.Header.Size, 128u);
  EXPECT_EQ(h.Header.PresentationTime.Time, 1'234'567);
  EXPECT_EQ(h.Header.Duration, 333'333);
  EXPECT_EQ(h.Header.FrameExtent, 5000u);
  EXPECT_EQ(h.Header.DataUsed, 4096u);
  EXPECT_EQ(h.Header.Data, &frame);
  EXPECT_EQ(h.Header.OptionsFlags, static_cast<ULONG>(KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY |
                                                      KSSTREAM_HEADER_OPTIONSF_TIMEVALID |
                                                      KSSTREAM_HEADER_OPTIONSF_DURATIONVALID |
                                                      KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR));
  EXPECT_EQ(h.FrameInfo.PictureNumber, 12);
  EXPECT_EQ(h.FrameInfo.DropCount, 3);
  EXPECT_EQ(h.FrameInfo.ExtendedHeaderSize, 72u);
}

}  // namespace
}  // namespace hilcap
