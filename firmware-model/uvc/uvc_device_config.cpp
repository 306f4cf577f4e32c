#include "uvc_device_config.h"

#include <fmt/format.h>
#include <hilcap/device/uvc_protocol.h>

#include <cmath>

namespace hilcap::device::uvc {

std::uint16_t bcd_uvc(UvcVersion version) {
  switch (version) {
    case UvcVersion::k1_0:
      return 0x0100;
    case UvcVersion::k1_1:
      return 0x0110;
    case UvcVersion::k1_5:
      return 0x0150;
  }
  return 0x0100;
}

bool is_uncompressed(VideoFormat format) {
  return format != VideoFormat::kMjpeg;
}

std::uint8_t bits_per_pixel(VideoFormat format) {
  switch (format) {
    case VideoFormat::kYuy2:
      return 16;
    case VideoFormat::kNv12:
      return 12;
    case VideoFormat::kGrey:
      return 8;
    case VideoFormat::kMjpeg:
      return 0;
  }
  return 0;
}

std::uint32_t max_frame_bytes(const FormatConfig& format, const FrameConfig& frame) {
  if (!is_uncompressed(format.format)) return frame.max_compressed_bytes;
  const std::uint64_t bits =
      std::uint64_t{frame.width} * frame.height * bits_per_pixel(format.format);
  return static_cast<std::uint32_t>(bits / 8);
}

std::uint32_t bytes_per_interval(const IsoAltSetting& alt) {
  return std::uint32_t{alt.max_packet_size} * alt.transactions * alt.burst;
}

std::size_t payload_header_size(const PayloadHeaderFields& fields) {
  return kMinPayloadHeader + (fields.pts ? 4 : 0) + (fields.scr ? 6 : 0);
}

namespace {

class ErrorList {
 public:
  // `pointer`: the value's JSON Pointer in the configuration ("/formats/0/frames/1/width").
  void add(std::string pointer, std::string expected, std::string found) {
    errors_.push_back({std::move(pointer), std::move(expected), std::move(found)});
  }
  FieldErrors take() { return std::move(errors_); }

 private:
  FieldErrors errors_;
};

const char* speed_name(UsbSpeed speed) {
  switch (speed) {
    case UsbSpeed::kFull:
      return "full speed";
    case UsbSpeed::kHigh:
      return "high speed";
    case UsbSpeed::kSuper:
      return "SuperSpeed";
  }
  return "?";
}

// A string descriptor holds at most 126 UTF-16 code units; ASCII keeps the
// UTF-16 conversion trivial and the bytes predictable.
void check_string(ErrorList& errors, const char* pointer, const std::string& s) {
  if (s.size() > 126)
    errors.add(pointer, "at most 126 characters", fmt::format("{} characters", s.size()));
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) {
      errors.add(pointer, "printable ASCII characters",
                 fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c)));
      break;
    }
  }
}

void check_intervals(ErrorList& errors, const std::string& path, const FrameConfig& frame) {
  if (const auto* discrete = std::get_if<DiscreteIntervals>(&frame.intervals)) {
    const auto& list = discrete->intervals_100ns;
    if (list.empty() || list.size() > 255) {
      errors.add(path + "/intervals", "1 to 255 discrete intervals",
                 fmt::format("{}", list.size()));
      return;
    }
    bool has_default = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i] == 0) errors.add(fmt::format("{}/intervals/{}", path, i), "> 0", "0");
      if (i > 0 && list[i] <= list[i - 1])
        errors.add(fmt::format("{}/intervals/{}", path, i),
                   fmt::format("a value above the previous interval {}", list[i - 1]),
                   fmt::format("{}", list[i]));
      has_default = has_default || list[i] == frame.default_interval_100ns;
    }
    if (!has_default)
      errors.add(path + "/default_interval_100ns", "one of the offered intervals",
                 fmt::format("{}", frame.default_interval_100ns));
    return;
  }
  const auto& range = std::get<ContinuousIntervals>(frame.intervals);
  if (range.min_100ns == 0) errors.add(path + "/intervals/min_100ns", "> 0", "0");
  if (range.max_100ns < range.min_100ns) {
    errors.add(path + "/intervals/max_100ns", fmt::format(">= min_100ns ({})", range.min_100ns),
               fmt::format("{}", range.max_100ns));
    return;
  }
  if (range.max_100ns > range.min_100ns) {
    if (range.step_100ns == 0 || (range.max_100ns - range.min_100ns) % range.step_100ns != 0) {
      errors.add(
          path + "/intervals/step_100ns",
          fmt::format("a non-zero divisor of max - min ({})", range.max_100ns - range.min_100ns),
          fmt::format("{}", range.step_100ns));
      return;
    }
  }
  const std::uint32_t d = frame.default_interval_100ns;
  const bool on_grid = d >= range.min_100ns && d <= range.max_100ns &&
                       (range.step_100ns == 0 || (d - range.min_100ns) % range.step_100ns == 0);
  if (!on_grid)
    errors.add(path + "/default_interval_100ns",
               fmt::format("min + k * step within [{}, {}]", range.min_100ns, range.max_100ns),
               fmt::format("{}", d));
}

