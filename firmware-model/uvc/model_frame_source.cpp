#include "model_frame_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hilcap::device::uvc {

namespace {

constexpr std::size_t kHeaderBytes = 12;  // PTS and SCR in every payload
// Room for the JPEG markers and tables of a tiny MJPEG frame (and the header segment).
constexpr std::uint64_t kMjpegHeaderRoom = 4096;

VideoFormat video_format(PixelFormat format) {
  switch (format) {
    case PixelFormat::kYuy2:
      return VideoFormat::kYuy2;
    case PixelFormat::kNv12:
      return VideoFormat::kNv12;
    case PixelFormat::kGrey:
      return VideoFormat::kGrey;
  }
  return VideoFormat::kYuy2;
}

TimeNs service_interval_ns(UsbSpeed speed) {
  return speed == UsbSpeed::kFull ? 1'000'000 : 125'000;
}

// The standard isochronous alternate settings of a speed, smallest first.
std::vector<IsoAltSetting> standard_alt_settings(UsbSpeed speed) {
  switch (speed) {
    case UsbSpeed::kFull:
      return {{128, 1, 1}, {512, 1, 1}, {1023, 1, 1}};
    case UsbSpeed::kHigh:
      return {{128, 1, 1}, {512, 1, 1}, {1024, 1, 1}, {1024, 2, 1}, {1024, 3, 1}};
    case UsbSpeed::kSuper:
      return {{1024, 1, 1}, {1024, 1, 2}, {1024, 1, 4}, {1024, 1, 8}, {1024, 1, 16}};
  }
  return {};
}

// The frame interval in ns; a replayed recording's mean interval.
std::optional<double> interval_ns(const TimingConfig& timing) {
  if (const auto rational = frame_interval(timing.cadence))
    return static_cast<double>(rational->num_ns) / static_cast<double>(rational->den);
  const auto* recording = std::get_if<TimingRecording>(&timing.cadence);
  if (recording == nullptr || recording->frames.size() < 2) return std::nullopt;
  const auto& frames = recording->frames;
  return static_cast<double>(frames.back().at_ns - frames.front().at_ns) /
         static_cast<double>(frames.size() - 1);
}

}  // namespace

