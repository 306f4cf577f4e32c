/* <hilcap/ks.h> compiled as C11: the header's static_asserts run in C too, and
 * this file reports what a C compiler sees so the C++ test can compare. */
#include "ks_header_c11.h"

#include <hilcap/ks.h>
#include <string.h>

void ks_header_c11_layout(struct KsHeaderC11Layout* out) {
  KSMETHOD method;
  memset(&method, 0, sizeof(method));
  /* Microsoft's sample spelling and the SDK's spelling reach the same bytes. */
  method.Identifier.Set = KSMETHODSETID_StreamAllocator;
  method.Identifier.Id = KSMETHOD_STREAMALLOCATOR_FREE;
  method.Flags = KSMETHOD_TYPE_READ;

  out->ksmethod = sizeof(KSMETHOD);
  out->framing = sizeof(KSALLOCATOR_FRAMING);
  out->status = sizeof(KSSTREAMALLOCATOR_STATUS);
  out->status_allocated_frames = offsetof(KSSTREAMALLOCATOR_STATUS, AllocatedFrames);
  out->framing_item = sizeof(KS_FRAMING_ITEM);
  out->framing_ex = sizeof(KSALLOCATOR_FRAMING_EX);
  out->status_ex = sizeof(KSSTREAMALLOCATOR_STATUS_EX);
  out->function_table = sizeof(KSSTREAMALLOCATOR_FUNCTIONTABLE);
  out->dropped_frames = sizeof(KSPROPERTY_DROPPEDFRAMES_CURRENT_S);
  out->stream_header = sizeof(KSSTREAM_HEADER);
  out->frame_info = sizeof(KS_FRAME_INFO);
  out->overlapped = sizeof(OVERLAPPED);
  out->ioctl_method = IOCTL_KS_METHOD;
  out->ioctl_property = IOCTL_KS_PROPERTY;
  out->method_id = method.Id;
  out->method_flags = method.Identifier.Flags;
  out->method_set_matches = memcmp(&method.Set, &KSMETHODSETID_StreamAllocator, sizeof(GUID)) == 0;
}
