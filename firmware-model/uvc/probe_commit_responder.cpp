#include "probe_commit_responder.h"

#include <algorithm>
#include <array>

namespace hilcap::device::uvc {

namespace {

constexpr std::uint8_t kInfoSupportsGetSet = 0x03;
constexpr std::uint8_t kFramingFidEof = 0x03;  // FID required, EOF may be present

// Offered intervals of a frame, as a sorted list (continuous ranges are stepped).
class OfferedIntervals {
 public:
  explicit OfferedIntervals(const FrameConfig& frame) : frame_(frame) {}

  std::uint32_t shortest() const {
    if (const auto* d = std::get_if<DiscreteIntervals>(&frame_.intervals))
      return d->intervals_100ns.front();
    return std::get<ContinuousIntervals>(frame_.intervals).min_100ns;
  }
  std::uint32_t longest() const {
    if (const auto* d = std::get_if<DiscreteIntervals>(&frame_.intervals))
      return d->intervals_100ns.back();
    return std::get<ContinuousIntervals>(frame_.intervals).max_100ns;
  }
  // The offered interval nearest `wanted`; ties go to the shorter interval.
  std::uint32_t nearest(std::uint32_t wanted) const {
    if (const auto* d = std::get_if<DiscreteIntervals>(&frame_.intervals)) {
      std::uint32_t best = d->intervals_100ns.front();
      for (const std::uint32_t v : d->intervals_100ns)
        if (distance(v, wanted) < distance(best, wanted)) best = v;
      return best;
    }
    const auto& r = std::get<ContinuousIntervals>(frame_.intervals);
    const std::uint32_t clamped = std::clamp(wanted, r.min_100ns, r.max_100ns);
    if (r.step_100ns == 0) return r.min_100ns;
    const std::uint32_t below = r.min_100ns + (clamped - r.min_100ns) / r.step_100ns * r.step_100ns;
    const std::uint32_t above = below == r.max_100ns ? below : below + r.step_100ns;
    return distance(above, clamped) < distance(below, clamped) ? above : below;
  }
  // The next offered interval after `v` (longer), else the one before it, else v.
  std::uint32_t other_than(std::uint32_t v) const {
    if (const auto* d = std::get_if<DiscreteIntervals>(&frame_.intervals)) {
      const auto& list = d->intervals_100ns;
      const auto it = std::find(list.begin(), list.end(), v);
      if (it + 1 != list.end()) return *(it + 1);
      return it != list.begin() ? *(it - 1) : v;
    }
    const auto& r = std::get<ContinuousIntervals>(frame_.intervals);
    if (r.step_100ns == 0) return v;
    if (v + r.step_100ns <= r.max_100ns) return v + r.step_100ns;
    return v - r.step_100ns >= r.min_100ns ? v - r.step_100ns : v;
  }

