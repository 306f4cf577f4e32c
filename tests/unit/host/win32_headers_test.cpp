// The headers by their Windows names (host/include/win32, what
// `pkg-config --cflags hilcap-win32` puts on the include path), in C++20 and
// (win32_headers_c11.c) in C11: the values and x64 layouts are Windows's,
// whichever spelling and order a Windows program includes them in, and the
// two languages agree.
// clang-format off
#include <Windows.h>
#include <SetupAPI.h>
#include <Ks.h>
#include <KsMedia.h>
#include <devioctl.h>
#include <uuids.h>
// clang-format on

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "win32_headers_c11.h"

namespace {

// The Windows SDK's values and x64 sizes (ks.h, ksmedia.h, SetupAPI.h,
// winnt.h, WinBase.h), as the documentation pages give them.
TEST(Win32Headers, ValuesAndLayoutsAreWindows) {
  Win32HeadersC11Layout c{};
  win32_headers_c11_layout(&c);
  EXPECT_EQ(c.pin_connect, 72u);
  EXPECT_EQ(c.pin_connect_pin_id, 48u);
  EXPECT_EQ(c.pin_connect_pin_to_handle, 56u);
  EXPECT_EQ(c.pin_connect_priority, 64u);
  EXPECT_EQ(c.data_format, 64u);
  EXPECT_EQ(c.data_format_major_format, 16u);
  EXPECT_EQ(c.ksp_pin, 32u);
  EXPECT_EQ(c.multiple_item, 8u);
  EXPECT_EQ(c.priority, 8u);
  EXPECT_EQ(c.video_info_header, 88u);
  EXPECT_EQ(c.bitmap_info_header, 40u);
  EXPECT_EQ(c.data_format_video_info_header, 152u);
  EXPECT_EQ(c.data_range_video, 296u);
  EXPECT_EQ(c.data_range_video_video_info_header, 208u);
  EXPECT_EQ(c.config_caps, 128u);
  EXPECT_EQ(c.stream_header, 56u);
  EXPECT_EQ(c.frame_info, 72u);
  EXPECT_EQ(c.stream_header_with_frame_info, 128u);
  EXPECT_EQ(c.sp_device_interface_data, 32u);
  EXPECT_EQ(c.sp_devinfo_data, 32u);
  EXPECT_EQ(c.sp_device_interface_detail_data_a, 8u);
  EXPECT_EQ(c.sp_device_interface_detail_data_w, 8u);
  EXPECT_EQ(c.large_integer, 8u);
  EXPECT_EQ(c.ioctl_read_stream, 0x002F4017u);
  EXPECT_EQ(c.generic_read, 0x80000000u);
  EXPECT_EQ(c.file_flag_overlapped, 0x40000000u);
  EXPECT_EQ(c.digcf, 0x12u);
  EXPECT_EQ(c.heap_zero_memory, 8u);
  EXPECT_EQ(c.maximum_wait_objects, 64u);
  EXPECT_EQ(c.wait_abandoned_0, 0x80u);
  EXPECT_EQ(c.yuy2_fourcc, 0x32595559u);
  EXPECT_EQ(c.nv12_fourcc, 0x3231564Eu);
  EXPECT_EQ(c.ksp_pin_id, 7u);
  EXPECT_TRUE(c.capture_category_matches);
  EXPECT_TRUE(c.video_type_matches);
  EXPECT_TRUE(c.yuy2_subtype_matches);
  EXPECT_TRUE(c.defined_guid_matches);
}

// C++ sees the same layouts as C.
TEST(Win32Headers, CppAgreesWithC) {
  Win32HeadersC11Layout c{};
  win32_headers_c11_layout(&c);
  EXPECT_EQ(sizeof(KSPIN_CONNECT), c.pin_connect);
  EXPECT_EQ(offsetof(KSPIN_CONNECT, PinToHandle), c.pin_connect_pin_to_handle);
  EXPECT_EQ(sizeof(KSDATAFORMAT), c.data_format);
  EXPECT_EQ(sizeof(KS_DATAFORMAT_VIDEOINFOHEADER), c.data_format_video_info_header);
  EXPECT_EQ(sizeof(KS_DATARANGE_VIDEO), c.data_range_video);
  EXPECT_EQ(sizeof(SP_DEVICE_INTERFACE_DATA), c.sp_device_interface_data);
  EXPECT_EQ(sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA), c.sp_device_interface_detail_data_a);
  EXPECT_EQ(sizeof(SP_DEVINFO_DATA), c.sp_devinfo_data);
}

