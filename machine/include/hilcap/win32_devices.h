/* The simulated machine's devices, found and opened the Windows way
 * (setupapi.h, fileapi.h): SetupDiGetClassDevs, SetupDiEnumDeviceInterfaces,
 * SetupDiGetDeviceInterfaceDetail, SetupDiEnumDeviceInfo,
 * SetupDiGetDeviceRegistryProperty, SetupDiDestroyDeviceInfoList and
 * CreateFile on a device interface path. In libhilcap-win32
 * (`pkg-config hilcap-win32`); <windows.h> and <setupapi.h> of the
 * hilcap-win32 include directory include it.
 *
 * Which devices exist: one per scenario file named in the environment
 * variable HILCAP_DEVICES (colon-separated paths), read on the first call of
 * any function here. Each device is the scenario's simulated capture device
 * (its "device" section: format, timing, faults; "host": dpc_latency_us,
 * verify_frames), running in real time from the moment its pin enters
 * KSSTATE_RUN: frame numbers and times of the scenario count from there.
 * Its clients, script and duration_s do not apply (duration_s may be left
 * out). A scenario that does not load is reported on stderr (file, JSON
 * pointer, expected and found) and its device is absent; the others are
 * listed.
 *
 * Every device has three device interfaces, one per category, as avshws
 * registers them: KSCATEGORY_CAPTURE, KSCATEGORY_VIDEO and
 * KSCATEGORY_VIDEO_CAMERA. Interface paths look like
 *   \\?\root#hilcap_sim#0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global
 * (the four digits are the device's index in HILCAP_DEVICES); CreateFile on
 * any of a device's paths (compared without regard to case) opens a new
 * instance of its KS filter (<hilcap/ks_filter.h>).
 *
 * Names, values and x64 layouts are those of the Windows SDK. Compiles as C11
 * and as C++20. */
#pragma once

#include <hilcap/ks.h>
#include <hilcap/win32_base.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef PVOID HDEVINFO;

typedef struct _SP_DEVINFO_DATA {
  DWORD cbSize; /* sizeof(SP_DEVINFO_DATA) = 32 */
  GUID ClassGuid;
  DWORD DevInst;
  ULONG_PTR Reserved;
} SP_DEVINFO_DATA, *PSP_DEVINFO_DATA;

typedef struct _SP_DEVICE_INTERFACE_DATA {
  DWORD cbSize; /* sizeof(SP_DEVICE_INTERFACE_DATA) = 32 */
  GUID InterfaceClassGuid;
  DWORD Flags; /* SPINT_* */
  ULONG_PTR Reserved;
} SP_DEVICE_INTERFACE_DATA, *PSP_DEVICE_INTERFACE_DATA;

#define SPINT_ACTIVE 0x00000001
#define SPINT_DEFAULT 0x00000002
#define SPINT_REMOVED 0x00000004

/* cbSize is the size of the fixed part: 8 on x64, for both. */
typedef struct _SP_DEVICE_INTERFACE_DETAIL_DATA_A {
  DWORD cbSize;
  CHAR DevicePath[ANYSIZE_ARRAY];
} SP_DEVICE_INTERFACE_DETAIL_DATA_A, *PSP_DEVICE_INTERFACE_DETAIL_DATA_A;

typedef struct _SP_DEVICE_INTERFACE_DETAIL_DATA_W {
  DWORD cbSize;
  WCHAR DevicePath[ANYSIZE_ARRAY];
} SP_DEVICE_INTERFACE_DETAIL_DATA_W, *PSP_DEVICE_INTERFACE_DETAIL_DATA_W;

#ifdef UNICODE
typedef SP_DEVICE_INTERFACE_DETAIL_DATA_W SP_DEVICE_INTERFACE_DETAIL_DATA;
typedef PSP_DEVICE_INTERFACE_DETAIL_DATA_W PSP_DEVICE_INTERFACE_DETAIL_DATA;
#else
typedef SP_DEVICE_INTERFACE_DETAIL_DATA_A SP_DEVICE_INTERFACE_DETAIL_DATA;
typedef PSP_DEVICE_INTERFACE_DETAIL_DATA_A PSP_DEVICE_INTERFACE_DETAIL_DATA;
#endif

