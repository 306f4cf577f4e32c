// A FrameDestination for tests: a fixed pool of buffers, and a record of
// every frame delivered (with a copy of its bytes), dropped, and every buffer returned.
#pragma once

#include <hilcap/uvc/frame_assembler.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace hilcap::uvc::testing {

class RecordingDestination : public FrameDestination {
 public:
  struct Delivered {
    AssembledFrame info;
    std::vector<std::uint8_t> bytes;
    std::uint64_t buffer_id = 0;
  };

  RecordingDestination(std::size_t buffers, std::size_t buffer_size)
      : storage_(buffers, std::vector<std::uint8_t>(buffer_size)) {
    for (std::size_t i = 0; i < buffers; ++i)
      free_.push_back(i);
  }

  std::optional<DestinationBuffer> acquire_buffer() override {
    if (free_.empty()) return std::nullopt;
    const std::size_t i = free_.back();
    free_.pop_back();
    return DestinationBuffer{storage_[i], i};
  }

  void deliver_frame(const DestinationBuffer& buffer, const AssembledFrame& info) override {
    const auto& s = storage_[buffer.id];
    delivered.push_back({info,
                         std::vector<std::uint8_t>(
                             s.begin(), s.begin() + static_cast<std::ptrdiff_t>(info.bytes_used)),
                         buffer.id});
    if (recycle) free_.push_back(buffer.id);  // the client frees it at once
  }

  void release_buffer(const DestinationBuffer& buffer) override {
    ++released;
    free_.push_back(buffer.id);
  }

  void frame_dropped(const AssembledFrame& info, DropReason reason) override {
    dropped.push_back({info, reason});
  }

  std::size_t free_buffers() const { return free_.size(); }
  // Hands a delivered buffer back (when recycle is off).
  void client_frees(std::uint64_t id) { free_.push_back(id); }

  bool recycle = true;
  struct Dropped {
    AssembledFrame info;
    DropReason reason = DropReason::kIncomplete;
  };

  std::vector<Delivered> delivered;
  std::vector<Dropped> dropped;
  std::size_t released = 0;

 private:
  std::vector<std::vector<std::uint8_t>> storage_;
  std::vector<std::size_t> free_;
};

}  // namespace hilcap::uvc::testing
