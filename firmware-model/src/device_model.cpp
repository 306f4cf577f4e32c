#include "device_model.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace hilcap::device {
namespace {

// Times saturate instead of overflowing (a stall "forever" is just very long).
TimeNs later(TimeNs t, TimeNs delay) {
  constexpr TimeNs kMax = std::numeric_limits<TimeNs>::max();
  return t > kMax - delay ? kMax : t + delay;
}

ModelDropReason drop_reason(TimingVerdict verdict) {
  switch (verdict) {
    case TimingVerdict::kStall:
      return ModelDropReason::kStall;
    case TimingVerdict::kScheduledDrop:
      return ModelDropReason::kScheduled;
    case TimingVerdict::kRandomDrop:
    case TimingVerdict::kProduce:
      break;
  }
  return ModelDropReason::kRandom;
}

bool valid_injection(const FaultAction& action) {
  switch (action.kind) {
    case FaultKind::kError:
    case FaultKind::kCorrupt:
    case FaultKind::kDisconnect:
      return true;
    case FaultKind::kShort:
      return action.bytes > 0;  // at or above the frame size it delivers a whole frame
    case FaultKind::kStall:
      return action.duration_ns > 0;
  }
  return false;
}

}  // namespace

DeviceModel::Created DeviceModel::create(const DeviceConfig& config, Timebase& timebase,
                                         InterruptLine& interrupt_line) {
  Created created;
  created.errors = config.validate();
  if (created.errors.empty()) {
    created.device.reset(new DeviceModel(config, timebase, interrupt_line));
  }
  return created;
}

DeviceModel::DeviceModel(const DeviceConfig& config, Timebase& timebase,
                         InterruptLine& interrupt_line)
    : config_(config),
      timebase_(timebase),
      interrupt_line_(interrupt_line),
      engine_(config.timing, config.seed),
      faults_(config.faults, config.seed),
      synthesizer_(config.format, config.payload),
      submission_ring_(config.ring_depth),
      completion_ring_(config.ring_depth),
      in_flight_(config.ring_depth) {}

DeviceModel::~DeviceModel() {
  std::lock_guard lock(mutex_);
  if (frame_event_ != 0) timebase_.cancel(frame_event_);
  for (const InFlight& dma : in_flight_)
    timebase_.cancel(dma.dma_event);
  if (interrupt_event_ != 0) timebase_.cancel(interrupt_event_);
}

// --- Control surface ---

ControlStatus DeviceModel::set_state(PinState target) {
  if (!is_valid(target)) return ControlStatus::kInvalidRequest;
  std::lock_guard lock(mutex_);
  if (!connected()) return ControlStatus::kDisconnected;
  const TimeNs now = timebase_.now();
  pin_.walk_to(target, [&](PinState from, PinState to) { step(now, from, to); });
  return ControlStatus::kOk;
}

PinState DeviceModel::state() const {
  std::lock_guard lock(mutex_);
  return pin_.state();
}

FrameCounters DeviceModel::frame_counters() const {
  std::lock_guard lock(mutex_);
  return {.picture_number = picture_number_, .drop_count = drop_count_};
}

void DeviceModel::acknowledge_interrupt() {
  std::lock_guard lock(mutex_);
  line_asserted_ = false;
}

ControlStatus DeviceModel::inject_fault(const FaultAction& action) {
  if (!valid_injection(action)) return ControlStatus::kInvalidRequest;
  bool raise = false;
  {
    std::lock_guard lock(mutex_);
    if (!connected()) return ControlStatus::kDisconnected;
    const TimeNs now = timebase_.now();
    switch (action.kind) {
      case FaultKind::kDisconnect:
        faults_.note_fired(action.kind);
        note_fault(now, action.kind);
        raise = disconnect(now, /*in_device_event=*/false);
        break;
      case FaultKind::kStall:
        faults_.note_fired(action.kind);
        note_fault(now, action.kind);
        stall_until_ = std::max(stall_until_, later(now, action.duration_ns));
        break;
      case FaultKind::kError:
      case FaultKind::kShort:
      case FaultKind::kCorrupt:
        faults_.inject_on_next_fill(action);
        break;
    }
  }
  if (raise) interrupt_line_.raise();
  return ControlStatus::kOk;
}

