#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hilcap/uvc/stream_config.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace hilcap::uvc {

namespace {

namespace uvcp = device::uvc;

// A requested rate matches an offered interval within this fraction (30 fps
// asks for 333333.3 x 100 ns; 29.97 fps devices offer 333667).
constexpr double kIntervalTolerance = 0.005;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool name_matches(const Format& f, const std::string& wanted) {
  const std::string name = upper(f.name);
  const std::string want = upper(wanted);
  if (name == want) return true;
  return f.kind == FormatKind::kMjpeg && (want == "MJPG" || want == "JPEG");
}

std::string fps_text(std::uint32_t interval_100ns) {
  if (interval_100ns == 0) return "?";
  return fmt::format("{:.4g}", 1e7 / interval_100ns);
}

std::string offered_rates(const Frame& fr) {
  if (fr.intervals.continuous)
    return fmt::format("{} to {} fps (intervals {}..{} step {} x 100 ns)",
                       fps_text(fr.intervals.max), fps_text(fr.intervals.min), fr.intervals.min,
                       fr.intervals.max, fr.intervals.step);
  std::vector<std::string> rates;
  for (std::uint32_t i : fr.intervals.discrete)
    rates.push_back(fps_text(i));
  return fmt::format("{} fps", fmt::join(rates, ", "));
}

// The offered interval closest to `fps`, or 0 when none is within tolerance.
std::uint32_t match_interval(const Frame& fr, double fps) {
  const double target = 1e7 / fps;
  auto close = [&](double interval) {
    return std::abs(interval - target) <= target * kIntervalTolerance;
  };
  if (fr.intervals.continuous) {
    const FrameIntervals& r = fr.intervals;
    if (target < r.min * (1 - kIntervalTolerance) || target > r.max * (1 + kIntervalTolerance))
      return 0;
    double snapped = r.min;
    if (r.step != 0) snapped = r.min + std::round((target - r.min) / r.step) * r.step;
    snapped = std::clamp(snapped, double(r.min), double(r.max));
    return close(snapped) ? static_cast<std::uint32_t>(snapped) : 0;
  }
  std::uint32_t best = 0;
  for (std::uint32_t i : fr.intervals.discrete)
    if (close(i) && (best == 0 || std::abs(i - target) < std::abs(best - target))) best = i;
  return best;
}

std::uint32_t default_interval(const Frame& fr) {
  if (fr.offers_interval(fr.default_interval)) return fr.default_interval;
  if (fr.intervals.continuous) return fr.intervals.min;
  return fr.intervals.discrete.empty() ? fr.default_interval : fr.intervals.discrete.front();
}

}  // namespace

Result<StreamChoice> choose_stream(const VideoFunction& function, const StreamRequest& request) {
  struct Candidate {
    const StreamingInterface* streaming;
    const Format* format;
  };
  std::vector<Candidate> formats;
  std::vector<std::string> offered;
  for (const StreamingInterface& si : function.streaming)
    for (const Format& f : si.formats) {
      if (f.kind == FormatKind::kOther || f.frames.empty()) continue;
      offered.push_back(function.streaming.size() > 1
                            ? fmt::format("{} (interface {})", f.name, si.interface_number)
                            : f.name);
      if (request.format.empty() || name_matches(f, request.format)) formats.push_back({&si, &f});
    }
  if (offered.empty())
    return Error{fmt::format("video function of interface {} offers no streamable format",
                             function.control_interface)};
  if (formats.empty())
    return Error{fmt::format("format '{}' not offered; offered: {}", request.format,
                             fmt::join(offered, ", "))};

  // The first matching format that has the size.
  const bool any_size = request.width == 0 && request.height == 0;
  const Candidate* chosen = nullptr;
  const Frame* frame = nullptr;
  std::vector<std::string> sizes;
  for (const Candidate& c : formats) {
    for (const Frame& fr : c.format->frames) {
      const std::string size = fmt::format("{}x{}", fr.width, fr.height);
      if (std::find(sizes.begin(), sizes.end(), size) == sizes.end()) sizes.push_back(size);
      if (frame == nullptr && !any_size && fr.width == request.width &&
          fr.height == request.height) {
        chosen = &c;
        frame = &fr;
      }
    }
    if (frame == nullptr && any_size) {  // the first format's default frame
      chosen = &c;
      frame = c.format->find_frame(c.format->default_frame_index);
      if (frame == nullptr) frame = &c.format->frames.front();
    }
  }
  const std::string format_name =
      request.format.empty() ? std::string("any format") : formats.front().format->name;
  if (frame == nullptr)
    return Error{fmt::format("size {}x{} not offered for {}; offered: {}", request.width,
                             request.height, format_name, fmt::join(sizes, ", "))};

  std::uint32_t interval = 0;
  if (request.fps > 0) {
    interval = match_interval(*frame, request.fps);
    if (interval == 0)
      return Error{fmt::format("{} fps not offered for {} {}x{}; offered: {}", request.fps,
                               format_name, frame->width, frame->height, offered_rates(*frame))};
  } else {
    interval = default_interval(*frame);
  }

  StreamChoice choice;
  choice.interface_number = chosen->streaming->interface_number;
  choice.format_index = chosen->format->index;
  choice.frame_index = frame->index;
  choice.interval_100ns = interval;
  choice.format_name = chosen->format->name;
  choice.format_kind = chosen->format->kind;
  choice.width = frame->width;
  choice.height = frame->height;
  choice.max_video_frame_buffer_size = frame->max_video_frame_buffer_size;
  return choice;
}

