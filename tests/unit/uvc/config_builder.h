// Builds configuration descriptor bytes for tests, one descriptor at a time,
// filling in wTotalLength of the configuration, the VC header and the VS input
// header. Every method appends exactly what its name says, so a test can also
// append broken descriptors with raw().
#pragma once

#include <hilcap/device/uvc_protocol.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace hilcap::uvc::testing {

class ConfigBuilder {
 public:
  using Bytes = std::vector<std::uint8_t>;

  ConfigBuilder() { bytes_ = {9, 0x02, 0, 0, 0, 1, 0, 0x80, 250}; }

  ConfigBuilder& raw(const Bytes& d) {
    if ((in_vc_ || in_vs_) && d.size() > 1 && d[1] == 0x24) class_bytes_ += d.size();
    bytes_.insert(bytes_.end(), d.begin(), d.end());
    return *this;
  }
  // A descriptor with bLength computed: type followed by body.
  ConfigBuilder& desc(std::uint8_t type, const Bytes& body) {
    Bytes d{static_cast<std::uint8_t>(body.size() + 2), type};
    d.insert(d.end(), body.begin(), body.end());
    return raw(d);
  }

  ConfigBuilder& iad(std::uint8_t first, std::uint8_t count) {
    close_class_block();
    return desc(0x0B, {first, count, 0x0E, 0x03, 0x00, 0});
  }
  ConfigBuilder& interface(std::uint8_t number, std::uint8_t alt, std::uint8_t cls,
                           std::uint8_t sub, std::uint8_t endpoints) {
    close_class_block();
    return desc(0x04, {number, alt, endpoints, cls, sub, 0, 0});
  }
  ConfigBuilder& vc_interface(std::uint8_t number) {
    interface(number, 0, 0x0E, 0x01, 0);
    in_vc_ = true;
    return *this;
  }
  ConfigBuilder& vs_interface(std::uint8_t number, std::uint8_t alt = 0,
                              std::uint8_t endpoints = 0) {
    interface(number, alt, 0x0E, 0x02, endpoints);
    in_vs_ = alt == 0;
    return *this;
  }
  ConfigBuilder& endpoint(std::uint8_t address, std::uint8_t attributes, std::uint16_t mps,
                          std::uint8_t interval = 1) {
    return desc(0x05, {address, attributes, lo(mps), hi(mps), interval});
  }
  ConfigBuilder& companion(std::uint8_t max_burst, std::uint8_t attributes,
                           std::uint16_t bytes_per_interval) {
    return desc(0x30, {max_burst, attributes, lo(bytes_per_interval), hi(bytes_per_interval)});
  }

  ConfigBuilder& vc_header(std::uint16_t bcd_uvc, std::initializer_list<std::uint8_t> streaming) {
    header_at_ = bytes_.size();
    header_length_at_ = 5;
    class_bytes_ = 0;
    Bytes b{0x01, lo(bcd_uvc), hi(bcd_uvc), 0,    0,
            0x80, 0x8D,        0x5B,        0x00, static_cast<std::uint8_t>(streaming.size())};
    b.insert(b.end(), streaming);
    return desc(0x24, b);
  }
  ConfigBuilder& camera_terminal(std::uint8_t id) {
    return desc(0x24, {0x02, id, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0x0A, 0, 0});
  }
  ConfigBuilder& output_terminal(std::uint8_t id, std::uint8_t source) {
    return desc(0x24, {0x03, id, 0x01, 0x01, 0, source, 0});
  }
  // UVC 1.0 layout (no bmVideoStandards) or the 1.1+ one.
  ConfigBuilder& processing_unit(std::uint8_t id, std::uint8_t source, std::uint8_t control_size,
                                 bool video_standards) {
    Bytes b{0x05, id, source, 0, 0, control_size};
    b.insert(b.end(), control_size, 0x01);
    b.push_back(0);  // iProcessing
    if (video_standards) b.push_back(0x01);
    return desc(0x24, b);
  }
  ConfigBuilder& selector_unit(std::uint8_t id, std::initializer_list<std::uint8_t> sources) {
    Bytes b{0x04, id, static_cast<std::uint8_t>(sources.size())};
    b.insert(b.end(), sources);
    b.push_back(0);
    return desc(0x24, b);
  }
  ConfigBuilder& extension_unit(std::uint8_t id, std::uint8_t source) {
    Bytes b{0x06, id};
    for (int i = 0; i < 16; ++i)
      b.push_back(static_cast<std::uint8_t>(0xA0 + i));
    b.insert(b.end(), {4, 1, source, 2, 0x0F, 0x00, 0});
    return desc(0x24, b);
  }
  ConfigBuilder& encoding_unit(std::uint8_t id, std::uint8_t source) {
    return desc(0x24, {0x07, id, source, 0, 3, 1, 2, 3, 4, 5, 6});
  }

