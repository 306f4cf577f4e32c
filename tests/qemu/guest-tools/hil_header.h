/* The hilcap in-band frame header as the guest helpers read it
 * (firmware-model/include/hilcap/device/frame_header.h): 64 bytes at the start
 * of an uncompressed frame, or in the APP4 segment of an MJPEG frame. */
#ifndef HIL_HEADER_H
#define HIL_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define HIL_MAGIC 0x50434C48u /* "HLCP" */
#define HIL_HEADER_BYTES 64

static inline uint32_t hil_le32(const unsigned char* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t hil_le64(const unsigned char* p) {
  return hil_le32(p) | (uint64_t)hil_le32(p + 4) << 32;
}

/* The header of an MJPEG frame: the APP4 segment among those before SOS. */
static inline const unsigned char* hil_mjpeg_header(const unsigned char* jpeg, size_t n) {
  size_t at = 2;
  if (n < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return NULL;
  while (at + 4 <= n && jpeg[at] == 0xFF) {
    unsigned marker = jpeg[at + 1];
    size_t length = (size_t)jpeg[at + 2] << 8 | jpeg[at + 3];
    if (marker == 0xDA || length < 2) return NULL;
    if (marker == 0xE4 && length == 2 + HIL_HEADER_BYTES && at + 4 + HIL_HEADER_BYTES <= n)
      return jpeg + at + 4;
    at += 2 + length;
  }
  return NULL;
}

/* The frame's header (uncompressed: at offset 0; MJPEG: in APP4), or NULL
 * when it has none with the magic. */
static inline const unsigned char* hil_frame_header(const unsigned char* data, size_t n,
                                                    int mjpeg) {
  const unsigned char* h =
      mjpeg ? hil_mjpeg_header(data, n) : (n >= HIL_HEADER_BYTES ? data : NULL);
  return h && hil_le32(h) == HIL_MAGIC ? h : NULL;
}
static inline uint64_t hil_sequence(const unsigned char* h) {
  return hil_le64(h + 32);
}

#endif