Checked<UvcDeviceConfig> uvc_config_for(const DeviceConfig& device,
                                        const UvcPresentation& presentation) {
  FieldErrors errors;
  const std::optional<double> interval = interval_ns(device.timing);
  // dwFrameInterval counts 100 ns units.
  const double interval_100ns = interval ? *interval / 100.0 : 0.0;
  if (!interval || interval_100ns < 1 ||
      interval_100ns > std::numeric_limits<std::uint32_t>::max()) {
    errors.push_back({"/device/timing", "a frame interval between 100 ns and 429 s",
                      interval ? fmt::format("{} ns", *interval) : "none"});
    return errors;
  }

  if (presentation.mjpeg && device.format.pixel_format != PixelFormat::kYuy2) {
    errors.push_back({"/device/format", "YUY2 sensor frames for MJPEG (the encoder's input)",
                      std::string(to_string(device.format.pixel_format))});
    return errors;
  }

  if (presentation.vendor_id == 0) {
    errors.push_back(
        {fmt::format("{}/id", kPresentationPointer), "a non-zero vendor ID",
         fmt::format("\"{:04x}:{:04x}\"", presentation.vendor_id, presentation.product_id)});
    return errors;
  }

  UvcDeviceConfig c;
  c.vendor_id = presentation.vendor_id;
  c.product_id = presentation.product_id;
  c.product = "hilcap device model";
  c.serial = presentation.serial;
  c.speed = presentation.speed;
  c.uvc_version = presentation.version;
  c.interrupt_endpoint = presentation.interrupt_endpoint;
  FormatConfig format;
  format.format =
      presentation.mjpeg ? VideoFormat::kMjpeg : video_format(device.format.pixel_format);
  FrameConfig frame;
  frame.width = static_cast<std::uint16_t>(device.format.width);
  frame.height = static_cast<std::uint16_t>(device.format.height);
  const auto rounded = static_cast<std::uint32_t>(interval_100ns + 0.5);
  frame.intervals = DiscreteIntervals{{rounded}};
  frame.default_interval_100ns = rounded;
  // MJPEG: at most the raw frame's size (what cameras advertise), plus room
  // for the JPEG headers of tiny frames.
  if (presentation.mjpeg)
    frame.max_compressed_bytes =
        static_cast<std::uint32_t>(device.format.frame_bytes() + kMjpegHeaderRoom);

  if (presentation.bulk) {
    const std::uint16_t packet = presentation.speed == UsbSpeed::kFull   ? 64
                                 : presentation.speed == UsbSpeed::kHigh ? 512
                                                                         : 1024;
    c.transport = BulkTransport{packet, 1, presentation.bulk_max_payload};
  } else {
    // Enough per service interval to move a frame within its interval; the
    // standard settings up to the first that does.
    const double packets = std::max(1.0, *interval / service_interval_ns(presentation.speed));
    const std::vector<IsoAltSetting> standard = standard_alt_settings(presentation.speed);
    IsochronousTransport iso;
    if (presentation.mjpeg) {
      // A compressed frame's size is not known in advance: every setting, and
      // frames no larger than the largest carries in one interval.
      iso.alt_settings = standard;
      const auto per_interval = static_cast<std::uint32_t>(
          std::floor(packets) * (bytes_per_interval(standard.back()) - kHeaderBytes));
      frame.max_compressed_bytes = std::min(frame.max_compressed_bytes, per_interval);
    } else {
      const auto need = static_cast<std::uint32_t>(
          static_cast<double>(device.format.frame_bytes()) / packets + kHeaderBytes + 1);
      for (const IsoAltSetting& alt : standard) {
        iso.alt_settings.push_back(alt);
        if (bytes_per_interval(alt) >= need) break;
      }
      if (bytes_per_interval(iso.alt_settings.back()) < need) {
        errors.push_back(
            {"/device/format",
             fmt::format("a frame size and rate that isochronous transfers at {} "
                         "carry (at most {} bytes per service interval; use bulk)",
                         presentation.speed == UsbSpeed::kFull   ? "full speed"
                         : presentation.speed == UsbSpeed::kHigh ? "high speed"
                                                                 : "SuperSpeed",
                         bytes_per_interval(iso.alt_settings.back())),
             fmt::format("{}x{} {} needing {} bytes per service interval", device.format.width,
                         device.format.height, to_string(device.format.pixel_format), need)});
        return errors;
      }
    }
    c.transport = iso;
  }
  format.frames = {frame};
  c.formats = {format};
  // What the presentation chose that the UVC configuration refuses (what
  // comes from the device section was checked by DeviceConfig::validate).
  FieldErrors invalid = validate(c);
  for (FieldError& e : invalid) {
    e.expected = fmt::format("a presentation whose UVC configuration has at {} {}", e.json_pointer,
                             e.expected);
    e.json_pointer = std::string(kPresentationPointer);
  }
  if (!invalid.empty()) return invalid;
  return c;
}

ModelFrameSource::ModelFrameSource(const DeviceConfig& config, Pacing pacing)
    : ModelFrameSource(config, ModelFrameBehaviour{pacing, false, false}) {}

ModelFrameSource::ModelFrameSource(const DeviceConfig& config, const ModelFrameBehaviour& behaviour)
    : config_(config),
      behaviour_(behaviour),
      engine_(config.timing, config.seed),
      synthesizer_(config.format, config.payload),
      frame_(synthesizer_.frame_bytes()) {
  restart();
}

void ModelFrameSource::restart() {
  faults_ = std::make_unique<FaultInjector>(config_.faults, config_.seed);
  pending_.reset();
  start_.reset();
  last_sent_index_.reset();
  next_frame_ = 0;
  next_sequence_ = 0;
  stall_until_ = 0;
  disconnect_ = false;
}

bool ModelFrameSource::matches(const StreamFormat& format) const {
  return format.format == video_format(config_.format.pixel_format) &&
         format.width == config_.format.width && format.height == config_.format.height;
}

void ModelFrameSource::count_drop(TimingVerdict verdict) {
  ++stats_.dropped;
  switch (verdict) {
    case TimingVerdict::kScheduledDrop:
      ++stats_.drops.scheduled;
      break;
    case TimingVerdict::kRandomDrop:
      ++stats_.drops.random;
      break;
    case TimingVerdict::kStall:
    case TimingVerdict::kProduce:  // produced, but due inside a stall started by a fault
      ++stats_.drops.stall;
      break;
  }
}

