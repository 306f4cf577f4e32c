/* The Win32 basics a KS capture client uses besides the KS calls of
 * <hilcap/ks.h>: waits on several objects, Sleep, tick and performance
 * counters, the process heap, the memory macros, FOURCCs, GUID helpers and
 * the access and file flags CreateFile and KsCreatePin take.
 *
 * Names, values and x64 layouts are those of the Windows SDK (minwindef.h,
 * winnt.h, WinBase.h, synchapi.h, sysinfoapi.h, profileapi.h, heapapi.h,
 * fileapi.h, mmiscapi.h, guiddef.h, winerror.h). Compiles as C11 and as C++20.
 * <windows.h> of the hilcap-win32 include directory is this header plus
 * <hilcap/ks.h> and the simulated machine's devices (<hilcap/win32_devices.h>).
 *
 * hilcap specifics a Windows programmer should know:
 * - DWORD is 32 bits (uint32_t), not unsigned long: print it with %u.
 * - WaitForMultipleObjects waits on events and on file handles (allocators,
 *   pins); no mutexes exist, so WAIT_ABANDONED_0 + n is never returned. With
 *   bWaitAll, auto-reset events are consumed one by one: if another waiter
 *   takes one first, those already taken are given back (set again) and the
 *   wait goes on, so another thread may briefly see one of them non-signalled.
 * - Sleep(0) yields; SleepEx and alertable waits (APCs) do not exist.
 * - GetTickCount64 counts milliseconds since boot including suspend
 *   (CLOCK_BOOTTIME); QueryPerformanceFrequency is 10 MHz and
 *   QueryPerformanceCounter counts CLOCK_MONOTONIC in 100 ns units.
 * - The process heap is the C library's allocator: HeapAlloc memory is 16-byte
 *   aligned (MEMORY_ALLOCATION_ALIGNMENT); HEAP_GENERATE_EXCEPTIONS cannot
 *   raise a structured exception, a failure returns NULL as without it. */
#pragma once

#include <hilcap/ks.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- More basic types (minwindef.h, winnt.h) ---- */
#ifndef VOID
#define VOID void
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef APIENTRY
#define APIENTRY WINAPI
#endif

typedef int INT;
typedef unsigned int UINT;
typedef short SHORT;
typedef unsigned short USHORT;
typedef unsigned char UCHAR;
typedef unsigned char BOOLEAN;
typedef int64_t INT64;
typedef uint64_t UINT64;
typedef uint64_t DWORD64;
typedef uint64_t DWORDLONG;
typedef uint32_t UINT32;
typedef int32_t INT32;
typedef ULONG_PTR SIZE_T;
typedef LONG_PTR SSIZE_T;
typedef ULONG_PTR DWORD_PTR;
typedef BYTE* PBYTE;
typedef BYTE* LPBYTE;
typedef WORD* PWORD;
typedef DWORD* PDWORD;
typedef LONG* PLONG;
typedef BOOL* PBOOL;
typedef BOOL* LPBOOL;
typedef HANDLE* LPHANDLE;
typedef const void* LPCVOID;
typedef CHAR* LPSTR;
typedef CHAR* PSTR;
typedef const CHAR* PCSTR;
typedef WCHAR* LPWSTR;
typedef WCHAR* PWSTR;
typedef const WCHAR* PCWSTR;
typedef DWORD ACCESS_MASK;
typedef ACCESS_MASK* PACCESS_MASK;
typedef LONG HRESULT;
typedef void* HWND;
typedef void* HMODULE;
typedef void* HINSTANCE;
typedef DWORD FOURCC;

#ifdef UNICODE
typedef WCHAR TCHAR;
#define TEXT(quote) L##quote
#else
typedef CHAR TCHAR;
#define TEXT(quote) quote
#endif
typedef TCHAR* LPTSTR;
typedef const TCHAR* LPCTSTR;

