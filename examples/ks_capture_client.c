/* A Kernel Streaming video capture client, written as for Windows: only
 * Windows include names, SetupDi discovery of a capture device, the filter's
 * pin properties, KsCreatePin with a VIDEOINFOHEADER format, the pin's state
 * set to RUN, and IOCTL_KS_READ_STREAM with a KS_FRAME_INFO after each
 * header, several reads outstanding at once and WaitForMultipleObjects on
 * their events. It prints one line per frame (PictureNumber, DropCount,
 * OptionsFlags), then the pin's dropped-frame counters, stops the pin (the
 * reads still pending end with ERROR_OPERATION_ABORTED) and closes everything.
 *
 * On Linux: `pkg-config --cflags --libs hilcap-win32`, and the device is a
 * scenario file named in HILCAP_DEVICES (examples/ks_capture_scenario.json).
 * Usage: ks-capture-client [FRAMES]   (default 30). Exit status 0 when every
 * call behaved, 1 otherwise, 2 when no capture device is present. */
/* The order a Windows program needs: <windows.h> first. */
// clang-format off
#include <windows.h>
#include <setupapi.h>
#include <ks.h>
#include <ksmedia.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>

#define READS 4      /* IOCTL_KS_READ_STREAM requests kept outstanding */
#define WAIT_MS 5000 /* a frame is due every AvgTimePerFrame: 5 s means it is stuck */
/* hilcap marks a frame its device reported damaged (an error frame: DataUsed
 * 0) with this OptionsFlags bit, one Windows leaves unused. */
#define HILCAP_OPTIONSF_ERROR 0x40000000

/* One read's stream header: KSSTREAM_HEADER with KS_FRAME_INFO after it. */
typedef struct {
  KSSTREAM_HEADER Header;
  KS_FRAME_INFO FrameInfo;
} FRAME_HEADER;

typedef struct {
  FRAME_HEADER Header;
  OVERLAPPED Overlapped;
  PBYTE Buffer;
  BOOL Pending;
} READ_REQUEST;

static int failures = 0;

static void report_failure(const char* call) {
  printf("FAILED: %s: error %u\n", call, (unsigned)GetLastError());
  ++failures;
}

/* The first device interface of KSCATEGORY_CAPTURE: its path, HeapAlloc'd. */
static PSP_DEVICE_INTERFACE_DETAIL_DATA find_capture_device(void) {
  HDEVINFO devices;
  SP_DEVICE_INTERFACE_DATA interface_data;
  PSP_DEVICE_INTERFACE_DETAIL_DATA detail = NULL;
  DWORD required = 0;

  devices =
      SetupDiGetClassDevs(&KSCATEGORY_CAPTURE, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
  if (devices == INVALID_HANDLE_VALUE) {
    report_failure("SetupDiGetClassDevs");
    return NULL;
  }
  ZeroMemory(&interface_data, sizeof(interface_data));
  interface_data.cbSize = sizeof(SP_DEVICE_INTERFACE_DATA);
  if (!SetupDiEnumDeviceInterfaces(devices, NULL, &KSCATEGORY_CAPTURE, 0, &interface_data)) {
    if (GetLastError() != ERROR_NO_MORE_ITEMS) report_failure("SetupDiEnumDeviceInterfaces");
    SetupDiDestroyDeviceInfoList(devices);
    return NULL;
  }
  /* The size query fails with ERROR_INSUFFICIENT_BUFFER and says how much. */
  if (SetupDiGetDeviceInterfaceDetail(devices, &interface_data, NULL, 0, &required, NULL) ||
      GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
    report_failure("SetupDiGetDeviceInterfaceDetail (size)");
  } else {
    detail =
        (PSP_DEVICE_INTERFACE_DETAIL_DATA)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, required);
    detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA);
    if (!SetupDiGetDeviceInterfaceDetail(devices, &interface_data, detail, required, NULL, NULL)) {
      report_failure("SetupDiGetDeviceInterfaceDetail");
      HeapFree(GetProcessHeap(), 0, detail);
      detail = NULL;
    }
  }
  SetupDiDestroyDeviceInfoList(devices);
  return detail;
}

/* A KSPROPERTY_PIN_* GET on pin type 0 of the filter. */
static BOOL get_pin_property(HANDLE filter, ULONG id, PVOID data, ULONG size, DWORD* returned) {
  KSP_PIN property;
  ZeroMemory(&property, sizeof(property));
  property.Property.Set = KSPROPSETID_Pin;
  property.Property.Id = id;
  property.Property.Flags = KSPROPERTY_TYPE_GET;
  property.PinId = 0;
  return DeviceIoControl(filter, IOCTL_KS_PROPERTY, &property, sizeof(property), data, size,
                         returned, NULL);
}