ProbeRequest make_probe_request(const StreamChoice& choice, std::uint16_t bcd_uvc) {
  ProbeRequest req;
  req.block.bm_hint = uvcp::kHintFrameInterval;  // keep the frame rate, adjust the rest
  req.block.format_index = choice.format_index;
  req.block.frame_index = choice.frame_index;
  req.block.frame_interval_100ns = choice.interval_100ns;
  req.length = uvcp::probe_commit_size(bcd_uvc);
  return req;
}

std::string Adjustment::to_string() const {
  return fmt::format("{} {} -> {}", field, requested, answered);
}

Result<ProbeOutcome> interpret_probe_answer(const StreamingInterface& streaming,
                                            const ProbeRequest& sent,
                                            std::span<const std::uint8_t> answer) {
  if (answer.size() < uvcp::kProbeCommitSize10)
    return Error{fmt::format(
        "PROBE answer is {} bytes, shorter than the {}-byte UVC 1.0 block (expected {})",
        answer.size(), uvcp::kProbeCommitSize10, sent.length)};
  ProbeOutcome out;
  if (answer.size() != sent.length)
    out.notes.push_back(fmt::format("device answered {} bytes to a {}-byte PROBE block",
                                    answer.size(), sent.length));
  out.negotiated = uvcp::decode_probe_commit(answer.first(std::min(answer.size(), sent.length)));
  ProbeCommit& got = out.negotiated;
  const ProbeCommit& req = sent.block;

  auto compare = [&](const char* field, std::uint64_t requested, std::uint64_t answered) {
    if (requested != answered) out.adjusted.push_back({field, requested, answered});
  };
  compare("bmHint", req.bm_hint, got.bm_hint);
  compare("bFormatIndex", req.format_index, got.format_index);
  compare("bFrameIndex", req.frame_index, got.frame_index);
  compare("dwFrameInterval", req.frame_interval_100ns, got.frame_interval_100ns);
  // Fields the host leaves at zero are the device's to fill; report changes
  // only of those the host set.
  if (req.key_frame_rate != 0) compare("wKeyFrameRate", req.key_frame_rate, got.key_frame_rate);
  if (req.p_frame_rate != 0) compare("wPFrameRate", req.p_frame_rate, got.p_frame_rate);
  if (req.comp_quality != 0) compare("wCompQuality", req.comp_quality, got.comp_quality);
  if (req.comp_window_size != 0)
    compare("wCompWindowSize", req.comp_window_size, got.comp_window_size);

  const Format* format = streaming.find_format(got.format_index);
  if (format == nullptr)
    return Error{fmt::format("PROBE answer bFormatIndex {}: interface {} has no such format",
                             got.format_index, streaming.interface_number)};
  const Frame* frame = format->find_frame(got.frame_index);
  if (frame == nullptr)
    return Error{fmt::format("PROBE answer bFrameIndex {}: format {} ({}) has no such frame",
                             got.frame_index, format->index, format->name)};
  if (got.max_video_frame_size == 0) {
    if (frame->max_video_frame_buffer_size == 0)
      return Error{
          fmt::format("PROBE answer dwMaxVideoFrameSize 0 and frame {} of {} gives no buffer size",
                      frame->index, format->name)};
    got.max_video_frame_size = frame->max_video_frame_buffer_size;
    out.notes.push_back(
        fmt::format("dwMaxVideoFrameSize 0 in the answer: using the frame descriptor's {}",
                    got.max_video_frame_size));
  }
  if (got.max_payload_transfer_size == 0)
    return Error{"PROBE answer dwMaxPayloadTransferSize is 0: the device gave no payload size"};
  return out;
}

Result<EndpointChoice> choose_endpoint(const StreamingInterface& streaming, UsbSpeed speed,
                                       std::uint32_t max_payload_transfer_size) {
  const std::uint8_t address = streaming.header.endpoint_address;
  if (const AltSetting* alt0 = streaming.find_alt_setting(0))
    for (const Endpoint& ep : alt0->endpoints)
      if (ep.address == address && ep.transfer_type() == TransferType::kBulk)
        return EndpointChoice{TransferType::kBulk, 0, ep.address, ep.packet_size(),
                              ep.bytes_per_interval(speed)};
  if (max_payload_transfer_size == 0)
    return Error{"dwMaxPayloadTransferSize is 0: no bandwidth to choose an alternate setting for"};

  const EndpointChoice* best = nullptr;
  EndpointChoice widest;
  std::vector<EndpointChoice> candidates;
  for (const AltSetting& alt : streaming.alt_settings)
    for (const Endpoint& ep : alt.endpoints)
      if (ep.address == address && ep.transfer_type() == TransferType::kIsochronous)
        candidates.push_back({TransferType::kIsochronous, alt.alternate_setting, ep.address,
                              ep.packet_size(), ep.bytes_per_interval(speed)});
  const char* unit = speed == UsbSpeed::kFull ? "B/frame" : "B/µframe";
  if (candidates.empty())
    return Error{fmt::format(
        "interface {} has neither a bulk endpoint 0x{:02x} in alternate setting 0 nor an "
        "isochronous alternate setting with it",
        streaming.interface_number, address)};
  for (const EndpointChoice& c : candidates) {
    if (c.bytes_per_interval > widest.bytes_per_interval) widest = c;
    if (c.bytes_per_interval < max_payload_transfer_size) continue;
    if (best == nullptr || c.bytes_per_interval < best->bytes_per_interval ||
        (c.bytes_per_interval == best->bytes_per_interval &&
         c.alternate_setting < best->alternate_setting))
      best = &c;
  }
  if (best == nullptr)
    return Error{fmt::format(
        "bandwidth not available: need {} {}, max offered {} (alternate setting {}, {})",
        max_payload_transfer_size, unit, widest.bytes_per_interval, widest.alternate_setting,
        to_string(speed))};
  return *best;
}

}  // namespace hilcap::uvc
