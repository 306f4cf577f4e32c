#include <fmt/format.h>
#include <hilcap/uvc/uvc_source.h>
#include <libusb-1.0/libusb.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "device_discovery.h"
#include "libusb_support.h"
#include "negotiation.h"
#include "stream_clock.h"

namespace hilcap::uvc {

// The streaming machinery behind a UvcSource, shared with the transfers in
// flight: each submitted transfer holds a reference, so the Stream (its
// handle, buffers and lock) outlives any completion that libusb still owes,
// even one arriving after stop() gave up waiting (the orphaned transfers of
// QEMU's host-libusb). Once stopped, a late completion only lets go.
//
// Locks: mutex_ guards the stream (assembler, transfers, counters); the free
// list has its own leaf lock, because the allocator calls recycle() under its
// lock. The allocator is never called with mutex_ held: deliveries and the
// disconnect are queued in an outbox and carried out after unlocking.
class UvcSource::Stream : public std::enable_shared_from_this<Stream>, private FrameDestination {
 public:
  Stream(std::shared_ptr<UsbContext> usb, libusb_device_handle* handle, NegotiatedStream negotiated,
         const SourceOptions& options);
  ~Stream() override;

  const NegotiatedStream& negotiated() const { return negotiated_; }
  void watch_departure();
  void set_observer(std::function<void(const UvcFrameRecord&)> observer);
  std::optional<SourceError> attach(std::shared_ptr<StreamAllocator> allocator,
                                    FrameSource& source);
  std::optional<SourceError> start_streaming();
  std::optional<SourceError> start_failure() const;
  void stop_streaming();
  void detach();
  std::vector<hilcap::FrameBuffer> take_free_frames();
  void restart_numbering();
  std::uint32_t frames_held() const { return held_.load(std::memory_order_acquire); }
  void release();
  bool disconnected() const;
  SourceCounters counters() const;
  std::optional<UvcFrameRecord> record(const void* frame) const;
  void recycle(hilcap::FrameBuffer buffer);

 private:
  // kIdle: not streaming (attached to an allocator or not); kStopping: the
  // transfers of a stream being stopped are ending.
  enum class State { kIdle, kStreaming, kStopping };

  struct Slot {
    Stream* stream = nullptr;
    libusb_transfer* transfer = nullptr;
    std::vector<std::uint8_t> buffer;
    bool in_flight = false;
    std::shared_ptr<Stream> keepalive;  // while in flight
  };

  // What the allocator and the observer are to hear, once mutex_ is released.
  struct Outbox {
    std::vector<std::pair<hilcap::FrameBuffer, hilcap::FrameInfo>> frames;
    std::vector<UvcFrameRecord> records;
    std::optional<NTSTATUS> end_status;
  };

  static void LIBUSB_CALL on_transfer(libusb_transfer* transfer);
  void complete(Slot& slot, std::int64_t now);
  void feed(const libusb_transfer& transfer, std::int64_t now, bool failed);
  bool submit(Slot& slot);
  void resubmit_or_fail(Slot& slot);
  void device_gone();
  void stream_failed(std::string why);
  void clear_halts();
  // No transfer in flight and no completion callback running; mutex_ held.
  bool transfers_quiet() const { return in_flight_ == 0 && callbacks_running_ == 0; }
  std::optional<SourceError> try_start_streaming();
  // Cancels the transfers in flight and waits for them (bounded); mutex_ held.
  void end_transfers(std::unique_lock<std::mutex>& lock);
  void deliver(const Outbox& outbox);
  Outbox take_outbox();
  UvcFrameRecord make_record(const uvc::AssembledFrame& info);

  // FrameDestination, called by the assembler under mutex_.
  std::optional<uvc::DestinationBuffer> acquire_buffer() override;
  void deliver_frame(const uvc::DestinationBuffer& buffer,
                     const uvc::AssembledFrame& info) override;
  void release_buffer(const uvc::DestinationBuffer& buffer) override;
  void frame_dropped(const uvc::AssembledFrame& info, DropReason reason) override;