// The GUIDs a capture client names, with their documented values.
TEST(Win32Headers, GuidsAreWindows) {
  auto text = [](const GUID& g) {
    char s[40];
    std::snprintf(s, sizeof(s), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                  static_cast<unsigned>(g.Data1), g.Data2, g.Data3, g.Data4[0], g.Data4[1],
                  g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    return std::string(s);
  };
  EXPECT_EQ(text(KSCATEGORY_CAPTURE), "65e8773d-8f56-11d0-a3b9-00a0c9223196");
  EXPECT_EQ(text(KSCATEGORY_VIDEO), "6994ad05-93ef-11d0-a3cc-00a0c9223196");
  EXPECT_EQ(text(KSCATEGORY_VIDEO_CAMERA), "e5323777-f976-4f5b-9b55-b94699c46e44");
  EXPECT_EQ(text(KSDATAFORMAT_TYPE_VIDEO), "73646976-0000-0010-8000-00aa00389b71");
  EXPECT_EQ(text(MEDIATYPE_Video), "73646976-0000-0010-8000-00aa00389b71");
  EXPECT_EQ(text(KSDATAFORMAT_SPECIFIER_VIDEOINFO), "05589f80-c356-11ce-bf01-00aa0055595a");
  EXPECT_EQ(text(MEDIASUBTYPE_YUY2), "32595559-0000-0010-8000-00aa00389b71");
  EXPECT_EQ(text(MEDIASUBTYPE_NV12), "3231564e-0000-0010-8000-00aa00389b71");
  EXPECT_EQ(text(KSPROPSETID_Pin), "8c134960-51ad-11cf-878a-94f801c10000");
  EXPECT_EQ(text(KSINTERFACESETID_Standard), "1a8766a0-62ce-11cf-a5d6-28db04c10000");
  EXPECT_EQ(text(KSMEDIUMSETID_Standard), "4747b320-62ce-11cf-a5d6-28db04c10000");
  EXPECT_EQ(text(PIN_CATEGORY_CAPTURE), "fb6c4281-0353-11d1-905f-0000c0cc16ba");
}

// The enums and flags by their documented values.
TEST(Win32Headers, EnumsAreWindows) {
  EXPECT_EQ(KSPROPERTY_PIN_CINSTANCES, 0);
  EXPECT_EQ(KSPROPERTY_PIN_CTYPES, 1);
  EXPECT_EQ(KSPROPERTY_PIN_DATAFLOW, 2);
  EXPECT_EQ(KSPROPERTY_PIN_DATARANGES, 3);
  EXPECT_EQ(KSPROPERTY_PIN_DATAINTERSECTION, 4);
  EXPECT_EQ(KSPROPERTY_PIN_CATEGORY, 11);
  EXPECT_EQ(KSPROPERTY_PIN_NAME, 12);
  EXPECT_EQ(KSPIN_DATAFLOW_IN, 1);
  EXPECT_EQ(KSPIN_DATAFLOW_OUT, 2);
  EXPECT_EQ(KSPIN_COMMUNICATION_BOTH, 3);
  EXPECT_EQ(KSPRIORITY_NORMAL, 0x40000000);
  EXPECT_EQ(KSSTREAM_HEADER_OPTIONSF_FRAMEINFO, 0x4000);
  EXPECT_EQ(DIGCF_DEFAULT, 1);
  EXPECT_EQ(DIGCF_PRESENT, 2);
  EXPECT_EQ(DIGCF_ALLCLASSES, 4);
  EXPECT_EQ(DIGCF_DEVICEINTERFACE, 0x10);
  EXPECT_EQ(SPDRP_FRIENDLYNAME, 0x0Cu);
  EXPECT_EQ(OPEN_EXISTING, 3);
  EXPECT_EQ(ERROR_NO_MORE_ITEMS, 259);
  EXPECT_EQ(ERROR_INVALID_USER_BUFFER, 1784);
  EXPECT_EQ(ERROR_NO_MATCH, 1169);
  EXPECT_EQ(ERROR_FILE_NOT_FOUND, 2);
  EXPECT_EQ(CTL_CODE(FILE_DEVICE_KS, 0x005, METHOD_NEITHER, FILE_READ_ACCESS), 0x002F4017);
}

}  // namespace
