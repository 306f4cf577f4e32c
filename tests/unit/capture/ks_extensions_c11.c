/* The C part of <hilcap/ks_extensions.h> compiled as C11: the frame-header
 * property is usable from C clients, with the same layout as in C++. */
#include "ks_extensions_c11.h"

#include <hilcap/ks_extensions.h>
#include <string.h>

/* The STATIC_* initialiser is a flat list, as in the SDK; brace Data4. */
#define GUID_BRACED(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7) \
  {                                                             \
    d1, d2, d3, {                                               \
      b0, b1, b2, b3, b4, b5, b6, b7                            \
    }                                                           \
  }
#define GUID_OF(initialiser) GUID_BRACED(initialiser)

void ks_extensions_c11_layout(struct KsExtensionsC11Layout* out) {
  KSP_HILCAP_FRAME request;
  static const GUID expected = GUID_OF(STATIC_KSPROPSETID_HilcapFrame);
  memset(&request, 0, sizeof(request));
  request.Property.Set = KSPROPSETID_HilcapFrame;
  request.Property.Id = KSPROPERTY_HILCAP_FRAME_HEADER;
  request.Property.Flags = KSPROPERTY_TYPE_GET;

  out->frame_request = sizeof(KSP_HILCAP_FRAME);
  out->frame_header = sizeof(KSHILCAP_FRAME_HEADER);
  out->frame_info_offset = offsetof(KSHILCAP_FRAME_HEADER, FrameInfo);
  out->frame_pointer_offset = offsetof(KSP_HILCAP_FRAME, Frame);
  out->error_flag = KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR;
  out->set_matches = memcmp(&request.Property.Set, &expected, sizeof(GUID)) == 0;
}