DeviceStats DeviceModel::stats() const {
  std::lock_guard lock(mutex_);
  DeviceStats stats = stats_;
  stats.in_flight = in_flight_.size();
  for (std::size_t kind = 0; kind < kFaultKindCount; ++kind) {
    stats.faults_fired[kind] = faults_.fired(static_cast<FaultKind>(kind));
  }
  return stats;
}

void DeviceModel::set_observer(DeviceObserver* observer) {
  std::lock_guard lock(mutex_);
  observer_ = observer;
}

// --- Pin state steps ---

void DeviceModel::step(TimeNs now, PinState from, PinState to) {
  if (observer_) observer_->on_state_change(now, from, to);
  if (from == PinState::kStop && to == PinState::kAcquire) {
    // KS: PictureNumber and DropCount restart on the way up out of STOP.
    picture_number_ = 0;
    drop_count_ = 0;
    discontinuity_pending_ = false;
    stall_until_ = 0;
    faults_.rearm();
  } else if (from == PinState::kPause && to == PinState::kRun) {
    if (!stream_started_) {
      stream_started_ = true;
      stream_start_ = now;
      schedule_frame(0);
    } else {
      // Back on the original grid; the ticks missed while paused are skipped.
      schedule_frame(
          std::max(next_frame_, engine_.first_frame_due_at_or_after(now - stream_start_)));
    }
  } else if (from == PinState::kRun && to == PinState::kPause) {
    stop_frames();
  } else if (from == PinState::kPause && to == PinState::kAcquire) {
    stream_started_ = false;
  } else if (from == PinState::kAcquire && to == PinState::kStop) {
    if (hand_back_buffers(now, CompletionStatus::kReturnedUnfilled) > 0) {
      request_interrupt(now, /*in_device_event=*/false);
    }
  }
}

void DeviceModel::schedule_frame(std::uint64_t frame) {
  next_frame_ = frame;
  next_plan_ = engine_.plan(frame);
  frame_event_ =
      timebase_.schedule_at(later(stream_start_, next_plan_.due_ns),
                            [this, generation = stream_generation_] { on_frame_due(generation); });
}

void DeviceModel::stop_frames() {
  if (frame_event_ != 0) timebase_.cancel(frame_event_);
  frame_event_ = 0;
  ++stream_generation_;
}

// --- Frames ---

void DeviceModel::on_frame_due(std::uint64_t generation) {
  bool raise = false;
  {
    std::lock_guard lock(mutex_);
    if (generation != stream_generation_) return;  // paused, stopped or gone meanwhile
    frame_event_ = 0;
    const std::uint64_t frame = next_frame_;
    const FramePlan plan = next_plan_;
    // The grid time, not now(): a late real-time wake-up does not move the frame.
    const TimeNs due = later(stream_start_, plan.due_ns);

    const DueFaults due_faults = faults_.on_frame_due(frame, plan.due_ns);
    if (due_faults.disconnect) {
      // Fault: test what happens if the device vanishes mid-stream. The frame
      // never becomes due.
      note_fault(due, FaultKind::kDisconnect);
      raise = disconnect(due, /*in_device_event=*/true);
    } else {
      const std::uint64_t sequence = picture_number_++;
      ++stats_.frames_due;
      if (observer_) observer_->on_frame_due(due, frame, sequence);
      if (due_faults.stall_ns > 0) {
        // Fault: test what happens if the device goes quiet for a while.
        note_fault(due, FaultKind::kStall);
        stall_until_ = std::max(stall_until_, later(due, due_faults.stall_ns));
      }
      if (due < stall_until_) {
        drop(due, sequence, ModelDropReason::kStall);
      } else if (plan.verdict != TimingVerdict::kProduce) {
        drop(due, sequence, drop_reason(plan.verdict));
      } else {
        raise = fill_frame(due, frame, sequence, plan);
      }
      schedule_frame(frame + 1);
    }
  }
  if (raise) interrupt_line_.raise();
}

