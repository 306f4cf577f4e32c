/* A Kernel Streaming allocator client, written the way it is written on
 * Windows: only <hilcap/ks.h>, DeviceIoControl with OVERLAPPED and events.
 * It allocates past exhaustion, sees the request pend, frees a frame so that
 * the pending request completes, cancels one more pending request, reads the
 * STATUS property and closes everything. Exit status 0 when every step
 * behaved as the KS allocator should. */
#include <hilcap/ks.h>
#include <stdio.h>
#include <string.h>

#define FRAMES 3

static int failures = 0;

static void expect(int condition, const char* what) {
  if (!condition) {
    printf("  UNEXPECTED: %s\n", what);
    ++failures;
  }
}

/* ALLOC exactly as Microsoft's KSMETHOD_STREAMALLOCATOR_ALLOC sample does. */
static BOOL alloc_frame(HANDLE allocator, PVOID* frame, OVERLAPPED* overlapped) {
  KSMETHOD Method;
  DWORD BytesReturned = 0;
  memset(&Method, 0, sizeof(Method));
  Method.Identifier.Set = KSMETHODSETID_StreamAllocator;
  Method.Identifier.Id = KSMETHOD_STREAMALLOCATOR_ALLOC;
  Method.Flags = KSMETHOD_TYPE_WRITE;
  return DeviceIoControl(allocator, IOCTL_KS_METHOD, &Method, sizeof(KSMETHOD), frame,
                         sizeof(PVOID), &BytesReturned, overlapped);
}

/* FREE: the frame pointer travels in the output-buffer argument. */
static BOOL free_frame(HANDLE allocator, PVOID frame) {
  KSMETHOD Method;
  OVERLAPPED overlapped;
  DWORD BytesReturned = 0;
  BOOL ok;
  memset(&Method, 0, sizeof(Method));
  memset(&overlapped, 0, sizeof(overlapped));
  Method.Set = KSMETHODSETID_StreamAllocator;
  Method.Id = KSMETHOD_STREAMALLOCATOR_FREE;
  Method.Flags = KSMETHOD_TYPE_READ;
  overlapped.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
  ok = DeviceIoControl(allocator, IOCTL_KS_METHOD, &Method, sizeof(KSMETHOD), &frame, sizeof(PVOID),
                       &BytesReturned, &overlapped);
  CloseHandle(overlapped.hEvent);
  return ok;
}

static ULONG allocated_frames(HANDLE allocator) {
  KSPROPERTY Property;
  KSSTREAMALLOCATOR_STATUS Status;
  DWORD BytesReturned = 0;
  memset(&Property, 0, sizeof(Property));
  memset(&Status, 0, sizeof(Status));
  Property.Set = KSPROPSETID_StreamAllocator;
  Property.Id = KSPROPERTY_STREAMALLOCATOR_STATUS;
  Property.Flags = KSPROPERTY_TYPE_GET;
  if (!DeviceIoControl(allocator, IOCTL_KS_PROPERTY, &Property, sizeof(Property), &Status,
                       sizeof(Status), &BytesReturned, NULL)) {
    printf("  STATUS failed with error %u\n", (unsigned)GetLastError());
    ++failures;
  }
  return Status.AllocatedFrames;
}

int main(void) {
  KSALLOCATOR_FRAMING framing;
  HANDLE allocator = NULL;
  PVOID frames[FRAMES + 2];
  OVERLAPPED overlapped[FRAMES + 2];
  DWORD transferred = 0;
  DWORD error;
  int i;

  memset(&framing, 0, sizeof(framing));
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames = FRAMES;
  framing.FrameSize = 640 * 480 * 2;
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  error = KsCreateAllocator(NULL, &framing, &allocator);
  if (error != ERROR_SUCCESS) {
    printf("KsCreateAllocator failed with error %u\n", (unsigned)error);
    return 1;
  }
  printf("KsCreateAllocator: %u frames of %u bytes, aligned to %u bytes\n",
         (unsigned)framing.Frames, (unsigned)framing.FrameSize,
         (unsigned)framing.FileAlignment + 1);

  memset(overlapped, 0, sizeof(overlapped));
  for (i = 0; i < FRAMES + 2; ++i) {
    frames[i] = NULL;
    overlapped[i].hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
  }

  for (i = 0; i < FRAMES + 1; ++i) {
    if (alloc_frame(allocator, &frames[i], &overlapped[i])) {
      printf("ALLOC %d: frame %p at once (%u bytes returned)\n", i + 1, frames[i],
             (unsigned)overlapped[i].InternalHigh);
      expect(i < FRAMES, "only Frames ALLOCs succeed at once");
    } else if (GetLastError() == ERROR_IO_PENDING) {
      printf("ALLOC %d: pending (all %d frames are out), Internal = 0x%X\n", i + 1, FRAMES,
             (unsigned)overlapped[i].Internal);
      expect(i == FRAMES, "the first ALLOC past Frames pends");
      expect(!HasOverlappedIoCompleted(&overlapped[i]), "a pending request is not complete");
    } else {
      printf("ALLOC %d: failed with error %u\n", i + 1, (unsigned)GetLastError());
      ++failures;
    }
  }
  printf("STATUS: AllocatedFrames = %u\n", (unsigned)allocated_frames(allocator));

  printf("FREE frame %p\n", frames[0]);
  expect(free_frame(allocator, frames[0]), "FREE of a held frame succeeds");
  WaitForSingleObject(overlapped[FRAMES].hEvent, INFINITE);
  if (GetOverlappedResult(allocator, &overlapped[FRAMES], &transferred, FALSE)) {
    printf("ALLOC %d completed: frame %p (%u bytes)\n", FRAMES + 1, frames[FRAMES],
           (unsigned)transferred);
  } else {
    printf("ALLOC %d failed with error %u\n", FRAMES + 1, (unsigned)GetLastError());
    ++failures;
  }

  expect(!alloc_frame(allocator, &frames[FRAMES + 1], &overlapped[FRAMES + 1]) &&
             GetLastError() == ERROR_IO_PENDING,
         "ALLOC on an exhausted allocator pends");
  printf("ALLOC %d: pending; CancelIoEx\n", FRAMES + 2);
  expect(CancelIoEx(allocator, &overlapped[FRAMES + 1]), "CancelIoEx finds the request");
  if (!GetOverlappedResult(allocator, &overlapped[FRAMES + 1], &transferred, TRUE)) {
    error = GetLastError();
    printf("ALLOC %d ended with error %u%s\n", FRAMES + 2, (unsigned)error,
           error == ERROR_OPERATION_ABORTED ? " (ERROR_OPERATION_ABORTED)" : "");
    expect(error == ERROR_OPERATION_ABORTED, "a cancelled ALLOC ends aborted");
  } else {
    printf("ALLOC %d: unexpectedly completed\n", FRAMES + 2);
    ++failures;
  }

  for (i = 1; i <= FRAMES; ++i)
    expect(free_frame(allocator, frames[i]), "FREE succeeds");
  printf("FREE of the %d frames still held; STATUS: AllocatedFrames = %u\n", FRAMES,
         (unsigned)allocated_frames(allocator));

  for (i = 0; i < FRAMES + 2; ++i)
    CloseHandle(overlapped[i].hEvent);
  expect(CloseHandle(allocator), "CloseHandle(allocator) succeeds");
  printf("CloseHandle: done, %s\n", failures == 0 ? "everything as expected" : "FAILURES");
  return failures == 0 ? 0 : 1;
}
