// One usbredir connection with a device on it: the device side ("usb-host"
// in usbredir's words) of the protocol, spoken through libusbredirparser to a
// usb-guest such as QEMU's usb-redir device, which plugs the device into a
// virtual machine's USB controller.
//
// After the peer's hello the session announces the device (ep_info,
// interface_info, device_connect) and answers everything the guest sends:
// control transfers (through the device), SET_CONFIGURATION and
// SET_INTERFACE (announcing the new endpoints before the status), bulk IN
// requests (held until the device has data, answered in order, cancelled on
// request), isochronous IN streams (started and stopped by the guest; packets
// sent unsolicited at the endpoint's rate on the steady clock), interrupt
// receiving, and reset. A device that drops off the bus is announced with
// device_disconnect and, when it says so, plugged back in later.
//
// One thread: run() polls the socket and the device's timers until the peer
// closes the connection, `stop` is set or the deadline passes. Malformed
// messages are logged and counted (the parser drops them); requests the device
// cannot take are answered with an error status.
#pragma once

#include <usbredirparser.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "interface_layout.h"
#include "redirected_device.h"
#include "redirection_observer.h"

namespace hilcap::bus {

enum class SessionEnd : std::uint8_t {
  kPeerClosed,  // the peer closed the connection (QEMU quit, the socket went away)
  kStopped,     // `stop` was set (Ctrl-C)
  kDeadline,    // the deadline passed
  kIoError,     // reading or writing the socket failed
};

const char* to_string(SessionEnd end);

struct SessionOptions {
  std::string version = "hilcap";  // our hello's version string
  // Isochronous packets are skipped (counted, not queued) while more than this
  // many messages wait to be written: a peer that stops reading must not make
  // the device side buffer without bound.
  std::size_t max_queued_messages = 4096;
  // Isochronous packets filled per wake-up at most; beyond that the bus fell
  // behind and skips to the schedule.
  std::size_t max_iso_burst = 480;  // 60 ms at high speed: QEMU buffers about that much
};

class RedirectionSession {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes `fd`, a connected stream socket, and closes it when destroyed.
  RedirectionSession(int fd, RedirectedDevice& device, RedirectionObserver& observer,
                     SessionOptions options = {});
  ~RedirectionSession();
  RedirectionSession(const RedirectionSession&) = delete;
  RedirectionSession& operator=(const RedirectionSession&) = delete;

  SessionEnd run(const std::atomic<bool>* stop, std::optional<Clock::time_point> deadline);
  // What failed, after kIoError.
  const std::string& io_error() const { return io_error_; }

 private:
  struct BulkRequest {
    std::uint64_t id = 0;
    std::uint8_t endpoint = 0;
    std::uint32_t length = 0;
    Clock::time_point arrived;
  };
  struct IsoStream {
    std::uint8_t endpoint = 0;
    Clock::time_point start;
    std::uint64_t packets_due_before = 0;  // packets accounted for since start
    std::uint64_t next_id = 0;
  };

  // usbredirparser callbacks (priv is the session).
  static int read_cb(void* priv, std::uint8_t* data, int count);
  static int write_cb(void* priv, std::uint8_t* data, int count);
  static void log_cb(void* priv, int level, const char* message);
  static void hello_cb(void* priv, usb_redir_hello_header* hello);
  static void reset_cb(void* priv);
  static void set_configuration_cb(void* priv, std::uint64_t id,
                                   usb_redir_set_configuration_header* h);
  static void get_configuration_cb(void* priv, std::uint64_t id);
  static void set_alt_setting_cb(void* priv, std::uint64_t id, usb_redir_set_alt_setting_header* h);
  static void get_alt_setting_cb(void* priv, std::uint64_t id, usb_redir_get_alt_setting_header* h);
  static void start_iso_stream_cb(void* priv, std::uint64_t id,
                                  usb_redir_start_iso_stream_header* h);
  static void stop_iso_stream_cb(void* priv, std::uint64_t id, usb_redir_stop_iso_stream_header* h);
  static void start_interrupt_receiving_cb(void* priv, std::uint64_t id,
                                           usb_redir_start_interrupt_receiving_header* h);
  static void stop_interrupt_receiving_cb(void* priv, std::uint64_t id,
                                          usb_redir_stop_interrupt_receiving_header* h);
  static void alloc_bulk_streams_cb(void* priv, std::uint64_t id,
                                    usb_redir_alloc_bulk_streams_header* h);
  static void free_bulk_streams_cb(void* priv, std::uint64_t id,
                                   usb_redir_free_bulk_streams_header* h);
  static void start_bulk_receiving_cb(void* priv, std::uint64_t id,
                                      usb_redir_start_bulk_receiving_header* h);
  static void stop_bulk_receiving_cb(void* priv, std::uint64_t id,
                                     usb_redir_stop_bulk_receiving_header* h);
  static void cancel_data_packet_cb(void* priv, std::uint64_t id);
  static void control_packet_cb(void* priv, std::uint64_t id, usb_redir_control_packet_header* h,
                                std::uint8_t* data, int data_len);
  static void bulk_packet_cb(void* priv, std::uint64_t id, usb_redir_bulk_packet_header* h,
                             std::uint8_t* data, int data_len);
  static void iso_packet_cb(void* priv, std::uint64_t id, usb_redir_iso_packet_header* h,
                            std::uint8_t* data, int data_len);
  static void interrupt_packet_cb(void* priv, std::uint64_t id,
                                  usb_redir_interrupt_packet_header* h, std::uint8_t* data,
                                  int data_len);
  static void unexpected_cb(void* priv);  // messages only a usb-host sends

  // The device's current endpoints and interfaces, then device_connect.
  void announce_device(bool again);
  void send_endpoint_info();
  // The endpoint of the current alternate settings with this address, if any.
  const EndpointDescription* active_endpoint(std::uint8_t address) const;
  std::optional<std::uint8_t> interface_of(std::uint8_t address) const;

  // Ends pending bulk requests of `interface` (all when none) with status
  // cancelled, and stops its isochronous streams.
  void stop_endpoints(std::optional<std::uint8_t> interface);
  // Serves what the device has: pending bulk requests in order, due
  // isochronous packets, status interrupts. Returns when it wants to run again.
  std::optional<Clock::time_point> service(Clock::time_point now);
  void serve_bulk(Clock::time_point now);
  void serve_iso(IsoStream& stream, Clock::time_point now);
  void serve_interrupts();
  // The device fell off the bus: cancel everything, device_disconnect.
  void unplug(Clock::time_point now);
  std::chrono::nanoseconds service_interval(const EndpointDescription& endpoint) const;

  void refuse(const std::string& what);
  void flush();

  int fd_;
  RedirectedDevice& device_;
  RedirectionObserver& observer_;
  SessionOptions options_;
  usbredirparser* parser_ = nullptr;
  InterfaceLayout layout_;

  bool peer_closed_ = false;
  std::string io_error_;
  bool hello_received_ = false;
  bool plugged_ = false;  // device_connect sent and no disconnect since
  bool announced_before_ = false;
  std::optional<Clock::time_point> replug_at_;
  std::uint8_t configuration_ = 1;
  std::vector<std::uint8_t> alt_of_;  // indexed by interface number
  std::deque<BulkRequest> bulk_;
  std::vector<IsoStream> iso_;
  std::vector<std::uint8_t> interrupt_receiving_;  // endpoints
  std::vector<std::uint8_t> buffer_;               // transfer data, reused
  std::vector<IsoPacket> iso_packets_;
};

}  // namespace hilcap::bus