  const std::shared_ptr<UsbContext> usb_;
  libusb_device_handle* const handle_;
  const NegotiatedStream negotiated_;
  const SourceOptions options_;
  std::unique_ptr<UsbContext::HotplugWatch> departure_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // a transfer or callback ended, a halt awaits, state moved
  State state_ = State::kIdle;
  std::shared_ptr<StreamAllocator> allocator_;  // while streaming
  FrameAssembler assembler_;
  StreamClock clock_;
  std::vector<std::unique_ptr<Slot>> slots_;
  unsigned in_flight_ = 0;
  unsigned callbacks_running_ = 0;
  bool halted_ = false;  // a stall waits for CLEAR_HALT
  bool gone_ = false;
  bool interface_released_ = false;
  unsigned streams_started_ = 0;
  std::optional<SourceError> start_failure_;  // why the last start_streaming() failed
  // KS numbering since restart_numbering(): frames started and dropped before it.
  std::uint64_t sequence_base_ = 0;
  std::uint64_t drops_base_ = 0;
  SourceCounters counters_;
  std::vector<hilcap::FrameBuffer> frames_;  // the allocator's frames, by slot
  std::vector<UvcFrameRecord> records_;      // the last frame delivered in each
  std::function<void(const UvcFrameRecord&)> observer_;
  Outbox outbox_;
  std::thread halt_clearer_;

