/* What win32_headers_c11.c measured with the C compiler through the headers
 * by their Windows names. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct Win32HeadersC11Layout {
  size_t pin_connect, pin_connect_pin_id, pin_connect_pin_to_handle, pin_connect_priority;
  size_t data_format, data_format_major_format, ksp_pin, multiple_item, priority;
  size_t video_info_header, bitmap_info_header, data_format_video_info_header, data_range_video,
      data_range_video_video_info_header, config_caps;
  size_t stream_header, frame_info, stream_header_with_frame_info;
  size_t sp_device_interface_data, sp_devinfo_data, sp_device_interface_detail_data_a,
      sp_device_interface_detail_data_w, large_integer;
  unsigned long ioctl_read_stream, generic_read, file_flag_overlapped, digcf, heap_zero_memory,
      maximum_wait_objects, wait_abandoned_0, yuy2_fourcc, nv12_fourcc, ksp_pin_id;
  int capture_category_matches, video_type_matches, yuy2_subtype_matches, defined_guid_matches;
};

void win32_headers_c11_layout(struct Win32HeadersC11Layout* out);

#ifdef __cplusplus
}
#endif