bool DeviceModel::fill_frame(TimeNs now, std::uint64_t frame, std::uint64_t sequence,
                             const FramePlan& plan) {
  // Room for this frame's completion beyond those of the DMAs in progress.
  // Under the ring contract there always is.
  if (completion_ring_.free_slots() <= in_flight_.size()) {
    drop(now, sequence, ModelDropReason::kCompletionRingFull);
    return false;
  }
  BufferDescriptor buffer;
  if (!submission_ring_.pop(buffer)) {
    drop(now, sequence, ModelDropReason::kStarvation);
    return false;
  }
  const std::uint32_t frame_bytes = synthesizer_.frame_bytes();
  if (buffer.address == nullptr || buffer.capacity < frame_bytes) {
    drop(now, sequence, ModelDropReason::kBufferRejected);
    post(now, {.buffer_id = buffer.buffer_id,
               .drop_count = drop_count_,
               .status = CompletionStatus::kBufferRejected});
    return request_interrupt(now, /*in_device_event=*/true);
  }

  const FillFaults fill_faults = faults_.on_frame_filled(frame, plan.due_ns);
  CompletionEntry entry{
      .buffer_id = buffer.buffer_id,
      .bytes_used = frame_bytes,
      .sequence = sequence,
      .timestamp_ns = now,
      .drop_count = drop_count_,
      .status = CompletionStatus::kOk,
      .flags = discontinuity_pending_ ? CompletionFlags::kDiscontinuity : std::uint8_t{0}};
  discontinuity_pending_ = false;
  if (fill_faults.error || plan.recorded_error) {
    // Fault: test what happens if the device reports a failed frame.
    if (fill_faults.error) note_fault(now, FaultKind::kError);
    entry.status = CompletionStatus::kError;
    entry.bytes_used = 0;
  } else {
    const std::span<std::byte> memory(buffer.address, buffer.capacity);
    entry.checksum = synthesizer_.render(memory, sequence, now);
    if (fill_faults.corrupt) {
      // Fault: test what happens if the payload arrives damaged.
      note_fault(now, FaultKind::kCorrupt);
      synthesizer_.corrupt(memory, mix64(sequence ^ config_.seed));
      entry.flags |= CompletionFlags::kCorrupted;
    }
    std::uint32_t short_bytes = fill_faults.short_bytes;
    if (short_bytes > 0) note_fault(now, FaultKind::kShort);
    if (short_bytes == 0 && plan.recorded_bytes > 0) short_bytes = plan.recorded_bytes;
    if (short_bytes > 0 && short_bytes < frame_bytes) {
      // Fault: test what happens if the transfer ends early.
      entry.status = CompletionStatus::kShort;
      entry.bytes_used = short_bytes;
    }
  }
  ++stats_.frames_produced;
  if (observer_) observer_->on_frame_produced(now, sequence, buffer.buffer_id);

  if (engine_.dma_ns() == 0) {
    post(now, entry);
    return request_interrupt(now, /*in_device_event=*/true);
  }
  in_flight_.push_back({.entry = entry});
  in_flight_.back().dma_event =
      timebase_.schedule_at(later(now, engine_.dma_ns()),
                            [this, generation = dma_generation_] { on_dma_done(generation); });
  return false;
}

void DeviceModel::on_dma_done(std::uint64_t generation) {
  bool raise = false;
  {
    std::lock_guard lock(mutex_);
    if (generation != dma_generation_ || in_flight_.empty()) return;  // cut off meanwhile
    const CompletionEntry entry = in_flight_.front().entry;
    in_flight_.pop_front();
    const TimeNs done = later(entry.timestamp_ns, engine_.dma_ns());
    post(done, entry);
    raise = request_interrupt(done, /*in_device_event=*/true);
  }
  if (raise) interrupt_line_.raise();
}

