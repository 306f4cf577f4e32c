// The set GUIDs <hilcap/ks.h> and <hilcap/ks_extensions.h> declare, defined once.
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

// The STATIC_* initialisers are flat lists, as in the SDK; brace Data4.
// clang-format off
#define HILCAP_GUID_BRACED(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7) \
  {d1, d2, d3, {b0, b1, b2, b3, b4, b5, b6, b7}}
// clang-format on
#define HILCAP_GUID(initialiser) HILCAP_GUID_BRACED(initialiser)

extern "C" {

const GUID GUID_NULL = HILCAP_GUID(STATIC_GUID_NULL);
const GUID KSMETHODSETID_StreamAllocator = HILCAP_GUID(STATIC_KSMETHODSETID_StreamAllocator);
const GUID KSPROPSETID_StreamAllocator = HILCAP_GUID(STATIC_KSPROPSETID_StreamAllocator);
const GUID KSEVENTSETID_StreamAllocator = HILCAP_GUID(STATIC_KSEVENTSETID_StreamAllocator);
const GUID KSPROPSETID_Connection = HILCAP_GUID(STATIC_KSPROPSETID_Connection);
const GUID KSPROPSETID_Stream = HILCAP_GUID(STATIC_KSPROPSETID_Stream);
const GUID PROPSETID_VIDCAP_DROPPEDFRAMES = HILCAP_GUID(STATIC_PROPSETID_VIDCAP_DROPPEDFRAMES);
const GUID KSPROPSETID_HilcapFrame = HILCAP_GUID(STATIC_KSPROPSETID_HilcapFrame);

}  // extern "C"