 private:
  static std::uint32_t distance(std::uint32_t a, std::uint32_t b) { return a > b ? a - b : b - a; }
  const FrameConfig& frame_;
};

std::uint32_t service_intervals_per_second(UsbSpeed speed) {
  return speed == UsbSpeed::kFull ? 1000 : 8000;
}

}  // namespace

ProbeCommitResponder::ProbeCommitResponder(UvcDeviceConfig config)
    : config_(std::move(config)),
      block_size_(probe_commit_size(bcd_uvc(config_.uvc_version))),
      probe_(defaults()) {}

void ProbeCommitResponder::reset() {
  probe_ = defaults();
  committed_.reset();
}

ProbeCommit ProbeCommitResponder::defaults() const {
  const FormatConfig& format = config_.formats.front();
  const FrameConfig& frame = format.frames[format.default_frame_index - 1];
  return resolve(1, format.default_frame_index, frame.default_interval_100ns, 0);
}

ProbeCommit ProbeCommitResponder::negotiate(const ProbeCommit& request) const {
  return fix(request, true);
}

ProbeCommit ProbeCommitResponder::accept(const ProbeCommit& request) const {
  return fix(request, false);
}

ProbeCommit ProbeCommitResponder::fix(const ProbeCommit& request, bool apply_policy) const {
  const std::uint8_t format_index =
      request.format_index >= 1 && request.format_index <= config_.formats.size()
          ? request.format_index
          : 1;
  const FormatConfig& format = config_.formats[format_index - 1];
  const std::uint8_t frame_index =
      request.frame_index >= 1 && request.frame_index <= format.frames.size()
          ? request.frame_index
          : format.default_frame_index;
  const FrameConfig& frame = format.frames[frame_index - 1];
  const OfferedIntervals offered(frame);
  const std::uint32_t wanted = request.frame_interval_100ns == 0 ? frame.default_interval_100ns
                                                                 : request.frame_interval_100ns;
  std::uint32_t interval = offered.nearest(wanted);
  const IntervalPolicy policy =
      apply_policy ? config_.negotiation.interval_policy : IntervalPolicy::kNearest;
  switch (policy) {
    case IntervalPolicy::kNearest:
      break;
    case IntervalPolicy::kAlwaysDifferent:
      interval = offered.other_than(interval);
      break;
    case IntervalPolicy::kSlowest:
      interval = offered.longest();
      break;
  }
  return resolve(format_index, frame_index, interval, request.bm_hint);
}

ProbeCommit ProbeCommitResponder::resolve(std::uint8_t format_index, std::uint8_t frame_index,
                                          std::uint32_t interval_100ns, std::uint16_t hint) const {
  const FormatConfig& format = config_.formats[format_index - 1];
  const FrameConfig& frame = format.frames[frame_index - 1];
  const std::uint32_t frame_bytes = max_frame_bytes(format, frame);
  const auto header = static_cast<std::uint32_t>(payload_header_size(config_.payload.header));

  ProbeCommit pc;
  pc.bm_hint = hint;
  pc.format_index = format_index;
  pc.frame_index = frame_index;
  pc.frame_interval_100ns = interval_100ns;
  pc.max_video_frame_size = frame_bytes;
  if (const auto* iso = std::get_if<IsochronousTransport>(&config_.transport)) {
    // Enough per service interval to move one frame within its interval, then
    // the smallest alternate setting that carries it (else the largest).
    const std::uint64_t packets =
        std::max<std::uint64_t>(1, std::uint64_t{interval_100ns} *
                                       service_intervals_per_second(config_.speed) / 10'000'000);
    const std::uint64_t needed = (frame_bytes + packets - 1) / packets + header;
    std::uint32_t best = 0;
    std::uint32_t largest = 0;
    for (const IsoAltSetting& alt : iso->alt_settings) {
      const std::uint32_t bw = bytes_per_interval(alt);
      largest = std::max(largest, bw);
      if (bw >= needed && (best == 0 || bw < best)) best = bw;
    }
    pc.max_payload_transfer_size = best != 0 ? best : largest;
  } else {
    const auto& bulk = std::get<BulkTransport>(config_.transport);
    pc.max_payload_transfer_size =
        bulk.max_payload_transfer_size != 0 ? bulk.max_payload_transfer_size : frame_bytes + header;
  }
  if (block_size_ > kProbeCommitSize10) {  // fields that UVC 1.0's block does not have
    pc.clock_frequency_hz = config_.clock_frequency_hz;
    pc.bm_framing_info = kFramingFidEof;
  }
  return pc;
}

ControlOutcome ProbeCommitResponder::reply(const ProbeCommit& block, const SetupPacket& setup,
                                           std::span<std::uint8_t> in) const {
  std::array<std::uint8_t, kProbeCommitSize15> bytes{};
  encode_probe_commit(block, std::span(bytes).first(block_size_));
  std::size_t n = std::min({block_size_, std::size_t{setup.length}, in.size()});
  if (config_.negotiation.short_reply_bytes != 0)
    n = std::min(n, config_.negotiation.short_reply_bytes);
  std::copy_n(bytes.begin(), n, in.begin());
  return ControlOutcome::ack(n);
}

ControlOutcome ProbeCommitResponder::handle(const SetupPacket& setup,
                                            std::span<const std::uint8_t> out,
                                            std::span<std::uint8_t> in) {
  const auto selector = static_cast<std::uint8_t>(setup.value >> 8);
  const bool is_probe = selector == kVsProbeControl;
  if ((!is_probe && selector != kVsCommitControl) || (setup.value & 0xff) != 0)
    return ControlOutcome::stall();

  if (setup.request == kSetCur) {
    if (setup.device_to_host() || setup.length != block_size_ || out.size() < block_size_)
      return ControlOutcome::stall();
    if (is_probe ? config_.negotiation.stall_probe : config_.negotiation.stall_commit)
      return ControlOutcome::stall();
    const ProbeCommit request = decode_probe_commit(out.first(block_size_));
    if (is_probe) {
      probe_ = negotiate(request);
    } else {
      committed_ = accept(request);
      probe_ = *committed_;
    }
    return ControlOutcome::ack(block_size_);
  }
  if (!setup.device_to_host()) return ControlOutcome::stall();

  switch (setup.request) {
    case kGetCur:
      return reply(is_probe ? probe_ : committed_.value_or(probe_), setup, in);
    case kGetLen: {
      const std::uint8_t len[2] = {static_cast<std::uint8_t>(block_size_), 0};
      const std::size_t n = std::min({std::size_t{2}, std::size_t{setup.length}, in.size()});
      std::copy_n(len, n, in.begin());
      return ControlOutcome::ack(n);
    }
    case kGetInfo:
      if (setup.length < 1 || in.empty()) return ControlOutcome::stall();
      in[0] = kInfoSupportsGetSet;
      return ControlOutcome::ack(1);
    default:
      break;
  }
  if (!is_probe) return ControlOutcome::stall();  // COMMIT has no MIN/MAX/RES/DEF

  const FormatConfig& format = config_.formats[probe_.format_index - 1];
  const FrameConfig& frame = format.frames[probe_.frame_index - 1];
  const OfferedIntervals offered(frame);
  switch (setup.request) {
    case kGetMin:
      return reply(resolve(probe_.format_index, probe_.frame_index, offered.shortest(), 0), setup,
                   in);
    case kGetMax:
      return reply(resolve(probe_.format_index, probe_.frame_index, offered.longest(), 0), setup,
                   in);
    case kGetDef:
      return reply(defaults(), setup, in);
    case kGetRes: {
      ProbeCommit resolution;
      if (const auto* range = std::get_if<ContinuousIntervals>(&frame.intervals))
        resolution.frame_interval_100ns = range->step_100ns;
      return reply(resolution, setup, in);
    }
    default:
      return ControlOutcome::stall();
  }
}

}  // namespace hilcap::device::uvc
