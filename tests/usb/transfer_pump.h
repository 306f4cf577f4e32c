// Streams from the video endpoint with several libusb transfers in flight,
// resubmitting each until enough frames arrived, and records how transfers
// and packets ended.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "usb_fixture.h"

namespace hilcap::testing {

class TransferPump {
 public:
  // Isochronous: `packets` packets of `packet_size` per transfer; bulk:
  // transfers of `bulk_size` bytes, payloads of at most `max_payload`.
  TransferPump(libusb_device_handle* handle, bool isochronous, int packets, int packet_size,
               int bulk_size, std::size_t max_payload);
  ~TransferPump();
  TransferPump(const TransferPump&) = delete;
  TransferPump& operator=(const TransferPump&) = delete;

  // Submits `count` transfers; false when a submission fails.
  bool start(int count);
  // Stop resubmitting once this many frames arrived.
  void stop_after(std::size_t frames) { frame_goal_ = frames; }
  void cancel_all();

  int in_flight() const { return in_flight_; }
  const FrameCollector& collector() const { return collector_; }
  // Transfers that ended other than COMPLETED, by status.
  const std::map<libusb_transfer_status, int>& endings() const { return endings_; }
  const std::vector<int>& packet_lengths() const { return packet_lengths_; }
  int packet_errors() const { return packet_errors_; }
  // Runs after each completed transfer, before it is resubmitted.
  std::function<void()> on_transfer;

 private:
  static void LIBUSB_CALL on_complete(libusb_transfer* t);
  void complete(libusb_transfer* t);

  bool isochronous_;
  int packets_;
  int packet_size_;
  int bulk_size_;
  std::size_t max_payload_;
  libusb_device_handle* handle_;
  std::vector<std::vector<std::uint8_t>> buffers_;
  std::vector<libusb_transfer*> transfers_;
  int in_flight_ = 0;
  std::size_t frame_goal_ = 0;
  FrameCollector collector_;
  std::map<libusb_transfer_status, int> endings_;
  std::vector<int> packet_lengths_;
  int packet_errors_ = 0;
};

}  // namespace hilcap::testing
