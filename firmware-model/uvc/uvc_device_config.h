// What a UVC personality of the device model is: identity, bus speed, UVC
// version, streaming transport, formats with their frames and intervals, and
// how the device behaves in negotiation and in its payloads. validate() checks
// a configuration and names every wrong field.
#pragma once

#include <hilcap/device_internal.h>
#include <hilcap/field_error.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "device_clock.h"

namespace hilcap::device::uvc {

enum class UsbSpeed : std::uint8_t { kFull, kHigh, kSuper };
enum class UvcVersion : std::uint8_t { k1_0, k1_1, k1_5 };
enum class VideoFormat : std::uint8_t { kYuy2, kNv12, kGrey, kMjpeg };

std::uint16_t bcd_uvc(UvcVersion version);
bool is_uncompressed(VideoFormat format);
// Bits per pixel of an uncompressed format (bBitsPerPixel); 0 for MJPEG.
std::uint8_t bits_per_pixel(VideoFormat format);

// Frame intervals in 100 ns units, shortest first.
struct DiscreteIntervals {
  std::vector<std::uint32_t> intervals_100ns;
};
struct ContinuousIntervals {
  std::uint32_t min_100ns = 0;
  std::uint32_t max_100ns = 0;
  std::uint32_t step_100ns = 0;
};
using FrameIntervalConfig = std::variant<DiscreteIntervals, ContinuousIntervals>;

struct FrameConfig {
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  FrameIntervalConfig intervals;
  std::uint32_t default_interval_100ns = 0;
  // MJPEG only: the largest compressed frame (dwMaxVideoFrameBufferSize). An
  // uncompressed frame's size follows from width, height and the format.
  std::uint32_t max_compressed_bytes = 0;
};

struct FormatConfig {
  VideoFormat format = VideoFormat::kYuy2;
  std::vector<FrameConfig> frames;
  std::uint8_t default_frame_index = 1;  // 1-based, as in the descriptor
};

// One alternate setting of an isochronous streaming interface. Bytes per
// service interval = max_packet_size x transactions x burst.
struct IsoAltSetting {
  std::uint16_t max_packet_size = 0;  // wMaxPacketSize bits 0..10 (SuperSpeed: up to 1024)
  std::uint8_t transactions = 1;      // high-bandwidth mult (HS) or Mult + 1 (SS): 1..3
  std::uint8_t burst = 1;             // SuperSpeed bMaxBurst + 1: 1..16
};

struct IsochronousTransport {
  std::vector<IsoAltSetting> alt_settings;  // alternate settings 1..n (0 has no bandwidth)
};

struct BulkTransport {
  std::uint16_t max_packet_size = 512;  // FS 8..64, HS 512, SS 1024
  std::uint8_t burst = 1;               // SuperSpeed bMaxBurst + 1
  // dwMaxPayloadTransferSize the device reports; 0: the largest frame of the
  // negotiated format plus a payload header (one payload per frame).
  std::uint32_t max_payload_transfer_size = 0;
};

using TransportConfig = std::variant<IsochronousTransport, BulkTransport>;

// Which optional payload header fields the device sends (2 to 12 bytes).
struct PayloadHeaderFields {
  bool pts = true;
  bool scr = true;
};

// Header length of payloads with these fields (2, 6, 8 or 12 bytes).
std::size_t payload_header_size(const PayloadHeaderFields& fields);

struct PayloadStyle {
  PayloadHeaderFields header;
  // End each frame with a header-only payload that carries EOF, as some
  // cameras do, instead of setting EOF on the last data payload.
  bool eof_in_header_only_payload = false;
  // Isochronous packets with no frame data to send: header-only payloads
  // (true) or zero-length packets (false).
  bool idle_header_only = false;
};

// How the interval a host asks for in PROBE is answered.
enum class IntervalPolicy : std::uint8_t {
  kNearest,          // the offered interval nearest the request (ties: the shorter)
  kAlwaysDifferent,  // an offered interval other than the nearest (next slower, else next faster)
  kSlowest,          // always the longest offered interval
};

struct NegotiationBehaviour {
  IntervalPolicy interval_policy = IntervalPolicy::kNearest;
  bool stall_probe = false;   // SET_CUR(PROBE) refused with a STALL
  bool stall_commit = false;  // SET_CUR(COMMIT) refused with a STALL
  // GET requests on the probe/commit block answer this many bytes instead of
  // the whole block (0: the whole block).
  std::size_t short_reply_bytes = 0;
};

struct UvcDeviceConfig {
  std::uint16_t vendor_id = 0xcafe;
  std::uint16_t product_id = 0x4010;
  std::uint16_t bcd_device = 0x0100;
  std::string manufacturer = "hilcap";
  std::string product = "hilcap UVC device model";
  std::string serial;  // empty: no serial number string
  UsbSpeed speed = UsbSpeed::kHigh;
  UvcVersion uvc_version = UvcVersion::k1_1;
  TransportConfig transport = IsochronousTransport{};
  std::vector<FormatConfig> formats;
  std::uint32_t clock_frequency_hz = 48'000'000;  // dwClockFrequency
  bool interrupt_endpoint = false;                // VideoControl status endpoint
  PayloadStyle payload;
  NegotiationBehaviour negotiation;
  DeviceClockSettings clock;
};

// Every error in the configuration, each at its JSON Pointer in the
// configuration's own fields ("/formats/0/frames/1/width",
// "/transport/max_packet_size"); empty when it is valid.
FieldErrors validate(const UvcDeviceConfig& config);

// The largest frame of a format/frame pair in bytes (dwMaxVideoFrameSize).
std::uint32_t max_frame_bytes(const FormatConfig& format, const FrameConfig& frame);

// Bytes per service interval of an isochronous alternate setting.
std::uint32_t bytes_per_interval(const IsoAltSetting& alt);

// A value, or the configuration errors that prevented it.
template <class T>
class Checked {
 public:
  Checked(T value) : state_(std::move(value)) {}              // NOLINT: implicit by design
  Checked(FieldErrors errors) : state_(std::move(errors)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const FieldErrors& errors() const { return std::get<FieldErrors>(state_); }

 private:
  std::variant<T, FieldErrors> state_;
};

}  // namespace hilcap::device::uvc
