// Small UVC personalities the device-uvc unit tests share.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "uvc_device_config.h"

namespace hilcap::device::uvc::test {

// YUY2 640x480 and 320x240 at 30/15/5 fps, MJPEG 1280x720 with a continuous
// range; high speed isochronous with 5 alternate settings.
inline UvcDeviceConfig camera_config(UvcVersion version = UvcVersion::k1_1) {
  UvcDeviceConfig c;
  c.uvc_version = version;
  c.serial = "0001";
  c.transport =
      IsochronousTransport{{{128, 1, 1}, {512, 1, 1}, {1024, 1, 1}, {1024, 2, 1}, {1024, 3, 1}}};
  FormatConfig yuy2;
  yuy2.format = VideoFormat::kYuy2;
  yuy2.frames = {
      {640, 480, DiscreteIntervals{{333333, 666666, 2000000}}, 333333, 0},
      {320, 240, DiscreteIntervals{{333333, 666666, 2000000}}, 666666, 0},
  };
  yuy2.default_frame_index = 1;
  FormatConfig mjpeg;
  mjpeg.format = VideoFormat::kMjpeg;
  mjpeg.frames = {{1280, 720, ContinuousIntervals{333333, 1333332, 333333}, 333333, 400000}};
  c.formats = {yuy2, mjpeg};
  return c;
}

inline UvcDeviceConfig bulk_config() {
  UvcDeviceConfig c = camera_config();
  c.transport = BulkTransport{512, 1, 16384};
  return c;
}

// The descriptors of a configuration, each as its own span, in order.
inline std::vector<std::span<const std::uint8_t>> split_descriptors(
    std::span<const std::uint8_t> bytes) {
  std::vector<std::span<const std::uint8_t>> out;
  std::size_t at = 0;
  while (at + 2 <= bytes.size() && bytes[at] >= 2 && at + bytes[at] <= bytes.size()) {
    out.push_back(bytes.subspan(at, bytes[at]));
    at += bytes[at];
  }
  return out;
}

inline std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
inline std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(le16(b, at) | (std::uint32_t{le16(b, at + 2)} << 16));
}

}  // namespace hilcap::device::uvc::test
