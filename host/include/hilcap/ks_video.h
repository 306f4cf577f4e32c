/* The video part of ksmedia.h (and of DirectShow's uuids.h) a capture client
 * fills or reads: the video info header, the VIDEOINFO data format and data
 * range, the video category, major type, specifier, FOURCC subtypes and the
 * capture pin's category. KSSTREAM_HEADER, KS_FRAME_INFO and
 * KSPROPERTY_DROPPEDFRAMES_CURRENT_S are in <hilcap/ks.h>.
 *
 * Names, values and x64 layouts are those of the Windows SDK, checked below.
 * Compiles as C11 and as C++20. */
#pragma once

#include <hilcap/ks.h>
#include <hilcap/ks_filter.h>
#include <hilcap/win32_base.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- GUIDs ---- */
#define STATIC_KSCATEGORY_VIDEO \
  0x6994AD05L, 0x93EF, 0x11D0, 0xA3, 0xCC, 0x00, 0xA0, 0xC9, 0x22, 0x31, 0x96
extern const GUID KSCATEGORY_VIDEO;

/* 'vids' == MEDIATYPE_Video */
#define STATIC_KSDATAFORMAT_TYPE_VIDEO \
  0x73646976L, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
extern const GUID KSDATAFORMAT_TYPE_VIDEO;
#define STATIC_MEDIATYPE_Video STATIC_KSDATAFORMAT_TYPE_VIDEO
#define MEDIATYPE_Video KSDATAFORMAT_TYPE_VIDEO

/* FORMAT_VideoInfo: the format block is a KS_VIDEOINFOHEADER */
#define STATIC_KSDATAFORMAT_SPECIFIER_VIDEOINFO \
  0x05589f80L, 0xc356, 0x11ce, 0xbf, 0x01, 0x00, 0xaa, 0x00, 0x55, 0x59, 0x5a
extern const GUID KSDATAFORMAT_SPECIFIER_VIDEOINFO;
#define STATIC_FORMAT_VideoInfo STATIC_KSDATAFORMAT_SPECIFIER_VIDEOINFO
#define FORMAT_VideoInfo KSDATAFORMAT_SPECIFIER_VIDEOINFO

/* FOURCC subtypes: Data1 is the FOURCC, the rest the media-type base
 * XXXXXXXX-0000-0010-8000-00AA00389B71. */
#define STATIC_MEDIASUBTYPE_YUY2 \
  0x32595559L, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
extern const GUID MEDIASUBTYPE_YUY2;
#define STATIC_MEDIASUBTYPE_NV12 \
  0x3231564EL, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
extern const GUID MEDIASUBTYPE_NV12;
/* 8-bit grey (the device's GREY format): the GUID of FOURCC 'Y800', as
 * DirectShow's FOURCCMap builds it (the SDK headers do not name it). */
#define STATIC_MEDIASUBTYPE_Y800 \
  0x30303859L, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
extern const GUID MEDIASUBTYPE_Y800;
#define STATIC_KSDATAFORMAT_SUBTYPE_YUY2 STATIC_MEDIASUBTYPE_YUY2
#define KSDATAFORMAT_SUBTYPE_YUY2 MEDIASUBTYPE_YUY2
#define STATIC_KSDATAFORMAT_SUBTYPE_NV12 STATIC_MEDIASUBTYPE_NV12
#define KSDATAFORMAT_SUBTYPE_NV12 MEDIASUBTYPE_NV12

/* The video capture pin's name and category (ksmedia.h; uuids.h's
 * PIN_CATEGORY_CAPTURE is the same GUID). */
#define STATIC_PINNAME_VIDEO_CAPTURE \
  0xfb6c4281L, 0x0353, 0x11d1, 0x90, 0x5f, 0x00, 0x00, 0xc0, 0xcc, 0x16, 0xba
#define STATIC_PINNAME_CAPTURE STATIC_PINNAME_VIDEO_CAPTURE
extern const GUID PINNAME_VIDEO_CAPTURE;
#define PINNAME_CAPTURE PINNAME_VIDEO_CAPTURE
#define STATIC_PIN_CATEGORY_CAPTURE STATIC_PINNAME_VIDEO_CAPTURE
#define PIN_CATEGORY_CAPTURE PINNAME_VIDEO_CAPTURE

/* ---- The video info header ---- */
typedef LONGLONG REFERENCE_TIME; /* 100 ns units */

#define KS_BI_RGB 0L
#define KS_BI_RLE8 1L
#define KS_BI_RLE4 2L
#define KS_BI_BITFIELDS 3L
#define KS_BI_JPEG 4L

typedef struct tagKS_BITMAPINFOHEADER {
  DWORD biSize;
  LONG biWidth;
  LONG biHeight;
  WORD biPlanes;
  WORD biBitCount;
  DWORD biCompression; /* the FOURCC (MAKEFOURCC('Y','U','Y','2')), or KS_BI_RGB */
  DWORD biSizeImage;
  LONG biXPelsPerMeter;
  LONG biYPelsPerMeter;
  DWORD biClrUsed;
  DWORD biClrImportant;
} KS_BITMAPINFOHEADER, *PKS_BITMAPINFOHEADER;

typedef struct tagKS_VIDEOINFOHEADER {
  RECT rcSource;
  RECT rcTarget;
  DWORD dwBitRate;
  DWORD dwBitErrorRate;
  REFERENCE_TIME AvgTimePerFrame;
  KS_BITMAPINFOHEADER bmiHeader;
} KS_VIDEOINFOHEADER, *PKS_VIDEOINFOHEADER;