/* The capture pin's first data range, a KS_DATARANGE_VIDEO. */
static BOOL get_video_range(HANDLE filter, KS_DATARANGE_VIDEO* range) {
  KSPROPERTY property;
  ULONG pin_types = 0;
  KSPIN_DATAFLOW flow = KSPIN_DATAFLOW_IN;
  KSMULTIPLE_ITEM* ranges;
  DWORD size = 0;
  BOOL found = FALSE;

  ZeroMemory(&property, sizeof(property));
  property.Set = KSPROPSETID_Pin;
  property.Id = KSPROPERTY_PIN_CTYPES;
  property.Flags = KSPROPERTY_TYPE_GET;
  if (!DeviceIoControl(filter, IOCTL_KS_PROPERTY, &property, sizeof(property), &pin_types,
                       sizeof(pin_types), &size, NULL)) {
    report_failure("KSPROPERTY_PIN_CTYPES");
    return FALSE;
  }
  if (!get_pin_property(filter, KSPROPERTY_PIN_DATAFLOW, &flow, sizeof(flow), &size)) {
    report_failure("KSPROPERTY_PIN_DATAFLOW");
    return FALSE;
  }
  /* Size query first: ERROR_MORE_DATA with the size of the whole list. */
  if (get_pin_property(filter, KSPROPERTY_PIN_DATARANGES, NULL, 0, &size) ||
      GetLastError() != ERROR_MORE_DATA) {
    report_failure("KSPROPERTY_PIN_DATARANGES (size)");
    return FALSE;
  }
  ranges = (KSMULTIPLE_ITEM*)HeapAlloc(GetProcessHeap(), 0, size);
  if (!get_pin_property(filter, KSPROPERTY_PIN_DATARANGES, ranges, size, &size)) {
    report_failure("KSPROPERTY_PIN_DATARANGES");
  } else if (ranges->Count > 0) {
    KSDATARANGE* first = (KSDATARANGE*)(ranges + 1);
    if (first->FormatSize >= sizeof(KS_DATARANGE_VIDEO) &&
        IsEqualGUID(&first->MajorFormat, &KSDATAFORMAT_TYPE_VIDEO) &&
        IsEqualGUID(&first->Specifier, &KSDATAFORMAT_SPECIFIER_VIDEOINFO)) {
      CopyMemory(range, first, sizeof(*range));
      found = TRUE;
    }
  }
  printf("filter: %u pin type(s), pin 0 data flow %s, %u data range(s)\n", (unsigned)pin_types,
         flow == KSPIN_DATAFLOW_OUT ? "out" : "in", (unsigned)ranges->Count);
  HeapFree(GetProcessHeap(), 0, ranges);
  return found;
}

static const char* fourcc_text(DWORD code, char text[5]) {
  text[0] = (char)(code & 0xFF);
  text[1] = (char)((code >> 8) & 0xFF);
  text[2] = (char)((code >> 16) & 0xFF);
  text[3] = (char)((code >> 24) & 0xFF);
  text[4] = '\0';
  return text;
}

static BOOL set_state(HANDLE pin, KSSTATE state) {
  KSPROPERTY property;
  DWORD returned = 0;
  ZeroMemory(&property, sizeof(property));
  property.Set = KSPROPSETID_Connection;
  property.Id = KSPROPERTY_CONNECTION_STATE;
  property.Flags = KSPROPERTY_TYPE_SET;
  return DeviceIoControl(pin, IOCTL_KS_PROPERTY, &property, sizeof(property), &state, sizeof(state),
                         &returned, NULL);
}

/* Queues one IOCTL_KS_READ_STREAM into the request's buffer. */
static BOOL issue_read(HANDLE pin, READ_REQUEST* request, ULONG frame_bytes) {
  DWORD returned = 0;
  ZeroMemory(&request->Header, sizeof(request->Header));
  request->Header.Header.Size = sizeof(FRAME_HEADER);
  request->Header.Header.FrameExtent = frame_bytes;
  request->Header.Header.Data = request->Buffer;
  request->Header.FrameInfo.ExtendedHeaderSize = sizeof(KS_FRAME_INFO);
  if (DeviceIoControl(pin, IOCTL_KS_READ_STREAM, NULL, 0, &request->Header, sizeof(request->Header),
                      &returned, &request->Overlapped)) {
    request->Pending = TRUE; /* completed at once: its event is signalled too */
    return TRUE;
  }
  if (GetLastError() != ERROR_IO_PENDING) {
    report_failure("IOCTL_KS_READ_STREAM");
    return FALSE;
  }
  request->Pending = TRUE;
  return TRUE;
}