bool ModelFrameSource::settle_next() {
  while (!pending_ && !disconnect_) {
    const std::uint64_t frame = next_frame_++;
    const FramePlan plan = engine_.plan(frame);
    const DueFaults due = faults_->on_frame_due(frame, plan.due_ns);
    std::lock_guard lock(stats_mutex_);
    ++stats_.frames_due;
    if (due.disconnect) {
      disconnect_ = true;
      stats_.disconnected = true;
      break;
    }
    if (due.stall_ns > 0) stall_until_ = std::max(stall_until_, plan.due_ns + due.stall_ns);
    const std::uint64_t sequence = next_sequence_++;
    if (plan.due_ns < stall_until_ || plan.verdict != TimingVerdict::kProduce) {
      count_drop(plan.due_ns < stall_until_ ? TimingVerdict::kStall : plan.verdict);
      continue;
    }
    pending_ = Pending{frame, sequence, plan};
  }
  return pending_.has_value();
}

void ModelFrameSource::drop_overtaken(std::chrono::steady_clock::time_point now) {
  while (pending_ &&
         now >= *start_ + std::chrono::nanoseconds(engine_.due_ns(pending_->frame + 1))) {
    pending_.reset();
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.dropped;
      ++stats_.drops.late;
    }
    if (!settle_next()) return;
  }
}

std::optional<std::chrono::steady_clock::time_point> ModelFrameSource::next_frame_time() {
  if (behaviour_.pacing != Pacing::kRealTime || !start_ || !settle_next()) return std::nullopt;
  return *start_ + std::chrono::nanoseconds(pending_->plan.due_ns);
}

std::optional<FrameView> ModelFrameSource::next_frame(std::uint64_t index,
                                                      const StreamFormat& format) {
  if (index == 0 && last_sent_index_) restart();  // a new stream
  const auto now = std::chrono::steady_clock::now();
  if (!start_) {
    start_ = now;
    std::lock_guard lock(stats_mutex_);
    ++stats_.streams;
  }
  if (!matches(format)) disconnect_ = true;
  if (!settle_next()) return FrameView{{}, 0, FrameFault::kDisconnect, next_frame_};
  const bool real_time = behaviour_.pacing == Pacing::kRealTime;
  if (real_time && behaviour_.drop_late_frames) {
    drop_overtaken(now);
    if (!pending_) return FrameView{{}, 0, FrameFault::kDisconnect, next_frame_};
  }
  const Pending sent = *pending_;
  const auto due = *start_ + std::chrono::nanoseconds(sent.plan.due_ns);
  if (real_time && now < due) return std::nullopt;

  pending_.reset();
  last_sent_index_ = index;
  const FillFaults fill = faults_->on_frame_filled(sent.frame, sent.plan.due_ns);
  FrameHandOver handed{sent.frame,
                       sent.sequence,
                       sent.plan.due_ns,
                       real_time ? std::chrono::nanoseconds(now - due).count() : 0,
                       0,
                       FrameFault::kNone};
  FrameView view{{}, sent.plan.due_ns, FrameFault::kNone, sent.frame};
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.frames_sent;
    const bool error = fill.error || sent.plan.recorded_error;
    if (error) {
      ++stats_.error_frames;
      view.fault = FrameFault::kError;
    }
    // As on the DMA path an error frame carries no data, unless it is a
    // camera's that flags the frame it sends; UVC says why with ERR.
    if (!error || behaviour_.error_frames_carry_data) {
      const std::span<std::byte> memory(frame_);
      synthesizer_.render(memory, sent.sequence, sent.plan.due_ns);
      if (fill.corrupt) {
        ++stats_.corrupt_frames;
        synthesizer_.corrupt(memory, sent.sequence ^ config_.seed);
      }
      std::size_t bytes = frame_.size();
      const std::uint32_t short_bytes =
          fill.short_bytes > 0 ? fill.short_bytes : sent.plan.recorded_bytes;
      if (short_bytes > 0 && short_bytes < bytes) {
        ++stats_.short_frames;
        bytes = short_bytes;
      }
      view.data = {reinterpret_cast<const std::uint8_t*>(frame_.data()), bytes};
    }
  }
  handed.bytes = view.data.size();
  handed.fault = view.fault;
  if (observer_) observer_(handed);
  return view;
}

ModelFrameStats ModelFrameSource::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace hilcap::device::uvc
