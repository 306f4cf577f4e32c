/* The headers by their Windows names (`pkg-config --cflags hilcap-win32`),
 * included as a Windows C program includes them and compiled as C11: their
 * static_asserts run in C too, DEFINE_GUID after <initguid.h> defines, and
 * this file reports what a C compiler sees so the C++ test can compare. */
#include "win32_headers_c11.h"

/* clang-format off */
#include <windows.h>
#include <initguid.h>
#include <setupapi.h>
#include <devioctl.h>
#include <ks.h>
#include <ksmedia.h>
/* The spellings Windows code uses on a case-insensitive file system. */
#include <Windows.h>
#include <SetupAPI.h>
#include <Ks.h>
#include <KsMedia.h>
/* clang-format on */

/* A client's own GUID, defined here by DEFINE_GUID after <initguid.h>. */
DEFINE_GUID(CLIENT_TEST_GUID, 0x11223344, 0x5566, 0x7788, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
            0x00);

/* The SDK's STATIC_* initialisers are flat lists: brace Data4 for -Wall. */
#define BRACED_GUID(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7) \
  {                                                             \
    d1, d2, d3, {                                               \
      b0, b1, b2, b3, b4, b5, b6, b7                            \
    }                                                           \
  }
#define GUID_OF(initialiser) BRACED_GUID(initialiser)

typedef struct {
  KSSTREAM_HEADER Header;
  KS_FRAME_INFO FrameInfo;
} FRAME_HEADER;

void win32_headers_c11_layout(struct Win32HeadersC11Layout* out) {
  KSP_PIN pin;
  ZeroMemory(&pin, sizeof(pin));
  pin.PinId = 7;

  out->pin_connect = sizeof(KSPIN_CONNECT);
  out->pin_connect_pin_id = offsetof(KSPIN_CONNECT, PinId);
  out->pin_connect_pin_to_handle = offsetof(KSPIN_CONNECT, PinToHandle);
  out->pin_connect_priority = offsetof(KSPIN_CONNECT, Priority);
  out->data_format = sizeof(KSDATAFORMAT);
  out->data_format_major_format = offsetof(KSDATAFORMAT, MajorFormat);
  out->ksp_pin = sizeof(KSP_PIN);
  out->multiple_item = sizeof(KSMULTIPLE_ITEM);
  out->priority = sizeof(KSPRIORITY);
  out->video_info_header = sizeof(KS_VIDEOINFOHEADER);
  out->bitmap_info_header = sizeof(KS_BITMAPINFOHEADER);
  out->data_format_video_info_header = sizeof(KS_DATAFORMAT_VIDEOINFOHEADER);
  out->data_range_video = sizeof(KS_DATARANGE_VIDEO);
  out->data_range_video_video_info_header = offsetof(KS_DATARANGE_VIDEO, VideoInfoHeader);
  out->config_caps = sizeof(KS_VIDEO_STREAM_CONFIG_CAPS);
  out->stream_header = sizeof(KSSTREAM_HEADER);
  out->frame_info = sizeof(KS_FRAME_INFO);
  out->stream_header_with_frame_info = sizeof(FRAME_HEADER);
  out->sp_device_interface_data = sizeof(SP_DEVICE_INTERFACE_DATA);
  out->sp_devinfo_data = sizeof(SP_DEVINFO_DATA);
  out->sp_device_interface_detail_data_a = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A);
  out->sp_device_interface_detail_data_w = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W);
  out->large_integer = sizeof(LARGE_INTEGER);
  out->ioctl_read_stream = IOCTL_KS_READ_STREAM;
  out->generic_read = (unsigned long)GENERIC_READ;
  out->file_flag_overlapped = FILE_FLAG_OVERLAPPED;
  out->digcf = DIGCF_PRESENT | DIGCF_DEVICEINTERFACE;
  out->heap_zero_memory = HEAP_ZERO_MEMORY;
  out->maximum_wait_objects = MAXIMUM_WAIT_OBJECTS;
  out->wait_abandoned_0 = WAIT_ABANDONED_0;
  out->yuy2_fourcc = MAKEFOURCC('Y', 'U', 'Y', '2');
  out->nv12_fourcc = MAKEFOURCC('N', 'V', '1', '2');
  out->ksp_pin_id = pin.PinId;
  {
    const GUID capture = GUID_OF(STATIC_KSCATEGORY_CAPTURE);
    const GUID video = GUID_OF(STATIC_MEDIATYPE_Video);
    const GUID yuy2 = GUID_OF(STATIC_MEDIASUBTYPE_YUY2);
    const GUID client = {
        0x11223344, 0x5566, 0x7788, {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00}};
    out->capture_category_matches = IsEqualGUID(&capture, &KSCATEGORY_CAPTURE);
    out->video_type_matches = IsEqualGUID(&video, &KSDATAFORMAT_TYPE_VIDEO);
    out->yuy2_subtype_matches = IsEqualGUID(&yuy2, &MEDIASUBTYPE_YUY2);
    out->defined_guid_matches = IsEqualGUID(&client, &CLIENT_TEST_GUID);
  }
}
