#include "usb/capture_run.h"

#include <fmt/format.h>
#include <hilcap/ks_extensions.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>

#include "clients/client_model.h"
#include "clients/completion_router.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "scheduler/realtime_scheduler.h"
#include "usb/timing_recorder.h"

namespace hilcap::sim {
namespace {

constexpr TimeNs kTickNs = 50'000'000;          // Ctrl-C, unplug and progress checks
constexpr TimeNs kRedrawEveryNs = 500'000'000;  // progress line

// Every frame the source saw, as it reported them (on libusb's event thread).
class FrameLog {
 public:
  explicit FrameLog(bool keep_records) : keep_records_(keep_records) {}

  void add(const uvc::UvcFrameRecord& record) {
    std::lock_guard lock(mutex_);
    ++due_;
    if (!record.delivered) {
      ++dropped_[record.drop_cause];
    } else if ((record.uvc_flags & (uvc::kFrameError | uvc::kFrameOverflow)) != 0) {
      ++error_;
    } else if ((record.uvc_flags & uvc::kFrameIncomplete) != 0) {
      ++short_;
    } else {
      ++ok_;
    }
    if (keep_records_) records_.push_back(record);
  }

  struct Counts {
    std::uint64_t due = 0, ok = 0, short_frames = 0, error = 0;
    uvc::DropCounts dropped;
  };
  Counts counts() const {
    std::lock_guard lock(mutex_);
    return {due_, ok_, short_, error_, dropped_};
  }
  std::vector<uvc::UvcFrameRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  const bool keep_records_;
  mutable std::mutex mutex_;
  std::uint64_t due_ = 0, ok_ = 0, short_ = 0, error_ = 0;
  uvc::DropCounts dropped_;
  std::vector<uvc::UvcFrameRecord> records_;
};

// The KS layer tells of a completed ALLOC on the thread that completed it
// (libusb's event thread); the clients live on the scheduler's thread. This
// observer, in front of the CompletionRouter, hands each notice over as an
// event, so clients, router and monitor only ever run on one thread.
class CompletionHop final : public KsCompletionObserver {
 public:
  CompletionHop(Scheduler& scheduler, KsCompletionObserver& next)
      : scheduler_(scheduler), next_(next), previous_(set_ks_completion_observer(this)) {}
  ~CompletionHop() override { set_ks_completion_observer(previous_); }
  CompletionHop(const CompletionHop&) = delete;
  CompletionHop& operator=(const CompletionHop&) = delete;

  void request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) override {
    scheduler_.schedule_at(scheduler_.now(), [this, file, overlapped, status] {
      next_.request_completed(file, overlapped, status);
    });
  }

 private:
  Scheduler& scheduler_;
  KsCompletionObserver& next_;
  KsCompletionObserver* previous_;
};

// The run monitor's checks, plus what capture needs to know: frames the
// clients received (the --frames limit) and whether a client closed the
// allocator handle.
class CaptureEvents final : public ClientEvents {
 public:
  CaptureEvents(RunMonitor& monitor, Scheduler& scheduler, std::uint64_t frame_limit)
      : monitor_(monitor), scheduler_(scheduler), frame_limit_(frame_limit) {}

  std::uint64_t frames() const { return frames_; }
  bool limit_reached() const { return frame_limit_ != 0 && frames_ >= frame_limit_; }
  bool allocator_open() const { return allocator_open_; }

  void alloc_issued(const KsClient& c, const KsRequest& r, NTSTATUS s) override {
    monitor_.alloc_issued(c, r, s);
  }
  void alloc_completed(const KsClient& c, const KsRequest& r, NTSTATUS s) override {
    monitor_.alloc_completed(c, r, s);
  }
  void frame_received(const KsClient& c, void* frame) override {
    monitor_.frame_received(c, frame);
    ++frames_;
    if (limit_reached()) scheduler_.stop();
  }
  void frame_freed(const KsClient& c, void* frame, NTSTATUS s) override {
    monitor_.frame_freed(c, frame, s);
  }
  void cancel_issued(const KsClient& c, const KsRequest* r, bool found) override {
    monitor_.cancel_issued(c, r, found);
  }
  void allocator_closed(const KsClient& c, NTSTATUS s) override {
    monitor_.allocator_closed(c, s);
    if (s == STATUS_SUCCESS) allocator_open_ = false;
  }
  void violation(std::string what) override { monitor_.violation(std::move(what)); }

