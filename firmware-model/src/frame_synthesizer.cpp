#include "frame_synthesizer.h"

#include <hilcap/device/frame_header.h>

#include <algorithm>
#include <cstring>

#include "counter_font.h"
#include "frame_layout.h"

namespace hilcap::device {
namespace {

struct Yuv {
  std::uint8_t y, u, v;
};

// 75% colour bars, BT.601 limited range: white, yellow, cyan, green, magenta,
// red, blue, black.
constexpr std::array<Yuv, 8> kBars = {{{180, 128, 128},
                                       {162, 44, 142},
                                       {131, 156, 44},
                                       {112, 72, 58},
                                       {84, 184, 198},
                                       {65, 100, 212},
                                       {35, 212, 114},
                                       {16, 128, 128}}};

constexpr std::uint32_t kMaxCounterDigits = 20;  // 2^64 - 1 has 20 decimal digits
constexpr std::uint32_t kCellColumns = kGlyphColumns + 1;
constexpr std::uint32_t kCellRows = kGlyphRows + 2;

// `unit` (1, 2 or 4 bytes, first byte lowest) repeated to fill 8 bytes.
std::uint64_t repeat_unit(std::uint32_t unit, std::uint32_t unit_bytes) {
  std::uint64_t pattern = 0;
  for (std::uint32_t byte = 0; byte < 8; ++byte) {
    const std::uint32_t shift = 8 * (byte % unit_bytes);
    pattern |= std::uint64_t{(unit >> shift) & 0xFFu} << (8 * byte);
  }
  return pattern;
}

using Vec16 = std::uint64_t __attribute__((vector_size(16)));

// Writes `len` bytes of the 8-byte periodic `pattern` (its byte 0 at dst[0]),
// exactly: 16-byte vector stores (SSE2 on baseline x86-64), then the tail.
void fill_pattern(std::byte* dst, std::size_t len, std::uint64_t pattern) {
  const Vec16 vec = {pattern, pattern};
  std::size_t i = 0;
  for (; i + 16 <= len; i += 16)
    std::memcpy(dst + i, &vec, 16);
  for (; i + 8 <= len; i += 8)
    std::memcpy(dst + i, &pattern, 8);
  for (; i < len; ++i)
    dst[i] = static_cast<std::byte>(pattern >> (8 * (i % 8)));
}

// The same, but rounds `len` up to whole 16-byte stores: up to 15 bytes past
// dst + len are written too. Rows are filled left to right, so those bytes are
// overwritten by the next run; this keeps the per-run cost to the stores
// themselves (ending every run exactly ran at about 0.4x memset at 1080p).
void fill_pattern_overshooting(std::byte* dst, std::size_t len, std::uint64_t pattern) {
  const Vec16 vec = {pattern, pattern};
  for (std::size_t i = 0; i < len; i += 16)
    std::memcpy(dst + i, &vec, 16);
}

std::uint32_t decimal_digits(std::uint64_t value) {
  std::uint32_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

}  // namespace

FrameSynthesizer::FrameSynthesizer(const FrameFormat& format, PayloadMode mode)
    : format_(format),
      mode_(mode),
      frame_bytes_(static_cast<std::uint32_t>(format.frame_bytes())),
      unit_pixels_(format.pixel_format == PixelFormat::kGrey ? 1 : 2),
      units_per_row_(format.width / unit_pixels_),
      step_units_(std::max<std::uint32_t>(1, units_per_row_ / 64)),
      counter_scale_(std::max<std::uint32_t>(1, format.height / 120)),
      counter_bytes_per_pixel_(format.pixel_format == PixelFormat::kYuy2 ? 2 : 1) {
  for (std::uint32_t i = 0; i <= 8; ++i)
    bar_edges_[i] = units_per_row_ * i / 8;

  auto set_plane = [](Plane& plane, std::uint32_t unit_bytes, auto unit_of) {
    plane.unit_bytes = unit_bytes;
    for (std::size_t bar = 0; bar < kBars.size(); ++bar) {
      const std::uint32_t unit = unit_of(kBars[bar]);
      plane.bar_patterns[bar] = repeat_unit(unit, unit_bytes);
    }
  };
  switch (format.pixel_format) {
    case PixelFormat::kYuy2:
      set_plane(packed_or_luma_, 4, [](Yuv c) {
        return std::uint32_t{c.y} | std::uint32_t{c.u} << 8 | std::uint32_t{c.y} << 16 |
               std::uint32_t{c.v} << 24;
      });
      break;
    case PixelFormat::kNv12:
      set_plane(packed_or_luma_, 2, [](Yuv c) { return std::uint32_t{c.y} * 0x0101u; });
      set_plane(chroma_, 2, [](Yuv c) { return std::uint32_t{c.u} | std::uint32_t{c.v} << 8; });
      break;
    case PixelFormat::kGrey:
      set_plane(packed_or_luma_, 1, [](Yuv c) { return std::uint32_t{c.y}; });
      break;
  }

  if (mode_ == PayloadMode::kPattern) {
    std::uint32_t widest = counter_scale_ * (1 + kMaxCounterDigits * kCellColumns);
    widest = (widest + unit_pixels_ - 1) / unit_pixels_ * unit_pixels_;
    counter_line_bytes_ = std::size_t{std::min(widest, format.width)} * counter_bytes_per_pixel_;
    counter_lines_.resize(counter_line_bytes_ * kCellRows);
  }
}

std::uint32_t FrameSynthesizer::bar_shift_pixels(std::uint64_t sequence) const {
  const std::uint64_t shift = (sequence % units_per_row_) * step_units_ % units_per_row_;
  return static_cast<std::uint32_t>(shift) * unit_pixels_;
}

CounterBox FrameSynthesizer::counter_box(std::uint64_t sequence) const {
  CounterBox box;
  box.scale = counter_scale_;
  box.x = (2 * counter_scale_ + unit_pixels_ - 1) / unit_pixels_ * unit_pixels_;
  box.y = 2 * counter_scale_;
  if (box.x >= format_.width || box.y >= format_.height) return box;
  std::uint32_t width = counter_scale_ * (1 + decimal_digits(sequence) * kCellColumns);
  width = (width + unit_pixels_ - 1) / unit_pixels_ * unit_pixels_;
  box.width = std::min(width, format_.width - box.x);
  box.height = std::min(kCellRows * counter_scale_, format_.height - box.y);
  return box;
}

void FrameSynthesizer::build_counter(std::uint64_t sequence, const CounterBox& box) {
  char digits[kMaxCounterDigits];
  const std::uint32_t count = decimal_digits(sequence);
  for (std::uint32_t i = count; i-- > 0; sequence /= 10)
    digits[i] = static_cast<char>(sequence % 10);

  const std::size_t line_bytes = std::size_t{box.width} * counter_bytes_per_pixel_;
  const std::uint32_t scale = box.scale;
  for (std::uint32_t row = 0; row < kCellRows; ++row) {
    std::byte* line = counter_lines_.data() + row * counter_line_bytes_;
    // Paper first; YUY2 paper carries neutral chroma.
    if (counter_bytes_per_pixel_ == 2) {
      fill_pattern(line, line_bytes, repeat_unit(0x80108010u, 4));
    } else {
      std::memset(line, kCounterPaper, line_bytes);
    }
    if (row == 0 || row == kCellRows - 1) continue;
    for (std::uint32_t d = 0; d < count; ++d) {
      const std::uint8_t bits = kDigitGlyphs[static_cast<std::size_t>(digits[d])][row - 1];
      for (int column = 0; column < kGlyphColumns; ++column) {
        if ((bits & (0x10 >> column)) == 0) continue;
        const std::uint32_t first = scale * (1 + d * kCellColumns + column);
        const std::uint32_t last = std::min(first + scale, box.width);
        for (std::uint32_t x = first; x < last; ++x) {
          line[std::size_t{x} * counter_bytes_per_pixel_] = std::byte{kCounterInk};
        }
      }
    }
  }
}

void FrameSynthesizer::fill_row(std::byte* row, const Plane& plane,
                                const std::byte* frame_end) const {
  // Runs are in row order, so each may overshoot into the next one (or into
  // the next row, written later); only near the end of the frame must a run
  // stop exactly.
  for (std::size_t i = 0; i < run_count_; ++i) {
    const Run& run = runs_[i];
    std::byte* at = row + std::size_t{run.begin_unit} * plane.unit_bytes;
    const std::size_t len = std::size_t{run.units} * plane.unit_bytes;
    if (frame_end - at >= static_cast<std::ptrdiff_t>(len + 15)) {
      fill_pattern_overshooting(at, len, plane.bar_patterns[run.bar]);
    } else {
      fill_pattern(at, len, plane.bar_patterns[run.bar]);
    }
  }
}

void FrameSynthesizer::render_pattern(std::byte* frame, std::uint64_t sequence) {
  // This frame's bars as runs of units, rotated right by the frame's shift.
  const std::uint32_t shift = bar_shift_pixels(sequence) / unit_pixels_;
  run_count_ = 0;
  for (std::uint8_t bar = 0; bar < 8; ++bar) {
    const std::uint32_t units = bar_edges_[bar + 1] - bar_edges_[bar];
    if (units == 0) continue;
    std::uint32_t begin = bar_edges_[bar] + shift;
    if (begin >= units_per_row_) begin -= units_per_row_;
    const std::uint32_t first_part = std::min(units, units_per_row_ - begin);
    runs_[run_count_++] = {begin, first_part, bar};
    if (first_part < units) runs_[run_count_++] = {0, units - first_part, bar};
  }
  std::sort(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(run_count_),
            [](const Run& a, const Run& b) { return a.begin_unit < b.begin_unit; });

  const CounterBox box = counter_box(sequence);
  const bool counter = box.width > 0 && box.height > 0;
  if (counter) build_counter(sequence, box);
  const std::size_t box_line_bytes = std::size_t{box.width} * counter_bytes_per_pixel_;
  const std::size_t box_offset = std::size_t{box.x} * counter_bytes_per_pixel_;

  const std::byte* frame_end = frame + frame_bytes_;
  const std::size_t row_bytes = std::size_t{format_.width} * counter_bytes_per_pixel_;
  for (std::uint32_t y = 0; y < format_.height; ++y) {
    std::byte* row = frame + y * row_bytes;
    fill_row(row, packed_or_luma_, frame_end);
    if (counter && y >= box.y && y < box.y + box.height) {
      const std::uint32_t line = (y - box.y) / box.scale;
      std::memcpy(row + box_offset, counter_lines_.data() + line * counter_line_bytes_,
                  box_line_bytes);
    }
  }
  if (format_.pixel_format != PixelFormat::kNv12) return;

  // NV12 chroma plane: one row per two luma rows, neutral under the counter.
  std::byte* chroma = frame + std::size_t{format_.width} * format_.height;
  for (std::uint32_t y = 0; y < format_.height / 2; ++y) {
    std::byte* row = chroma + std::size_t{y} * format_.width;
    fill_row(row, chroma_, frame_end);
    if (counter && 2 * y + 1 >= box.y && 2 * y < box.y + box.height) {
      std::memset(row + box.x, 0x80, box.width);
    }
  }
}

std::uint64_t FrameSynthesizer::stamp_header(std::byte* frame, std::uint64_t sequence,
                                             TimeNs timestamp_ns) const {
  FrameHeader header;
  header.pixel_format = static_cast<std::uint32_t>(format_.pixel_format);
  header.width = format_.width;
  header.height = format_.height;
  header.payload_mode = static_cast<std::uint8_t>(mode_);
  header.frame_bytes = frame_bytes_;
  header.sample_count = payload_sample_count(mode_, frame_bytes_);
  header.sequence = sequence;
  header.timestamp_ns = timestamp_ns;
  std::memcpy(frame, &header, sizeof header);
  header.checksum = frame_checksum({frame, frame_bytes_}, header);
  std::memcpy(frame + offsetof(FrameHeader, checksum), &header.checksum, sizeof header.checksum);
  return header.checksum;
}

std::uint64_t FrameSynthesizer::render(std::span<std::byte> frame, std::uint64_t sequence,
                                       TimeNs timestamp_ns) {
  switch (mode_) {
    case PayloadMode::kPattern:
      render_pattern(frame.data(), sequence);
      break;
    case PayloadMode::kZeros:
      std::memset(frame.data(), 0, frame_bytes_);
      break;
    case PayloadMode::kHeaderOnly:
      break;
  }
  return stamp_header(frame.data(), sequence, timestamp_ns);
}

void FrameSynthesizer::corrupt(std::span<std::byte> frame, std::uint64_t salt) const {
  const std::uint32_t samples = payload_sample_count(mode_, frame_bytes_);
  const std::size_t word =
      samples > 0 ? payload_sample_offset(frame_bytes_, static_cast<std::uint32_t>(salt % samples))
                  : offsetof(FrameHeader, reserved1);
  frame[word + (salt >> 8) % 8] ^= std::byte{static_cast<unsigned char>(1u << ((salt >> 16) % 8))};
}

}  // namespace hilcap::device
