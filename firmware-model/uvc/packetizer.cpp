#include "packetizer.h"

#include <algorithm>

namespace hilcap::device::uvc {

const char* to_string(StreamFault fault) {
  switch (fault) {
    case StreamFault::kErrorBit:
      return "error bit";
    case StreamFault::kMissingEof:
      return "missing EOF";
    case StreamFault::kFidToggleEarly:
      return "FID toggled early";
    case StreamFault::kFidNotToggled:
      return "FID not toggled";
    case StreamFault::kShortPayload:
      return "short payload";
    case StreamFault::kCorruptData:
      return "corrupt data";
    case StreamFault::kCorruptHeaderLength:
      return "corrupt header length";
    case StreamFault::kPacketError:
      return "packet error";
    case StreamFault::kStall:
      return "stall";
    case StreamFault::kDisconnect:
      return "disconnect";
  }
  return "?";
}

Packetizer::Packetizer(PayloadStyle style, std::vector<FaultAt> faults, std::uint8_t first_fid)
    : style_(style),
      header_size_(payload_header_size(style.header)),
      faults_(std::move(faults)),
      // begin_frame() toggles before the first frame.
      fid_(static_cast<std::uint8_t>((first_fid & 1) ^ 1)) {
  std::stable_sort(faults_.begin(), faults_.end(),
                   [](const FaultAt& a, const FaultAt& b) { return a.frame < b.frame; });
}

void Packetizer::begin_frame(std::span<const std::uint8_t> data, std::uint32_t pts,
                             bool error_frame, std::optional<std::uint64_t> frame_number) {
  const std::uint64_t frame = frame_number.value_or(frames_begun_);
  ++frames_begun_;
  frame_faults_begin_ = frame_faults_end_;
  while (frame_faults_begin_ < faults_.size() && faults_[frame_faults_begin_].frame < frame)
    ++frame_faults_begin_;
  frame_faults_end_ = frame_faults_begin_;
  bool keep_fid = false;
  missing_eof_ = false;
  while (frame_faults_end_ < faults_.size() && faults_[frame_faults_end_].frame == frame) {
    keep_fid = keep_fid || faults_[frame_faults_end_].fault == StreamFault::kFidNotToggled;
    missing_eof_ = missing_eof_ || faults_[frame_faults_end_].fault == StreamFault::kMissingEof;
    ++frame_faults_end_;
  }
  if (!keep_fid) fid_ ^= 1;
  error_frame_ = error_frame;
  frame_ = data;
  frame_offset_ = 0;
  pts_ = pts;
  payload_index_ = 0;
  frame_pending_ = true;
}

Packetizer::PayloadFaults Packetizer::faults_of_payload() const {
  PayloadFaults f;
  for (std::size_t i = frame_faults_begin_; i < frame_faults_end_; ++i) {
    if (faults_[i].payload != payload_index_) continue;
    switch (faults_[i].fault) {
      case StreamFault::kErrorBit:
        f.error = true;
        break;
      case StreamFault::kFidToggleEarly:
        f.toggle_fid = true;
        break;
      case StreamFault::kShortPayload:
        f.short_data = true;
        break;
      case StreamFault::kCorruptData:
        f.corrupt_data = true;
        break;
      case StreamFault::kCorruptHeaderLength:
        f.corrupt_header_length = true;
        break;
      case StreamFault::kPacketError:
        f.lost = true;
        break;
      case StreamFault::kStall:
        f.stall = true;
        break;
      case StreamFault::kDisconnect:
        f.disconnect = true;
        break;
      case StreamFault::kMissingEof:
      case StreamFault::kFidNotToggled:
        break;  // frame-wide, taken in begin_frame()
    }
  }
  return f;
}

void Packetizer::write_header(std::uint8_t info, std::uint8_t length,
                              const SourceClockReference& scr, std::span<std::uint8_t> out) const {
  out[0] = length;
  out[1] = static_cast<std::uint8_t>(info | kHeaderEoh | (style_.header.pts ? kHeaderPts : 0) |
                                     (style_.header.scr ? kHeaderScr : 0));
  std::size_t at = 2;
  if (style_.header.pts) {
    detail::put32(out, at, pts_);
    at += 4;
  }
  if (style_.header.scr) {
    detail::put32(out, at, scr.stc);
    detail::put16(out, at + 4, static_cast<std::uint16_t>(scr.sof & 0x7ff));
  }
}

PayloadEvent Packetizer::begin_payload(std::size_t capacity, const SourceClockReference& scr) {
  const PayloadFaults f = faults_of_payload();
  if (f.disconnect || f.stall) {
    frame_pending_ = false;
    return f.disconnect ? PayloadEvent::kDisconnect : PayloadEvent::kStall;
  }
  if (f.toggle_fid) fid_ ^= 1;

  const std::size_t remaining = frame_.size() - frame_offset_;
  const std::size_t data_length = std::min(remaining, capacity - header_size_);
  const bool last_data = frame_offset_ + data_length == frame_.size();
  // With a header-only EOF payload, the frame ends with one more payload
  // after its data: the one that starts with no data left.
  const bool ends_frame = style_.eof_in_header_only_payload ? remaining == 0 : last_data;
  const bool eof = ends_frame && !missing_eof_;
  const std::size_t sent = f.short_data ? data_length / 2 : data_length;

  std::uint8_t info = fid_;
  if (eof) info |= kHeaderEof;
  if (f.error || error_frame_) info |= kHeaderErr;
  const auto length = static_cast<std::uint8_t>(f.corrupt_header_length ? 1 : header_size_);
  write_header(info, length, scr, header_);
  header_length_ = header_size_;
  header_sent_ = 0;
  payload_data_ = frame_.subspan(frame_offset_, sent);
  data_sent_ = 0;
  corrupt_first_byte_ = f.corrupt_data && sent > 0;

  frame_offset_ += data_length;
  ++payload_index_;
  if (ends_frame) frame_pending_ = false;
  return f.lost ? PayloadEvent::kLostOnBus : PayloadEvent::kPayload;
}

std::size_t Packetizer::copy_payload(std::span<std::uint8_t> out) {
  std::size_t n = 0;
  const std::size_t header_part = std::min(header_length_ - header_sent_, out.size());
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(header_sent_), header_part,
              out.begin());
  header_sent_ += header_part;
  n += header_part;
  const std::size_t data_part = std::min(payload_data_.size() - data_sent_, out.size() - n);
  std::copy_n(payload_data_.begin() + static_cast<std::ptrdiff_t>(data_sent_), data_part,
              out.begin() + static_cast<std::ptrdiff_t>(n));
  if (corrupt_first_byte_ && data_sent_ == 0 && data_part > 0) out[n] ^= 0xFF;
  data_sent_ += data_part;
  return n + data_part;
}

std::size_t Packetizer::write_idle_payload(std::span<std::uint8_t> out,
                                           const SourceClockReference& scr) const {
  if (out.size() < header_size_) return 0;
  write_header(static_cast<std::uint8_t>(fid_ ^ 1), static_cast<std::uint8_t>(header_size_), scr,
               out);
  return header_size_;
}

}  // namespace hilcap::device::uvc
