// The set GUIDs <hilcap/ks.h> declares, defined once.
#include <hilcap/ks.h>

extern "C" {

const GUID GUID_NULL = {STATIC_GUID_NULL};
const GUID KSMETHODSETID_StreamAllocator = {STATIC_KSMETHODSETID_StreamAllocator};
const GUID KSPROPSETID_StreamAllocator = {STATIC_KSPROPSETID_StreamAllocator};
const GUID KSEVENTSETID_StreamAllocator = {STATIC_KSEVENTSETID_StreamAllocator};
const GUID KSPROPSETID_Connection = {STATIC_KSPROPSETID_Connection};
const GUID KSPROPSETID_Stream = {STATIC_KSPROPSETID_Stream};
const GUID PROPSETID_VIDCAP_DROPPEDFRAMES = {STATIC_PROPSETID_VIDCAP_DROPPEDFRAMES};

}  // extern "C"