static void print_frame(int index, const FRAME_HEADER* header) {
  const ULONG flags = header->Header.OptionsFlags;
  printf(
      "frame %2d: PictureNumber %3lld DropCount %2lld flags 0x%08x%s%s%s%s DataUsed %u "
      "time %.1f ms\n",
      index, (long long)header->FrameInfo.PictureNumber, (long long)header->FrameInfo.DropCount,
      (unsigned)flags, (flags & KSSTREAM_HEADER_OPTIONSF_TIMEVALID) ? " TIMEVALID" : "",
      (flags & KSSTREAM_HEADER_OPTIONSF_DURATIONVALID) ? " DURATIONVALID" : "",
      (flags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY) ? " DATADISCONTINUITY" : "",
      (flags & HILCAP_OPTIONSF_ERROR) ? " ERROR" : "", (unsigned)header->Header.DataUsed,
      (double)header->Header.PresentationTime.Time / 10000.0);
}

static void print_dropped_frames(HANDLE pin) {
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S dropped;
  DWORD returned = 0;
  ZeroMemory(&dropped, sizeof(dropped));
  dropped.Property.Set = PROPSETID_VIDCAP_DROPPEDFRAMES;
  dropped.Property.Id = KSPROPERTY_DROPPEDFRAMES_CURRENT;
  dropped.Property.Flags = KSPROPERTY_TYPE_GET;
  if (!DeviceIoControl(pin, IOCTL_KS_PROPERTY, &dropped, sizeof(dropped), &dropped, sizeof(dropped),
                       &returned, NULL)) {
    report_failure("KSPROPERTY_DROPPEDFRAMES_CURRENT");
    return;
  }
  printf("dropped frames: PictureNumber %lld DropCount %lld AverageFrameSize %u\n",
         (long long)dropped.PictureNumber, (long long)dropped.DropCount,
         (unsigned)dropped.AverageFrameSize);
}

