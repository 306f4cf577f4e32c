/* KS filters and pins as a user-mode client sees them (ks.h): the pin
 * property set a filter answers (KSPROPSETID_Pin), the data formats and
 * ranges, and KsCreatePin with its KSPIN_CONNECT.
 *
 * Names, values and x64 layouts are those of the Windows SDK ks.h, checked
 * below. Compiles as C11 and as C++20.
 *
 * hilcap's filters are the simulated machine's capture devices (CreateFile on
 * a device interface path, <hilcap/win32_devices.h>): one pin type, pin 0,
 * the video capture pin (KSPIN_DATAFLOW_OUT, KSPIN_COMMUNICATION_BOTH,
 * category PIN_CATEGORY_CAPTURE, one instance per filter handle, as in
 * avshws), with one KS_DATARANGE_VIDEO: the device's format. Each CreateFile
 * is a filter instance of its own; a device has one set of hardware, so a
 * second pin of another filter instance gets STATUS_SHARING_VIOLATION when it
 * leaves KSSTATE_STOP while the first holds it.
 *
 * A capture pin streams one of two ways, chosen when it leaves KSSTATE_STOP
 * (see docs/ks-win32.md):
 * - IOCTL_KS_READ_STREAM with the client's buffers, when no allocator was
 *   created on the pin (KsCreateAllocator(pin, ...)); or
 * - KSMETHOD_STREAMALLOCATOR_ALLOC / FREE on the allocator created on it. */
#pragma once

#include <hilcap/ks.h>
#include <hilcap/win32_base.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Priorities (ks.h) ---- */
#define KSPRIORITY_LOW 0x00000001
#define KSPRIORITY_NORMAL 0x40000000
#define KSPRIORITY_HIGH 0x80000000
#define KSPRIORITY_EXCLUSIVE 0xFFFFFFFF

typedef struct {
  ULONG PriorityClass;
  ULONG PrioritySubClass;
} KSPRIORITY, *PKSPRIORITY;

/* ---- Lists of variable-size items (ks.h) ---- */
typedef struct {
  ULONG Size; /* bytes, this header included */
  ULONG Count;
} KSMULTIPLE_ITEM, *PKSMULTIPLE_ITEM;

/* ---- Interfaces and mediums ---- */
typedef KSIDENTIFIER KSPIN_INTERFACE, *PKSPIN_INTERFACE;
typedef KSIDENTIFIER KSPIN_MEDIUM, *PKSPIN_MEDIUM;

#define STATIC_KSINTERFACESETID_Standard \
  0x1A8766A0L, 0x62CE, 0x11CF, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00
extern const GUID KSINTERFACESETID_Standard;
typedef enum {
  KSINTERFACE_STANDARD_STREAMING,
  KSINTERFACE_STANDARD_LOOPED_STREAMING,
  KSINTERFACE_STANDARD_CONTROL
} KSINTERFACE_STANDARD;

#define STATIC_KSMEDIUMSETID_Standard \
  0x4747B320L, 0x62CE, 0x11CF, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00
extern const GUID KSMEDIUMSETID_Standard;
#define KSMEDIUM_TYPE_ANYINSTANCE 0
#define KSMEDIUM_STANDARD_DEVIO KSMEDIUM_TYPE_ANYINSTANCE

/* ---- The pin property set, on a filter ---- */
#define STATIC_KSPROPSETID_Pin \
  0x8C134960L, 0x51AD, 0x11CF, 0x87, 0x8A, 0x94, 0xF8, 0x01, 0xC1, 0x00, 0x00
extern const GUID KSPROPSETID_Pin;

typedef enum {
  KSPROPERTY_PIN_CINSTANCES,
  KSPROPERTY_PIN_CTYPES,
  KSPROPERTY_PIN_DATAFLOW,
  KSPROPERTY_PIN_DATARANGES,
  KSPROPERTY_PIN_DATAINTERSECTION,
  KSPROPERTY_PIN_INTERFACES,
  KSPROPERTY_PIN_MEDIUMS,
  KSPROPERTY_PIN_COMMUNICATION,
  KSPROPERTY_PIN_GLOBALCINSTANCES,
  KSPROPERTY_PIN_NECESSARYINSTANCES,
  KSPROPERTY_PIN_PHYSICALCONNECTION,
  KSPROPERTY_PIN_CATEGORY,
  KSPROPERTY_PIN_NAME,
  KSPROPERTY_PIN_CONSTRAINEDDATARANGES,
  KSPROPERTY_PIN_PROPOSEDATAFORMAT,
  KSPROPERTY_PIN_PROPOSEDATAFORMAT2,
  KSPROPERTY_PIN_MODEDATAFORMATS
} KSPROPERTY_PIN;

#define KSPROPERTY_PIN_FLAGS_ATTRIBUTE_RANGE_AWARE 0x00000001
#define KSPROPERTY_PIN_FLAGS_MASK KSPROPERTY_PIN_FLAGS_ATTRIBUTE_RANGE_AWARE

