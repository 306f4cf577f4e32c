/* What ks_header_c11.c measured with the C compiler. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct KsHeaderC11Layout {
  size_t ksmethod, framing, status, status_allocated_frames, framing_item, framing_ex, status_ex,
      function_table, dropped_frames, stream_header, frame_info, overlapped;
  unsigned long ioctl_method, ioctl_property, method_id, method_flags;
  int method_set_matches;
};

void ks_header_c11_layout(struct KsHeaderC11Layout* out);

#ifdef __cplusplus
}
#endif