void check_formats(ErrorList& errors, const UvcDeviceConfig& config) {
  if (config.formats.empty() || config.formats.size() > 255) {
    errors.add("/formats", "1 to 255 formats", fmt::format("{}", config.formats.size()));
    return;
  }
  for (std::size_t f = 0; f < config.formats.size(); ++f) {
    const FormatConfig& format = config.formats[f];
    const std::string fpath = fmt::format("/formats/{}", f);
    if (format.frames.empty() || format.frames.size() > 255) {
      errors.add(fpath + "/frames", "1 to 255 frames", fmt::format("{}", format.frames.size()));
      continue;
    }
    if (format.default_frame_index < 1 || format.default_frame_index > format.frames.size())
      errors.add(fpath + "/default_frame_index", fmt::format("1 to {}", format.frames.size()),
                 fmt::format("{}", format.default_frame_index));
    for (std::size_t i = 0; i < format.frames.size(); ++i) {
      const FrameConfig& frame = format.frames[i];
      const std::string path = fmt::format("{}/frames/{}", fpath, i);
      if (frame.width == 0) errors.add(path + "/width", "> 0", "0");
      if (frame.height == 0) errors.add(path + "/height", "> 0", "0");
      // Chroma subsampling: YUY2 pairs pixels horizontally, NV12 in both directions.
      if (format.format == VideoFormat::kYuy2 || format.format == VideoFormat::kNv12) {
        if (frame.width % 2 != 0)
          errors.add(path + "/width", "an even width for this format",
                     fmt::format("{}", frame.width));
      }
      if (format.format == VideoFormat::kNv12 && frame.height % 2 != 0)
        errors.add(path + "/height", "an even height for NV12", fmt::format("{}", frame.height));
      if (is_uncompressed(format.format)) {
        if (frame.max_compressed_bytes != 0)
          errors.add(path + "/max_compressed_bytes",
                     "0 for an uncompressed format (its size follows from width x height)",
                     fmt::format("{}", frame.max_compressed_bytes));
      } else if (frame.max_compressed_bytes == 0) {
        errors.add(path + "/max_compressed_bytes", "> 0 for MJPEG", "0");
      }
      check_intervals(errors, path, frame);
    }
  }
}