void DeviceModel::drop(TimeNs now, std::uint64_t sequence, ModelDropReason reason) {
  ++drop_count_;
  ++stats_.dropped[static_cast<std::size_t>(reason)];
  discontinuity_pending_ = true;
  if (observer_) observer_->on_drop(now, sequence, reason);
}

void DeviceModel::post(TimeNs now, const CompletionEntry& entry) {
  [[maybe_unused]] const bool posted = completion_ring_.push(entry);
  assert(posted && "completion ring room is checked before a buffer is taken");
  switch (entry.status) {
    case CompletionStatus::kShort:
      ++stats_.short_frames;
      ++stats_.frames_delivered;
      break;
    case CompletionStatus::kError:
      ++stats_.error_frames;
      ++stats_.frames_delivered;
      break;
    case CompletionStatus::kOk:
      ++stats_.frames_delivered;
      break;
    case CompletionStatus::kReturnedUnfilled:
      ++stats_.buffers_returned_unfilled;
      break;
    case CompletionStatus::kDisconnected:
      ++stats_.buffers_returned_disconnected;
      break;
    case CompletionStatus::kBufferRejected:
      break;
  }
  if (entry.has_flag(CompletionFlags::kCorrupted)) ++stats_.corrupt_frames;
  if (observer_) observer_->on_completion(now, entry);
}

std::size_t DeviceModel::hand_back_buffers(TimeNs now, CompletionStatus status) {
  std::size_t handed_back = 0;
  // Buffers being filled first (the oldest the device holds); their frames are lost.
  for (const InFlight& dma : in_flight_) {
    timebase_.cancel(dma.dma_event);
    drop(now, dma.entry.sequence, ModelDropReason::kAborted);
    post(now, {.buffer_id = dma.entry.buffer_id, .drop_count = drop_count_, .status = status});
    ++handed_back;
  }
  in_flight_.clear();
  ++dma_generation_;
  // Then the buffers still posted, in the order they were posted.
  BufferDescriptor buffer;
  while (completion_ring_.free_slots() > 0 && submission_ring_.pop(buffer)) {
    post(now, {.buffer_id = buffer.buffer_id, .drop_count = drop_count_, .status = status});
    ++handed_back;
  }
  stats_.buffers_left_posted += submission_ring_.size();
  return handed_back;
}

bool DeviceModel::disconnect(TimeNs now, bool in_device_event) {
  stop_frames();
  stream_started_ = false;
  hand_back_buffers(now, CompletionStatus::kDisconnected);
  if (observer_ && pin_.state() != PinState::kStop) {
    observer_->on_state_change(now, pin_.state(), PinState::kStop);
  }
  pin_.reset_to(PinState::kStop);
  // Released after the last ring access: a host that reads connected() == false
  // may take over the submission ring.
  connected_.store(false, std::memory_order_release);
  return request_interrupt(now, in_device_event);
}

// --- Interrupt line ---

bool DeviceModel::request_interrupt(TimeNs now, bool in_device_event) {
  const TimeNs latency = engine_.interrupt_latency_ns();
  if (latency == 0 && in_device_event) return assert_line(now);
  if (interrupt_event_ == 0) {
    interrupt_event_ = timebase_.schedule_at(later(now, latency), [this] { on_interrupt_due(); });
  }
  return false;
}

void DeviceModel::on_interrupt_due() {
  bool raise = false;
  {
    std::lock_guard lock(mutex_);
    interrupt_event_ = 0;
    raise = assert_line(timebase_.now());
  }
  if (raise) interrupt_line_.raise();
}

bool DeviceModel::assert_line(TimeNs now) {
  if (line_asserted_) {
    ++stats_.interrupts_coalesced;
    return false;
  }
  line_asserted_ = true;
  ++stats_.interrupts_raised;
  if (observer_) observer_->on_interrupt(now);
  return true;
}

void DeviceModel::note_fault(TimeNs now, FaultKind kind) {
  if (observer_) observer_->on_fault(now, kind);
}

}  // namespace hilcap::device
