#include "read_stream.h"

#include <hilcap/ks_extensions.h>

#include <algorithm>
#include <cstring>

#include "../ks_policy.h"
#include "ks_frame_header.h"
#include "ks_time.h"

namespace hilcap::ks {
namespace {

// KsProbeStreamIrp: every header's Size is a multiple of 8.
constexpr ULONG kHeaderAlignment = 8;

}  // namespace

// One IOCTL_KS_READ_STREAM while it pends. Its headers are copied in at issue
// and back out when it completes, as KS buffers them (KsProbeStreamIrp):
// the client's header memory is read and written only then, its data
// buffers (Data, FrameExtent) as frames arrive.
struct ReadStream::PendingRead {
  PendingRead(const IoctlCall& call, void* headers_of_client, ULONG bytes)
      : completion(call.completion),
        client_headers(headers_of_client),
        headers(static_cast<const std::byte*>(headers_of_client),
                static_cast<const std::byte*>(headers_of_client) + bytes),
        owner(IoctlCall::issuing_thread_id()) {}

  RetainedCompletion completion;
  void* client_headers;
  std::vector<std::byte> headers;
  ULONG next = 0;  // offset of the next header to fill
  DWORD owner;     // the issuing thread (CancelIo)
};

// An ALLOC kept pending on the pin's own allocator: each completion is a
// frame the source delivered.
class ReadStream::FrameTap final : public AllocRequest {
 public:
  explicit FrameTap(ReadStream& stream) : stream_(stream) {}

  StreamAllocator* allocator = nullptr;  // the allocator it pends on

 private:
  void on_complete(NTSTATUS status, void* frame) override {
    stream_.tap_completed(*this, status, frame);
  }

