/* hil-frames: reads the frames a guest captured with
 *   v4l2-ctl --stream-mmap --stream-to-hdr=FILE
 * (each frame: the big-endian id 'Vhdr', its byte count, its bytes) and checks
 * every frame's in-band hilcap header: the 64-byte FrameHeader at the start of
 * an uncompressed frame, or in the APP4 segment of an MJPEG frame, which must
 * also decode (libjpeg-turbo) to the expected size.
 *
 *   hil-frames FILE yuyv|mjpeg WIDTH HEIGHT
 *
 * One line per frame, then a summary line the guest scripts parse:
 *   frame 3 bytes 614400 magic ok seq 3
 *   frames 30 headers 30 first 0 last 29 gaps 0 missing 0 decoded 30 bad 0 backwards 0
 * (gaps: places where the sequence skips; backwards: where it does not increase)
 * Built on the host, statically, for a guest that has no compiler. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "hil_header.h"

/* v4l2_fourcc('V','h','d','r'), which v4l2-ctl writes big-endian */
#define HDR_ID ((uint32_t)'V' | (uint32_t)'h' << 8 | (uint32_t)'d' << 16 | (uint32_t)'r' << 24)
static uint32_t be32(const unsigned char* p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: hil-frames FILE yuyv|mjpeg WIDTH HEIGHT\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  const int mjpeg = strcmp(argv[2], "mjpeg") == 0;
  const int width = atoi(argv[3]), height = atoi(argv[4]);
  tjhandle tj = mjpeg ? tjInitDecompress() : NULL;
  unsigned char* pixels = mjpeg ? malloc((size_t)width * height * 3) : NULL;
  unsigned long frames = 0, headers = 0, gaps = 0, missing = 0, backwards = 0, decoded = 0, bad = 0;
  long long first = -1, last = -1;
  unsigned char word[8];
  while (fread(word, 1, 8, f) == 8) {
    if (be32(word) != HDR_ID) {
      printf("frame %lu: no Vhdr record (not written with --stream-to-hdr?)\n", frames);
      bad++;
      break;
    }
    uint32_t size = be32(word + 4);
    unsigned char* data = malloc(size ? size : 1);
    if (!data || fread(data, 1, size, f) != size) {
      printf("frame %lu: truncated record\n", frames);
      bad++;
      free(data);
      break;
    }
    const unsigned char* h = hil_frame_header(data, size, mjpeg);
    printf("frame %lu bytes %u", frames, size);
    if (h) {
      long long seq = (long long)hil_sequence(h);
      headers++;
      printf(" magic ok seq %lld", seq);
      if (first < 0) first = seq;
      if (last >= 0 && seq != last + 1) {
        gaps++;
        if (seq > last) missing += (unsigned long)(seq - last - 1);
        if (seq <= last) backwards++;
        printf(" gap %lld", seq - last - 1);
      }
      last = seq;
      if (hil_le32(h + 12) != (uint32_t)width || hil_le32(h + 16) != (uint32_t)height) {
        printf(" header-size %ux%u", hil_le32(h + 12), hil_le32(h + 16));
        bad++;
      }
      if (mjpeg && hil_le32(h + 24) != size) printf(" jpeg-bytes %u", hil_le32(h + 24));
    } else {
      printf(" magic bad");
      bad++;
    }
    if (mjpeg) {
      int w = 0, hgt = 0, sub = 0, cs = 0;
      if (tjDecompressHeader3(tj, data, size, &w, &hgt, &sub, &cs) == 0 && w == width &&
          hgt == height &&
          tjDecompress2(tj, data, size, pixels, width, 0, height, TJPF_RGB, 0) == 0) {
        decoded++;
        printf(" jpeg %dx%d ok", w, hgt);
      } else {
        printf(" jpeg bad (%dx%d: %s)", w, hgt, tjGetErrorStr2(tj));
        bad++;
      }
    }
    printf("\n");
    frames++;
    free(data);
  }
  printf(
      "frames %lu headers %lu first %lld last %lld gaps %lu missing %lu decoded %lu bad %lu "
      "backwards %lu\n",
      frames, headers, first, last, gaps, missing, decoded, bad, backwards);
  fclose(f);
  if (tj) tjDestroy(tj);
  free(pixels);
  return bad == 0 && frames > 0 ? 0 : 1;
}