  std::mutex free_mutex_;  // leaf: taken under the allocator's lock
  std::deque<hilcap::FrameBuffer> free_;
  // The allocator's frames the source has (free, being filled, on their way
  // back): recycled and not yet delivered or taken.
  std::atomic<std::uint32_t> held_{0};
};

namespace {

std::int64_t host_ns(std::chrono::nanoseconds t) {
  return t.count();
}

AssemblerConfig assembler_config(const NegotiatedStream& s) {
  AssemblerConfig c;
  c.transport =
      s.endpoint.transfer == TransferType::kBulk ? Transport::kBulk : Transport::kIsochronous;
  c.max_video_frame_size = s.committed.max_video_frame_size;
  c.max_payload_transfer_size = s.committed.max_payload_transfer_size;
  c.expected_frame_size =
      s.choice.format_kind == FormatKind::kUncompressed ? s.committed.max_video_frame_size : 0;
  // Damaged frames reach the client flagged (and counted by cause), never lost in silence.
  c.damaged_frames = DamagedFramePolicy::kDeliverDamaged;
  return c;
}

}  // namespace

UvcSource::Stream::Stream(std::shared_ptr<UsbContext> usb, libusb_device_handle* handle,
                          NegotiatedStream negotiated, const SourceOptions& options)
    : usb_(std::move(usb)),
      handle_(handle),
      negotiated_(std::move(negotiated)),
      options_(options),
      assembler_(assembler_config(negotiated_), *this),
      clock_(negotiated_.clock_frequency_hz) {}

UvcSource::Stream::~Stream() {
  departure_.reset();
  for (auto& slot : slots_)
    libusb_free_transfer(slot->transfer);
  usb_->close_device(handle_);  // the last completion may be running this
}

void UvcSource::Stream::watch_departure() {
  const DeviceLocation where = negotiated_.device.location;
  auto watch = usb_->watch_hotplug(negotiated_.device.vendor_id, negotiated_.device.product_id,
                                   [this, where](const HotplugNotice& notice) {
                                     if (notice.event != HotplugEvent::kLeft ||
                                         notice.location.bus != where.bus ||
                                         notice.location.address != where.address)
                                       return;
                                     Outbox outbox;
                                     {
                                       std::lock_guard lock(mutex_);
                                       device_gone();
                                       outbox = take_outbox();
                                     }
                                     deliver(outbox);
                                   });
  // Without hotplug, departures still show as transfers ending with NO_DEVICE.
  if (watch) departure_ = std::move(watch.value());
}

void UvcSource::Stream::set_observer(std::function<void(const UvcFrameRecord&)> observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

bool UvcSource::Stream::disconnected() const {
  std::lock_guard lock(mutex_);
  return gone_;
}

SourceCounters UvcSource::Stream::counters() const {
  std::lock_guard lock(mutex_);
  SourceCounters c = counters_;
  c.assembly = assembler_.counters();
  c.frames.add_drops(c.assembly.dropped);
  c.disconnected = gone_;
  return c;
}

std::optional<UvcFrameRecord> UvcSource::Stream::record(const void* frame) const {
  std::lock_guard lock(mutex_);
  for (std::size_t slot = 0; slot < frames_.size(); ++slot)
    if (frames_[slot].data == frame && frames_[slot].data != nullptr) return records_[slot];
  return std::nullopt;
}

void UvcSource::Stream::recycle(hilcap::FrameBuffer buffer) {
  std::lock_guard lock(free_mutex_);
  free_.push_back(buffer);
  held_.fetch_add(1, std::memory_order_acq_rel);
}

std::vector<hilcap::FrameBuffer> UvcSource::Stream::take_free_frames() {
  std::lock_guard lock(free_mutex_);
  std::vector<hilcap::FrameBuffer> taken(free_.begin(), free_.end());
  free_.clear();
  held_.fetch_sub(static_cast<std::uint32_t>(taken.size()), std::memory_order_acq_rel);
  return taken;
}

void UvcSource::Stream::restart_numbering() {
  std::lock_guard lock(mutex_);
  sequence_base_ = assembler_.counters().frames_started;
  drops_base_ = assembler_.counters().dropped.total();
}

std::optional<SourceError> UvcSource::Stream::attach(std::shared_ptr<StreamAllocator> allocator,
                                                     FrameSource& source) {
  std::unique_lock lock(mutex_);
  if (allocator_ != nullptr || state_ != State::kIdle)
    return SourceError{SourceErrorKind::kInvalidState, "the source was started before"};
  if (gone_) return SourceError{SourceErrorKind::kDisconnected, "the device left the bus"};
  const KSALLOCATOR_FRAMING& framing = allocator->framing();
  if (framing.FrameSize < negotiated_.committed.max_video_frame_size)
    return SourceError{
        SourceErrorKind::kInvalidState,
        fmt::format("allocator frames of {} bytes cannot hold the negotiated dwMaxVideoFrameSize "
                    "of {} bytes: create the allocator with FrameSize = frame_size()",
                    framing.FrameSize, negotiated_.committed.max_video_frame_size)};
  frames_.assign(framing.Frames, hilcap::FrameBuffer{});
  records_.assign(framing.Frames, UvcFrameRecord{});
  {
    // Frames of an earlier (closed) allocator are not ours any more.
    std::lock_guard free_lock(free_mutex_);
    free_.clear();
    held_.store(0, std::memory_order_release);
  }
  if (const NTSTATUS attached = allocator->attach(source); attached != STATUS_SUCCESS)
    return SourceError{SourceErrorKind::kInvalidState,
                       fmt::format("the allocator refused the source (NTSTATUS 0x{:08X}): it "
                                   "is closed or has a source already",
                                   static_cast<std::uint32_t>(attached))};
  {
    std::lock_guard free_lock(free_mutex_);
    for (const hilcap::FrameBuffer& frame : free_)
      frames_[frame.slot] = frame;
  }
  allocator_ = std::move(allocator);
  return std::nullopt;
}

std::optional<SourceError> UvcSource::Stream::start_failure() const {
  std::lock_guard lock(mutex_);
  return start_failure_;
}

std::optional<SourceError> UvcSource::Stream::start_streaming() {
  std::optional<SourceError> failure = try_start_streaming();
  std::lock_guard lock(mutex_);
  start_failure_ = failure;
  return failure;
}

std::optional<SourceError> UvcSource::Stream::try_start_streaming() {
  bool restart = false;
  {
    std::lock_guard lock(mutex_);
    if (allocator_ == nullptr)
      return SourceError{SourceErrorKind::kInvalidState, "no allocator is attached"};
    if (state_ != State::kIdle)
      return SourceError{SourceErrorKind::kInvalidState, "the source is streaming already"};
    if (gone_) return SourceError{SourceErrorKind::kDisconnected, "the device left the bus"};
    if (counters_.orphaned_transfers > 0)
      return SourceError{SourceErrorKind::kUsb,
                         "transfers of the previous stream never ended: the stream cannot restart"};
    restart = streams_started_ > 0;
  }
  // A bulk stream starts on COMMIT (and alternate setting 0 ended the last
  // one): commit again before every later stream, as uvcvideo does.
  if (restart) {
    if (auto refused = recommit_stream(handle_, negotiated_, options_)) {
      if (refused->kind == SourceErrorKind::kDisconnected) {
        std::lock_guard lock(mutex_);
        gone_ = true;
      }
      return refused;
    }
  }
  if (auto refused = select_alternate_setting(*usb_, handle_, negotiated_)) {
    if (refused->kind == SourceErrorKind::kDisconnected) {
      std::lock_guard lock(mutex_);
      gone_ = true;
    }
    return refused;
  }

  const bool iso = negotiated_.endpoint.transfer == TransferType::kIsochronous;
  const unsigned timeout = static_cast<unsigned>(
      std::max<long long>(1, options_.transfer_timeout.count()));  // never 0: a transfer must end
  std::unique_lock lock(mutex_);
  if (slots_.empty()) {
    for (unsigned i = 0; i < std::max(1u, options_.transfers); ++i) {
      auto slot = std::make_unique<Slot>();
      slot->stream = this;
      slot->buffer.resize(negotiated_.transfer_bytes);
      const int packets = iso ? static_cast<int>(negotiated_.packets_per_transfer) : 0;
      slot->transfer = libusb_alloc_transfer(packets);
      if (slot->transfer == nullptr)
        return SourceError{SourceErrorKind::kUsb, "libusb_alloc_transfer: out of memory"};
      if (iso) {
        libusb_fill_iso_transfer(slot->transfer, handle_, negotiated_.endpoint.endpoint_address,
                                 slot->buffer.data(), static_cast<int>(slot->buffer.size()),
                                 packets, &Stream::on_transfer, slot.get(), timeout);
        libusb_set_iso_packet_lengths(slot->transfer, negotiated_.endpoint.bytes_per_interval);
      } else {
        libusb_fill_bulk_transfer(slot->transfer, handle_, negotiated_.endpoint.endpoint_address,
                                  slot->buffer.data(), static_cast<int>(slot->buffer.size()),
                                  &Stream::on_transfer, slot.get(), timeout);
      }
      slots_.push_back(std::move(slot));
    }
  }
  ++streams_started_;
  halted_ = false;
  state_ = State::kStreaming;
  std::optional<SourceError> failure;
  for (auto& slot : slots_) {
    if (submit(*slot)) continue;
    // Nothing is streamed unless every transfer is in flight: no half-started stream.
    const std::optional<int> error = errno_in_log(usb_->libusb_log());
    if (gone_) {
      failure = SourceError{SourceErrorKind::kDisconnected, "the device left the bus"};
    } else if (error == ENOSPC) {
      failure = SourceError{SourceErrorKind::kBandwidth,
                            "bandwidth not available: the host controller refused the first "
                            "isochronous transfer (ENOSPC); try a smaller size or rate, MJPEG, "
                            "or another port"};
    } else {
      failure = SourceError{SourceErrorKind::kUsb, counters_.stream_error};
    }
    break;
  }
  if (!failure) {
    halt_clearer_ = std::thread([this] { clear_halts(); });
    return std::nullopt;
  }
  end_transfers(lock);
  state_ = State::kIdle;
  Outbox outbox = take_outbox();  // the allocator hears a disconnect found on the way
  lock.unlock();
  changed_.notify_all();
  deliver(outbox);
  return failure;
}

void UvcSource::Stream::end_transfers(std::unique_lock<std::mutex>& lock) {
  state_ = State::kStopping;
  for (auto& slot : slots_)
    if (slot->in_flight) libusb_cancel_transfer(slot->transfer);  // NOT_FOUND: already ending
  changed_.notify_all();
  const bool ended =
      changed_.wait_for(lock, options_.stop_timeout, [&] { return transfers_quiet(); });
  // Transfers libusb still owes are orphaned: their completions find the
  // stream stopped and only let go of it.
  if (!ended) counters_.orphaned_transfers = in_flight_;
}

bool UvcSource::Stream::submit(Slot& slot) {
  const int r = libusb_submit_transfer(slot.transfer);
  if (r == 0) {
    slot.in_flight = true;
    slot.keepalive = shared_from_this();
    ++in_flight_;
    ++counters_.transfers_submitted;
    counters_.max_in_flight = std::max(counters_.max_in_flight, in_flight_);
    return true;
  }
  ++counters_.resubmit_failures;
  if (r == LIBUSB_ERROR_NO_DEVICE) {
    device_gone();
  } else {
    counters_.stream_error = fmt::format("libusb_submit_transfer: {}", libusb_error_text(r));
  }
  return false;
}

void UvcSource::Stream::resubmit_or_fail(Slot& slot) {
  if (submit(slot) || gone_) return;
  if (in_flight_ == 0 && !halted_) stream_failed(counters_.stream_error);
}

void LIBUSB_CALL UvcSource::Stream::on_transfer(libusb_transfer* transfer) {
  auto* slot = static_cast<Slot*>(transfer->user_data);
  Stream& stream = *slot->stream;
  const std::int64_t now = steady_now_ns();
  std::shared_ptr<Stream> last_reference;  // released after the lock: may end the Stream
  Outbox outbox;
  {
    std::lock_guard lock(stream.mutex_);
    ++stream.callbacks_running_;
    stream.complete(*slot, now);
    if (!slot->in_flight) last_reference = std::move(slot->keepalive);
    outbox = stream.take_outbox();
  }
  stream.deliver(outbox);
  bool waited_for = false;
  {
    std::lock_guard lock(stream.mutex_);
    --stream.callbacks_running_;
    waited_for = stream.transfers_quiet();
  }
  // Only a stop (end_transfers) or the halt clearer wait for the transfers
  // to be back, and both wait for none in flight and no callback running:
  // while streaming, a resubmitted transfer keeps that from being true, so
  // the usual completion wakes nobody (issue 15: waking the clearer on every
  // transfer cost ~10 % of the host-side CPU at 160x120 iso).
  if (waited_for) stream.changed_.notify_all();
}

void UvcSource::Stream::complete(Slot& slot, std::int64_t now) {
  slot.in_flight = false;
  --in_flight_;
  const libusb_transfer& t = *slot.transfer;
  ++counters_.transfers_completed;
  switch (t.status) {
    case LIBUSB_TRANSFER_CANCELLED:
      ++counters_.transfers_cancelled;
      return;
    case LIBUSB_TRANSFER_NO_DEVICE:
      if (state_ == State::kStreaming) device_gone();
      return;
    default:
      break;
  }
  // Stopping, or the device is gone: nothing more is fed or resubmitted.
  if (state_ != State::kStreaming || gone_) return;
  switch (t.status) {
    case LIBUSB_TRANSFER_COMPLETED:
      feed(t, now, false);
      break;
    case LIBUSB_TRANSFER_TIMED_OUT:
      // Nothing came in time (the device idles): what did come is still data.
      ++counters_.transfers_timed_out;
      feed(t, now, false);
      break;
    case LIBUSB_TRANSFER_STALL:
      // The endpoint stays halted until CLEAR_HALT, and the device resumes
      // with a new frame: the one in progress (if any) can only be incomplete.
      ++counters_.stalls;
      if (!halted_) assembler_.flush();
      halted_ = true;
      changed_.notify_all();
      return;
    default:  // ERROR, OVERFLOW
      ++counters_.transfers_failed;
      feed(t, now, true);
      break;
  }
  if (halted_) return;  // the others come back stalled too; the halt clearer resubmits
  resubmit_or_fail(slot);
}

void UvcSource::Stream::feed(const libusb_transfer& t, std::int64_t now, bool failed) {
  const std::chrono::nanoseconds at(now);
  if (t.type != LIBUSB_TRANSFER_TYPE_ISOCHRONOUS) {
    const std::span<const std::uint8_t> data(t.buffer, static_cast<std::size_t>(t.actual_length));
    if (failed) {
      assembler_.on_bulk_transfer({}, static_cast<std::size_t>(t.length), -EPROTO, at);
    } else if (!data.empty()) {
      assembler_.on_bulk_transfer(data, static_cast<std::size_t>(t.length), 0, at);
    }
    return;
  }
  int failures = 0;
  for (int i = 0; i < t.num_iso_packets; ++i) {
    const libusb_iso_packet_descriptor& p = t.iso_packet_desc[i];
    const int status = failed ? -EPROTO : static_cast<int>(p.status);
    if (status != 0) ++failures;
    const std::uint8_t* data = libusb_get_iso_packet_buffer_simple(const_cast<libusb_transfer*>(&t),
                                                                   static_cast<unsigned>(i));
    assembler_.on_iso_packet({data, p.actual_length}, status, at);
  }
  if (!failed && t.num_iso_packets > 0 && failures == t.num_iso_packets)
    ++counters_.transfers_failed;
}

void UvcSource::Stream::device_gone() {
  if (gone_) return;
  gone_ = true;
  if (state_ == State::kStreaming) assembler_.flush();
  // Pending ALLOCs end whether or not the stream runs (a pin in PAUSE too).
  if (allocator_ != nullptr) outbox_.end_status = STATUS_DEVICE_NOT_CONNECTED;
  changed_.notify_all();
}

void UvcSource::Stream::stream_failed(std::string why) {
  counters_.stream_error = std::move(why);
  assembler_.flush();
  outbox_.end_status = STATUS_DEVICE_NOT_READY;
}

void UvcSource::Stream::clear_halts() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] {
      ++counters_.halt_clearer_wakeups;
      return state_ != State::kStreaming || (halted_ && transfers_quiet());
    });
    if (state_ != State::kStreaming) return;
    lock.unlock();
    const int r = libusb_clear_halt(handle_, negotiated_.endpoint.endpoint_address);
    lock.lock();
    if (state_ != State::kStreaming) return;
    halted_ = false;
    if (r == 0) {
      ++counters_.halts_cleared;
      for (auto& slot : slots_)
        if (!slot->in_flight && !gone_) resubmit_or_fail(*slot);
    } else if (r == LIBUSB_ERROR_NO_DEVICE) {
      device_gone();
    } else {
      stream_failed(fmt::format("clearing the halted endpoint 0x{:02x} failed: {}",
                                negotiated_.endpoint.endpoint_address, libusb_error_text(r)));
    }
    Outbox outbox = take_outbox();
    lock.unlock();
    deliver(outbox);
    lock.lock();
  }
}