#define ANYSIZE_ARRAY 1
#define MEMORY_ALLOCATION_ALIGNMENT 16
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define ARRAYSIZE(A) (sizeof(A) / sizeof((A)[0]))
#define _countof(A) (sizeof(A) / sizeof((A)[0]))
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define MAKEWORD(a, b) \
  ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) | ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#define MAKELONG(a, b) \
  ((LONG)(((WORD)(((DWORD_PTR)(a)) & 0xffff)) | ((DWORD)((WORD)(((DWORD_PTR)(b)) & 0xffff))) << 16))
#define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#if !defined(__cplusplus) && !defined(NOMINMAX)
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif

typedef union _LARGE_INTEGER {
  struct {
    DWORD LowPart;
    LONG HighPart;
  };
  struct {
    DWORD LowPart;
    LONG HighPart;
  } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  struct {
    DWORD LowPart;
    DWORD HighPart;
  };
  struct {
    DWORD LowPart;
    DWORD HighPart;
  } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct tagSIZE {
  LONG cx;
  LONG cy;
} SIZE, *PSIZE, *LPSIZE;

typedef struct tagPOINT {
  LONG x;
  LONG y;
} POINT, *PPOINT;

typedef RECT* PRECT;
typedef RECT* LPRECT;
typedef const RECT* LPCRECT;

HILCAP_KS_STATIC_ASSERT(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");
HILCAP_KS_STATIC_ASSERT(offsetof(LARGE_INTEGER, HighPart) == 4, "LARGE_INTEGER.HighPart");
HILCAP_KS_STATIC_ASSERT(sizeof(SIZE) == 8, "SIZE");
HILCAP_KS_STATIC_ASSERT(sizeof(RECT) == 16, "RECT");

/* ---- HRESULT (winerror.h) ---- */
#define S_OK ((HRESULT)0L)
#define S_FALSE ((HRESULT)1L)
#define NOERROR 0
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define FACILITY_WIN32 7
#define HRESULT_FROM_WIN32(x)         \
  ((HRESULT)(x) <= 0 ? ((HRESULT)(x)) \
                     : ((HRESULT)(((x)&0x0000FFFF) | (FACILITY_WIN32 << 16) | 0x80000000)))
#define E_FAIL ((HRESULT)0x80004005L)
#define E_INVALIDARG ((HRESULT)0x80070057L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_NOTIMPL ((HRESULT)0x80004001L)

/* ---- More Win32 error codes (winerror.h) that the calls here return ---- */
#define ERROR_FILE_NOT_FOUND 2L
#define ERROR_PATH_NOT_FOUND 3L
#define ERROR_TOO_MANY_OPEN_FILES 4L
#define ERROR_OUTOFMEMORY 14L
#define ERROR_FILE_EXISTS 80L
#define ERROR_INVALID_NAME 123L
#define ERROR_ALREADY_EXISTS 183L
#define ERROR_INVALID_FLAGS 1004L

/* ---- Waits (WinBase.h, winnt.h, synchapi.h) ---- */
#define MAXIMUM_WAIT_OBJECTS 64
#define WAIT_ABANDONED_0 0x00000080u
#define WAIT_IO_COMPLETION 0x000000C0u

/* Waits until one (bWaitAll FALSE) or all of the nCount objects are
 * signalled, or dwMilliseconds passed (INFINITE: forever; 0: a test).
 * Returns WAIT_OBJECT_0 + the lowest index signalled (any), WAIT_OBJECT_0
 * (all), WAIT_TIMEOUT, or WAIT_FAILED with GetLastError():
 * ERROR_INVALID_PARAMETER (nCount 0 or above MAXIMUM_WAIT_OBJECTS; with
 * bWaitAll, the same handle twice), ERROR_NOACCESS (lpHandles NULL),
 * ERROR_INVALID_HANDLE (a handle that names nothing waitable). A satisfied
 * wait resets the auto-reset events it was satisfied by, and only those. */
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE* lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds);
void WINAPI Sleep(DWORD dwMilliseconds);

/* ---- Time (sysinfoapi.h, profileapi.h) ---- */
DWORD WINAPI GetTickCount(void);
ULONGLONG WINAPI GetTickCount64(void);
BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER* lpPerformanceCount);
BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER* lpFrequency);