  ReadStream& stream_;
};

ReadStream::ReadStream() : refusal_(kKsPolicy.read_stream_stopped_status) {}

ReadStream::~ReadStream() = default;

void ReadStream::start(std::shared_ptr<StreamAllocator> allocator) {
  const ULONG frames = allocator->framing().Frames;
  while (taps_.size() < frames)
    taps_.push_back(std::make_unique<FrameTap>(*this));
  allocator_ = std::move(allocator);
  {
    std::lock_guard lock(mutex_);
    refusal_ = STATUS_SUCCESS;
    dropped_ = 0;
    discontinuity_ = false;
    time_origin_ns_ = 0;
  }
  for (ULONG i = 0; i < frames; ++i) {
    FrameTap& tap = *taps_[i];
    tap.allocator = allocator_.get();
    const AllocOutcome outcome = allocator_->alloc(tap);
    // Every frame is with the source, so the ALLOC pends; were one ready, it
    // would be served like a delivery.
    if (outcome.status != STATUS_PENDING) tap_completed(tap, outcome.status, outcome.frame);
  }
}

void ReadStream::refuse(NTSTATUS status) {
  std::lock_guard lock(mutex_);
  refusal_ = status;
}

void ReadStream::stop(NTSTATUS ended, NTSTATUS refused) {
  end_all(ended, refused);
  // Its taps end here (STATUS_CANCELLED); the allocator stays referenced
  // until the next start, so that no tap ever points at a freed one.
  if (allocator_) allocator_->close();
}

void ReadStream::set_time_origin(std::int64_t origin_ns) {
  std::lock_guard lock(mutex_);
  time_origin_ns_ = origin_ns;
}

IoOutcome ReadStream::read(const IoctlCall& call) {
  void* headers = call.output;
  ULONG bytes = call.output_size;
  if (bytes == 0 && kKsPolicy.read_stream_headers_in_input && call.input_size != 0) {
    headers = const_cast<void*>(call.input);
    bytes = call.input_size;
  }
  if (headers == nullptr && bytes != 0) return {kKsPolicy.null_buffer_status, 0};
  if (bytes == 0) return {kKsPolicy.read_stream_bad_header_status, 0};

  auto read = std::make_unique<PendingRead>(call, headers, bytes);
  for (ULONG at = 0; at < bytes;) {
    if (bytes - at < sizeof(KSSTREAM_HEADER)) return {kKsPolicy.read_stream_bad_header_status, 0};
    KSSTREAM_HEADER header;
    std::memcpy(&header, read->headers.data() + at, sizeof(header));
    if (header.Size < sizeof(KSSTREAM_HEADER) || header.Size % kHeaderAlignment != 0 ||
        header.Size > bytes - at || header.DataUsed != 0) {
      return {kKsPolicy.read_stream_bad_header_status, 0};
    }
    if (header.Data == nullptr && header.FrameExtent != 0) {
      return {kKsPolicy.null_buffer_status, 0};
    }
    at += header.Size;
  }

  std::lock_guard lock(mutex_);
  if (refusal_ != STATUS_SUCCESS) return {refusal_, 0};
  read->completion.mark_pending();
  reads_.push_back(std::move(read));
  return {STATUS_PENDING, 0};
}

bool ReadStream::cancel(const CancelScope& scope) {
  std::vector<std::unique_ptr<PendingRead>> cancelled;
  {
    std::lock_guard lock(mutex_);
    for (auto it = reads_.begin(); it != reads_.end();) {
      const PendingRead& read = **it;
      bool match = false;
      switch (scope.kind) {
        case CancelScope::Kind::kOverlapped:
          match = read.completion.get().overlapped() == scope.overlapped;
          break;
        case CancelScope::Kind::kThread:
          match = read.owner == scope.thread_id;
          break;
        case CancelScope::Kind::kAll:
          match = true;
          break;
        case CancelScope::Kind::kThreadSynchronous:
          match = read.owner == scope.thread_id && read.completion.get().is_synchronous();
          break;
      }
      if (match) {
        cancelled.push_back(std::move(*it));
        it = reads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& read : cancelled)
    read->completion.complete_pended({STATUS_CANCELLED, 0});
  return !cancelled.empty();
}

std::uint64_t ReadStream::dropped_frames() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void ReadStream::end_all(NTSTATUS ended, NTSTATUS refused) {
  std::deque<std::unique_ptr<PendingRead>> ending;
  {
    std::lock_guard lock(mutex_);
    refusal_ = refused;
    ending.swap(reads_);
  }
  for (const auto& read : ending)
    read->completion.complete_pended({ended, 0});
}

void ReadStream::tap_completed(FrameTap& tap, NTSTATUS status, void* frame) {
  StreamAllocator& allocator = *tap.allocator;
  for (;;) {
    if (status != STATUS_SUCCESS) {
      // STATUS_CANCELLED: the allocator closed (stop). The device gone: so is
      // every read, now and later. Anything else (a closed allocator
      // refusing the next ALLOC): nothing more to do.
      if (status == kKsPolicy.device_gone_status) end_all(status, status);
      return;
    }
    deliver(allocator, frame);
    const AllocOutcome next = allocator.alloc(tap);
    if (next.status == STATUS_PENDING) return;
    status = next.status;
    frame = next.frame;
  }
}

void ReadStream::deliver(StreamAllocator& allocator, void* frame) {
  const std::optional<FrameInfo> info = allocator.frame_info(frame);
  std::unique_ptr<PendingRead> filled;
  // PictureNumber 0 is no capture: a buffer handed back unfilled at STOP.
  if (info && info->sequence > 0) {
    std::lock_guard lock(mutex_);
    if (reads_.empty()) {
      ++dropped_;
      discontinuity_ = true;
    } else {
      PendingRead& read = *reads_.front();
      fill_next_header(read, *info, frame);
      if (read.next == read.headers.size()) {
        filled = std::move(reads_.front());
        reads_.pop_front();
      }
    }
  }
  // Back to the source (posted again) before the client hears of it.
  allocator.free(frame);
  if (filled) {
    std::memcpy(filled->client_headers, filled->headers.data(), filled->headers.size());
    filled->completion.complete_pended(
        {STATUS_SUCCESS, static_cast<ULONG_PTR>(filled->headers.size())});
  }
}

void ReadStream::fill_next_header(PendingRead& read, const FrameInfo& info, const void* frame) {
  std::byte* const at = read.headers.data() + read.next;
  KSSTREAM_HEADER header;
  std::memcpy(&header, at, sizeof(header));
  read.next += header.Size;

  header.OptionsFlags = 0;
  header.PresentationTime = {0, 1, 1};
  header.Duration = 0;
  header.DataUsed = 0;
  if (info.data_used > header.FrameExtent && kKsPolicy.read_stream_short_buffer_drops) {
    // The frame does not fit: nothing of it is delivered (avssamp).
    ++dropped_;
    discontinuity_ = true;
  } else {
    const ULONG used = std::min<ULONG>(info.data_used, header.FrameExtent);
    if (used > 0) std::memcpy(header.Data, frame, used);
    header.DataUsed = used;
    header.OptionsFlags = ks_stream_options(info);
    if (info.flags & kFrameTimeValid) {
      header.PresentationTime.Time =
          std::max<std::int64_t>(0, info.presentation_time_ns - time_origin_ns_) / kNsPer100Ns;
    }
    if (info.flags & kFrameDurationValid) header.Duration = info.duration_ns / kNsPer100Ns;
    // Frames the tap dropped before this one, and a frame cut to the client's buffer.
    if (discontinuity_) header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY;
    if (used < info.data_used) header.OptionsFlags |= KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR;
    discontinuity_ = false;
  }
  std::memcpy(at, &header, sizeof(header));

  if (header.Size >= sizeof(KSSTREAM_HEADER) + sizeof(KS_FRAME_INFO)) {
    KS_FRAME_INFO frame_info;
    std::memcpy(&frame_info, at + sizeof(KSSTREAM_HEADER), sizeof(frame_info));
    frame_info.ExtendedHeaderSize = sizeof(KS_FRAME_INFO);
    frame_info.dwFrameFlags = KS_VIDEO_FLAG_FRAME;
    frame_info.PictureNumber = info.sequence;
    frame_info.DropCount = info.drop_count + static_cast<LONGLONG>(dropped_);
    std::memcpy(at + sizeof(KSSTREAM_HEADER), &frame_info, sizeof(frame_info));
  }
}

}  // namespace hilcap::ks
