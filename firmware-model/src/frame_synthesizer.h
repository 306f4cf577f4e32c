// FrameSynthesizer: writes one frame into a posted buffer.
//
// Every frame starts with the in-band FrameHeader (sequence, timestamp,
// checksum; frame_header.h). Payload modes:
// - pattern: eight 75% colour bars (BT.601 limited range) that move right by
//   bar_step_pixels() per frame, and the frame's sequence number drawn in a
//   5x7 font, white on black, near the top-left corner (counter_box());
// - zeros: every pixel byte 0;
// - header-only: the header alone, the pixels are left as they were.
//
// Speed (the pattern at 1080p is memory-bound): every row is written as a few
// runs of 16-byte stores, one run per bar, in row order so that a run may
// overshoot into the next instead of finishing with a tail loop, and with no
// per-pixel arithmetic; the counter's scanlines are built once per frame and
// copied into its rows. Nothing is allocated per frame.
#pragma once

#include <hilcap/device/frame_format.h>
#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hilcap::device {

// Where the frame counter is drawn, in pixels. Each glyph cell is 6 * scale
// wide (5 columns and a gap) and 9 * scale high (a margin row, 7 glyph rows, a
// margin row); the box starts with a margin of `scale` columns.
struct CounterBox {
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  std::uint32_t width = 0;   // clipped to the frame
  std::uint32_t height = 0;  // clipped to the frame
  std::uint32_t scale = 1;
};

class FrameSynthesizer {
 public:
  // Luma of the counter's glyphs and background.
  static constexpr std::uint8_t kCounterInk = 235;
  static constexpr std::uint8_t kCounterPaper = 16;

  // `format` must be valid (DeviceConfig::validate()).
  FrameSynthesizer(const FrameFormat& format, PayloadMode mode);

  const FrameFormat& format() const { return format_; }
  PayloadMode mode() const { return mode_; }
  std::uint32_t frame_bytes() const { return frame_bytes_; }

  // Writes frame `sequence` into `frame` (at least frame_bytes() long) and
  // returns its checksum (also stored in the header).
  std::uint64_t render(std::span<std::byte> frame, std::uint64_t sequence, TimeNs timestamp_ns);

  // Flips one bit that the checksum covers, chosen by `salt`: in a payload
  // sample, or in the header's reserved word when the frame has no samples.
  void corrupt(std::span<std::byte> frame, std::uint64_t salt) const;

  // Pattern geometry.
  std::uint32_t bar_step_pixels() const { return step_units_ * unit_pixels_; }
  std::uint32_t bar_shift_pixels(std::uint64_t sequence) const;
  CounterBox counter_box(std::uint64_t sequence) const;

 private:
  struct Run {
    std::uint32_t begin_unit;
    std::uint32_t units;
    std::uint8_t bar;
  };
  // One plane's row layout: a unit is the smallest repeating group of bytes of
  // one colour (YUY2: Y U Y V; NV12 luma: Y Y; NV12 chroma: U V; GREY: Y).
  struct Plane {
    std::uint32_t unit_bytes;
    std::array<std::uint64_t, 8> bar_patterns;  // the unit repeated to 8 bytes
  };

  void render_pattern(std::byte* frame, std::uint64_t sequence);
  void build_counter(std::uint64_t sequence, const CounterBox& box);
  void fill_row(std::byte* row, const Plane& plane, const std::byte* frame_end) const;
  std::uint64_t stamp_header(std::byte* frame, std::uint64_t sequence, TimeNs timestamp_ns) const;

  FrameFormat format_;
  PayloadMode mode_;
  std::uint32_t frame_bytes_;
  std::uint32_t unit_pixels_;
  std::uint32_t units_per_row_;
  std::array<std::uint32_t, 9> bar_edges_{};  // in units
  std::uint32_t step_units_;
  Plane packed_or_luma_{};
  Plane chroma_{};  // NV12 only
  std::uint32_t counter_scale_;
  std::uint32_t counter_bytes_per_pixel_;
  std::vector<std::byte> counter_lines_;  // 9 scanlines of the counter box, reused
  std::size_t counter_line_bytes_ = 0;
  std::array<Run, 9> runs_{};
  std::size_t run_count_ = 0;
};

}  // namespace hilcap::device