typedef struct tagKS_DATAFORMAT_VIDEOINFOHEADER {
  KSDATAFORMAT DataFormat;
  KS_VIDEOINFOHEADER VideoInfoHeader;
} KS_DATAFORMAT_VIDEOINFOHEADER, *PKS_DATAFORMAT_VIDEOINFOHEADER;

/* ---- The video data range ---- */
#define KS_AnalogVideo_None 0x00000000

typedef struct _KS_VIDEO_STREAM_CONFIG_CAPS {
  GUID guid;
  ULONG VideoStandard;
  SIZE InputSize;
  SIZE MinCroppingSize;
  SIZE MaxCroppingSize;
  int CropGranularityX;
  int CropGranularityY;
  int CropAlignX;
  int CropAlignY;
  SIZE MinOutputSize;
  SIZE MaxOutputSize;
  int OutputGranularityX;
  int OutputGranularityY;
  int StretchTapsX;
  int StretchTapsY;
  int ShrinkTapsX;
  int ShrinkTapsY;
  LONGLONG MinFrameInterval; /* 100 ns units */
  LONGLONG MaxFrameInterval;
  LONG MinBitsPerSecond;
  LONG MaxBitsPerSecond;
} KS_VIDEO_STREAM_CONFIG_CAPS, *PKS_VIDEO_STREAM_CONFIG_CAPS;

typedef struct tagKS_DATARANGE_VIDEO {
  KSDATARANGE DataRange;
  BOOL bFixedSizeSamples;
  BOOL bTemporalCompression;
  DWORD StreamDescriptionFlags; /* KS_VIDEOSTREAM_* */
  DWORD MemoryAllocationFlags;  /* KS_VIDEO_ALLOC_* */
  KS_VIDEO_STREAM_CONFIG_CAPS ConfigCaps;
  KS_VIDEOINFOHEADER VideoInfoHeader; /* the default format */
} KS_DATARANGE_VIDEO, *PKS_DATARANGE_VIDEO;

#define KS_VIDEOSTREAM_PREVIEW 0x0001
#define KS_VIDEOSTREAM_CAPTURE 0x0002
#define KS_VIDEOSTREAM_VBI 0x0010
#define KS_VIDEOSTREAM_NABTS 0x0020
#define KS_VIDEOSTREAM_CC 0x0100
#define KS_VIDEOSTREAM_EDS 0x0200
#define KS_VIDEOSTREAM_TELETEXT 0x0400
#define KS_VIDEOSTREAM_STILL 0x1000
#define KS_VIDEOSTREAM_IS_VPE 0x8000
#define KS_VIDEO_ALLOC_VPE_SYSTEM 0x0001
#define KS_VIDEO_ALLOC_VPE_DISPLAY 0x0002
#define KS_VIDEO_ALLOC_VPE_AGP 0x0004

/* ---- x64 layout (ksmedia.h), checked at compile time ---- */
HILCAP_KS_STATIC_ASSERT(sizeof(KS_BITMAPINFOHEADER) == 40, "KS_BITMAPINFOHEADER");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_BITMAPINFOHEADER, biCompression) == 16,
                        "KS_BITMAPINFOHEADER.biCompression");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_BITMAPINFOHEADER, biSizeImage) == 20,
                        "KS_BITMAPINFOHEADER.biSizeImage");
HILCAP_KS_STATIC_ASSERT(sizeof(KS_VIDEOINFOHEADER) == 88, "KS_VIDEOINFOHEADER");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEOINFOHEADER, dwBitRate) == 32,
                        "KS_VIDEOINFOHEADER.dwBitRate");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEOINFOHEADER, AvgTimePerFrame) == 40,
                        "KS_VIDEOINFOHEADER.AvgTimePerFrame");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEOINFOHEADER, bmiHeader) == 48,
                        "KS_VIDEOINFOHEADER.bmiHeader");
HILCAP_KS_STATIC_ASSERT(sizeof(KS_DATAFORMAT_VIDEOINFOHEADER) == 152,
                        "KS_DATAFORMAT_VIDEOINFOHEADER");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_DATAFORMAT_VIDEOINFOHEADER, VideoInfoHeader) == 64,
                        "KS_DATAFORMAT_VIDEOINFOHEADER.VideoInfoHeader");
HILCAP_KS_STATIC_ASSERT(sizeof(KS_VIDEO_STREAM_CONFIG_CAPS) == 128, "KS_VIDEO_STREAM_CONFIG_CAPS");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEO_STREAM_CONFIG_CAPS, MinOutputSize) == 60,
                        "KS_VIDEO_STREAM_CONFIG_CAPS.MinOutputSize");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEO_STREAM_CONFIG_CAPS, MinFrameInterval) == 104,
                        "KS_VIDEO_STREAM_CONFIG_CAPS.MinFrameInterval");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_VIDEO_STREAM_CONFIG_CAPS, MaxBitsPerSecond) == 124,
                        "KS_VIDEO_STREAM_CONFIG_CAPS.MaxBitsPerSecond");
HILCAP_KS_STATIC_ASSERT(sizeof(KS_DATARANGE_VIDEO) == 296, "KS_DATARANGE_VIDEO");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_DATARANGE_VIDEO, bFixedSizeSamples) == 64,
                        "KS_DATARANGE_VIDEO.bFixedSizeSamples");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_DATARANGE_VIDEO, ConfigCaps) == 80,
                        "KS_DATARANGE_VIDEO.ConfigCaps");
HILCAP_KS_STATIC_ASSERT(offsetof(KS_DATARANGE_VIDEO, VideoInfoHeader) == 208,
                        "KS_DATARANGE_VIDEO.VideoInfoHeader");

#ifdef __cplusplus
} /* extern "C" */
#endif
