// DeviceModel: the simulated capture device, tying the timing engine, fault
// injector and frame synthesizer to a DMA engine on the two rings, driven by a
// Timebase. It implements the published control surface (DeviceControl); the
// rest of this header is for whoever builds the simulation (sim/, tests):
// creation from a DeviceConfig, fault injection, statistics and trace hooks.
//
// Events per frame on the Timebase (all with captures small enough for
// std::function's local storage, nothing allocated while streaming):
//   1. frame due    one per grid tick in RUN: drop, or take a buffer and fill it;
//   2. DMA done     one per filled frame, dma_ns later (none when dma_ns is 0:
//                   the completion is posted in event 1);
//   3. interrupt    one per assertion, interrupt_latency_ns after a completion
//                   (none when an assertion is already scheduled, and none when
//                   the latency is 0: the line is asserted within the event
//                   that posted).
//
// Threads: every public call may come from any thread (the host's, a client's)
// while the Timebase runs the device's events on its own; one mutex serialises
// them. The device calls Timebase::schedule_at()/cancel() under that mutex, so
// a real-time Timebase must accept them from any thread and must not hold its
// own lock while it runs an event. InterruptLine::raise() is called without the
// mutex held.
#pragma once

#include <hilcap/device/control.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/device/rings.h>
#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>

#include <atomic>
#include <boost/circular_buffer.hpp>
#include <memory>
#include <mutex>

#include "device_config.h"
#include "device_observer.h"
#include "device_stats.h"
#include "fault_injector.h"
#include "frame_synthesizer.h"
#include "pin_state_machine.h"
#include "timing_engine.h"

namespace hilcap::device {

class DeviceModel final : public DeviceControl {
 public:
  struct Created {
    std::unique_ptr<DeviceModel> device;  // null when `errors` is not empty
    FieldErrors errors;
  };

  // Validates `config` and builds the device, in STOP, connected. `timebase`
  // and `interrupt_line` must outlive it.
  static Created create(const DeviceConfig& config, Timebase& timebase,
                        InterruptLine& interrupt_line);

  // Cancels the device's pending events. In real time, destroy the device only
  // once its Timebase no longer runs events (an event already running cannot
  // be cancelled).
  ~DeviceModel() override;

  DeviceModel(const DeviceModel&) = delete;
  DeviceModel& operator=(const DeviceModel&) = delete;

  // --- DeviceControl (the registers; see control.h) ---
  FrameFormat frame_format() const override { return config_.format; }
  SubmissionRing& submission_ring() override { return submission_ring_; }
  CompletionRing& completion_ring() override { return completion_ring_; }
  ControlStatus set_state(PinState target) override;
  PinState state() const override;
  FrameCounters frame_counters() const override;
  bool connected() const override { return connected_.load(std::memory_order_acquire); }
  void acknowledge_interrupt() override;

  // --- Simulation controls ---

  // A fault now (a scenario step): disconnect at once; stall from now for
  // duration_ns; error, short or corrupt on the next frame filled.
  // kInvalidRequest when the action's parameters are out of range.
  ControlStatus inject_fault(const FaultAction& action);

  DeviceStats stats() const;

  // nullptr removes the observer.
  void set_observer(DeviceObserver* observer);

  const DeviceConfig& config() const { return config_; }

 private:
  struct InFlight {
    CompletionEntry entry;
    EventId dma_event = 0;
  };

  DeviceModel(const DeviceConfig& config, Timebase& timebase, InterruptLine& interrupt_line);

  // Event handlers (take the mutex).
  void on_frame_due(std::uint64_t generation);
  void on_dma_done(std::uint64_t generation);
  void on_interrupt_due();

  // Helpers, called with the mutex held. Those returning bool return whether
  // the caller must call interrupt_line_.raise() once it released the mutex.
  void step(TimeNs now, PinState from, PinState to);
  void schedule_frame(std::uint64_t frame);
  void stop_frames();
  bool fill_frame(TimeNs now, std::uint64_t frame, std::uint64_t sequence, const FramePlan& plan);
  void drop(TimeNs now, std::uint64_t sequence, ModelDropReason reason);
  void post(TimeNs now, const CompletionEntry& entry);
  std::size_t hand_back_buffers(TimeNs now, CompletionStatus status);
  bool disconnect(TimeNs now, bool in_device_event);
  bool request_interrupt(TimeNs now, bool in_device_event);
  bool assert_line(TimeNs now);
  void note_fault(TimeNs now, FaultKind kind);

  const DeviceConfig config_;
  Timebase& timebase_;
  InterruptLine& interrupt_line_;
  TimingEngine engine_;
  FaultInjector faults_;
  FrameSynthesizer synthesizer_;
  SubmissionRing submission_ring_;
  CompletionRing completion_ring_;

  mutable std::mutex mutex_;
  PinStateMachine pin_;
  std::atomic<bool> connected_{true};
  DeviceObserver* observer_ = nullptr;

  // The frame grid of the current stream.
  bool stream_started_ = false;
  TimeNs stream_start_ = 0;
  std::uint64_t next_frame_ = 0;
  FramePlan next_plan_;
  EventId frame_event_ = 0;
  std::uint64_t stream_generation_ = 0;  // bumped when frames stop: stale frame events do nothing
  TimeNs stall_until_ = 0;               // fault stalls: frames due before this are dropped

  // The KS counters (reset on STOP -> ACQUIRE).
  std::uint64_t picture_number_ = 0;
  std::uint64_t drop_count_ = 0;
  bool discontinuity_pending_ = false;

  // DMA engine: buffers being filled, oldest first (their DMA ends in order).
  boost::circular_buffer<InFlight> in_flight_;
  std::uint64_t dma_generation_ = 0;  // bumped when DMAs are cut off

  // Interrupt line.
  bool line_asserted_ = false;
  EventId interrupt_event_ = 0;

  DeviceStats stats_;
};

}  // namespace hilcap::device