UvcSource::Stream::Outbox UvcSource::Stream::take_outbox() {
  Outbox out = std::move(outbox_);
  outbox_ = Outbox{};
  return out;
}

void UvcSource::Stream::deliver(const Outbox& outbox) {
  std::shared_ptr<StreamAllocator> allocator;
  std::function<void(const UvcFrameRecord&)> observer;
  {
    std::lock_guard lock(mutex_);
    allocator = allocator_;
    observer = observer_;
  }
  if (allocator != nullptr) {
    for (const auto& [buffer, info] : outbox.frames) {
      allocator->deliver(buffer, info);
      held_.fetch_sub(1, std::memory_order_acq_rel);
    }
    if (outbox.end_status) allocator->disconnect(*outbox.end_status);
  }
  if (observer)
    for (const UvcFrameRecord& record : outbox.records)
      observer(record);
}

UvcFrameRecord UvcSource::Stream::make_record(const uvc::AssembledFrame& info) {
  UvcFrameRecord r;
  r.sequence = info.sequence;
  r.bytes = static_cast<std::uint32_t>(info.bytes_used);
  r.uvc_flags = info.flags;
  r.pts = info.pts;
  r.scr = info.scr;
  r.host_time_ns = host_ns(info.host_time_last);
  r.first_host_time_ns = host_ns(info.host_time_first);
  if (info.scr) clock_.add_sample(info.scr->stc, r.host_time_ns);
  if (info.pts) {
    r.device_time_ns = clock_.device_ns(*info.pts);
    r.presentation_time_ns = clock_.host_ns(*info.pts);
  }
  return r;
}

std::optional<uvc::DestinationBuffer> UvcSource::Stream::acquire_buffer() {
  std::lock_guard lock(free_mutex_);
  if (free_.empty()) return std::nullopt;
  const hilcap::FrameBuffer frame = free_.front();
  free_.pop_front();
  frames_[frame.slot] = frame;
  return uvc::DestinationBuffer{{reinterpret_cast<std::uint8_t*>(frame.data), frame.capacity},
                                frame.slot};
}

void UvcSource::Stream::deliver_frame(const uvc::DestinationBuffer& buffer,
                                      const uvc::AssembledFrame& info) {
  UvcFrameRecord record = make_record(info);
  record.fate = fate_of(info);
  const auto slot = static_cast<std::uint32_t>(buffer.id);
  records_[slot] = record;
  hilcap::FrameInfo ks;
  // KS numbering: PictureNumber counts from 1 since the last restart, and
  // DropCount the frames dropped since then.
  ks.sequence = static_cast<std::int64_t>(info.sequence - sequence_base_) + 1;
  ks.drop_count = static_cast<std::int64_t>(assembler_.counters().dropped.total() - drops_base_);
  ks.data_used = record.bytes;
  ks.fate = record.fate;
  counters_.frames.add(record.fate);
  if (record.bytes > 0) {
    counters_.bytes_delivered += record.bytes;
    ++counters_.frames_with_data;
  }
  if (info.flags & uvc::kUvcFrameDiscontinuity) ks.flags |= hilcap::kFrameDiscontinuity;
  ks.duration_ns = std::int64_t{negotiated_.committed.frame_interval_100ns} * 100;
  if (ks.duration_ns > 0) ks.flags |= kFrameDurationValid;
  if (record.presentation_time_ns) {
    ks.presentation_time_ns = *record.presentation_time_ns;
    ks.flags |= kFrameTimeValid;
  }
  ks.device_timestamp_ns = record.device_time_ns.value_or(0);
  ks.host_timestamp_ns = record.host_time_ns;
  outbox_.frames.emplace_back(frames_[slot], ks);
  outbox_.records.push_back(record);
}

void UvcSource::Stream::release_buffer(const uvc::DestinationBuffer& buffer) {
  std::lock_guard lock(free_mutex_);
  free_.push_front(frames_[static_cast<std::uint32_t>(buffer.id)]);
}

void UvcSource::Stream::frame_dropped(const uvc::AssembledFrame& info, DropReason reason) {
  UvcFrameRecord record = make_record(info);
  record.fate = FrameFate::kDropped;
  record.drop_reason = reason;
  outbox_.records.push_back(record);
}

void UvcSource::Stream::stop_streaming() {
  std::unique_lock lock(mutex_);
  const bool was_streaming = state_ == State::kStreaming;
  if (was_streaming) {
    end_transfers(lock);
    assembler_.flush();
  }
  state_ = State::kIdle;
  Outbox outbox = take_outbox();
  std::thread clearer = std::move(halt_clearer_);
  const bool idle_device = was_streaming && !gone_;
  lock.unlock();
  changed_.notify_all();
  if (clearer.joinable()) clearer.join();
  deliver(outbox);
  // The device stops sending: alternate setting 0 (isochronous: no more
  // bandwidth; bulk: UVC's way to end the stream).
  if (idle_device) libusb_set_interface_alt_setting(handle_, negotiated_.streaming_interface, 0);
}

void UvcSource::Stream::detach() {
  std::lock_guard lock(mutex_);
  allocator_.reset();  // nothing more is delivered
}

void UvcSource::Stream::release() {
  std::lock_guard lock(mutex_);
  if (interface_released_) return;
  interface_released_ = true;
  // With auto-detach, releasing attaches the kernel driver again.
  libusb_release_interface(handle_, negotiated_.streaming_interface);
}

// --- UvcSource ---

SourceResult<std::unique_ptr<UvcSource>> UvcSource::open(std::shared_ptr<UsbContext> usb,
                                                         const DeviceSelector& selector,
                                                         const SourceOptions& options) {
  auto found = find_device(usb->native(), selector);
  if (!found) return found.failure();
  libusb_device* device = found.value();
  auto opened = open_device(device);
  if (!opened) {
    libusb_unref_device(device);
    return opened.failure();
  }
  libusb_device_handle* handle = opened.value();
  const UvcDeviceInfo info = describe_device(device, handle);
  libusb_unref_device(device);
  auto negotiated = negotiate_stream(handle, info, selector.function, options);
  if (!negotiated) {
    libusb_close(handle);
    return negotiated.failure();
  }
  auto stream =
      std::make_shared<Stream>(std::move(usb), handle, std::move(negotiated.value()), options);
  stream->watch_departure();
  return std::unique_ptr<UvcSource>(new UvcSource(std::move(stream)));
}

UvcSource::UvcSource(std::shared_ptr<Stream> stream) : stream_(std::move(stream)) {}

UvcSource::~UvcSource() {
  stop();
  stream_->release();
}

const NegotiatedStream& UvcSource::stream() const {
  return stream_->negotiated();
}

std::uint32_t UvcSource::frame_size() const {
  return stream_->negotiated().committed.max_video_frame_size;
}

void UvcSource::set_frame_observer(std::function<void(const UvcFrameRecord&)> observer) {
  stream_->set_observer(std::move(observer));
}

std::optional<SourceError> UvcSource::start(std::shared_ptr<StreamAllocator> allocator) {
  if (auto refused = attach(std::move(allocator))) return refused;
  return start_streaming();
}

void UvcSource::stop() {
  stream_->stop_streaming();
  stream_->detach();
}

std::optional<SourceError> UvcSource::attach(std::shared_ptr<StreamAllocator> allocator) {
  return stream_->attach(std::move(allocator), *this);
}

std::optional<SourceError> UvcSource::start_streaming() {
  return stream_->start_streaming();
}

std::optional<SourceError> UvcSource::start_failure() const {
  return stream_->start_failure();
}

void UvcSource::stop_streaming() {
  stream_->stop_streaming();
}

std::vector<hilcap::FrameBuffer> UvcSource::take_free_frames() {
  return stream_->take_free_frames();
}

void UvcSource::restart_numbering() {
  stream_->restart_numbering();
}

std::uint32_t UvcSource::frames_held() const {
  return stream_->frames_held();
}

bool UvcSource::disconnected() const {
  return stream_->disconnected();
}

SourceCounters UvcSource::counters() const {
  return stream_->counters();
}

std::optional<UvcFrameRecord> UvcSource::frame_record(const void* frame) const {
  return stream_->record(frame);
}

void UvcSource::recycle(hilcap::FrameBuffer buffer) {
  stream_->recycle(buffer);
}

std::vector<std::string> NegotiatedStream::describe() const {
  std::vector<std::string> lines;
  const std::string name = !device.product.empty() ? device.product : "UVC device";
  lines.push_back(fmt::format("device     {:04x}:{:04x} {} (bus {} device {}, {}, UVC {:x}.{:02x})",
                              device.vendor_id, device.product_id, name, device.location.bus,
                              device.location.address, to_string(device.speed), bcd_uvc >> 8,
                              bcd_uvc & 0xff));
  lines.push_back(
      fmt::format("stream     {} {}x{} at {:.4g} fps, interface {}, dwMaxVideoFrameSize {}",
                  choice.format_name, choice.width, choice.height,
                  committed.frame_interval_100ns ? 1e7 / committed.frame_interval_100ns : 0.0,
                  streaming_interface, committed.max_video_frame_size));
  for (const Adjustment& a : adjusted)
    lines.push_back("adjusted   " + a.to_string());
  for (const std::string& n : notes)
    lines.push_back("note       " + n);
  if (endpoint.transfer == TransferType::kIsochronous)
    lines.push_back(fmt::format(
        "transport  isochronous, alternate setting {}, endpoint 0x{:02x}, {} B per interval "
        "(dwMaxPayloadTransferSize {}), {} packets per transfer",
        endpoint.alternate_setting, endpoint.endpoint_address, endpoint.bytes_per_interval,
        committed.max_payload_transfer_size, packets_per_transfer));
  else
    lines.push_back(
        fmt::format("transport  bulk, endpoint 0x{:02x}, {} B packets, {} B per transfer "
                    "(dwMaxPayloadTransferSize {})",
                    endpoint.endpoint_address, endpoint.packet_size, transfer_bytes,
                    committed.max_payload_transfer_size));
  return lines;
}

}  // namespace hilcap::uvc
