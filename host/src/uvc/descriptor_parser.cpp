#include <fmt/format.h>
#include <hilcap/uvc/descriptor_parser.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace hilcap::uvc {

namespace {

namespace uvcp = device::uvc;

// One descriptor's bytes. Every read is bounds-checked: the parser checks
// lengths before reading, so an out-of-range read is a parser bug; checked
// builds stop on it, others read zero rather than past the buffer.
class DescriptorView {
 public:
  DescriptorView(std::span<const std::uint8_t> bytes, std::size_t offset)
      : bytes_(bytes), offset_(offset) {}

  std::size_t size() const { return bytes_.size(); }
  std::size_t offset() const { return offset_; }
  std::uint8_t type() const { return u8(1); }
  std::uint8_t subtype() const { return u8(2); }

  std::uint8_t u8(std::size_t at) const {
    if (at >= bytes_.size()) return out_of_range();
    return bytes_[at];
  }
  std::uint16_t u16(std::size_t at) const {
    return static_cast<std::uint16_t>(u8(at) | (u8(at + 1) << 8));
  }
  std::uint32_t u32(std::size_t at) const {
    return std::uint32_t{u16(at)} | (std::uint32_t{u16(at + 2)} << 16);
  }
  std::vector<std::uint8_t> bytes(std::size_t at, std::size_t n) const {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
      v[i] = u8(at + i);
    return v;
  }
  Guid guid(std::size_t at) const {
    Guid g{};
    for (std::size_t i = 0; i < g.size(); ++i)
      g[i] = u8(at + i);
    return g;
  }

 private:
  static std::uint8_t out_of_range() {
#ifdef HILCAP_CHECKED
    std::abort();
#endif
    return 0;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_;
};

const char* vc_name(std::uint8_t subtype) {
  switch (subtype) {
    case uvcp::kVcHeader:
      return "VC_HEADER";
    case uvcp::kVcInputTerminal:
      return "VC_INPUT_TERMINAL";
    case uvcp::kVcOutputTerminal:
      return "VC_OUTPUT_TERMINAL";
    case uvcp::kVcSelectorUnit:
      return "VC_SELECTOR_UNIT";
    case uvcp::kVcProcessingUnit:
      return "VC_PROCESSING_UNIT";
    case uvcp::kVcExtensionUnit:
      return "VC_EXTENSION_UNIT";
    case uvcp::kVcEncodingUnit:
      return "VC_ENCODING_UNIT";
    default:
      return "VC_(unknown)";
  }
}

const char* vs_name(std::uint8_t subtype) {
  switch (subtype) {
    case uvcp::kVsInputHeader:
      return "VS_INPUT_HEADER";
    case uvcp::kVsOutputHeader:
      return "VS_OUTPUT_HEADER";
    case uvcp::kVsStillImageFrame:
      return "VS_STILL_IMAGE_FRAME";
    case uvcp::kVsFormatUncompressed:
      return "VS_FORMAT_UNCOMPRESSED";
    case uvcp::kVsFrameUncompressed:
      return "VS_FRAME_UNCOMPRESSED";
    case uvcp::kVsFormatMjpeg:
      return "VS_FORMAT_MJPEG";
    case uvcp::kVsFrameMjpeg:
      return "VS_FRAME_MJPEG";
    case uvcp::kVsFormatMpeg2ts:
      return "VS_FORMAT_MPEG2TS";
    case uvcp::kVsFormatDv:
      return "VS_FORMAT_DV";
    case uvcp::kVsColorFormat:
      return "VS_COLORFORMAT";
    case uvcp::kVsFormatFrameBased:
      return "VS_FORMAT_FRAME_BASED";
    case uvcp::kVsFrameFrameBased:
      return "VS_FRAME_FRAME_BASED";
    case uvcp::kVsFormatStreamBased:
      return "VS_FORMAT_STREAM_BASED";
    case uvcp::kVsFormatH264:
      return "VS_FORMAT_H264";
    case uvcp::kVsFrameH264:
      return "VS_FRAME_H264";
    case uvcp::kVsFormatH264Simulcast:
      return "VS_FORMAT_H264_SIMULCAST";
    case uvcp::kVsFormatVp8:
      return "VS_FORMAT_VP8";
    case uvcp::kVsFrameVp8:
      return "VS_FRAME_VP8";
    case uvcp::kVsFormatVp8Simulcast:
      return "VS_FORMAT_VP8_SIMULCAST";
    default:
      return "VS_(unknown)";
  }
}

// The frame subtype that belongs to a format subtype (0 when frames are not parsed).
std::uint8_t frame_subtype_for(FormatKind kind) {
  switch (kind) {
    case FormatKind::kUncompressed:
      return uvcp::kVsFrameUncompressed;
    case FormatKind::kMjpeg:
      return uvcp::kVsFrameMjpeg;
    case FormatKind::kFrameBased:
      return uvcp::kVsFrameFrameBased;
    case FormatKind::kOther:
      break;
  }
  return 0;
}

// Fixed part of every frame descriptor up to and including bFrameIntervalType
// and the field before the intervals (UVC 3.9.2.2, payload specs 3.1.2/3.1.2).
constexpr std::size_t kFrameFixedLength = 26;
constexpr std::size_t kContinuousIntervalsLength = 12;

struct VideoControlState {
  std::uint8_t interface_number = 0;
  std::size_t interface_offset = 0;
  std::optional<VideoControlHeader> header;
  std::vector<VideoEntity> entities;
  std::size_t class_bytes = 0;  // what VC_HEADER.wTotalLength should count
};

struct VideoStreamingState {
  std::uint8_t interface_number = 0;
  std::size_t interface_offset = 0;
  std::optional<InputHeader> header;
  std::vector<Format> formats;
  std::vector<StillImageFrame> still_frames;
  std::size_t class_bytes = 0;   // what VS_INPUT_HEADER.wTotalLength should count
  bool in_other_format = false;  // frames of an unmodelled format follow
};

class ConfigurationParser {
 public:
  ConfigurationParser(std::span<const std::uint8_t> bytes, std::vector<Diagnostic>& diagnostics)
      : bytes_(bytes), diagnostics_(diagnostics) {}