#define DIGCF_DEFAULT 0x00000001
#define DIGCF_PRESENT 0x00000002
#define DIGCF_ALLCLASSES 0x00000004
#define DIGCF_PROFILE 0x00000008
#define DIGCF_DEVICEINTERFACE 0x00000010
#define DIGCF_INTERFACEDEVICE DIGCF_DEVICEINTERFACE

#define SPDRP_DEVICEDESC 0x00000000
#define SPDRP_HARDWAREID 0x00000001
#define SPDRP_CLASS 0x00000007
#define SPDRP_CLASSGUID 0x00000008
#define SPDRP_MFG 0x0000000B
#define SPDRP_FRIENDLYNAME 0x0000000C

#define REG_NONE 0
#define REG_SZ 1
#define REG_BINARY 3
#define REG_MULTI_SZ 7

/* The setup class of the simulated devices (devguid.h GUID_DEVCLASS_CAMERA). */
#define STATIC_GUID_DEVCLASS_CAMERA \
  0xca3e7ab9L, 0xb4c3, 0x4ae6, 0x82, 0x51, 0x57, 0x9e, 0xf9, 0x33, 0x89, 0x0f
extern const GUID GUID_DEVCLASS_CAMERA;

HILCAP_KS_STATIC_ASSERT(sizeof(SP_DEVINFO_DATA) == 32, "SP_DEVINFO_DATA");
HILCAP_KS_STATIC_ASSERT(offsetof(SP_DEVINFO_DATA, DevInst) == 20, "SP_DEVINFO_DATA.DevInst");
HILCAP_KS_STATIC_ASSERT(offsetof(SP_DEVINFO_DATA, Reserved) == 24, "SP_DEVINFO_DATA.Reserved");
HILCAP_KS_STATIC_ASSERT(sizeof(SP_DEVICE_INTERFACE_DATA) == 32, "SP_DEVICE_INTERFACE_DATA");
HILCAP_KS_STATIC_ASSERT(offsetof(SP_DEVICE_INTERFACE_DATA, Flags) == 20,
                        "SP_DEVICE_INTERFACE_DATA.Flags");
HILCAP_KS_STATIC_ASSERT(sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A) == 8,
                        "SP_DEVICE_INTERFACE_DETAIL_DATA_A");
HILCAP_KS_STATIC_ASSERT(sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) == 8,
                        "SP_DEVICE_INTERFACE_DETAIL_DATA_W");
HILCAP_KS_STATIC_ASSERT(offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_A, DevicePath) == 4,
                        "SP_DEVICE_INTERFACE_DETAIL_DATA_A.DevicePath");

/* A snapshot of the devices whose interfaces are of class *ClassGuid
 * (DIGCF_DEVICEINTERFACE; with DIGCF_ALLCLASSES, every device), or whose
 * setup class is *ClassGuid (without DIGCF_DEVICEINTERFACE). Enumerator must
 * be NULL (a named enumerator lists nothing here). INVALID_HANDLE_VALUE with
 * ERROR_INVALID_PARAMETER when ClassGuid is NULL without DIGCF_ALLCLASSES,
 * or ERROR_INVALID_FLAGS for unknown flags. */
HDEVINFO WINAPI SetupDiGetClassDevsA(const GUID* ClassGuid, LPCSTR Enumerator, HWND hwndParent,
                                     DWORD Flags);
HDEVINFO WINAPI SetupDiGetClassDevsW(const GUID* ClassGuid, LPCWSTR Enumerator, HWND hwndParent,
                                     DWORD Flags);
/* The MemberIndex-th interface of class *InterfaceClassGuid in the set (of
 * the device DeviceInfoData, when not NULL). FALSE with ERROR_NO_MORE_ITEMS
 * past the last one, ERROR_INVALID_USER_BUFFER when
 * DeviceInterfaceData->cbSize is not sizeof(SP_DEVICE_INTERFACE_DATA),
 * ERROR_INVALID_HANDLE for an unknown set. */
BOOL WINAPI SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                        const GUID* InterfaceClassGuid, DWORD MemberIndex,
                                        PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData);
