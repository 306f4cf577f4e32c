/* What ks_extensions_c11.c measured with the C compiler. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct KsExtensionsC11Layout {
  size_t frame_request, frame_header, frame_info_offset, frame_pointer_offset;
  unsigned long error_flag;
  int set_matches;
};

void ks_extensions_c11_layout(struct KsExtensionsC11Layout* out);

#ifdef __cplusplus
}
#endif
