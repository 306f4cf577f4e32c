// A usbredir usb-guest for tests: what QEMU's usb-redir device does on its
// side of the socket, driven by the test. It sends requests (control, bulk,
// alternate settings, isochronous and interrupt streams, cancel, reset) and
// records every message the device side sends back, in order.
#pragma once

#include <usbredirparser.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace hilcap::testing {

struct GuestMessage {
  std::string type;  // "ep_info", "interface_info", "device_connect", "device_disconnect",
                     // "control", "bulk", "iso", "iso_status", "alt_status",
                     // "configuration_status", "interrupt_status", "interrupt", "hello"
  std::uint64_t id = 0;
  std::uint8_t status = 0;
  std::uint8_t endpoint = 0;
  std::uint8_t interface = 0;
  std::uint8_t alt = 0;
  std::uint8_t configuration = 0;
  std::vector<std::uint8_t> data;
  usb_redir_ep_info_header ep_info{};
  usb_redir_interface_info_header interface_info{};
  usb_redir_device_connect_header device_connect{};
};

class GuestPeer {
 public:
  // Takes `fd`, a connected stream socket, and sends the hello.
  explicit GuestPeer(int fd);
  ~GuestPeer();
  GuestPeer(const GuestPeer&) = delete;
  GuestPeer& operator=(const GuestPeer&) = delete;

  // Reads and writes until `done()` holds; false when `timeout` passed or the
  // device side closed the connection first.
  bool pump_until(const std::function<bool()>& done,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The index of the first message of `type` from `from` on, or -1.
  int find(const std::string& type, std::size_t from = 0) const;
  bool pump_until_message(const std::string& type, std::uint64_t id = UINT64_MAX,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The last message of `type` with this id (any id when UINT64_MAX).
  const GuestMessage* last(const std::string& type, std::uint64_t id = UINT64_MAX) const;

  void control(std::uint64_t id, std::uint8_t request_type, std::uint8_t request,
               std::uint16_t value, std::uint16_t index, std::uint16_t length,
               std::vector<std::uint8_t> out = {});
  void bulk_in(std::uint64_t id, std::uint8_t endpoint, std::uint32_t length);
  void cancel(std::uint64_t id);
  void set_configuration(std::uint64_t id, std::uint8_t configuration);
  void set_alt_setting(std::uint64_t id, std::uint8_t interface, std::uint8_t alt);
  void get_alt_setting(std::uint64_t id, std::uint8_t interface);
  void start_iso_stream(std::uint64_t id, std::uint8_t endpoint);
  void stop_iso_stream(std::uint64_t id, std::uint8_t endpoint);
  void start_interrupt_receiving(std::uint64_t id, std::uint8_t endpoint);
  void reset();
  // Bytes straight onto the socket, past the parser (malformed messages).
  void write_raw(std::span<const std::uint8_t> bytes);
  // Closes the connection.
  void close();

  std::vector<GuestMessage> messages;
  bool closed() const { return closed_; }

 private:
  void flush();
  void add(GuestMessage m) { messages.push_back(std::move(m)); }

  int fd_;
  usbredirparser* parser_;
  bool closed_ = false;
};

}  // namespace hilcap::testing
