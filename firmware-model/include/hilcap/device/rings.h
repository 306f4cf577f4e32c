// The two descriptor rings between host and device: Boost.Lockfree
// single-producer/single-consumer queues with a capacity fixed at start-up
// (the runtime-sized spsc_queue measured as fast as or faster than the
// compile-time-sized one here: reference/perf-limits.md section 1).
//
//   SubmissionRing  host -> device  empty buffers (BufferDescriptor)
//   CompletionRing  device -> host  filled or returned buffers (CompletionEntry)
//
// Thread roles: on the submission ring the host is the producer and the device
// the consumer; on the completion ring the device is the producer and the host
// the consumer. Each side calls only its own half of the API (push/free_slots
// for a producer, pop/size/drain for a consumer). Neither call blocks or
// allocates.
//
// Ring contract (like a hardware descriptor ring of ring_depth slots): the host
// keeps at most capacity() buffers outstanding with the device, counting those
// posted, those the device is filling and completions not yet drained. Then the
// completion ring can never overflow and STOP can always hand every buffer back.
#pragma once

#include <hilcap/device/ring_entries.h>

#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>

namespace hilcap::device {

template <class Entry>
class Ring {
 public:
  explicit Ring(std::size_t capacity) : queue_(capacity), capacity_(capacity) {}
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  std::size_t capacity() const { return capacity_; }

  // Producer side. False when the ring is full (the entry is not queued).
  bool push(const Entry& entry) { return queue_.push(entry); }
  std::size_t free_slots() const { return queue_.write_available(); }

  // Consumer side. pop() is false when the ring is empty.
  bool pop(Entry& entry) { return queue_.pop(entry); }
  std::size_t size() const { return queue_.read_available(); }
  // Calls fn(const Entry&) for every entry queued now, oldest first; returns how many.
  template <class Fn>
  std::size_t drain(Fn&& fn) {
    return queue_.consume_all(fn);
  }

 private:
  boost::lockfree::spsc_queue<Entry> queue_;
  std::size_t capacity_;
};

using SubmissionRing = Ring<BufferDescriptor>;
using CompletionRing = Ring<CompletionEntry>;

}  // namespace hilcap::device