int main(int argc, char** argv) {
  const int frames_wanted = argc > 1 ? atoi(argv[1]) : 30;
  PSP_DEVICE_INTERFACE_DETAIL_DATA device;
  HANDLE filter, pin = NULL;
  KS_DATARANGE_VIDEO range;
  struct {
    KSPIN_CONNECT Connect;
    KS_DATAFORMAT_VIDEOINFOHEADER Format;
  } request;
  READ_REQUEST reads[READS];
  HANDLE events[READS];
  ULONG frame_bytes;
  int frames = 0, next = 0, aborted = 0, i;
  DWORD error;
  char fourcc[5];
  LARGE_INTEGER frequency, started, finished;

  device = find_capture_device();
  if (device == NULL) {
    printf("no capture device present (set HILCAP_DEVICES to a scenario file)\n");
    return 2;
  }
  printf("device: %s\n", device->DevicePath);
  filter = CreateFile(device->DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                      FILE_FLAG_OVERLAPPED, NULL);
  HeapFree(GetProcessHeap(), 0, device);
  if (filter == INVALID_HANDLE_VALUE) {
    report_failure("CreateFile");
    return 1;
  }
  if (!get_video_range(filter, &range)) {
    printf("no video data range on pin 0\n");
    CloseHandle(filter);
    return 1;
  }
  frame_bytes = range.VideoInfoHeader.bmiHeader.biSizeImage;
  printf("format: %s %dx%d, %u bytes a frame, AvgTimePerFrame %lld (100 ns)\n",
         fourcc_text(range.VideoInfoHeader.bmiHeader.biCompression, fourcc),
         (int)range.VideoInfoHeader.bmiHeader.biWidth,
         (int)range.VideoInfoHeader.bmiHeader.biHeight, (unsigned)frame_bytes,
         (long long)range.VideoInfoHeader.AvgTimePerFrame);

  /* The connection: standard streaming interface and medium, then the format. */
  ZeroMemory(&request, sizeof(request));
  request.Connect.Interface.Set = KSINTERFACESETID_Standard;
  request.Connect.Interface.Id = KSINTERFACE_STANDARD_STREAMING;
  request.Connect.Medium.Set = KSMEDIUMSETID_Standard;
  request.Connect.Medium.Id = KSMEDIUM_TYPE_ANYINSTANCE;
  request.Connect.PinId = 0;
  request.Connect.PinToHandle = NULL;
  request.Connect.Priority.PriorityClass = KSPRIORITY_NORMAL;
  request.Connect.Priority.PrioritySubClass = 1;
  request.Format.DataFormat.FormatSize = sizeof(KS_DATAFORMAT_VIDEOINFOHEADER);
  request.Format.DataFormat.SampleSize = frame_bytes;
  request.Format.DataFormat.MajorFormat = KSDATAFORMAT_TYPE_VIDEO;
  request.Format.DataFormat.SubFormat = range.DataRange.SubFormat;
  request.Format.DataFormat.Specifier = KSDATAFORMAT_SPECIFIER_VIDEOINFO;
  request.Format.VideoInfoHeader = range.VideoInfoHeader;
  error = KsCreatePin(filter, &request.Connect, GENERIC_READ, &pin);
  if (error != ERROR_SUCCESS) {
    printf("FAILED: KsCreatePin: error %u\n", (unsigned)error);
    CloseHandle(filter);
    return 1;
  }

  ZeroMemory(reads, sizeof(reads));
  for (i = 0; i < READS; ++i) {
    reads[i].Buffer = (PBYTE)HeapAlloc(GetProcessHeap(), 0, frame_bytes);
    events[i] = CreateEvent(NULL, TRUE, FALSE, NULL);
    reads[i].Overlapped.hEvent = events[i];
  }
  if (!set_state(pin, KSSTATE_ACQUIRE) || !set_state(pin, KSSTATE_PAUSE)) {
    report_failure("KSPROPERTY_CONNECTION_STATE");
  }
  /* Reads queue in PAUSE; frames arrive from RUN on. */
  for (i = 0; i < READS; ++i)
    issue_read(pin, &reads[i], frame_bytes);
  QueryPerformanceFrequency(&frequency);
  QueryPerformanceCounter(&started);
  if (!set_state(pin, KSSTATE_RUN)) report_failure("KSPROPERTY_CONNECTION_STATE RUN");

  while (frames < frames_wanted && failures == 0) {
    const DWORD woken = WaitForMultipleObjects(READS, events, FALSE, WAIT_MS);
    if (woken == WAIT_TIMEOUT) {
      printf("FAILED: no frame within %d ms\n", WAIT_MS);
      ++failures;
      break;
    }
    if (woken >= WAIT_OBJECT_0 + READS) {
      report_failure("WaitForMultipleObjects");
      break;
    }
    /* Reads complete in the order they were issued: take every one done,
     * oldest first, whichever event woke us. */
    while (frames < frames_wanted && HasOverlappedIoCompleted(&reads[next].Overlapped)) {
      READ_REQUEST* done = &reads[next];
      DWORD bytes = 0;
      if (!GetOverlappedResult(pin, &done->Overlapped, &bytes, FALSE)) {
        report_failure("GetOverlappedResult");
        break;
      }
      done->Pending = FALSE;
      print_frame(++frames, &done->Header);
      ResetEvent(done->Overlapped.hEvent);
      issue_read(pin, done, frame_bytes);
      next = (next + 1) % READS;
    }
  }
  QueryPerformanceCounter(&finished);
  printf("%d frames in %.2f s\n", frames,
         (double)(finished.QuadPart - started.QuadPart) / (double)frequency.QuadPart);
  print_dropped_frames(pin);

  /* STOP ends every read still pending: ERROR_OPERATION_ABORTED, once each. */
  if (!set_state(pin, KSSTATE_STOP)) report_failure("KSPROPERTY_CONNECTION_STATE STOP");
  for (i = 0; i < READS; ++i) {
    DWORD bytes = 0;
    if (!reads[i].Pending) continue;
    if (GetOverlappedResult(pin, &reads[i].Overlapped, &bytes, TRUE)) continue; /* a frame won */
    if (GetLastError() == ERROR_OPERATION_ABORTED) {
      ++aborted;
    } else {
      report_failure("GetOverlappedResult after STOP");
    }
  }
  printf("STOP: %d pending read(s) ended with ERROR_OPERATION_ABORTED\n", aborted);

  for (i = 0; i < READS; ++i) {
    CloseHandle(events[i]);
    HeapFree(GetProcessHeap(), 0, reads[i].Buffer);
  }
  if (!CloseHandle(pin)) report_failure("CloseHandle(pin)");
  if (!CloseHandle(filter)) report_failure("CloseHandle(filter)");
  printf("%s\n", failures == 0 ? "done" : "FAILURES");
  return failures == 0 ? 0 : 1;
}
