#include "frame_synthesizer.h"

#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "counter_font.h"
#include "device_config.h"

namespace hilcap::device {
namespace {

using Buffer = std::vector<std::byte>;

Buffer make_buffer(const FrameSynthesizer& synth, std::byte fill = std::byte{0xAA}) {
  return Buffer(synth.frame_bytes(), fill);
}

std::span<const std::byte> view(const Buffer& buffer) {
  return {buffer.data(), buffer.size()};
}

using FormatAndMode = std::tuple<PixelFormat, PayloadMode>;

class EveryFormatAndMode : public ::testing::TestWithParam<FormatAndMode> {
 protected:
  FrameFormat format() const { return {std::get<0>(GetParam()), 320, 240}; }
  PayloadMode mode() const { return std::get<1>(GetParam()); }
};

// Guards every format and mode: a rendered frame verifies and its header describes it.
TEST_P(EveryFormatAndMode, RenderedFrameVerifies) {
  FrameSynthesizer synth(format(), mode());
  ASSERT_EQ(synth.frame_bytes(), format().frame_bytes());
  Buffer buffer = make_buffer(synth);
  const std::uint64_t checksum = synth.render(buffer, 1234, 5'000'000'123);
  const FrameVerdict verdict = verify_frame(view(buffer));
  ASSERT_EQ(verdict.check, FrameCheck::kOk) << to_string(verdict.check);
  EXPECT_EQ(verdict.header.sequence, 1234u);
  EXPECT_EQ(verdict.header.timestamp_ns, 5'000'000'123);
  EXPECT_EQ(verdict.header.checksum, checksum);
  EXPECT_EQ(verdict.header.pixel_format, static_cast<std::uint32_t>(format().pixel_format));
  EXPECT_EQ(verdict.header.width, 320u);
  EXPECT_EQ(verdict.header.height, 240u);
  EXPECT_EQ(verdict.header.frame_bytes, synth.frame_bytes());
}

// Guards corruption detection: every salt flips a checked bit, in every format and mode.
TEST_P(EveryFormatAndMode, CorruptionIsAlwaysDetected) {
  FrameSynthesizer synth(format(), mode());
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 77, 1);
  const Buffer pristine = buffer;
  for (std::uint64_t salt = 0; salt < 2000; salt += 7) {
    buffer = pristine;
    synth.corrupt(buffer, salt * 0x9E3779B97F4A7C15ull);
    ASSERT_NE(buffer, pristine);
    ASSERT_EQ(verify_frame(view(buffer)).check, FrameCheck::kChecksumMismatch) << "salt " << salt;
  }
}

// Guards short-frame detection: fewer bytes than the header announces.
TEST_P(EveryFormatAndMode, ShortFrameIsReportedShort) {
  FrameSynthesizer synth(format(), mode());
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 3, 4);
  EXPECT_EQ(verify_frame(view(buffer).first(synth.frame_bytes() - 1)).check, FrameCheck::kShort);
  EXPECT_EQ(verify_frame(view(buffer).first(kFrameHeaderBytes)).check, FrameCheck::kShort);
  EXPECT_EQ(verify_frame(view(buffer).first(10)).check, FrameCheck::kTooSmall);
}

INSTANTIATE_TEST_SUITE_P(
    Synthesizer, EveryFormatAndMode,
    ::testing::Combine(
        ::testing::Values(PixelFormat::kYuy2, PixelFormat::kNv12, PixelFormat::kGrey),
        ::testing::Values(PayloadMode::kPattern, PayloadMode::kZeros, PayloadMode::kHeaderOnly)),
    [](const auto& param_info) {
      std::string name = std::string(to_string(std::get<0>(param_info.param))) + "_" +
                         std::string(to_string(std::get<1>(param_info.param)));
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

// Guards header-only mode: nothing but the 64-byte header is written.
TEST(FrameSynthesizer, HeaderOnlyLeavesPixelsUntouched) {
  FrameSynthesizer synth({PixelFormat::kYuy2, 64, 4}, PayloadMode::kHeaderOnly);
  Buffer buffer = make_buffer(synth, std::byte{0x5A});
  synth.render(buffer, 1, 2);
  EXPECT_TRUE(std::all_of(buffer.begin() + kFrameHeaderBytes, buffer.end(),
                          [](std::byte b) { return b == std::byte{0x5A}; }));
  EXPECT_EQ(verify_frame(view(buffer)).check, FrameCheck::kOk);
}

// Guards zeros mode: every pixel byte after the header is zero.
TEST(FrameSynthesizer, ZerosModeWritesZeros) {
  FrameSynthesizer synth({PixelFormat::kNv12, 64, 8}, PayloadMode::kZeros);
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 1, 2);
  EXPECT_TRUE(std::all_of(buffer.begin() + kFrameHeaderBytes, buffer.end(),
                          [](std::byte b) { return b == std::byte{0}; }));
}

// Guards the completion cross-check: an intact frame that is not the one announced.
TEST(FrameSynthesizer, VerifyAgainstCompletionCatchesAMismatch) {
  FrameSynthesizer synth({PixelFormat::kGrey, 64, 64}, PayloadMode::kPattern);
  Buffer buffer = make_buffer(synth);
  const std::uint64_t checksum = synth.render(buffer, 10, 20);
  CompletionEntry completion{.sequence = 10, .timestamp_ns = 20, .checksum = checksum};
  EXPECT_EQ(verify_frame(view(buffer), completion).check, FrameCheck::kOk);
  completion.sequence = 11;
  EXPECT_EQ(verify_frame(view(buffer), completion).check, FrameCheck::kCompletionMismatch);
}

// Guards the verifier on foreign bytes: no header, or a damaged one.
TEST(FrameSynthesizer, VerifyRejectsBuffersWithoutAFrame) {
  Buffer zeros(4096, std::byte{0});
  EXPECT_EQ(verify_frame(view(zeros)).check, FrameCheck::kBadMagic);
  FrameSynthesizer synth({PixelFormat::kGrey, 64, 64}, PayloadMode::kPattern);
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 1, 1);
  buffer[offsetof(FrameHeader, sample_count)] = std::byte{3};
  EXPECT_EQ(verify_frame(view(buffer)).check, FrameCheck::kBadHeader);
}

// Guards the smallest frames: a 64-byte frame is all header, still verifiable and corruptible.
TEST(FrameSynthesizer, SmallestFrameIsVerifiable) {
  FrameSynthesizer synth({PixelFormat::kGrey, 8, 8}, PayloadMode::kPattern);
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 9, 9);
  EXPECT_EQ(verify_frame(view(buffer)).check, FrameCheck::kOk);
  synth.corrupt(buffer, 12345);
  EXPECT_EQ(verify_frame(view(buffer)).check, FrameCheck::kChecksumMismatch);
}

// Guards unaligned buffers: the host's alignment may be a single byte.
TEST(FrameSynthesizer, RendersIntoUnalignedMemory) {
  FrameSynthesizer synth({PixelFormat::kYuy2, 96, 32}, PayloadMode::kPattern);
  Buffer storage(synth.frame_bytes() + 1);
  const std::span<std::byte> frame(storage.data() + 1, synth.frame_bytes());
  synth.render(frame, 5, 6);
  EXPECT_EQ(verify_frame(frame).check, FrameCheck::kOk);
}

// Guards the run fill's overshoot: nothing is written past the end of the frame, at any size.
TEST(FrameSynthesizer, NeverWritesPastTheFrame) {
  const std::vector<FrameFormat> formats = {
      {PixelFormat::kGrey, 7, 10},  {PixelFormat::kGrey, 9, 9},   {PixelFormat::kGrey, 33, 17},
      {PixelFormat::kYuy2, 6, 6},   {PixelFormat::kYuy2, 34, 3},  {PixelFormat::kNv12, 8, 6},
      {PixelFormat::kNv12, 14, 10}, {PixelFormat::kYuy2, 1922, 2}};
  for (const FrameFormat& format : formats) {
    FrameSynthesizer synth(format, PayloadMode::kPattern);
    Buffer storage(synth.frame_bytes() + 32, std::byte{0xEE});
    for (std::uint64_t sequence = 0; sequence < 40; ++sequence) {
      synth.render({storage.data(), synth.frame_bytes()}, sequence, 0);
      ASSERT_EQ(verify_frame({storage.data(), synth.frame_bytes()}).check, FrameCheck::kOk);
    }
    EXPECT_TRUE(std::all_of(storage.end() - 32, storage.end(),
                            [](std::byte b) { return b == std::byte{0xEE}; }))
        << format.width << "x" << format.height << " " << to_string(format.pixel_format);
  }
}

// Luma of pixel (x, y) in any of the three formats.
std::uint8_t luma(const Buffer& frame, const FrameFormat& format, std::uint32_t x,
                  std::uint32_t y) {
  const std::size_t bytes_per_pixel = format.pixel_format == PixelFormat::kYuy2 ? 2 : 1;
  return static_cast<std::uint8_t>(frame[(std::size_t{y} * format.width + x) * bytes_per_pixel]);
}

// Reads the counter back from the pixels, glyph by glyph, with the font.
std::string read_counter(const Buffer& frame, const FrameFormat& format, const CounterBox& box) {
  std::string digits;
  const std::uint32_t cell = box.scale * 6;
  for (std::uint32_t left = box.x + box.scale; left + cell <= box.x + box.width; left += cell) {
    int match = -1;
    for (int d = 0; d < 10 && match < 0; ++d) {
      bool same = true;
      for (int row = 0; row < kGlyphRows && same; ++row) {
        for (int col = 0; col < kGlyphColumns && same; ++col) {
          // Sample the centre of each scaled font pixel.
          const std::uint32_t x = left + col * box.scale + box.scale / 2;
          const std::uint32_t y = box.y + (row + 1) * box.scale + box.scale / 2;
          const bool ink = luma(frame, format, x, y) == FrameSynthesizer::kCounterInk;
          same = ink == ((kDigitGlyphs[d][row] & (0x10 >> col)) != 0);
        }
      }
      if (same) match = d;
    }
    if (match < 0) return digits + "?";
    digits += static_cast<char>('0' + match);
  }
  return digits;
}

class EveryFormat : public ::testing::TestWithParam<PixelFormat> {};

// Guards the visible counter: the sequence number can be read back from the image.
TEST_P(EveryFormat, FrameCounterIsVisible) {
  const FrameFormat format{GetParam(), 640, 480};
  FrameSynthesizer synth(format, PayloadMode::kPattern);
  Buffer buffer = make_buffer(synth);
  for (std::uint64_t sequence : {0ull, 7ull, 1234567ull, 18446744073709551615ull}) {
    synth.render(buffer, sequence, 0);
    const CounterBox box = synth.counter_box(sequence);
    ASSERT_GT(box.width, 0u);
    EXPECT_EQ(read_counter(buffer, format, box), std::to_string(sequence));
  }
}

// Guards moving bars: frame n+1's rows are frame n's shifted right by the bar step.
TEST_P(EveryFormat, BarsMoveBetweenFrames) {
  const FrameFormat format{GetParam(), 640, 480};
  FrameSynthesizer synth(format, PayloadMode::kPattern);
  Buffer first = make_buffer(synth);
  Buffer second = make_buffer(synth);
  synth.render(first, 41, 0);
  synth.render(second, 42, 0);
  const std::uint32_t y = format.height - 1;  // below the counter
  const std::uint32_t step = synth.bar_step_pixels();
  ASSERT_GT(step, 0u);
  EXPECT_EQ(synth.bar_shift_pixels(42), (synth.bar_shift_pixels(41) + step) % format.width);
  int columns_differing = 0;
  for (std::uint32_t x = 0; x < format.width; ++x) {
    ASSERT_EQ(luma(second, format, (x + step) % format.width, y), luma(first, format, x, y)) << x;
    if (luma(second, format, x, y) != luma(first, format, x, y)) ++columns_differing;
  }
  EXPECT_GT(columns_differing, 0);
}

// Guards the colours: at shift 0 the first bar is 75% white and the last black, with their chroma.
TEST_P(EveryFormat, BarsHaveTheirColours) {
  const FrameFormat format{GetParam(), 640, 480};
  FrameSynthesizer synth(format, PayloadMode::kPattern);
  Buffer buffer = make_buffer(synth);
  synth.render(buffer, 0, 0);
  const std::uint32_t y = format.height - 2;
  EXPECT_EQ(luma(buffer, format, 40, y), 180);          // white
  EXPECT_EQ(luma(buffer, format, 40 + 80 * 6, y), 35);  // blue
  EXPECT_EQ(luma(buffer, format, 40 + 80 * 7, y), 16);  // black
  if (format.pixel_format == PixelFormat::kYuy2) {
    const std::size_t blue = (std::size_t{y} * format.width + 40 + 80 * 6) * 2;
    EXPECT_EQ(static_cast<int>(buffer[blue + 1]), 212);  // U
    EXPECT_EQ(static_cast<int>(buffer[blue + 3]), 114);  // V
  } else if (format.pixel_format == PixelFormat::kNv12) {
    const std::size_t chroma = std::size_t{format.width} * format.height;
    const std::size_t blue = chroma + std::size_t{y / 2} * format.width + 40 + 80 * 6;
    EXPECT_EQ(static_cast<int>(buffer[blue]), 212);      // U
    EXPECT_EQ(static_cast<int>(buffer[blue + 1]), 114);  // V
  }
}

INSTANTIATE_TEST_SUITE_P(Synthesizer, EveryFormat,
                         ::testing::Values(PixelFormat::kYuy2, PixelFormat::kNv12,
                                           PixelFormat::kGrey),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace hilcap::device