 private:
  RunMonitor& monitor_;
  Scheduler& scheduler_;
  const std::uint64_t frame_limit_;
  std::uint64_t frames_ = 0;
  bool allocator_open_ = true;
};

// "[capture] 12.5 s  frames 375 received  drops 0" on stderr, redrawn in place.
class CaptureProgress {
 public:
  explicit CaptureProgress(bool enabled) : enabled_(enabled) {}
  ~CaptureProgress() { finish(); }
  CaptureProgress(const CaptureProgress&) = delete;
  CaptureProgress& operator=(const CaptureProgress&) = delete;

  void update(TimeNs now, std::uint64_t received, std::uint64_t dropped) {
    if (!enabled_ || now - last_ < kRedrawEveryNs) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[K[capture] %.1f s  frames %llu received  drops %llu",
                 static_cast<double>(now) / 1e9, static_cast<unsigned long long>(received),
                 static_cast<unsigned long long>(dropped));
    std::fflush(stderr);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  TimeNs last_ = 0;
  bool drawn_ = false;
};

// The report's figures from what the source, the allocator and the clients counted.
void fill_report(RunReport& report, const Scheduler& scheduler, const StreamAllocator& allocator,
                 bool allocator_open, const std::vector<const KsClient*>& clients,
                 const FrameLog::Counts& frames, const uvc::SourceCounters& source) {
  RunTotals t;
  t.virtual_time_ns = scheduler.now();
  t.events = scheduler.events_run();
  t.device.frames_due = frames.due;
  t.device.frames_produced = frames.due - frames.dropped.total();
  t.device.frames_delivered = frames.ok + frames.short_frames + frames.error;
  t.device.short_frames = frames.short_frames;
  t.device.error_frames = frames.error;
  t.state = source.disconnected ? device::PinState::kStop : device::PinState::kRun;
  t.connected = !source.disconnected;
  t.pin.frames_ok = frames.ok;
  t.pin.frames_short = frames.short_frames;
  t.pin.frames_error = frames.error;
  t.pin.completions = t.device.frames_delivered;
  t.allocator = allocator.counters();
  t.occupancy = allocator.occupancy();
  t.allocator_open = allocator_open;
  for (const KsClient* c : clients)
    t.clients.push_back(c->figures());
  report.fill(t);
}

void add_usb_figures(Report& r, const FrameLog::Counts& frames, const uvc::SourceCounters& c) {
  r.set("frames.dropped.total", frames.dropped.total());
  r.set("frames.dropped.by_reason.no_free_frame", frames.dropped.no_free_frame);
  r.set("frames.dropped.by_reason.error_payload", frames.dropped.error_payload);
  r.set("frames.dropped.by_reason.overflow", frames.dropped.overflow);
  r.set("frames.dropped.by_reason.incomplete", frames.dropped.incomplete);
  const uvc::DropCounts& damaged = c.assembly.delivered_damaged;
  r.set("frames.damaged.error_payload", damaged.error_payload);
  r.set("frames.damaged.overflow", damaged.overflow);
  r.set("frames.damaged.incomplete", damaged.incomplete);
  r.set("usb.payloads", c.assembly.payloads);
  r.set("usb.header_only_payloads", c.assembly.header_only_payloads);
  r.set("usb.invalid_headers", c.assembly.invalid_headers);
  r.set("usb.error_bit_payloads", c.assembly.error_bit_payloads);
  r.set("usb.overflow_bytes", c.assembly.overflow_bytes);
  r.set("usb.transfers.submitted", c.transfers_submitted);
  r.set("usb.transfers.completed", c.transfers_completed);
  r.set("usb.transfers.failed", c.transfers_failed);
  r.set("usb.transfers.timed_out", c.transfers_timed_out);
  r.set("usb.transfers.cancelled", c.transfers_cancelled);
  r.set("usb.transfers.orphaned", c.orphaned_transfers);
  r.set("usb.transfers.max_in_flight", std::uint64_t{c.max_in_flight});
  r.set("usb.stalls", c.stalls);
  r.set("usb.halts_cleared", c.halts_cleared);
  r.set("usb.disconnected", c.disconnected);
}

}  // namespace

CaptureOutcome run_capture(std::shared_ptr<uvc::UsbContext> usb, const CaptureSettings& settings) {
  CaptureOutcome outcome;
  auto opened = uvc::UvcSource::open(std::move(usb), settings.device, settings.source);
  if (!opened.ok()) {
    outcome.error = opened.failure();
    return outcome;
  }
  // Declared before the allocator: the allocator hands freed frames to the
  // source, so the source outlives it.
  std::unique_ptr<uvc::UvcSource> source = std::move(opened.value());
  outcome.stream = source->stream().describe();

  Scenario scenario = settings.scenario;
  scenario.framing.FrameSize = source->frame_size();
  const AllocatorCreated created = create_allocator(nullptr, scenario.framing);
  if (created.status != STATUS_SUCCESS) {
    outcome.error = uvc::SourceError{uvc::SourceErrorKind::kInvalidState,
                                     "the allocator refused the framing: " + created.error};
    return outcome;
  }
  const HANDLE handle = created.handle;
  std::shared_ptr<StreamAllocator> allocator = stream_allocator_from_handle(handle);

  FrameLog log(!settings.record_timing.empty());
  source->set_frame_observer([&log](const uvc::UvcFrameRecord& r) { log.add(r); });

  RealtimeScheduler scheduler;
  RunReport report(scenario);
  RunMonitor monitor(scheduler, report.pending_latency(), nullptr, nullptr);
  monitor.frames_seen_out_of_order();  // completions hop over from libusb's thread
  CaptureEvents events(monitor, scheduler, settings.frames);
  ClientEnvironment environment{scheduler, handle, events};
  CompletionRouter router(environment);
  CompletionHop hop(scheduler, router);
  std::vector<std::unique_ptr<ClientModel>> models;
  for (const ClientSpec& spec : scenario.clients) {
    if (!spec.scripted) models.push_back(std::make_unique<ClientModel>(spec, environment));
  }

  if (auto refused = source->start(allocator)) {
    CloseHandle(handle);
    outcome.error = std::move(*refused);
    return outcome;
  }
  for (auto& model : models)
    model->start();

  if (settings.duration_ns > 0) {
    scheduler.schedule_at(settings.duration_ns, [&] {
      outcome.ended =
          fmt::format("{:g} s elapsed", static_cast<double>(settings.duration_ns) / 1e9);
      scheduler.stop();
    });
  }
  CaptureProgress progress(settings.progress);
  std::function<void()> tick = [&] {
    if (settings.interrupted != nullptr && settings.interrupted->load()) {
      outcome.ended = "interrupted";
      scheduler.stop();
      return;
    }
    if (source->disconnected()) {
      outcome.ended = "the device left the bus";
      scheduler.stop();
      return;
    }
    progress.update(scheduler.now(), events.frames(), log.counts().dropped.total());
    scheduler.schedule_after(kTickNs, tick);
  };
  scheduler.schedule_after(kTickNs, tick);
  scheduler.run();
  progress.finish();
  if (events.limit_reached()) outcome.ended = fmt::format("{} frames received", events.frames());

  source->stop();
  const uvc::SourceCounters counters = source->counters();
  if (outcome.ended.empty()) outcome.ended = "every client ended";
  if (counters.disconnected) {
    outcome.problems.push_back(
        "the device left the bus during the capture: pending ALLOCs ended with "
        "STATUS_DEVICE_NOT_CONNECTED");
  } else if (!counters.stream_error.empty()) {
    outcome.problems.push_back("the stream ended early: " + counters.stream_error);
  }
  if (monitor.first_violation()) outcome.problems.push_back(*monitor.first_violation());

  std::vector<const KsClient*> clients;
  for (const auto& model : models)
    clients.push_back(model.get());
  const FrameLog::Counts frames = log.counts();
  fill_report(report, scheduler, *allocator, events.allocator_open(), clients, frames, counters);
  Report taken = report.take();
  add_usb_figures(taken, frames, counters);
  outcome.report = std::move(taken);

  // Every pending ALLOC ends (cancelled) while its client is alive.
  if (events.allocator_open()) CloseHandle(handle);

  if (!settings.record_timing.empty()) {
    const uvc::StreamChoice& choice = source->stream().choice;
    const auto text = format_timing_recording(
        log.records(),
        fmt::format("hilcap frame timing, recorded by hilcap capture from {} ({} {}x{})",
                    settings.device.to_string(), choice.format_name, choice.width, choice.height));
    if (!text.ok()) {
      outcome.problems.push_back(
          fmt::format("{}: not written: {}", settings.record_timing.string(), text.error()));
    } else if (std::ofstream file(settings.record_timing, std::ios::binary | std::ios::trunc);
               !(file << text.value()) || !file.flush()) {
      outcome.problems.push_back(
          fmt::format("{}: cannot write the timing recording", settings.record_timing.string()));
    }
  }
  return outcome;
}

}  // namespace hilcap::sim