  Configuration run();

 private:
  template <class... Args>
  void error(std::size_t offset, fmt::format_string<Args...> f, Args&&... args) {
    report(Severity::kError, offset, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void warning(std::size_t offset, fmt::format_string<Args...> f, Args&&... args) {
    report(Severity::kWarning, offset, fmt::format(f, std::forward<Args>(args)...));
  }
  void report(Severity severity, std::size_t offset, std::string message) {
    diagnostics_.push_back(
        {severity, DescriptorSource::kConfiguration, offset, std::move(message)});
  }
  // Reports and returns false when `d` is shorter than `need`.
  bool require(const DescriptorView& d, const char* name, std::size_t need, const char* why = "") {
    if (d.size() >= need) return true;
    error(d.offset(), "{} bLength {} < {}{}: descriptor ignored", name, d.size(), need, why);
    return false;
  }

  void on_descriptor(const DescriptorView& d);
  void on_interface(const DescriptorView& d);
  void on_endpoint(const DescriptorView& d);
  void on_companion(const DescriptorView& d);
  void on_association(const DescriptorView& d);
  void on_video_control(const DescriptorView& d, VideoControlState& vc);
  void on_vc_header(const DescriptorView& d, VideoControlState& vc);
  void on_video_streaming(const DescriptorView& d, VideoStreamingState& vs);
  void on_input_header(const DescriptorView& d, VideoStreamingState& vs);
  void on_format(const DescriptorView& d, VideoStreamingState& vs);
  void on_frame(const DescriptorView& d, VideoStreamingState& vs);
  void on_still_frame(const DescriptorView& d, VideoStreamingState& vs);
  void on_color(const DescriptorView& d, VideoStreamingState& vs);
  void close_alt_setting();
  void check_format_complete(const VideoStreamingState& vs);
  void build_functions();

  AltSetting* current_alt() {
    if (current_interface_ < 0) return nullptr;
    return &config_.interfaces[static_cast<std::size_t>(current_interface_)].alt_settings.back();
  }
  VideoControlState& vc_state(std::uint8_t number, std::size_t offset);
  VideoStreamingState& vs_state(std::uint8_t number, std::size_t offset);

  std::span<const std::uint8_t> bytes_;
  std::vector<Diagnostic>& diagnostics_;
  Configuration config_;
  int current_interface_ = -1;  // index into config_.interfaces
  std::vector<VideoControlState> vc_;
  std::vector<VideoStreamingState> vs_;
};

Configuration ConfigurationParser::run() {
  if (bytes_.size() < 9 || bytes_[0] < 9 || bytes_[1] != uvcp::kDescConfiguration) {
    if (bytes_.size() < 2)
      error(0, "CONFIGURATION: {} bytes given, need at least 9", bytes_.size());
    else if (bytes_[1] != uvcp::kDescConfiguration)
      error(0, "CONFIGURATION: bDescriptorType 0x{:02x}, expected 0x02", bytes_[1]);
    else
      error(0, "CONFIGURATION: bLength {} (buffer {} bytes), need 9", bytes_[0], bytes_.size());
    return config_;
  }
  const DescriptorView head(bytes_.first(9), 0);
  config_.total_length = head.u16(2);
  config_.num_interfaces = head.u8(4);
  config_.configuration_value = head.u8(5);
  config_.i_configuration = head.u8(6);
  config_.attributes = head.u8(7);
  config_.max_power = head.u8(8);

  std::size_t end = bytes_.size();
  if (config_.total_length > bytes_.size()) {
    error(0, "CONFIGURATION wTotalLength {} > {} bytes present: descriptor set truncated",
          config_.total_length, bytes_.size());
  } else if (config_.total_length < bytes_.size()) {
    warning(0, "CONFIGURATION wTotalLength {} < {} bytes present: trailing bytes ignored",
            config_.total_length, bytes_.size());
    end = config_.total_length;
  }

  std::size_t at = bytes_[0];
  while (at < end) {
    const std::size_t left = end - at;
    const std::size_t length = bytes_[at];
    if (left < 2) {
      error(at, "descriptor header cut off: {} byte(s) left", left);
      break;
    }
    if (length < 2) {
      error(at, "descriptor type 0x{:02x}: bLength {} < 2, cannot go on", bytes_[at + 1], length);
      break;
    }
    if (length > left) {
      error(at, "descriptor type 0x{:02x}: bLength {} runs past the end ({} bytes left)",
            bytes_[at + 1], length, left);
      break;
    }
    on_descriptor(DescriptorView(bytes_.subspan(at, length), at));
    at += length;
  }
  close_alt_setting();
  for (const VideoStreamingState& vs : vs_)
    check_format_complete(vs);
  build_functions();

  if (config_.interfaces.size() != config_.num_interfaces)
    warning(0, "CONFIGURATION bNumInterfaces {} but {} interface(s) present",
            config_.num_interfaces, config_.interfaces.size());
  return config_;
}

void ConfigurationParser::on_descriptor(const DescriptorView& d) {
  switch (d.type()) {
    case uvcp::kDescInterface:
      on_interface(d);
      return;
    case uvcp::kDescEndpoint:
      on_endpoint(d);
      return;
    case uvcp::kDescSsEndpointCompanion:
      on_companion(d);
      return;
    case uvcp::kDescInterfaceAssociation:
      on_association(d);
      return;
    case uvcp::kCsInterface: {
      const AltSetting* alt = current_alt();
      if (alt == nullptr || alt->interface_class != uvcp::kClassVideo) return;  // audio, ...
      if (alt->interface_subclass == uvcp::kSubclassVideoControl)
        on_video_control(d, vc_state(alt->interface_number, alt->offset));
      else if (alt->interface_subclass == uvcp::kSubclassVideoStreaming)
        on_video_streaming(d, vs_state(alt->interface_number, alt->offset));
      return;
    }
    default:
      return;  // HID, class endpoints, vendor, OTG...: not needed for video
  }
}

void ConfigurationParser::on_interface(const DescriptorView& d) {
  if (!require(d, "INTERFACE", 9)) return;
  close_alt_setting();
  AltSetting alt;
  alt.interface_number = d.u8(2);
  alt.alternate_setting = d.u8(3);
  alt.num_endpoints = d.u8(4);
  alt.interface_class = d.u8(5);
  alt.interface_subclass = d.u8(6);
  alt.interface_protocol = d.u8(7);
  alt.i_interface = d.u8(8);
  alt.offset = d.offset();

  auto it = std::find_if(config_.interfaces.begin(), config_.interfaces.end(),
                         [&](const Interface& i) { return i.number == alt.interface_number; });
  if (it == config_.interfaces.end()) {
    config_.interfaces.push_back(Interface{alt.interface_number, {}});
    it = config_.interfaces.end() - 1;
  } else {
    for (const AltSetting& a : it->alt_settings)
      if (a.alternate_setting == alt.alternate_setting)
        warning(d.offset(), "INTERFACE {} alternate setting {} appears twice", alt.interface_number,
                alt.alternate_setting);
  }
  it->alt_settings.push_back(std::move(alt));
  current_interface_ = static_cast<int>(it - config_.interfaces.begin());
}

void ConfigurationParser::close_alt_setting() {
  const AltSetting* alt = current_alt();
  if (alt != nullptr && alt->endpoints.size() != alt->num_endpoints)
    warning(alt->offset, "INTERFACE {} alt {} bNumEndpoints {} but {} endpoint(s) present",
            alt->interface_number, alt->alternate_setting, alt->num_endpoints,
            alt->endpoints.size());
}

void ConfigurationParser::on_endpoint(const DescriptorView& d) {
  if (!require(d, "ENDPOINT", 7)) return;
  AltSetting* alt = current_alt();
  if (alt == nullptr) {
    error(d.offset(), "ENDPOINT 0x{:02x} before any INTERFACE: ignored", d.u8(2));
    return;
  }
  Endpoint ep;
  ep.address = d.u8(2);
  ep.attributes = d.u8(3);
  ep.max_packet_size_raw = d.u16(4);
  ep.interval = d.u8(6);
  ep.offset = d.offset();
  if (ep.additional_transactions() == 3)
    warning(d.offset(), "ENDPOINT 0x{:02x} wMaxPacketSize 0x{:04x}: bits 12:11 = 3 is reserved",
            ep.address, ep.max_packet_size_raw);
  alt->endpoints.push_back(ep);
}

void ConfigurationParser::on_companion(const DescriptorView& d) {
  if (!require(d, "SS_ENDPOINT_COMPANION", 6)) return;
  AltSetting* alt = current_alt();
  if (alt == nullptr || alt->endpoints.empty()) {
    error(d.offset(), "SS_ENDPOINT_COMPANION without a preceding ENDPOINT: ignored");
    return;
  }
  Endpoint& ep = alt->endpoints.back();
  if (ep.companion) warning(d.offset(), "ENDPOINT 0x{:02x} has a second companion", ep.address);
  ep.companion = SsEndpointCompanion{d.u8(2), d.u8(3), d.u16(4)};
}

void ConfigurationParser::on_association(const DescriptorView& d) {
  if (!require(d, "INTERFACE_ASSOCIATION", 8)) return;
  config_.associations.push_back(
      InterfaceAssociation{d.u8(2), d.u8(3), d.u8(4), d.u8(5), d.u8(6), d.u8(7), d.offset()});
}

VideoControlState& ConfigurationParser::vc_state(std::uint8_t number, std::size_t offset) {
  for (VideoControlState& s : vc_)
    if (s.interface_number == number) return s;
  vc_.push_back(VideoControlState{number, offset, {}, {}, 0});
  return vc_.back();
}

VideoStreamingState& ConfigurationParser::vs_state(std::uint8_t number, std::size_t offset) {
  for (VideoStreamingState& s : vs_)
    if (s.interface_number == number) return s;
  vs_.push_back(VideoStreamingState{number, offset, {}, {}, {}, 0, false});
  return vs_.back();
}

// --- VideoControl ---

void ConfigurationParser::on_video_control(const DescriptorView& d, VideoControlState& vc) {
  if (!require(d, "VC descriptor", 3)) return;
  vc.class_bytes += d.size();
  const std::uint8_t subtype = d.subtype();
  const char* name = vc_name(subtype);
  if (subtype == uvcp::kVcHeader) {
    on_vc_header(d, vc);
    return;
  }
  if (!vc.header)
    warning(d.offset(), "{} before VC_HEADER in interface {}", name, vc.interface_number);
  const std::uint16_t bcd_uvc = vc.header ? vc.header->bcd_uvc : 0x0100;

  VideoEntity e;
  e.offset = d.offset();
  switch (subtype) {
    case uvcp::kVcInputTerminal: {
      if (!require(d, name, 8)) return;
      e.kind = EntityKind::kInputTerminal;
      e.id = d.u8(3);
      e.terminal_type = d.u16(4);
      e.assoc_terminal = d.u8(6);
      e.i_name = d.u8(7);
      if (e.terminal_type == uvcp::kIttCamera) {
        if (!require(d, name, 15, " (camera terminal)")) return;
        const std::size_t n = d.u8(14);
        if (!require(d, name, 15 + n, " (camera terminal: 15 + bControlSize)")) return;
        e.objective_focal_length_min = d.u16(8);
        e.objective_focal_length_max = d.u16(10);
        e.ocular_focal_length = d.u16(12);
        e.controls = d.bytes(15, n);
      }
      break;
    }
    case uvcp::kVcOutputTerminal:
      if (!require(d, name, 9)) return;
      e.kind = EntityKind::kOutputTerminal;
      e.id = d.u8(3);
      e.terminal_type = d.u16(4);
      e.assoc_terminal = d.u8(6);
      e.sources = {d.u8(7)};
      e.i_name = d.u8(8);
      break;
    case uvcp::kVcSelectorUnit: {
      if (!require(d, name, 5)) return;
      const std::size_t p = d.u8(4);
      if (!require(d, name, 6 + p, " (6 + bNrInPins)")) return;
      e.kind = EntityKind::kSelectorUnit;
      e.id = d.u8(3);
      e.sources = d.bytes(5, p);
      e.i_name = d.u8(5 + p);
      break;
    }
    case uvcp::kVcProcessingUnit: {
      if (!require(d, name, 8)) return;
      const std::size_t n = d.u8(7);
      // UVC 1.0: 9 + bControlSize bytes; 1.1 and later add bmVideoStandards.
      if (!require(d, name, 9 + n, " (9 + bControlSize)")) return;
      e.kind = EntityKind::kProcessingUnit;
      e.id = d.u8(3);
      e.sources = {d.u8(4)};
      e.max_multiplier = d.u16(5);
      e.controls = d.bytes(8, n);
      e.i_name = d.u8(8 + n);
      if (d.size() >= 10 + n)
        e.video_standards = d.u8(9 + n);
      else if (bcd_uvc >= 0x0110)
        warning(d.offset(),
                "VC_PROCESSING_UNIT bLength {} < 10 + bControlSize({}) for bcdUVC {:x}.{:02x}: "
                "UVC 1.0 layout, no bmVideoStandards",
                d.size(), n, bcd_uvc >> 8, bcd_uvc & 0xFF);
      break;
    }
    case uvcp::kVcExtensionUnit: {
      if (!require(d, name, 22)) return;
      const std::size_t p = d.u8(21);
      if (!require(d, name, 23 + p, " (23 + bNrInPins)")) return;
      const std::size_t n = d.u8(22 + p);
      if (!require(d, name, 24 + p + n, " (24 + bNrInPins + bControlSize)")) return;
      e.kind = EntityKind::kExtensionUnit;
      e.id = d.u8(3);
      e.extension_code = d.guid(4);
      e.num_controls = d.u8(20);
      e.sources = d.bytes(22, p);
      e.controls = d.bytes(23 + p, n);
      e.i_name = d.u8(23 + p + n);
      break;
    }
    case uvcp::kVcEncodingUnit: {
      if (!require(d, name, 7)) return;
      const std::size_t n = d.u8(6);
      if (!require(d, name, 7 + 2 * n, " (7 + 2*bControlSize)")) return;
      e.kind = EntityKind::kEncodingUnit;
      e.id = d.u8(3);
      e.sources = {d.u8(4)};
      e.i_name = d.u8(5);
      e.controls = d.bytes(7, n);
      e.runtime_controls = d.bytes(7 + n, n);
      break;
    }
    default:
      warning(d.offset(), "VideoControl descriptor subtype 0x{:02x} unknown: skipped", subtype);
      return;
  }
  for (const VideoEntity& other : vc.entities)
    if (other.id == e.id)
      warning(d.offset(), "{} ID {} already used by another entity ({})", name, e.id,
              to_string(other.kind));
  vc.entities.push_back(std::move(e));
}

void ConfigurationParser::on_vc_header(const DescriptorView& d, VideoControlState& vc) {
  if (!require(d, "VC_HEADER", 12)) return;
  const std::size_t n = d.u8(11);
  if (!require(d, "VC_HEADER", 12 + n, " (12 + bInCollection)")) return;
  if (vc.header) {
    error(d.offset(), "second VC_HEADER in interface {}: ignored", vc.interface_number);
    return;
  }
  VideoControlHeader h;
  h.bcd_uvc = d.u16(3);
  h.total_length = d.u16(5);
  h.clock_frequency_hz = d.u32(7);
  h.streaming_interfaces = d.bytes(12, n);
  h.offset = d.offset();
  if (h.bcd_uvc < 0x0100 || h.bcd_uvc > 0x01FF)
    warning(d.offset(), "VC_HEADER bcdUVC {:x}.{:02x} is not a UVC 1.x version", h.bcd_uvc >> 8,
            h.bcd_uvc & 0xFF);
  vc.header = std::move(h);
}

// --- VideoStreaming ---

void ConfigurationParser::on_video_streaming(const DescriptorView& d, VideoStreamingState& vs) {
  if (!require(d, "VS descriptor", 3)) return;
  vs.class_bytes += d.size();
  switch (d.subtype()) {
    case uvcp::kVsInputHeader:
      on_input_header(d, vs);
      return;
    case uvcp::kVsOutputHeader:
      warning(d.offset(), "VS_OUTPUT_HEADER: output streaming interface {} is not modelled",
              vs.interface_number);
      return;
    case uvcp::kVsFormatUncompressed:
    case uvcp::kVsFormatMjpeg:
    case uvcp::kVsFormatFrameBased:
    case uvcp::kVsFormatMpeg2ts:
    case uvcp::kVsFormatDv:
    case uvcp::kVsFormatStreamBased:
    case uvcp::kVsFormatH264:
    case uvcp::kVsFormatH264Simulcast:
    case uvcp::kVsFormatVp8:
    case uvcp::kVsFormatVp8Simulcast:
      on_format(d, vs);
      return;
    case uvcp::kVsFrameUncompressed:
    case uvcp::kVsFrameMjpeg:
    case uvcp::kVsFrameFrameBased:
      on_frame(d, vs);
      return;
    case uvcp::kVsFrameH264:
    case uvcp::kVsFrameVp8:
      if (!vs.in_other_format)
        warning(d.offset(), "{} outside its format: skipped", vs_name(d.subtype()));
      return;  // frames of formats that are listed but not streamed
    case uvcp::kVsStillImageFrame:
      on_still_frame(d, vs);
      return;
    case uvcp::kVsColorFormat:
      on_color(d, vs);
      return;
    default:
      warning(d.offset(), "VideoStreaming descriptor subtype 0x{:02x} unknown: skipped",
              d.subtype());
      return;
  }
}

void ConfigurationParser::on_input_header(const DescriptorView& d, VideoStreamingState& vs) {
  const char* name = "VS_INPUT_HEADER";
  if (!require(d, name, 13)) return;
  const std::size_t p = d.u8(3);
  const std::size_t n = d.u8(12);
  if (!require(d, name, 13 + p * n, " (13 + bNumFormats*bControlSize)")) return;
  if (vs.header) {
    error(d.offset(), "second VS_INPUT_HEADER in interface {}: ignored", vs.interface_number);
    return;
  }
  InputHeader h;
  h.num_formats = d.u8(3);
  h.total_length = d.u16(4);
  h.endpoint_address = d.u8(6);
  h.info = d.u8(7);
  h.terminal_link = d.u8(8);
  h.still_capture_method = d.u8(9);
  h.trigger_support = d.u8(10);
  h.trigger_usage = d.u8(11);
  for (std::size_t i = 0; i < p; ++i)
    h.format_controls.push_back(d.bytes(13 + i * n, n));
  h.offset = d.offset();
  vs.header = std::move(h);
}

void ConfigurationParser::check_format_complete(const VideoStreamingState& vs) {
  if (vs.formats.empty()) return;
  const Format& f = vs.formats.back();
  if (f.kind == FormatKind::kOther) return;
  if (f.frames.size() != f.num_frame_descriptors)
    warning(f.offset, "{} {} bNumFrameDescriptors {} but {} usable frame descriptor(s) follow",
            vs_name(f.subtype), f.index, f.num_frame_descriptors, f.frames.size());
  if (!f.frames.empty() && f.find_frame(f.default_frame_index) == nullptr)
    warning(f.offset, "{} {} bDefaultFrameIndex {} names no frame", vs_name(f.subtype), f.index,
            f.default_frame_index);
}

void ConfigurationParser::on_format(const DescriptorView& d, VideoStreamingState& vs) {
  const std::uint8_t subtype = d.subtype();
  const char* name = vs_name(subtype);
  if (!vs.header) warning(d.offset(), "{} before VS_INPUT_HEADER", name);
  check_format_complete(vs);
  vs.in_other_format = false;

  Format f;
  f.subtype = subtype;
  f.offset = d.offset();
  switch (subtype) {
    case uvcp::kVsFormatUncompressed:
    case uvcp::kVsFormatFrameBased: {
      const bool frame_based = subtype == uvcp::kVsFormatFrameBased;
      if (!require(d, name, frame_based ? 28 : 27)) return;
      f.kind = frame_based ? FormatKind::kFrameBased : FormatKind::kUncompressed;
      f.guid = d.guid(5);
      f.name = format_name(f.guid);
      f.bits_per_pixel = d.u8(21);
      f.default_frame_index = d.u8(22);
      f.aspect_ratio_x = d.u8(23);
      f.aspect_ratio_y = d.u8(24);
      f.interlace_flags = d.u8(25);
      f.copy_protect = d.u8(26);
      if (frame_based) f.flags = d.u8(27);
      break;
    }
    case uvcp::kVsFormatMjpeg:
      if (!require(d, name, 11)) return;
      f.kind = FormatKind::kMjpeg;
      f.name = "MJPEG";
      f.flags = d.u8(5);
      f.default_frame_index = d.u8(6);
      f.aspect_ratio_x = d.u8(7);
      f.aspect_ratio_y = d.u8(8);
      f.interlace_flags = d.u8(9);
      f.copy_protect = d.u8(10);
      break;
    default:
      // Listed so that a user sees it; its frames are not parsed.
      if (!require(d, name, 4)) return;
      f.kind = FormatKind::kOther;
      f.name = std::string(name).substr(10);  // after "VS_FORMAT_"
      vs.in_other_format = true;
      break;
  }
  f.index = d.u8(3);
  if (f.kind != FormatKind::kOther) f.num_frame_descriptors = d.u8(4);
  for (const Format& other : vs.formats)
    if (other.index == f.index)
      warning(d.offset(), "{} bFormatIndex {} already used in interface {}", name, f.index,
              vs.interface_number);
  vs.formats.push_back(std::move(f));
}

void ConfigurationParser::on_frame(const DescriptorView& d, VideoStreamingState& vs) {
  const std::uint8_t subtype = d.subtype();
  const char* name = vs_name(subtype);
  if (vs.formats.empty() || frame_subtype_for(vs.formats.back().kind) != subtype) {
    error(d.offset(), "{} does not follow a matching format descriptor: ignored", name);
    return;
  }
  Format& format = vs.formats.back();
  if (!require(d, name, kFrameFixedLength)) return;
  const bool frame_based = subtype == uvcp::kVsFrameFrameBased;
  const std::size_t type_at = frame_based ? 21 : 25;
  const std::size_t n = d.u8(type_at);
  const std::size_t need = kFrameFixedLength + (n == 0 ? kContinuousIntervalsLength : 4 * n);
  if (d.size() < need) {
    if (n == 0)
      error(d.offset(), "{} bLength {} < 26 + 12 (continuous intervals) = {}: frame ignored", name,
            d.size(), need);
    else
      error(d.offset(), "{} bLength {} < 26 + 4*bFrameIntervalType({}) = {}: frame ignored", name,
            d.size(), n, need);
    return;
  }
  if (d.size() > need)
    warning(d.offset(), "{} bLength {} > {} for bFrameIntervalType {}: extra bytes ignored", name,
            d.size(), need, n);

  Frame fr;
  fr.subtype = subtype;
  fr.offset = d.offset();
  fr.index = d.u8(3);
  fr.capabilities = d.u8(4);
  fr.width = d.u16(5);
  fr.height = d.u16(7);
  fr.min_bit_rate = d.u32(9);
  fr.max_bit_rate = d.u32(13);
  if (frame_based) {
    fr.default_interval = d.u32(17);
    fr.bytes_per_line = d.u32(22);
  } else {
    fr.max_video_frame_buffer_size = d.u32(17);
    fr.default_interval = d.u32(21);
  }
  if (n == 0) {
    fr.intervals.continuous = true;
    fr.intervals.min = d.u32(26);
    fr.intervals.max = d.u32(30);
    fr.intervals.step = d.u32(34);
    if (fr.intervals.min > fr.intervals.max)
      warning(d.offset(), "{} {} dwMinFrameInterval {} > dwMaxFrameInterval {}", name, fr.index,
              fr.intervals.min, fr.intervals.max);
    if (fr.intervals.step == 0 && fr.intervals.min != fr.intervals.max)
      warning(d.offset(), "{} {} dwFrameIntervalStep 0 with a range {}..{}", name, fr.index,
              fr.intervals.min, fr.intervals.max);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t interval = d.u32(26 + 4 * i);
      if (interval == 0) warning(d.offset(), "{} {} dwFrameInterval({}) is 0", name, fr.index, i);
      fr.intervals.discrete.push_back(interval);
    }
  }
  if (fr.width == 0 || fr.height == 0)
    warning(d.offset(), "{} {} has size {}x{}", name, fr.index, fr.width, fr.height);
  if (!fr.offers_interval(fr.default_interval))
    warning(d.offset(), "{} {} dwDefaultFrameInterval {} is not one it offers", name, fr.index,
            fr.default_interval);
  if (format.find_frame(fr.index) != nullptr)
    warning(d.offset(), "{} bFrameIndex {} already used in format {}", name, fr.index,
            format.index);
  format.frames.push_back(std::move(fr));
}

void ConfigurationParser::on_still_frame(const DescriptorView& d, VideoStreamingState& vs) {
  const char* name = "VS_STILL_IMAGE_FRAME";
  if (!require(d, name, 6)) return;
  const std::size_t n = d.u8(4);
  if (!require(d, name, 6 + 4 * n, " (6 + 4*bNumImageSizePatterns)")) return;
  const std::size_t m = d.u8(5 + 4 * n);
  if (!require(d, name, 6 + 4 * n + m, " (6 + 4*bNumImageSizePatterns + bNumCompressionPattern)"))
    return;
  StillImageFrame s;
  s.endpoint_address = d.u8(3);
  for (std::size_t i = 0; i < n; ++i)
    s.sizes.push_back({d.u16(5 + 4 * i), d.u16(7 + 4 * i)});
  s.compressions = d.bytes(6 + 4 * n, m);
  s.format_index = vs.formats.empty() ? 0 : vs.formats.back().index;
  s.offset = d.offset();
  if (vs.formats.empty()) warning(d.offset(), "{} before any format", name);
  vs.still_frames.push_back(std::move(s));
}

void ConfigurationParser::on_color(const DescriptorView& d, VideoStreamingState& vs) {
  if (!require(d, "VS_COLORFORMAT", 6)) return;
  if (vs.formats.empty()) {
    warning(d.offset(), "VS_COLORFORMAT before any format: ignored");
    return;
  }
  Format& f = vs.formats.back();
  if (f.color) warning(d.offset(), "format {} has a second VS_COLORFORMAT", f.index);
  f.color = ColorMatching{d.u8(3), d.u8(4), d.u8(5)};
}

// --- Functions ---

void ConfigurationParser::build_functions() {
  std::vector<std::uint8_t> claimed;
  for (const VideoControlState& vc : vc_) {
    if (!vc.header) {
      error(vc.interface_offset, "VideoControl interface {} has no usable VC_HEADER: skipped",
            vc.interface_number);
      continue;
    }
    VideoFunction fn;
    fn.control_interface = vc.interface_number;
    fn.header = *vc.header;
    fn.entities = vc.entities;
    if (vc.header->total_length != vc.class_bytes)
      warning(vc.header->offset,
              "VC_HEADER wTotalLength {} but the class-specific VC descriptors take {} bytes",
              vc.header->total_length, vc.class_bytes);
    for (const InterfaceAssociation& iad : config_.associations)
      if (iad.is_video() && iad.covers(vc.interface_number)) fn.association = iad;

    for (std::uint8_t number : vc.header->streaming_interfaces) {
      const auto vs = std::find_if(vs_.begin(), vs_.end(), [&](const VideoStreamingState& s) {
        return s.interface_number == number;
      });
      if (vs == vs_.end() || !vs->header) {
        error(vc.header->offset,
              "VC_HEADER baInterfaceNr lists interface {}, which is not a capture "
              "VideoStreaming interface with a VS_INPUT_HEADER",
              number);
        continue;
      }
      claimed.push_back(number);
      if (fn.association && !fn.association->covers(number))
        warning(vc.header->offset,
                "VideoStreaming interface {} lies outside its function's association {}..{}",
                number, fn.association->first_interface,
                fn.association->first_interface + fn.association->interface_count - 1);
      if (vs->header->total_length != vs->class_bytes)
        warning(vs->header->offset,
                "VS_INPUT_HEADER wTotalLength {} but the class-specific VS descriptors take {} "
                "bytes",
                vs->header->total_length, vs->class_bytes);
      if (vs->formats.size() != vs->header->num_formats)
        warning(vs->header->offset, "VS_INPUT_HEADER bNumFormats {} but {} format(s) present",
                vs->header->num_formats, vs->formats.size());
      StreamingInterface si;
      si.interface_number = number;
      si.header = *vs->header;
      si.formats = vs->formats;
      si.still_frames = vs->still_frames;
      if (const Interface* itf = config_.find_interface(number))
        si.alt_settings = itf->alt_settings;
      fn.streaming.push_back(std::move(si));
    }
    config_.video_functions.push_back(std::move(fn));
  }
  for (const VideoStreamingState& vs : vs_)
    if (vs.header &&
        std::find(claimed.begin(), claimed.end(), vs.interface_number) == claimed.end())
      warning(vs.interface_offset,
              "VideoStreaming interface {} is listed by no VC_HEADER: not part of any function",
              vs.interface_number);
}

std::optional<DeviceDescriptor> parse_device_descriptor(std::span<const std::uint8_t> bytes,
                                                        std::vector<Diagnostic>& diagnostics) {
  auto fail = [&](std::string message) {
    diagnostics.push_back({Severity::kError, DescriptorSource::kDevice, 0, std::move(message)});
    return std::nullopt;
  };
  if (bytes.size() < 18) return fail(fmt::format("DEVICE: {} bytes given, need 18", bytes.size()));
  if (bytes[1] != uvcp::kDescDevice)
    return fail(fmt::format("DEVICE: bDescriptorType 0x{:02x}, expected 0x01", bytes[1]));
  if (bytes[0] < 18) return fail(fmt::format("DEVICE: bLength {} < 18", bytes[0]));
  const DescriptorView d(bytes.first(18), 0);
  DeviceDescriptor dev;
  dev.bcd_usb = d.u16(2);
  dev.device_class = d.u8(4);
  dev.device_subclass = d.u8(5);
  dev.device_protocol = d.u8(6);
  dev.max_packet_size0 = d.u8(7);
  dev.vendor_id = d.u16(8);
  dev.product_id = d.u16(10);
  dev.bcd_device = d.u16(12);
  dev.i_manufacturer = d.u8(14);
  dev.i_product = d.u8(15);
  dev.i_serial = d.u8(16);
  dev.num_configurations = d.u8(17);
  return dev;
}

}  // namespace

std::string Diagnostic::to_string() const {
  return fmt::format("{}+0x{:x}: {}: {}", source == DescriptorSource::kDevice ? "dev" : "cfg",
                     offset, severity == Severity::kError ? "error" : "warning", message);
}

bool ParsedDevice::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

UsbSpeed ParsedDevice::speed_hint() const {
  // bMaxPacketSize0 is 2^9 only when the device runs at SuperSpeed; without a
  // device descriptor, companion descriptors are the next best sign.
  if (device && device->bcd_usb >= 0x0300 && device->max_packet_size0 == 9) return UsbSpeed::kSuper;
  bool high = false;
  bool full_bulk = false;
  bool companions = false;
  for (const Interface& itf : configuration.interfaces)
    for (const AltSetting& alt : itf.alt_settings)
      for (const Endpoint& ep : alt.endpoints) {
        companions = companions || ep.companion.has_value();
        switch (ep.transfer_type()) {
          case TransferType::kBulk:
            if (ep.packet_size() == 512) high = true;
            if (ep.packet_size() <= 64) full_bulk = true;
            break;
          case TransferType::kIsochronous:
            if (ep.packet_size() > 1023 || ep.additional_transactions() > 0) high = true;
            break;
          case TransferType::kInterrupt:
            if (ep.packet_size() > 64 || ep.additional_transactions() > 0) high = true;
            break;
          case TransferType::kControl:
            break;
        }
      }
  if (!device && companions) return UsbSpeed::kSuper;
  if (high) return UsbSpeed::kHigh;
  if (full_bulk) return UsbSpeed::kFull;
  return UsbSpeed::kUnknown;
}

ParsedDevice parse_descriptors(std::span<const std::uint8_t> device_descriptor,
                               std::span<const std::uint8_t> configuration_descriptor) {
  ParsedDevice parsed;
  if (!device_descriptor.empty())
    parsed.device = parse_device_descriptor(device_descriptor, parsed.diagnostics);
  parsed.configuration = ConfigurationParser(configuration_descriptor, parsed.diagnostics).run();
  return parsed;
}

}  // namespace hilcap::uvc