/* ---- The process heap (heapapi.h, winnt.h) ---- */
#define HEAP_NO_SERIALIZE 0x00000001
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#define HEAP_ZERO_MEMORY 0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010

/* A fixed, non-NULL handle; never closed (CloseHandle refuses it). */
HANDLE WINAPI GetProcessHeap(void);
/* NULL when out of memory or hHeap is not the process heap. */
LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes);
/* HEAP_REALLOC_IN_PLACE_ONLY fails (NULL) unless the block already holds
 * dwBytes; HEAP_ZERO_MEMORY zeroes the bytes past the old size. */
LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes);
/* TRUE also for lpMem NULL; FALSE with ERROR_INVALID_HANDLE for another heap. */
BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem);
/* The size asked for at allocation; (SIZE_T)-1 for NULL or another heap. */
SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);

/* ---- Memory macros (minwinbase.h, winnt.h) ---- */
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define MoveMemory RtlMoveMemory
#define CopyMemory RtlCopyMemory
#define FillMemory RtlFillMemory
#define ZeroMemory RtlZeroMemory
#define SecureZeroMemory RtlZeroMemory

/* ---- FOURCCs (mmiscapi.h, mmsystem.h) ---- */
#ifndef MAKEFOURCC
#define MAKEFOURCC(ch0, ch1, ch2, ch3)                                           \
  ((DWORD)(BYTE)(ch0) | ((DWORD)(BYTE)(ch1) << 8) | ((DWORD)(BYTE)(ch2) << 16) | \
   ((DWORD)(BYTE)(ch3) << 24))
#endif
#define mmioFOURCC(ch0, ch1, ch2, ch3) MAKEFOURCC(ch0, ch1, ch2, ch3)

/* ---- GUIDs (guiddef.h) ----
 * DEFINE_GUID declares a GUID, or defines it where INITGUID is defined
 * (<initguid.h>), as on Windows. hilcap's own GUIDs are defined in libhilcap
 * whatever INITGUID says. */
typedef GUID IID;
typedef GUID CLSID;
/* A definition's linkage: a const object at file scope is external in C
 * (`extern` with an initialiser draws a warning there) but internal in C++. */
#ifdef __cplusplus
#define REFGUID const GUID&
#define HILCAP_GUID_EXTERN extern "C"
#define HILCAP_GUID_DEFINITION extern "C"
#else
#define REFGUID const GUID*
#define HILCAP_GUID_EXTERN extern
#define HILCAP_GUID_DEFINITION
#endif
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  HILCAP_GUID_DEFINITION const GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  HILCAP_GUID_EXTERN const GUID name
#endif
#define STATICGUIDOF(guid) STATIC_##guid
#ifdef __cplusplus
} /* extern "C" */
inline bool IsEqualGUID(const GUID& a, const GUID& b) {
  return memcmp(&a, &b, sizeof(GUID)) == 0;
}
extern "C" {
#else
#define IsEqualGUID(rguid1, rguid2) (!memcmp((rguid1), (rguid2), sizeof(GUID)))
#endif
#define InlineIsEqualGUID IsEqualGUID

/* ---- Access rights and file flags (winnt.h, fileapi.h, WinBase.h) ---- */
#define DELETE 0x00010000L
#define READ_CONTROL 0x00020000L
#define GENERIC_READ 0x80000000L
#define GENERIC_WRITE 0x40000000L
#define GENERIC_EXECUTE 0x20000000L
#define GENERIC_ALL 0x10000000L
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define FILE_SHARE_READ 0x00000001
#define FILE_SHARE_WRITE 0x00000002
#define FILE_SHARE_DELETE 0x00000004
#define CREATE_NEW 1
#define CREATE_ALWAYS 2
#define OPEN_EXISTING 3
#define OPEN_ALWAYS 4
#define TRUNCATE_EXISTING 5
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#define FILE_FLAG_OVERLAPPED 0x40000000
#define FILE_FLAG_NO_BUFFERING 0x20000000
#define FILE_FLAG_WRITE_THROUGH 0x80000000

#ifdef __cplusplus
} /* extern "C" */
#endif