typedef struct {
  KSPROPERTY Property;
  ULONG PinId;
  union {
    ULONG Reserved;
    ULONG Flags;
  };
} KSP_PIN, *PKSP_PIN;

#define KSINSTANCE_INDETERMINATE ((ULONG)-1)

typedef struct {
  ULONG PossibleCount;
  ULONG CurrentCount;
} KSPIN_CINSTANCES, *PKSPIN_CINSTANCES;

typedef enum { KSPIN_DATAFLOW_IN = 1, KSPIN_DATAFLOW_OUT } KSPIN_DATAFLOW, *PKSPIN_DATAFLOW;

typedef enum {
  KSPIN_COMMUNICATION_NONE,
  KSPIN_COMMUNICATION_SINK,
  KSPIN_COMMUNICATION_SOURCE,
  KSPIN_COMMUNICATION_BOTH,
  KSPIN_COMMUNICATION_BRIDGE
} KSPIN_COMMUNICATION,
    *PKSPIN_COMMUNICATION;

/* ---- Data formats and ranges ----
 * The MSVC layout (a union with a LONGLONG: 8-byte aligned), as on Windows x64. */
#define KSDATAFORMAT_BIT_TEMPORAL_COMPRESSION 0
#define KSDATAFORMAT_TEMPORAL_COMPRESSION (1 << KSDATAFORMAT_BIT_TEMPORAL_COMPRESSION)
#define KSDATAFORMAT_BIT_ATTRIBUTES 1
#define KSDATAFORMAT_ATTRIBUTES (1 << KSDATAFORMAT_BIT_ATTRIBUTES)
#define KSDATARANGE_BIT_ATTRIBUTES 1
#define KSDATARANGE_ATTRIBUTES (1 << KSDATARANGE_BIT_ATTRIBUTES)
#define KSDATARANGE_BIT_REQUIRED_ATTRIBUTES 2
#define KSDATARANGE_REQUIRED_ATTRIBUTES (1 << KSDATARANGE_BIT_REQUIRED_ATTRIBUTES)

typedef union {
  struct {
    ULONG FormatSize; /* bytes of the whole format, this header included */
    ULONG Flags;
    ULONG SampleSize;
    ULONG Reserved;
    GUID MajorFormat;
    GUID SubFormat;
    GUID Specifier;
  };
  LONGLONG Alignment;
} KSDATAFORMAT, *PKSDATAFORMAT, KSDATARANGE, *PKSDATARANGE;

#define STATIC_KSDATAFORMAT_TYPE_WILDCARD STATIC_GUID_NULL
#define KSDATAFORMAT_TYPE_WILDCARD GUID_NULL
#define STATIC_KSDATAFORMAT_SUBTYPE_WILDCARD STATIC_GUID_NULL
#define KSDATAFORMAT_SUBTYPE_WILDCARD GUID_NULL
#define STATIC_KSDATAFORMAT_SPECIFIER_WILDCARD STATIC_GUID_NULL
#define KSDATAFORMAT_SPECIFIER_WILDCARD GUID_NULL
#define STATIC_KSDATAFORMAT_SPECIFIER_NONE \
  0x0F6417D6L, 0xC318, 0x11D0, 0xA4, 0x3F, 0x00, 0xA0, 0xC9, 0x22, 0x31, 0x96
extern const GUID KSDATAFORMAT_SPECIFIER_NONE;

/* ---- Creating a pin ----
 * The KSPIN_CONNECT is followed in memory by the KSDATAFORMAT (FormatSize
 * bytes) the pin is to stream, e.g. a KS_DATAFORMAT_VIDEOINFOHEADER. */
typedef struct {
  KSPIN_INTERFACE Interface;
  KSPIN_MEDIUM Medium;
  ULONG PinId;
  HANDLE PinToHandle;
  KSPRIORITY Priority;
} KSPIN_CONNECT, *PKSPIN_CONNECT;

/* ---- Filter categories (ks.h; KSCATEGORY_VIDEO is in <hilcap/ks_video.h>) ---- */
#define STATIC_KSCATEGORY_CAPTURE \
  0x65E8773DL, 0x8F56, 0x11D0, 0xA3, 0xB9, 0x00, 0xA0, 0xC9, 0x22, 0x31, 0x96
extern const GUID KSCATEGORY_CAPTURE;
#define STATIC_KSCATEGORY_VIDEO_CAMERA \
  0xe5323777L, 0xf976, 0x4f5b, 0x9b, 0x55, 0xb9, 0x46, 0x99, 0xc4, 0x6e, 0x44
extern const GUID KSCATEGORY_VIDEO_CAMERA;
#define STATIC_KSNAME_Filter \
  0x9b365890L, 0x165f, 0x11d0, 0xa1, 0x95, 0x00, 0x20, 0xaf, 0xd1, 0x56, 0xe4
extern const GUID KSNAME_Filter;
#define STATIC_KSNAME_Pin \
  0x146F1A80L, 0x4791, 0x11D0, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00