  ConfigBuilder& input_header(std::uint8_t formats, std::uint8_t endpoint) {
    header_at_ = bytes_.size();
    header_length_at_ = 4;
    class_bytes_ = 0;
    Bytes b{0x01, formats, 0, 0, endpoint, 0, 3, 0, 0, 0, 1};
    b.insert(b.end(), formats, 0);
    return desc(0x24, b);
  }
  ConfigBuilder& format_uncompressed(std::uint8_t index, std::uint8_t frames, const char* fourcc,
                                     std::uint8_t bpp = 16) {
    Bytes b{0x04, index, frames};
    for (int i = 0; i < 4; ++i)
      b.push_back(static_cast<std::uint8_t>(fourcc[i]));
    b.insert(b.end(), {0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71});
    b.insert(b.end(), {bpp, 1, 0, 0, 0, 0});
    return desc(0x24, b);
  }
  ConfigBuilder& format_mjpeg(std::uint8_t index, std::uint8_t frames) {
    return desc(0x24, {0x06, index, frames, 0, 1, 0, 0, 0, 0});
  }
  ConfigBuilder& format_frame_based(std::uint8_t index, std::uint8_t frames, const char* fourcc) {
    Bytes b{0x10, index, frames};
    for (int i = 0; i < 4; ++i)
      b.push_back(static_cast<std::uint8_t>(fourcc[i]));
    b.insert(b.end(), {0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71});
    b.insert(b.end(), {16, 1, 0, 0, 0, 0, 1});
    return desc(0x24, b);
  }
  // A frame of the given subtype (0x05, 0x07, 0x11); intervals discrete, or
  // continuous {min, max, step} when `continuous`.
  ConfigBuilder& frame(std::uint8_t subtype, std::uint8_t index, std::uint16_t w, std::uint16_t h,
                       std::uint32_t size_or_bpl, std::uint32_t default_interval,
                       std::initializer_list<std::uint32_t> intervals, bool continuous = false) {
    Bytes b{subtype, index, 0, lo(w), hi(w), lo(h), hi(h)};
    put32(b, 1000000);  // dwMinBitRate
    put32(b, 9000000);  // dwMaxBitRate
    const std::uint8_t type = continuous ? 0 : static_cast<std::uint8_t>(intervals.size());
    if (subtype == 0x11) {
      put32(b, default_interval);
      b.push_back(type);
      put32(b, size_or_bpl);
    } else {
      put32(b, size_or_bpl);
      put32(b, default_interval);
      b.push_back(type);
    }
    for (std::uint32_t i : intervals)
      put32(b, i);
    return desc(0x24, b);
  }
  ConfigBuilder& still_frame(std::initializer_list<std::pair<std::uint16_t, std::uint16_t>> sizes) {
    Bytes b{0x03, 0, static_cast<std::uint8_t>(sizes.size())};
    for (const auto& [w, h] : sizes)
      b.insert(b.end(), {lo(w), hi(w), lo(h), hi(h)});
    b.push_back(0);
    return desc(0x24, b);
  }
  ConfigBuilder& color_matching() { return desc(0x24, {0x0D, 1, 1, 4}); }

  Bytes finish() {
    close_class_block();
    bytes_[2] = lo(static_cast<std::uint16_t>(bytes_.size()));
    bytes_[3] = hi(static_cast<std::uint16_t>(bytes_.size()));
    bytes_[4] = static_cast<std::uint8_t>(interface_numbers());
    return bytes_;
  }

 private:
  static std::uint8_t lo(std::uint16_t v) { return static_cast<std::uint8_t>(v); }
  static std::uint8_t hi(std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); }
  static void put32(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void close_class_block() {
    if (header_at_) {
      const auto total = static_cast<std::uint16_t>(class_bytes_);
      bytes_[*header_at_ + header_length_at_] = lo(total);
      bytes_[*header_at_ + header_length_at_ + 1] = hi(total);
    }
    header_at_.reset();
    in_vc_ = in_vs_ = false;
    class_bytes_ = 0;
  }
  std::size_t interface_numbers() const {
    std::vector<std::uint8_t> seen;
    for (std::size_t at = 9; at + 2 < bytes_.size() && bytes_[at] >= 2; at += bytes_[at])
      if (bytes_[at + 1] == 0x04 &&
          std::find(seen.begin(), seen.end(), bytes_[at + 2]) == seen.end())
        seen.push_back(bytes_[at + 2]);
    return seen.size();
  }

  Bytes bytes_;
  std::optional<std::size_t> header_at_;
  std::size_t header_length_at_ = 0;
  std::size_t class_bytes_ = 0;
  bool in_vc_ = false;
  bool in_vs_ = false;
};

}  // namespace hilcap::uvc::testing