/* The interface's path. The size query (DeviceInterfaceDetailData NULL,
 * size 0) and any buffer too small fail with ERROR_INSUFFICIENT_BUFFER and set
 * *RequiredSize (offsetof(DevicePath) + the path's characters and its NUL);
 * DeviceInfoData, when given, is filled either way. A detail buffer whose
 * cbSize is not sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_*), a NULL buffer with
 * a non-zero size, or a DeviceInfoData whose cbSize is not
 * sizeof(SP_DEVINFO_DATA): ERROR_INVALID_USER_BUFFER. */
BOOL WINAPI SetupDiGetDeviceInterfaceDetailA(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData);
BOOL WINAPI SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData);
/* The MemberIndex-th device of the set; ERROR_NO_MORE_ITEMS past the last. */
BOOL WINAPI SetupDiEnumDeviceInfo(HDEVINFO DeviceInfoSet, DWORD MemberIndex,
                                  PSP_DEVINFO_DATA DeviceInfoData);
/* SPDRP_FRIENDLYNAME and SPDRP_DEVICEDESC ("hilcap simulated camera
 * (FILE.json)"), SPDRP_MFG ("hilcap"), SPDRP_HARDWAREID ("root\hilcap_sim",
 * REG_MULTI_SZ), SPDRP_CLASS ("Camera"), SPDRP_CLASSGUID (the class GUID as
 * text); another property: ERROR_INVALID_DATA. Buffer too small (or NULL,
 * size 0): ERROR_INSUFFICIENT_BUFFER with *RequiredSize. */
BOOL WINAPI SetupDiGetDeviceRegistryPropertyA(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData, DWORD Property,
                                              PDWORD PropertyRegDataType, PBYTE PropertyBuffer,
                                              DWORD PropertyBufferSize, PDWORD RequiredSize);
BOOL WINAPI SetupDiGetDeviceRegistryPropertyW(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData, DWORD Property,
                                              PDWORD PropertyRegDataType, PBYTE PropertyBuffer,
                                              DWORD PropertyBufferSize, PDWORD RequiredSize);
/* Frees the set; FALSE with ERROR_INVALID_HANDLE for an unknown one. */
BOOL WINAPI SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet);

#ifdef UNICODE
#define SetupDiGetClassDevs SetupDiGetClassDevsW
#define SetupDiGetDeviceInterfaceDetail SetupDiGetDeviceInterfaceDetailW
#define SetupDiGetDeviceRegistryProperty SetupDiGetDeviceRegistryPropertyW
#else
#define SetupDiGetClassDevs SetupDiGetClassDevsA
#define SetupDiGetDeviceInterfaceDetail SetupDiGetDeviceInterfaceDetailA
#define SetupDiGetDeviceRegistryProperty SetupDiGetDeviceRegistryPropertyA
#endif

#define ERROR_INVALID_DATA 13L
/* SetupAPI's own codes (winerror.h: APPLICATION_ERROR_MASK | ERROR_SEVERITY_ERROR | n). */
#define ERROR_NO_SUCH_DEVINST ((DWORD)0xE000020BL)
#define ERROR_INVALID_CLASS ((DWORD)0xE0000209L)

/* Opens a device interface path (from SetupDiGetDeviceInterfaceDetail) as a
 * new KS filter handle; close it with CloseHandle. dwCreationDisposition
 * must be OPEN_EXISTING or OPEN_ALWAYS (which then sets GetLastError() to
 * ERROR_ALREADY_EXISTS, as for an existing file; CREATE_NEW:
 * ERROR_FILE_EXISTS; another value: ERROR_INVALID_PARAMETER). FILE_FLAG_OVERLAPPED is accepted
 * and changes nothing: every hilcap file handle takes both overlapped and
 * blocking requests (DeviceIoControl with a NULL OVERLAPPED blocks).
 * INVALID_HANDLE_VALUE with ERROR_FILE_NOT_FOUND for any other path: hilcap
 * opens no files. */
HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
#ifdef UNICODE
#define CreateFile CreateFileW
#else
#define CreateFile CreateFileA
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif
