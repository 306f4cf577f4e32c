#include <fmt/format.h>
#include <hilcap/stream_allocator.h>

#include <boost/circular_buffer.hpp>
#include <boost/intrusive/list.hpp>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "adaptive_mutex.h"
#include "frame_pool.h"
#include "ks_policy.h"

namespace hilcap {
namespace {

enum class SlotState : std::uint8_t {
  kReady,     // in the ready queue
  kHeld,      // handed to a client
  kAtSource,  // capture mode: given to the frame source to fill
};

bool is_mask(std::uint32_t value) {
  return (value & (value + 1)) == 0;
}

std::string framing_error(const char* field, const std::string& expected, std::uint64_t found) {
  return fmt::format("KSALLOCATOR_FRAMING.{}: expected {}, found {} (0x{:X})", field, expected,
                     found, found);
}

// Which rule of kKsPolicy `framing` breaks, if any.
std::optional<std::pair<NTSTATUS, std::string>> framing_violation(
    const KSALLOCATOR_FRAMING& framing) {
  constexpr const KsPolicy& p = kKsPolicy;
  if (framing.FrameSize == 0) {
    return {{p.invalid_framing_status, framing_error("FrameSize", "a non-zero size", 0)}};
  }
  if ((framing.OptionsFlags & ~p.allowed_options_flags) != 0) {
    return {
        {p.invalid_framing_status,
         framing_error("OptionsFlags", fmt::format("only bits of 0x{:X}", p.allowed_options_flags),
                       framing.OptionsFlags)}};
  }
  if (framing.FileAlignment > p.max_file_alignment) {
    return {{p.invalid_framing_status,
             framing_error("FileAlignment", fmt::format("a mask <= {}", p.max_file_alignment),
                           framing.FileAlignment)}};
  }
  if (!is_mask(framing.FileAlignment)) {
    return {{p.non_mask_alignment_status,
             framing_error("FileAlignment", "an alignment mask 2^k - 1 (FILE_*_ALIGNMENT)",
                           framing.FileAlignment)}};
  }
  if (framing.Frames == 0) {
    return {{p.zero_frames_status, framing_error("Frames", "at least 1", 0)}};
  }
  if (p.reject_nonzero_reserved && framing.Reserved != 0) {
    return {{p.invalid_framing_status, framing_error("Reserved", "0", framing.Reserved)}};
  }
  const std::uint64_t bytes =
      FramePool::mapped_bytes(framing.Frames, framing.FrameSize, framing.FileAlignment);
  if (bytes > p.max_pool_bytes) {
    return {{p.pool_too_large_status,
             framing_error("Frames",
                           fmt::format("Frames * FrameSize within the simulator's {}-byte pool "
                                       "limit (the pool would take {} bytes)",
                                       p.max_pool_bytes, bytes),
                           framing.Frames)}};
  }
  return std::nullopt;
}

}  // namespace

struct StreamAllocator::State {
  using RequestQueue = boost::intrusive::list<
      AllocRequest, boost::intrusive::member_hook<
                        AllocRequest, boost::intrusive::list_member_hook<>, &AllocRequest::hook_>>;

  State(const KSALLOCATOR_FRAMING& created_framing, std::unique_ptr<FramePool> frame_pool)
      : framing(created_framing),
        pool(std::move(frame_pool)),
        slots(framing.Frames, SlotState::kReady),
        infos(framing.Frames),
        ready(framing.Frames) {
    for (std::uint32_t slot = 0; slot < framing.Frames; ++slot)
      ready.push_back(slot);
  }

  const KSALLOCATOR_FRAMING framing;
  const std::unique_ptr<FramePool> pool;

  mutable AdaptiveMutex mutex;
  std::vector<SlotState> slots;
  std::vector<FrameInfo> infos;
  boost::circular_buffer<std::uint32_t> ready;  // capacity Frames: pushing never allocates
  RequestQueue pending;
  FrameSource* source = nullptr;
  std::shared_ptr<FrameSource> source_owner;  // when attached with shared ownership
  NTSTATUS disconnected = STATUS_SUCCESS;     // an error status once disconnect() ran
  bool closed = false;
  std::uint32_t held = 0;
  AllocatorCounters counters;
  // The hand-out order's numbering (sequence_break()).
  std::int64_t last_picture_number = 0;
  std::int64_t last_drop_count = 0;
  std::uint32_t earlier_numbering = 0;  // ready frames from before restart_numbering()
  std::optional<std::string> sequence_break;

  FrameBuffer buffer(std::uint32_t slot) const {
    return FrameBuffer{slot, pool->data(slot), pool->frame_size()};
  }

  // Hands `slot` to a client: the caller returns it or completes a request.
  void* take(std::uint32_t slot) {
    slots[slot] = SlotState::kHeld;
    ++held;
    if (held > counters.high_water) counters.high_water = held;
    check_numbering(infos[slot]);
    return pool->data(slot);
  }

  // Sequence gaps equal drops, in hand-out order. Frames leave the ready
  // queue oldest first and a delivery completes a pending ALLOC only when
  // none is ready, so the first `earlier_numbering` hand-outs after a restart
  // are exactly the frames that were ready at the restart.
  void check_numbering(const FrameInfo& info) {
    if (earlier_numbering > 0) {
      --earlier_numbering;
      return;
    }
    if (info.sequence <= 0) return;  // no number: handed back unfilled, refused, pool mode
    if (!sequence_break) {
      const std::int64_t gap = info.sequence - last_picture_number - 1;
      const std::int64_t drops = info.drop_count - last_drop_count;
      if (gap < 0) {
        sequence_break = fmt::format("sequence: PictureNumber {} handed out after {}",
                                     info.sequence, last_picture_number);
      } else if (gap != drops) {
        sequence_break = fmt::format(
            "sequence gaps equal drops: PictureNumber went from {} to {} ({} missing) while "
            "DropCount went from {} to {}",
            last_picture_number, info.sequence, gap, last_drop_count, info.drop_count);
      }
    }
    last_picture_number = info.sequence;
    last_drop_count = info.drop_count;
  }

  std::optional<std::uint32_t> pop_ready() {
    if (ready.empty()) return std::nullopt;
    const std::uint32_t slot = ready.front();
    ready.pop_front();
    return slot;
  }

  void push_ready(std::uint32_t slot, ServiceOrder order) {
    slots[slot] = SlotState::kReady;
    if (order == ServiceOrder::kOldestFirst) {
      ready.push_back(slot);
    } else {
      ready.push_front(slot);
    }
  }

  AllocRequest& pop_pending() {
    AllocRequest& request = kKsPolicy.pending_service_order == ServiceOrder::kOldestFirst
                                ? pending.front()
                                : pending.back();
    pending.erase(pending.iterator_to(request));
    return request;
  }

  // Records the result of a request taken out of the pending queue.
  static void settle(AllocRequest& request, NTSTATUS status, void* frame) {
    request.queued_on_ = nullptr;
    request.result_status_ = status;
    request.result_frame_ = frame;
  }

  // Moves `request` out of the pending queue onto `done` with its result.
  static void finish(AllocRequest& request, NTSTATUS status, void* frame, RequestQueue& done) {
    settle(request, status, frame);
    done.push_back(request);
  }

  // A frame became ready for clients: it goes to the next pending ALLOC,
  // returned to be completed once the lock is released, or else into the
  // ready queue (nullptr). One frame completes at most one request, so the
  // hot path (FREE, delivery) needs no list of completions.
  AllocRequest* make_ready(std::uint32_t slot, ServiceOrder order) {
    if (pending.empty()) {
      push_ready(slot, order);
      return nullptr;
    }
    AllocRequest& request = pop_pending();
    ++counters.completed_after_pending;
    settle(request, STATUS_SUCCESS, take(slot));
    return &request;
  }

  std::size_t cancel_matching(const std::function<bool(const AllocRequest&)>& match,
                              RequestQueue& done) {
    std::size_t n = 0;
    for (auto it = pending.begin(); it != pending.end();) {
      AllocRequest& request = *it;
      if (!match(request)) {
        ++it;
        continue;
      }
      it = pending.erase(it);
      finish(request, STATUS_CANCELLED, nullptr, done);
      ++n;
    }
    counters.cancelled += n;
    return n;
  }

  // Runs the completions collected under the lock, after it was released.
  static void run_completions(RequestQueue& done) {
    while (!done.empty()) {
      AllocRequest& request = done.front();
      done.pop_front();  // before the callback: it may destroy the request
      complete(request);
    }
  }

  static void complete(AllocRequest& request) {
    request.on_complete(request.result_status_, request.result_frame_);
  }

  // The conservation and exactly-once invariants; checked after every change
  // in sanitizer builds.
  void check_invariants() const {
#ifdef HILCAP_CHECKED
    std::uint32_t counted[3] = {0, 0, 0};
    for (SlotState s : slots)
      ++counted[static_cast<int>(s)];
    const bool ok = counted[static_cast<int>(SlotState::kReady)] == ready.size() &&
                    counted[static_cast<int>(SlotState::kHeld)] == held &&
                    counted[0] + counted[1] + counted[2] == framing.Frames &&
                    (pending.empty() || ready.empty()) &&
                    counters.pended == counters.completed_after_pending + counters.cancelled +
                                           counters.failed + pending.size();
    if (!ok) {
      std::fprintf(stderr, "hilcap: StreamAllocator invariant broken\n");
      std::abort();
    }
#endif
  }
};

StreamAllocator::Created StreamAllocator::create(const KSALLOCATOR_FRAMING& framing) {
  if (auto violation = framing_violation(framing)) {
    return Created{violation->first, std::move(violation->second), nullptr};
  }
  auto pool = FramePool::create(framing.Frames, framing.FrameSize, framing.FileAlignment);
  if (!pool) {
    return Created{STATUS_INSUFFICIENT_RESOURCES,
                   framing_error("Frames", "a pool the system can map", framing.Frames), nullptr};
  }
  auto state = std::make_unique<State>(framing, std::move(pool));
  return Created{
      STATUS_SUCCESS, {}, std::shared_ptr<StreamAllocator>(new StreamAllocator(std::move(state)))};
}

StreamAllocator::StreamAllocator(std::unique_ptr<State> state) : state_(std::move(state)) {}

StreamAllocator::~StreamAllocator() {
  cancel_all();
}

AllocOutcome StreamAllocator::alloc(AllocRequest& request) {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  if (s.closed) return {kKsPolicy.closed_handle_status, nullptr};
  if (request.queued_on_ != nullptr) return {STATUS_INVALID_DEVICE_STATE, nullptr};
  if (auto slot = s.pop_ready()) {
    ++s.counters.immediate;
    void* frame = s.take(*slot);
    s.check_invariants();
    return {STATUS_SUCCESS, frame};
  }
  if (s.disconnected != STATUS_SUCCESS) return {s.disconnected, nullptr};
  request.on_pending();
  request.queued_on_ = this;
  request.result_status_ = STATUS_PENDING;
  request.result_frame_ = nullptr;
  s.pending.push_back(request);
  ++s.counters.pended;
  s.check_invariants();
  return {STATUS_PENDING, nullptr};
}

AllocOutcome StreamAllocator::try_alloc() {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  if (s.closed) return {kKsPolicy.closed_handle_status, nullptr};
  if (auto slot = s.pop_ready()) {
    ++s.counters.immediate;
    void* frame = s.take(*slot);
    s.check_invariants();
    return {STATUS_SUCCESS, frame};
  }
  if (s.disconnected != STATUS_SUCCESS) return {s.disconnected, nullptr};
  return {STATUS_PENDING, nullptr};
}

NTSTATUS StreamAllocator::free(void* frame) {
  State& s = *state_;
  AllocRequest* completed = nullptr;
  {
    std::lock_guard lock(s.mutex);
    if (s.closed) return kKsPolicy.closed_handle_status;
    const auto slot = s.pool->slot_of(frame);
    if (!slot || s.slots[*slot] != SlotState::kHeld) {
      ++s.counters.invalid_frees;
      return kKsPolicy.invalid_free_status;
    }
    --s.held;
    // (Its FrameInfo stays: only a held frame's is ever read, and the next
    // delivery overwrites it.)
    if (s.source != nullptr) {
      s.slots[*slot] = SlotState::kAtSource;
      s.source->recycle(s.buffer(*slot));
    } else {
      completed = s.make_ready(*slot, kKsPolicy.ready_frame_order);
    }
    s.check_invariants();
  }
  if (completed != nullptr) State::complete(*completed);
  return STATUS_SUCCESS;
}

bool StreamAllocator::cancel(AllocRequest& request) {
  return cancel_if([&request](const AllocRequest& r) { return &r == &request; }) == 1;
}

std::size_t StreamAllocator::cancel_if(const std::function<bool(const AllocRequest&)>& match) {
  State& s = *state_;
  State::RequestQueue done;
  std::size_t n;
  {
    std::lock_guard lock(s.mutex);
    n = s.cancel_matching(match, done);
    s.check_invariants();
  }
  State::run_completions(done);
  return n;
}

std::size_t StreamAllocator::cancel_owned_by(std::uintptr_t owner) {
  return cancel_if([owner](const AllocRequest& r) { return r.owner() == owner; });
}

std::size_t StreamAllocator::cancel_all() {
  return cancel_if([](const AllocRequest&) { return true; });
}

void StreamAllocator::close() {
  State& s = *state_;
  State::RequestQueue done;
  {
    std::lock_guard lock(s.mutex);
    s.closed = true;
    s.cancel_matching([](const AllocRequest&) { return true; }, done);
    s.check_invariants();
  }
  State::run_completions(done);
}

bool StreamAllocator::closed() const {
  std::lock_guard lock(state_->mutex);
  return state_->closed;
}

KSSTREAMALLOCATOR_STATUS StreamAllocator::status() const {
  const State& s = *state_;
  KSSTREAMALLOCATOR_STATUS status{};
  status.Framing = s.framing;
  std::lock_guard lock(s.mutex);
  status.AllocatedFrames = kKsPolicy.allocated_frames == AllocatedFramesMeaning::kOutstanding
                               ? s.held
                               : s.framing.Frames;
  status.Reserved = 0;
  return status;
}

const KSALLOCATOR_FRAMING& StreamAllocator::framing() const {
  return state_->framing;
}

AllocatorCounters StreamAllocator::counters() const {
  std::lock_guard lock(state_->mutex);
  return state_->counters;
}

AllocatorOccupancy StreamAllocator::occupancy() const {
  const State& s = *state_;
  std::lock_guard lock(s.mutex);
  return AllocatorOccupancy{
      .frames = s.framing.Frames,
      .held = s.held,
      .ready = static_cast<std::uint32_t>(s.ready.size()),
      .at_source = s.framing.Frames - s.held - static_cast<std::uint32_t>(s.ready.size()),
      .pending = static_cast<std::uint32_t>(s.pending.size()),
  };
}

std::optional<FrameInfo> StreamAllocator::frame_info(const void* frame) const {
  const State& s = *state_;
  std::lock_guard lock(s.mutex);
  const auto slot = s.pool->slot_of(frame);
  if (!slot || s.slots[*slot] != SlotState::kHeld) return std::nullopt;
  return s.infos[*slot];
}

NTSTATUS StreamAllocator::attach(FrameSource& source) {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  if (s.closed) return kKsPolicy.closed_handle_status;
  if (s.source != nullptr) return STATUS_INVALID_DEVICE_STATE;
  s.source = &source;
  while (auto slot = s.pop_ready()) {
    s.slots[*slot] = SlotState::kAtSource;
    source.recycle(s.buffer(*slot));
  }
  s.check_invariants();
  return STATUS_SUCCESS;
}

NTSTATUS StreamAllocator::attach(std::shared_ptr<FrameSource> source) {
  FrameSource& attached = *source;
  const NTSTATUS status = attach(attached);
  if (status == STATUS_SUCCESS) {
    std::lock_guard lock(state_->mutex);
    state_->source_owner = std::move(source);
  }
  return status;
}

NTSTATUS StreamAllocator::deliver(const FrameBuffer& buffer, const FrameInfo& info) {
  State& s = *state_;
  AllocRequest* completed = nullptr;
  {
    std::lock_guard lock(s.mutex);
    const auto slot = s.pool->slot_of(buffer.data);
    if (!slot || *slot != buffer.slot || s.slots[*slot] != SlotState::kAtSource) {
      return STATUS_INVALID_PARAMETER;
    }
    s.infos[*slot] = info;
    // Delivered frames keep the source's order, whatever the pool-mode policy.
    completed = s.make_ready(*slot, ServiceOrder::kOldestFirst);
    s.check_invariants();
  }
  if (completed != nullptr) State::complete(*completed);
  return STATUS_SUCCESS;
}

void StreamAllocator::restart_numbering() {
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  s.earlier_numbering = static_cast<std::uint32_t>(s.ready.size());
  s.last_picture_number = 0;
  s.last_drop_count = 0;
}

std::optional<std::string> StreamAllocator::sequence_break() const {
  std::lock_guard lock(state_->mutex);
  return state_->sequence_break;
}

NTSTATUS StreamAllocator::disconnect(NTSTATUS status) {
  if (!NT_ERROR(status)) return STATUS_INVALID_PARAMETER;
  State& s = *state_;
  State::RequestQueue done;
  {
    std::lock_guard lock(s.mutex);
    s.disconnected = status;
    while (!s.pending.empty()) {
      AllocRequest& request = s.pop_pending();
      ++s.counters.failed;
      State::finish(request, status, nullptr, done);
    }
    s.check_invariants();
  }
  State::run_completions(done);
  return STATUS_SUCCESS;
}

}  // namespace hilcap
