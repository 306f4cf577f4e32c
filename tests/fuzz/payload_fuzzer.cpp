// Fuzz target: UVC payloads through the FrameAssembler. The input is a pcap
// of usbmon records (the real captures), one usbmon record, or else a plain
// sequence of chunks: [length lo][length hi][status][flags] then the bytes.
// Each input runs isochronous and bulk, with a small buffer (overflow) and
// with damaged frames dropped or delivered.
#include <hilcap/uvc/frame_assembler.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_target.h"
#include "usbmon_record.h"

namespace {

namespace usbmon = hilcap::testsupport::usbmon;
using hilcap::uvc::AssembledFrame;
using hilcap::uvc::AssemblerConfig;
using hilcap::uvc::DestinationBuffer;
using hilcap::uvc::FrameAssembler;

// Two buffers; frames are handed back at once. Checks what it is given.
class CheckingDestination : public hilcap::uvc::FrameDestination {
 public:
  explicit CheckingDestination(std::size_t size) : a_(size), b_(size) {}
  std::optional<DestinationBuffer> acquire_buffer() override {
    if (++calls_ % 7 == 0) return std::nullopt;  // now and then, no free frame
    if (!a_used_) {
      a_used_ = true;
      return DestinationBuffer{a_, 0};
    }
    if (!b_used_) {
      b_used_ = true;
      return DestinationBuffer{b_, 1};
    }
    return std::nullopt;
  }
  void deliver_frame(const DestinationBuffer& buffer, const AssembledFrame& info) override {
    if (info.bytes_used > buffer.bytes.size()) __builtin_trap();
    release_buffer(buffer);
  }
  void release_buffer(const DestinationBuffer& buffer) override {
    bool& used = buffer.id == 0 ? a_used_ : b_used_;
    if (!used) __builtin_trap();  // returned twice
    used = false;
  }
  void frame_dropped(const AssembledFrame& info, hilcap::DropReason) override {
    if (info.bytes_used > a_.size()) __builtin_trap();
  }

 private:
  std::vector<std::uint8_t> a_, b_;
  bool a_used_ = false, b_used_ = false;
  unsigned calls_ = 0;
};

struct Chunk {
  std::span<const std::uint8_t> bytes;
  int status = 0;
  std::size_t requested = 0;
};

std::vector<Chunk> chunks_of(std::span<const std::uint8_t> input,
                             std::vector<usbmon::Record>& records) {
  std::vector<Chunk> chunks;
  bool captured = false;
  if (usbmon::is_pcap(input)) {
    captured = usbmon::parse_pcap(input, records).ok;
  } else {
    usbmon::Record one;
    captured = usbmon::parse_record(input, one).ok;
    if (captured) records.push_back(std::move(one));
  }
  if (captured) {
    for (const usbmon::Record& r : records) {
      if (r.iso.empty()) chunks.push_back({r.data, r.status, r.length});
      for (std::size_t i = 0; i < r.iso.size(); ++i)
        chunks.push_back({r.iso_packet(i), r.iso[i].status, r.iso[i].length});
    }
    return chunks;
  }
  std::size_t at = 0;
  while (input.size() - at >= 4) {
    const std::size_t length = input[at] | (input[at + 1] << 8);
    const int status = input[at + 2] & 0x80 ? -71 : 0;  // -EPROTO now and then
    const std::size_t requested = (input[at + 3] & 1) ? length + 1 : length;  // short or full
    at += 4;
    const std::size_t n = length < input.size() - at ? length : input.size() - at;
    chunks.push_back({input.subspan(at, n), status, requested});
    at += n;
  }
  return chunks;
}

void run(const std::vector<Chunk>& chunks, const AssemblerConfig& config, std::size_t buffer) {
  CheckingDestination destination(buffer);
  FrameAssembler assembler(config, destination);
  std::int64_t t = 0;
  for (const Chunk& c : chunks) {
    if (config.transport == hilcap::uvc::Transport::kIsochronous)
      assembler.on_iso_packet(c.bytes, c.status, std::chrono::nanoseconds(++t));
    else
      assembler.on_bulk_transfer(c.bytes, c.requested, c.status, std::chrono::nanoseconds(++t));
  }
  assembler.flush();
  const auto& k = assembler.counters();
  if (k.frames_delivered + k.dropped.total() != k.frames_started) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<usbmon::Record> records;
  const std::vector<Chunk> chunks = chunks_of({data, size}, records);
  using hilcap::uvc::DamagedFramePolicy;
  using hilcap::uvc::Transport;
  for (Transport transport : {Transport::kIsochronous, Transport::kBulk})
    for (DamagedFramePolicy policy :
         {DamagedFramePolicy::kDrop, DamagedFramePolicy::kDeliverDamaged}) {
      AssemblerConfig config;
      config.transport = transport;
      config.damaged_frames = policy;
      config.max_payload_transfer_size = 16384;
      config.max_video_frame_size = 3000;
      config.expected_frame_size = policy == DamagedFramePolicy::kDrop ? 0 : 2000;
      run(chunks, config, 4096);
    }
  return 0;
}
