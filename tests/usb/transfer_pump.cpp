#include "transfer_pump.h"

namespace hilcap::testing {

TransferPump::TransferPump(libusb_device_handle* handle, bool isochronous, int packets,
                           int packet_size, int bulk_size, std::size_t max_payload)
    : isochronous_(isochronous),
      packets_(packets),
      packet_size_(packet_size),
      bulk_size_(bulk_size),
      max_payload_(max_payload),
      handle_(handle) {}

TransferPump::~TransferPump() {
  for (libusb_transfer* t : transfers_)
    libusb_free_transfer(t);
}

bool TransferPump::start(int count) {
  for (int i = 0; i < count; ++i) {
    const int size = isochronous_ ? packets_ * packet_size_ : bulk_size_;
    buffers_.emplace_back(static_cast<std::size_t>(size));
    libusb_transfer* t = libusb_alloc_transfer(isochronous_ ? packets_ : 0);
    if (isochronous_) {
      libusb_fill_iso_transfer(t, handle_, kVideoEndpoint, buffers_.back().data(), size, packets_,
                               &TransferPump::on_complete, this, kTimeoutMs);
      libusb_set_iso_packet_lengths(t, static_cast<unsigned>(packet_size_));
    } else {
      libusb_fill_bulk_transfer(t, handle_, kVideoEndpoint, buffers_.back().data(), size,
                                &TransferPump::on_complete, this, kTimeoutMs);
    }
    transfers_.push_back(t);
  }
  for (libusb_transfer* t : transfers_) {
    if (libusb_submit_transfer(t) != 0) return false;
    ++in_flight_;
  }
  return true;
}

void TransferPump::cancel_all() {
  for (libusb_transfer* t : transfers_)
    libusb_cancel_transfer(t);
}

void LIBUSB_CALL TransferPump::on_complete(libusb_transfer* t) {
  static_cast<TransferPump*>(t->user_data)->complete(t);
}

void TransferPump::complete(libusb_transfer* t) {
  --in_flight_;
  if (t->status != LIBUSB_TRANSFER_COMPLETED) {
    ++endings_[t->status];
    return;
  }
  if (isochronous_) {
    for (int i = 0; i < t->num_iso_packets; ++i) {
      const libusb_iso_packet_descriptor& p = t->iso_packet_desc[i];
      if (p.status != LIBUSB_TRANSFER_COMPLETED) {
        ++packet_errors_;
        continue;
      }
      packet_lengths_.push_back(static_cast<int>(p.actual_length));
      if (p.actual_length > 0)
        collector_.add_payload(
            {libusb_get_iso_packet_buffer_simple(t, static_cast<unsigned>(i)), p.actual_length});
    }
  } else {
    collector_.add_bulk_transfer({t->buffer, static_cast<std::size_t>(t->actual_length)},
                                 static_cast<std::size_t>(t->length), max_payload_);
  }
  if (on_transfer) on_transfer();
  if (collector_.frames().size() >= frame_goal_) return;
  if (libusb_submit_transfer(t) == 0) ++in_flight_;
}

}  // namespace hilcap::testing