extern const GUID KSNAME_Pin;
#define KSSTRING_Pin L"{146F1A80-4791-11D0-A5D6-28DB04C10000}"

/* ---- x64 layout (ks.h), checked at compile time ---- */
HILCAP_KS_STATIC_ASSERT(sizeof(KSPRIORITY) == 8, "KSPRIORITY");
HILCAP_KS_STATIC_ASSERT(sizeof(KSMULTIPLE_ITEM) == 8, "KSMULTIPLE_ITEM");
HILCAP_KS_STATIC_ASSERT(sizeof(KSP_PIN) == 32, "KSP_PIN");
HILCAP_KS_STATIC_ASSERT(offsetof(KSP_PIN, PinId) == 24, "KSP_PIN.PinId");
HILCAP_KS_STATIC_ASSERT(offsetof(KSP_PIN, Reserved) == 28, "KSP_PIN.Reserved");
HILCAP_KS_STATIC_ASSERT(sizeof(KSPIN_CINSTANCES) == 8, "KSPIN_CINSTANCES");
HILCAP_KS_STATIC_ASSERT(sizeof(KSPIN_DATAFLOW) == 4, "KSPIN_DATAFLOW");
HILCAP_KS_STATIC_ASSERT(sizeof(KSPIN_COMMUNICATION) == 4, "KSPIN_COMMUNICATION");
HILCAP_KS_STATIC_ASSERT(sizeof(KSDATAFORMAT) == 64, "KSDATAFORMAT");
HILCAP_KS_STATIC_ASSERT(HILCAP_KS_ALIGNOF(KSDATAFORMAT) == 8, "KSDATAFORMAT alignment");
HILCAP_KS_STATIC_ASSERT(offsetof(KSDATAFORMAT, SampleSize) == 8, "KSDATAFORMAT.SampleSize");
HILCAP_KS_STATIC_ASSERT(offsetof(KSDATAFORMAT, MajorFormat) == 16, "KSDATAFORMAT.MajorFormat");
HILCAP_KS_STATIC_ASSERT(offsetof(KSDATAFORMAT, SubFormat) == 32, "KSDATAFORMAT.SubFormat");
HILCAP_KS_STATIC_ASSERT(offsetof(KSDATAFORMAT, Specifier) == 48, "KSDATAFORMAT.Specifier");
HILCAP_KS_STATIC_ASSERT(sizeof(KSPIN_CONNECT) == 72, "KSPIN_CONNECT");
HILCAP_KS_STATIC_ASSERT(offsetof(KSPIN_CONNECT, Medium) == 24, "KSPIN_CONNECT.Medium");
HILCAP_KS_STATIC_ASSERT(offsetof(KSPIN_CONNECT, PinId) == 48, "KSPIN_CONNECT.PinId");
HILCAP_KS_STATIC_ASSERT(offsetof(KSPIN_CONNECT, PinToHandle) == 56, "KSPIN_CONNECT.PinToHandle");
HILCAP_KS_STATIC_ASSERT(offsetof(KSPIN_CONNECT, Priority) == 64, "KSPIN_CONNECT.Priority");

/* ---- Functions ---- */

/* ksuser.dll: creates a pin on the filter FilterHandle from *Connect and the
 * KSDATAFORMAT that follows it. Returns a Win32 error code, ERROR_SUCCESS (0)
 * on success with *ConnectionHandle the pin (close it with CloseHandle).
 * Errors: ERROR_INVALID_HANDLE (FilterHandle is not a filter),
 * ERROR_INVALID_PARAMETER (NULL arguments, PinId not a pin type, a format
 * shorter than its own FormatSize says, biSizeImage too small for the frame),
 * ERROR_NO_MATCH (STATUS_NO_MATCH: an interface, medium or data format the pin
 * does not offer), ERROR_GEN_FAILURE (STATUS_UNSUCCESSFUL: the filter already
 * has its one pin instance), ERROR_DEVICE_NOT_CONNECTED (the device is gone). */
KSDDKAPI DWORD WINAPI KsCreatePin(HANDLE FilterHandle, PKSPIN_CONNECT Connect,
                                  ACCESS_MASK DesiredAccess, PHANDLE ConnectionHandle);
/* The same, as an HRESULT: S_OK or HRESULT_FROM_WIN32(the error). No COM
 * initialisation is needed here. */
KSDDKAPI HRESULT WINAPI KsCreatePin2(HANDLE FilterHandle, PKSPIN_CONNECT Connect,
                                     ACCESS_MASK DesiredAccess, PHANDLE ConnectionHandle);
/* KsCreateAllocator as an HRESULT. */
KSDDKAPI HRESULT WINAPI KsCreateAllocator2(HANDLE ConnectionHandle,
                                           const KSALLOCATOR_FRAMING* AllocatorFraming,
                                           PHANDLE AllocatorHandle);

#ifdef __cplusplus
} /* extern "C" */
#endif
