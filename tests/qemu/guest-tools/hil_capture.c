/* hil-capture: a V4L2 capture that says how it ended, for the fault checks
 * of the qemu suite (a guest has no compiler: built statically on the host).
 *
 *   hil-capture DEVICE COUNT FILE [TIMEOUT_S] [yuyv|mjpeg]
 *
 * Streams with mmap buffers until COUNT frames without the error flag came,
 * no frame came for TIMEOUT_S seconds (default 3), or a call failed (the
 * device went away: ENODEV). Every dequeued buffer is one line:
 *   buffer 12 seq 12 ts 3.456789 now 3.461002 bytes 153600 flags 0x00002001 error 0 in-band 13
 * (in-band: the hilcap header's sequence, -1 when none), frames without the
 * error flag are written to FILE as v4l2-ctl --stream-to-hdr does, and the
 * last line is
 *   end frames 25 errors 1 reason count|timeout|DQBUF:ENODEV|QBUF:ENODEV|...
 * Exit status 0 when COUNT frames came, 1 otherwise. */
#define _GNU_SOURCE /* clock_gettime, struct timespec in videodev2.h */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hil_header.h"

#define BUFFERS 4

static const char* errno_name(int e) {
  switch (e) {
    case ENODEV:
      return "ENODEV";
    case EIO:
      return "EIO";
    case EPIPE:
      return "EPIPE";
    case EINVAL:
      return "EINVAL";
    case EBUSY:
      return "EBUSY";
    default:
      return strerror(e);
  }
}

static void write_be32(FILE* f, uint32_t v) {
  unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
  fwrite(b, 1, 4, f);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: hil-capture DEVICE COUNT FILE [TIMEOUT_S] [yuyv|mjpeg]\n");
    return 2;
  }
  const unsigned count = (unsigned)atoi(argv[2]);
  const int timeout_ms = (int)(1000 * (argc > 4 ? atof(argv[4]) : 3.0));
  const int mjpeg = argc > 5 && strcmp(argv[5], "mjpeg") == 0;
  FILE* out = fopen(argv[3], "wb");
  int fd = open(argv[1], O_RDWR | O_NONBLOCK);
  if (fd < 0 || !out) {
    printf("end frames 0 errors 0 reason open:%s\n", errno_name(errno));
    return 1;
  }
  struct v4l2_requestbuffers req = {
      .count = BUFFERS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
  if (ioctl(fd, VIDIOC_REQBUFS, &req) < 0) {
    printf("end frames 0 errors 0 reason REQBUFS:%s\n", errno_name(errno));
    return 1;
  }
  void* mem[BUFFERS];
  for (unsigned i = 0; i < req.count; i++) {
    struct v4l2_buffer b = {
        .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    ioctl(fd, VIDIOC_QUERYBUF, &b);
    mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
    ioctl(fd, VIDIOC_QBUF, &b);
  }
  enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (ioctl(fd, VIDIOC_STREAMON, &type) < 0) {
    printf("end frames 0 errors 0 reason STREAMON:%s\n", errno_name(errno));
    return 1;
  }
  unsigned frames = 0, errors = 0;
  char reason[64] = "count";
  while (frames < count) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r == 0) {
      strcpy(reason, "timeout");
      break;
    }
    struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (r < 0 || ioctl(fd, VIDIOC_DQBUF, &b) < 0) {
      if (r > 0 && errno == EAGAIN) continue;
      snprintf(reason, sizeof reason, "%s:%s", r < 0 ? "poll" : "DQBUF", errno_name(errno));
      break;
    }
    const int error = (b.flags & V4L2_BUF_FLAG_ERROR) != 0;
    const unsigned char* h = hil_frame_header(mem[b.index], b.bytesused, mjpeg);
    printf("buffer %u seq %u ts %ld.%06ld now %.6f bytes %u flags 0x%08x error %d in-band %lld\n",
           b.index, b.sequence, (long)b.timestamp.tv_sec, (long)b.timestamp.tv_usec, now_s(),
           b.bytesused, b.flags, error, h ? (long long)hil_sequence(h) : -1LL);
    if (error) {
      errors++;
    } else {
      frames++;
      write_be32(out, ('V' | 'h' << 8 | 'd' << 16 | (uint32_t)'r' << 24));
      write_be32(out, b.bytesused);
      fwrite(mem[b.index], 1, b.bytesused, out);
    }
    if (ioctl(fd, VIDIOC_QBUF, &b) < 0) {
      snprintf(reason, sizeof reason, "QBUF:%s", errno_name(errno));
      break;
    }
  }
  ioctl(fd, VIDIOC_STREAMOFF, &type);
  fclose(out);
  printf("end frames %u errors %u reason %s\n", frames, errors, reason);
  fflush(stdout);
  return frames == count ? 0 : 1;
}