void check_transport(ErrorList& errors, const UvcDeviceConfig& config) {
  const UsbSpeed speed = config.speed;
  if (const auto* iso = std::get_if<IsochronousTransport>(&config.transport)) {
    if (iso->alt_settings.empty() || iso->alt_settings.size() > 254) {
      errors.add("/transport/alt_settings", "1 to 254 isochronous alternate settings",
                 fmt::format("{}", iso->alt_settings.size()));
      return;
    }
    for (std::size_t i = 0; i < iso->alt_settings.size(); ++i) {
      const IsoAltSetting& alt = iso->alt_settings[i];
      const std::string path = fmt::format("/transport/alt_settings/{}", i);
      const std::uint16_t max_mps = speed == UsbSpeed::kFull ? 1023 : 1024;
      if (alt.max_packet_size == 0 || alt.max_packet_size > max_mps)
        errors.add(path + "/max_packet_size",
                   fmt::format("1 to {} at {}", max_mps, speed_name(speed)),
                   fmt::format("{}", alt.max_packet_size));
      const std::uint8_t max_transactions = speed == UsbSpeed::kFull ? 1 : 3;
      if (alt.transactions < 1 || alt.transactions > max_transactions)
        errors.add(path + "/transactions",
                   fmt::format("1 to {} at {}", max_transactions, speed_name(speed)),
                   fmt::format("{}", alt.transactions));
      const std::uint8_t max_burst = speed == UsbSpeed::kSuper ? 16 : 1;
      if (alt.burst < 1 || alt.burst > max_burst)
        errors.add(path + "/burst", fmt::format("1 to {} at {}", max_burst, speed_name(speed)),
                   fmt::format("{}", alt.burst));
      // USB 2.0 5.9: high-bandwidth endpoints need more than one transaction's worth.
      const std::uint16_t min_high_bandwidth = alt.transactions == 3 ? 683 : 513;
      if (speed == UsbSpeed::kHigh && alt.transactions > 1 &&
          alt.max_packet_size < min_high_bandwidth)
        errors.add(path + "/max_packet_size",
                   fmt::format("{} to 1024 with {} transactions per microframe", min_high_bandwidth,
                               alt.transactions),
                   fmt::format("{}", alt.max_packet_size));
      // USB 3.2 9.6.7: bursts of isochronous packets use full 1024-byte packets.
      if (speed == UsbSpeed::kSuper && (alt.burst > 1 || alt.transactions > 1) &&
          alt.max_packet_size != 1024)
        errors.add(path + "/max_packet_size", "1024 when burst or transactions exceed 1",
                   fmt::format("{}", alt.max_packet_size));
    }
    return;
  }
  const auto& bulk = std::get<BulkTransport>(config.transport);
  switch (speed) {
    case UsbSpeed::kFull:
      if (bulk.max_packet_size != 8 && bulk.max_packet_size != 16 && bulk.max_packet_size != 32 &&
          bulk.max_packet_size != 64)
        errors.add("/transport/max_packet_size", "8, 16, 32 or 64 at full speed",
                   fmt::format("{}", bulk.max_packet_size));
      break;
    case UsbSpeed::kHigh:
      if (bulk.max_packet_size != 512)
        errors.add("/transport/max_packet_size", "512 at high speed",
                   fmt::format("{}", bulk.max_packet_size));
      break;
    case UsbSpeed::kSuper:
      if (bulk.max_packet_size != 1024)
        errors.add("/transport/max_packet_size", "1024 at SuperSpeed",
                   fmt::format("{}", bulk.max_packet_size));
      break;
  }
  const std::uint8_t max_burst = speed == UsbSpeed::kSuper ? 16 : 1;
  if (bulk.burst < 1 || bulk.burst > max_burst)
    errors.add("/transport/burst", fmt::format("1 to {} at {}", max_burst, speed_name(speed)),
               fmt::format("{}", bulk.burst));
  if (bulk.max_payload_transfer_size != 0 && bulk.max_payload_transfer_size <= 12)
    errors.add("/transport/max_payload_transfer_size",
               "0 (derived) or more than a 12-byte payload header",
               fmt::format("{}", bulk.max_payload_transfer_size));
}

}  // namespace

FieldErrors validate(const UvcDeviceConfig& config) {
  ErrorList errors;
  if (config.vendor_id == 0) errors.add("/vendor_id", "a non-zero vendor ID", "0x0000");
  check_string(errors, "/manufacturer", config.manufacturer);
  check_string(errors, "/product", config.product);
  check_string(errors, "/serial", config.serial);
  check_formats(errors, config);
  check_transport(errors, config);
  if (config.clock_frequency_hz == 0) errors.add("/clock_frequency_hz", "> 0", "0");
  const std::size_t block = probe_commit_size(bcd_uvc(config.uvc_version));
  if (config.negotiation.short_reply_bytes >= block)
    errors.add("/negotiation/short_reply_bytes",
               fmt::format("0 or fewer than the {}-byte probe/commit block", block),
               fmt::format("{}", config.negotiation.short_reply_bytes));
  if (!std::isfinite(config.clock.drift_ppm) || std::fabs(config.clock.drift_ppm) > 10'000.0)
    errors.add("/clock/drift_ppm", "a finite value within +-10000",
               fmt::format("{}", config.clock.drift_ppm));
  return errors.take();
}

}  // namespace hilcap::device::uvc
