#include <hilcap/uvc/frame_assembler.h>

#include <algorithm>

namespace hilcap::uvc {

FrameFate fate_of(const AssembledFrame& frame) {
  if (frame.flags & (kUvcFrameError | kUvcFrameOverflow)) return FrameFate::kError;
  if (frame.flags & kUvcFrameIncomplete) return FrameFate::kShort;
  return FrameFate::kOk;
}

std::optional<DropReason> damage_of(const AssembledFrame& frame) {
  if (frame.flags & kUvcFrameError) return DropReason::kErrorPayload;
  if (frame.flags & kUvcFrameOverflow) return DropReason::kOverflow;
  if (frame.flags & kUvcFrameIncomplete) return DropReason::kIncomplete;
  return std::nullopt;
}

FrameAssembler::FrameAssembler(const AssemblerConfig& config, FrameDestination& destination)
    : config_(config), destination_(destination) {}

void FrameAssembler::on_iso_packet(std::span<const std::uint8_t> packet, int status,
                                   std::chrono::nanoseconds host_time) {
  if (status != 0) {
    ++counters_.failed_transfers;
    mark_error();
    return;
  }
  PayloadHeader header;
  const HeaderStatus parsed = parse_payload_header(packet, header);
  if (parsed == HeaderStatus::kEmpty) {
    ++counters_.empty_packets;
    return;
  }
  if (parsed != HeaderStatus::kOk) {
    ++counters_.invalid_headers;
    mark_error();
    return;
  }
  on_payload_start(header, packet.subspan(header.length), host_time);
}

void FrameAssembler::on_bulk_transfer(std::span<const std::uint8_t> data,
                                      std::size_t requested_length, int status,
                                      std::chrono::nanoseconds host_time) {
  if (status != 0) {
    ++counters_.failed_transfers;
    mark_error();
    end_bulk_payload();  // where the payload went on is unknown: resync on the next header
    return;
  }
  if (bulk_payload_bytes_ == 0) {
    PayloadHeader header;
    const HeaderStatus parsed = parse_payload_header(data, header);
    if (parsed == HeaderStatus::kEmpty) {
      ++counters_.empty_packets;  // a zero-length transfer between payloads
      return;
    }
    if (parsed != HeaderStatus::kOk) {
      ++counters_.invalid_headers;
      mark_error();
      bulk_payload_skipped_ = true;
    } else {
      bulk_payload_skipped_ = !on_payload_start(header, data.subspan(header.length), host_time);
    }
  } else if (!bulk_payload_skipped_) {
    append(data, host_time);
  }
  bulk_payload_bytes_ += data.size();
  const bool short_transfer = data.size() < requested_length;
  const bool payload_full = config_.max_payload_transfer_size != 0 &&
                            bulk_payload_bytes_ >= config_.max_payload_transfer_size;
  if (short_transfer || payload_full) end_bulk_payload();
}

void FrameAssembler::flush() {
  if (frame_.active) {
    frame_.info.flags |= kUvcFrameIncomplete;
    const DropReason reason = frame_.buffer ? DropReason::kIncomplete : DropReason::kStarvation;
    ++counters_.dropped[reason];
    if (frame_.buffer) destination_.release_buffer(*frame_.buffer);
    destination_.frame_dropped(frame_.info, reason);
    drop_since_delivery_ = true;
    frame_ = CurrentFrame{};
  }
  pending_error_ = false;
  finished_fid_.reset();
  bulk_payload_bytes_ = 0;
  bulk_payload_skipped_ = false;
  bulk_payload_eof_ = false;
}

bool FrameAssembler::on_payload_start(const PayloadHeader& header,
                                      std::span<const std::uint8_t> data,
                                      std::chrono::nanoseconds host_time) {
  ++counters_.payloads;
  if (data.empty()) ++counters_.header_only_payloads;
  if (header.error()) ++counters_.error_bit_payloads;

  // A FID toggle ends the frame in progress even without EOF.
  if (frame_.active && header.fid() != frame_.info.fid) end_frame(false);
  if (!frame_.active) {
    if (finished_fid_ == header.fid()) {
      ++counters_.stale_payloads;  // the device has not toggled FID since EOF
      return false;
    }
    begin_frame(header.fid(), host_time);
  }

  AssembledFrame& info = frame_.info;
  ++info.payloads;
  if (header.has_pts() && !info.pts) info.pts = header.pts;
  if (header.has_scr()) info.scr = header.scr;
  if (header.still()) info.flags |= kUvcFrameStill;
  if (header.error()) info.flags |= kUvcFrameError;
  info.host_time_last = host_time;
  append(data, host_time);

  if (header.eof()) {
    if (config_.transport == Transport::kIsochronous)
      end_frame(true);
    else
      bulk_payload_eof_ = true;  // the frame ends with the payload's last transfer
  }
  return true;
}

void FrameAssembler::append(std::span<const std::uint8_t> data,
                            std::chrono::nanoseconds host_time) {
  if (!frame_.active || data.empty()) return;
  frame_.info.host_time_last = host_time;
  if (!frame_.buffer) return;  // dropped for lack of a buffer; counted when it ends
  std::size_t& used = frame_.info.bytes_used;
  const std::size_t n = std::min(data.size(), frame_.capacity - used);
  std::copy_n(data.begin(), n, frame_.buffer->bytes.begin() + static_cast<std::ptrdiff_t>(used));
  used += n;
  if (n < data.size()) {
    frame_.info.flags |= kUvcFrameOverflow;
    frame_.info.overflow_bytes += data.size() - n;
    counters_.overflow_bytes += data.size() - n;
  }
}

void FrameAssembler::mark_error() {
  if (frame_.active)
    frame_.info.flags |= kUvcFrameError;
  else
    pending_error_ = true;
}

void FrameAssembler::begin_frame(bool fid, std::chrono::nanoseconds host_time) {
  frame_ = CurrentFrame{};
  frame_.active = true;
  frame_.info.sequence = next_sequence_++;
  frame_.info.fid = fid;
  frame_.info.host_time_first = host_time;
  frame_.info.host_time_last = host_time;
  if (pending_error_) frame_.info.flags |= kUvcFrameError;
  pending_error_ = false;
  finished_fid_.reset();
  ++counters_.frames_started;
  frame_.buffer = destination_.acquire_buffer();
  if (frame_.buffer) {
    frame_.capacity = frame_.buffer->bytes.size();
    if (config_.max_video_frame_size != 0)
      frame_.capacity = std::min<std::size_t>(frame_.capacity, config_.max_video_frame_size);
  }
}

void FrameAssembler::end_frame(bool by_eof) {
  AssembledFrame& info = frame_.info;
  if (by_eof)
    finished_fid_ = info.fid;
  else
    info.flags |= kUvcFrameNoEof;
  if (info.bytes_used == 0 ||
      (config_.expected_frame_size != 0 && info.bytes_used < config_.expected_frame_size))
    info.flags |= kUvcFrameIncomplete;

  if (!frame_.buffer) {
    ++counters_.dropped[DropReason::kStarvation];
    destination_.frame_dropped(info, DropReason::kStarvation);
    drop_since_delivery_ = true;
    frame_ = CurrentFrame{};
    return;
  }
  const std::optional<DropReason> damage = damage_of(info);
  bool deliver = true;
  if (damage) {
    deliver = config_.damaged_frames == DamagedFramePolicy::kDeliverDamaged;
    ++(deliver ? counters_.delivered_damaged : counters_.dropped)[*damage];
  }
  if (deliver) {
    if (drop_since_delivery_) info.flags |= kUvcFrameDiscontinuity;
    drop_since_delivery_ = false;
    ++counters_.frames_delivered;
    destination_.deliver_frame(*frame_.buffer, info);
  } else {
    drop_since_delivery_ = true;
    destination_.release_buffer(*frame_.buffer);
    destination_.frame_dropped(info, *damage);
  }
  frame_ = CurrentFrame{};
}

void FrameAssembler::end_bulk_payload() {
  if (bulk_payload_eof_ && frame_.active) end_frame(true);
  bulk_payload_bytes_ = 0;
  bulk_payload_skipped_ = false;
  bulk_payload_eof_ = false;
}

}  // namespace hilcap::uvc
