#include "redirection_session.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usbredirparser.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace hilcap::bus {

namespace {

using std::chrono::nanoseconds;

// QEMU's usb-redir keeps control data in a 4096-byte buffer: a longer answer
// would be cut to a STALL there.
constexpr std::size_t kMaxControlData = 4096;
constexpr std::size_t kMaxInterruptPacket = 1024;
// The longest poll while nothing is scheduled: how soon a `stop` set without
// a signal is seen.
constexpr auto kIdleWake = std::chrono::milliseconds(100);
// The isochronous schedule is kept in steps of this (8 packets at high speed).
constexpr auto kIsoWake = std::chrono::milliseconds(1);

RedirectionSession& session(void* priv) {
  return *static_cast<RedirectionSession*>(priv);
}

std::uint8_t endpoint_index(std::uint8_t address) {
  return static_cast<std::uint8_t>(((address & 0x80) >> 3) | (address & 0x0f));
}

std::uint8_t redir_speed(device::uvc::UsbSpeed speed) {
  switch (speed) {
    case device::uvc::UsbSpeed::kFull:
      return usb_redir_speed_full;
    case device::uvc::UsbSpeed::kHigh:
      return usb_redir_speed_high;
    case device::uvc::UsbSpeed::kSuper:
      return usb_redir_speed_super;
  }
  return usb_redir_speed_unknown;
}

std::string hex(unsigned value) {
  static const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[(value >> 4) & 0xf] + digits[value & 0xf];
}

}  // namespace

const char* to_string(SessionEnd end) {
  switch (end) {
    case SessionEnd::kPeerClosed:
      return "the peer closed the connection";
    case SessionEnd::kStopped:
      return "interrupted";
    case SessionEnd::kDeadline:
      return "the duration elapsed";
    case SessionEnd::kIoError:
      return "the connection failed";
  }
  return "?";
}

RedirectionSession::RedirectionSession(int fd, RedirectedDevice& device,
                                       RedirectionObserver& observer, SessionOptions options)
    : fd_(fd),
      device_(device),
      observer_(observer),
      options_(std::move(options)),
      layout_(InterfaceLayout::parse(device.descriptors().configuration)) {
  parser_ = usbredirparser_create();
  parser_->priv = this;
  parser_->log_func = log_cb;
  parser_->read_func = read_cb;
  parser_->write_func = write_cb;
  parser_->hello_func = hello_cb;
  parser_->reset_func = reset_cb;
  parser_->set_configuration_func = set_configuration_cb;
  parser_->get_configuration_func = get_configuration_cb;
  parser_->set_alt_setting_func = set_alt_setting_cb;
  parser_->get_alt_setting_func = get_alt_setting_cb;
  parser_->start_iso_stream_func = start_iso_stream_cb;
  parser_->stop_iso_stream_func = stop_iso_stream_cb;
  parser_->start_interrupt_receiving_func = start_interrupt_receiving_cb;
  parser_->stop_interrupt_receiving_func = stop_interrupt_receiving_cb;
  parser_->alloc_bulk_streams_func = alloc_bulk_streams_cb;
  parser_->free_bulk_streams_func = free_bulk_streams_cb;
  parser_->start_bulk_receiving_func = start_bulk_receiving_cb;
  parser_->stop_bulk_receiving_func = stop_bulk_receiving_cb;
  parser_->cancel_data_packet_func = cancel_data_packet_cb;
  parser_->control_packet_func = control_packet_cb;
  parser_->bulk_packet_func = bulk_packet_cb;
  parser_->iso_packet_func = iso_packet_cb;
  parser_->interrupt_packet_func = interrupt_packet_cb;
  // Messages a usb-guest never sends to a usb-host: the parser refuses them
  // for our role before any of these could run, but none may be left unset.
  parser_->device_connect_func = [](void* p, usb_redir_device_connect_header*) {
    unexpected_cb(p);
  };
  parser_->device_disconnect_func = [](void* p) { unexpected_cb(p); };
  parser_->interface_info_func = [](void* p, usb_redir_interface_info_header*) {
    unexpected_cb(p);
  };
  parser_->ep_info_func = [](void* p, usb_redir_ep_info_header*) { unexpected_cb(p); };
  parser_->configuration_status_func =
      [](void* p, std::uint64_t, usb_redir_configuration_status_header*) { unexpected_cb(p); };
  parser_->alt_setting_status_func = [](void* p, std::uint64_t,
                                        usb_redir_alt_setting_status_header*) { unexpected_cb(p); };
  parser_->iso_stream_status_func = [](void* p, std::uint64_t,
                                       usb_redir_iso_stream_status_header*) { unexpected_cb(p); };
  parser_->interrupt_receiving_status_func = [](void* p, std::uint64_t,
                                                usb_redir_interrupt_receiving_status_header*) {
    unexpected_cb(p);
  };
  parser_->bulk_streams_status_func =
      [](void* p, std::uint64_t, usb_redir_bulk_streams_status_header*) { unexpected_cb(p); };
  parser_->bulk_receiving_status_func =
      [](void* p, std::uint64_t, usb_redir_bulk_receiving_status_header*) { unexpected_cb(p); };
  parser_->buffered_bulk_packet_func =
      [](void* p, std::uint64_t, usb_redir_buffered_bulk_packet_header*, std::uint8_t* data, int) {
        usbredirparser_free_packet_data(session(p).parser_, data);
        unexpected_cb(p);
      };
  parser_->filter_reject_func = [](void* p) { unexpected_cb(p); };
  parser_->filter_filter_func = [](void* p, usbredirfilter_rule* rules, int) {
    std::free(rules);
    unexpected_cb(p);
  };
  parser_->device_disconnect_ack_func = [](void*) {};

  // QEMU refuses a peer on an xHCI port without the first three.
  std::uint32_t caps[USB_REDIR_CAPS_SIZE] = {};
  usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_device_disconnect_ack);
  usbredirparser_init(parser_, options_.version.c_str(), caps, USB_REDIR_CAPS_SIZE,
                      usbredirparser_fl_usb_host);
  buffer_.reserve(64 * 1024);
}

RedirectionSession::~RedirectionSession() {
  if (parser_ != nullptr) usbredirparser_destroy(parser_);
  if (fd_ >= 0) ::close(fd_);
}

// --- the socket ---

int RedirectionSession::read_cb(void* priv, std::uint8_t* data, int count) {
  RedirectionSession& s = session(priv);
  const ssize_t r = ::read(s.fd_, data, static_cast<std::size_t>(count));
  if (r > 0) return static_cast<int>(r);
  if (r == 0) {
    s.peer_closed_ = true;
    return -1;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  if (errno == ECONNRESET) {
    s.peer_closed_ = true;
  } else {
    s.io_error_ = std::string("read: ") + std::strerror(errno);
  }
  return -1;
}

int RedirectionSession::write_cb(void* priv, std::uint8_t* data, int count) {
  RedirectionSession& s = session(priv);
  const ssize_t r = ::send(s.fd_, data, static_cast<std::size_t>(count), MSG_NOSIGNAL);
  if (r >= 0) return static_cast<int>(r);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  if (errno == EPIPE || errno == ECONNRESET) {
    s.peer_closed_ = true;
  } else {
    s.io_error_ = std::string("write: ") + std::strerror(errno);
  }
  return -1;
}

void RedirectionSession::log_cb(void* priv, int level, const char* message) {
  if (level <= usbredirparser_warning) session(priv).observer_.protocol_error(message);
}

void RedirectionSession::flush() {
  while (usbredirparser_has_data_to_write(parser_) > 0) {
    const int r = usbredirparser_do_write(parser_);
    if (r < 0) {
      if (!peer_closed_ && io_error_.empty()) io_error_ = "write failed";
      return;
    }
    // do_write stops when the socket would block: poll for POLLOUT.
    pollfd p{fd_, POLLOUT, 0};
    if (usbredirparser_has_data_to_write(parser_) > 0 && ::poll(&p, 1, 0) <= 0) return;
  }
}

void RedirectionSession::refuse(const std::string& what) {
  observer_.request_refused(what);
}

// --- announcing the device ---

void RedirectionSession::hello_cb(void* priv, usb_redir_hello_header* hello) {
  RedirectionSession& s = session(priv);
  s.hello_received_ = true;
  s.observer_.peer_hello(
      std::string(hello->version, strnlen(hello->version, sizeof hello->version)));
  s.announce_device(false);
}

void RedirectionSession::unexpected_cb(void* priv) {
  session(priv).observer_.protocol_error("a message only a usb-host sends; ignored");
}

const EndpointDescription* RedirectionSession::active_endpoint(std::uint8_t address) const {
  if (configuration_ == 0) return nullptr;
  for (const std::uint8_t interface : layout_.interfaces()) {
    const std::uint8_t alt = interface < alt_of_.size() ? alt_of_[interface] : 0;
    const AltSettingDescription* a = layout_.alt_setting(interface, alt);
    if (a == nullptr) continue;
    for (const EndpointDescription& e : a->endpoints)
      if (e.address == address) return &e;
  }
  return nullptr;
}

std::optional<std::uint8_t> RedirectionSession::interface_of(std::uint8_t address) const {
  for (const std::uint8_t interface : layout_.interfaces()) {
    const std::uint8_t alt = interface < alt_of_.size() ? alt_of_[interface] : 0;
    const AltSettingDescription* a = layout_.alt_setting(interface, alt);
    if (a == nullptr) continue;
    for (const EndpointDescription& e : a->endpoints)
      if (e.address == address) return interface;
  }
  return std::nullopt;
}

void RedirectionSession::send_endpoint_info() {
  usb_redir_ep_info_header ep{};
  std::fill(std::begin(ep.type), std::end(ep.type), usb_redir_type_invalid);
  const std::uint8_t ep0 =
      device_.descriptors().device.size() > 7 ? device_.descriptors().device[7] : 64;
  for (const std::uint8_t address : {std::uint8_t{0x00}, std::uint8_t{0x80}}) {
    ep.type[endpoint_index(address)] = usb_redir_type_control;
    ep.max_packet_size[endpoint_index(address)] = ep0;
  }
  usb_redir_interface_info_header info{};
  if (configuration_ != 0) {
    for (const std::uint8_t interface : layout_.interfaces()) {
      const std::uint8_t alt = interface < alt_of_.size() ? alt_of_[interface] : 0;
      const AltSettingDescription* a = layout_.alt_setting(interface, alt);
      if (a == nullptr || info.interface_count >= 32) continue;
      const std::uint32_t n = info.interface_count++;
      info.interface[n] = interface;
      info.interface_class[n] = a->interface_class;
      info.interface_subclass[n] = a->interface_subclass;
      info.interface_protocol[n] = a->interface_protocol;
      for (const EndpointDescription& e : a->endpoints) {
        const std::uint8_t i = endpoint_index(e.address);
        ep.type[i] = static_cast<std::uint8_t>(e.kind);
        ep.interval[i] = e.interval;
        ep.interface[i] = interface;
        // Bytes per service interval, as usbredir's own usb-host sends it.
        ep.max_packet_size[i] = static_cast<std::uint16_t>(
            e.kind == EndpointKind::kIsochronous ? e.bytes_per_interval() : e.max_packet_size);
      }
    }
  }
  // ep_info first: QEMU sets its endpoints up from it when interface_info arrives.
  usbredirparser_send_ep_info(parser_, &ep);
  usbredirparser_send_interface_info(parser_, &info);
}

void RedirectionSession::announce_device(bool again) {
  configuration_ = 1;
  alt_of_.assign(256, 0);
  send_endpoint_info();
  const std::vector<std::uint8_t>& d = device_.descriptors().device;
  usb_redir_device_connect_header connect{};
  connect.speed = redir_speed(device_.speed());
  if (d.size() >= 14) {
    connect.device_class = d[4];
    connect.device_subclass = d[5];
    connect.device_protocol = d[6];
    connect.vendor_id = static_cast<std::uint16_t>(d[8] | (d[9] << 8));
    connect.product_id = static_cast<std::uint16_t>(d[10] | (d[11] << 8));
    connect.device_version_bcd = static_cast<std::uint16_t>(d[12] | (d[13] << 8));
  }
  usbredirparser_send_device_connect(parser_, &connect);
  plugged_ = true;
  announced_before_ = true;
  observer_.device_connected(again);
}

// --- configuration, interfaces, reset ---

void RedirectionSession::stop_endpoints(std::optional<std::uint8_t> interface) {
  for (auto it = bulk_.begin(); it != bulk_.end();) {
    if (interface && interface_of(it->endpoint) != interface) {
      ++it;
      continue;
    }
    usb_redir_bulk_packet_header h{};
    h.endpoint = it->endpoint;
    h.status = usb_redir_cancelled;
    usbredirparser_send_bulk_packet(parser_, it->id, &h, nullptr, 0);
    observer_.bulk_cancelled(it->endpoint);
    it = bulk_.erase(it);
  }
  for (auto it = iso_.begin(); it != iso_.end();) {
    if (interface && interface_of(it->endpoint) != interface) {
      ++it;
      continue;
    }
    observer_.iso_stream(it->endpoint, false);
    it = iso_.erase(it);
  }
  for (auto it = interrupt_receiving_.begin(); it != interrupt_receiving_.end();) {
    if (interface && interface_of(*it) != interface) {
      ++it;
      continue;
    }
    observer_.interrupt_receiving(*it, false);
    it = interrupt_receiving_.erase(it);
  }
}

void RedirectionSession::reset_cb(void* priv) {
  RedirectionSession& s = session(priv);
  if (!s.plugged_) return;
  s.stop_endpoints(std::nullopt);
  s.device_.reset();
  s.alt_of_.assign(256, 0);
  s.send_endpoint_info();
  s.observer_.reset();
}

void RedirectionSession::set_configuration_cb(void* priv, std::uint64_t id,
                                              usb_redir_set_configuration_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_configuration_status_header status{usb_redir_success, h->configuration};
  const bool ok = s.plugged_ && h->configuration <= 1;
  if (ok) {
    s.stop_endpoints(std::nullopt);
    for (const std::uint8_t interface : s.layout_.interfaces())
      s.device_.set_interface(interface, 0);
    s.configuration_ = h->configuration;
    s.alt_of_.assign(256, 0);
    s.send_endpoint_info();
  } else {
    status.status = usb_redir_inval;
    s.refuse("SET_CONFIGURATION " + std::to_string(h->configuration) +
             (s.plugged_ ? ": the device has configuration 1 only" : ": the device is unplugged"));
  }
  usbredirparser_send_configuration_status(s.parser_, id, &status);
  s.observer_.configuration_set(h->configuration, ok);
}

void RedirectionSession::get_configuration_cb(void* priv, std::uint64_t id) {
  RedirectionSession& s = session(priv);
  usb_redir_configuration_status_header status{
      static_cast<std::uint8_t>(s.plugged_ ? usb_redir_success : usb_redir_ioerror),
      s.configuration_};
  usbredirparser_send_configuration_status(s.parser_, id, &status);
}

void RedirectionSession::set_alt_setting_cb(void* priv, std::uint64_t id,
                                            usb_redir_set_alt_setting_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_alt_setting_status_header status{usb_redir_success, h->interface, h->alt};
  bool ok =
      s.plugged_ && s.configuration_ != 0 && s.layout_.alt_setting(h->interface, h->alt) != nullptr;
  if (ok) {
    s.stop_endpoints(h->interface);
    ok = s.device_.set_interface(h->interface, h->alt);
  }
  if (ok) {
    s.alt_of_[h->interface] = h->alt;
    s.send_endpoint_info();
  } else {
    status.status = usb_redir_inval;
    s.refuse("SET_INTERFACE interface " + std::to_string(h->interface) + " alternate setting " +
             std::to_string(h->alt) + ": no such alternate setting");
  }
  usbredirparser_send_alt_setting_status(s.parser_, id, &status);
  s.observer_.alt_setting_set(h->interface, h->alt, ok);
}

void RedirectionSession::get_alt_setting_cb(void* priv, std::uint64_t id,
                                            usb_redir_get_alt_setting_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_alt_setting_status_header status{
      usb_redir_success, h->interface,
      s.alt_of_.empty() ? std::uint8_t{0} : s.alt_of_[h->interface]};
  if (!s.plugged_ || s.layout_.alt_setting(h->interface, 0) == nullptr) {
    status.status = usb_redir_inval;
    s.refuse("GET_INTERFACE interface " + std::to_string(h->interface) + ": no such interface");
  }
  usbredirparser_send_alt_setting_status(s.parser_, id, &status);
}

// --- streams and receiving ---

void RedirectionSession::start_iso_stream_cb(void* priv, std::uint64_t id,
                                             usb_redir_start_iso_stream_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_iso_stream_status_header status{usb_redir_success, h->endpoint};
  const EndpointDescription* e = s.plugged_ ? s.active_endpoint(h->endpoint) : nullptr;
  if (e == nullptr || e->kind != EndpointKind::kIsochronous || (h->endpoint & 0x80) == 0) {
    status.status = usb_redir_inval;
    s.refuse("start_iso_stream on endpoint " + hex(h->endpoint) +
             ": not an isochronous IN endpoint of the current alternate settings");
  } else {
    std::erase_if(s.iso_, [&](const IsoStream& i) { return i.endpoint == h->endpoint; });
    s.iso_.push_back({h->endpoint, Clock::now(), 0, 0});
    s.observer_.iso_stream(h->endpoint, true);
  }
  usbredirparser_send_iso_stream_status(s.parser_, id, &status);
}

void RedirectionSession::stop_iso_stream_cb(void* priv, std::uint64_t id,
                                            usb_redir_stop_iso_stream_header* h) {
  RedirectionSession& s = session(priv);
  const auto removed =
      std::erase_if(s.iso_, [&](const IsoStream& i) { return i.endpoint == h->endpoint; });
  if (removed > 0) s.observer_.iso_stream(h->endpoint, false);
  usb_redir_iso_stream_status_header status{usb_redir_success, h->endpoint};
  usbredirparser_send_iso_stream_status(s.parser_, id, &status);
}

void RedirectionSession::start_interrupt_receiving_cb(
    void* priv, std::uint64_t id, usb_redir_start_interrupt_receiving_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_interrupt_receiving_status_header status{usb_redir_success, h->endpoint};
  const EndpointDescription* e = s.plugged_ ? s.active_endpoint(h->endpoint) : nullptr;
  if (e == nullptr || e->kind != EndpointKind::kInterrupt) {
    status.status = usb_redir_inval;
    s.refuse("start_interrupt_receiving on endpoint " + hex(h->endpoint) +
             ": not an interrupt IN endpoint of the current alternate settings");
  } else if (std::find(s.interrupt_receiving_.begin(), s.interrupt_receiving_.end(), h->endpoint) ==
             s.interrupt_receiving_.end()) {
    s.interrupt_receiving_.push_back(h->endpoint);
    s.observer_.interrupt_receiving(h->endpoint, true);
  }
  usbredirparser_send_interrupt_receiving_status(s.parser_, id, &status);
}

void RedirectionSession::stop_interrupt_receiving_cb(void* priv, std::uint64_t id,
                                                     usb_redir_stop_interrupt_receiving_header* h) {
  RedirectionSession& s = session(priv);
  if (std::erase(s.interrupt_receiving_, h->endpoint) > 0)
    s.observer_.interrupt_receiving(h->endpoint, false);
  usb_redir_interrupt_receiving_status_header status{usb_redir_success, h->endpoint};
  usbredirparser_send_interrupt_receiving_status(s.parser_, id, &status);
}

void RedirectionSession::alloc_bulk_streams_cb(void* priv, std::uint64_t id,
                                               usb_redir_alloc_bulk_streams_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_bulk_streams_status_header status{h->endpoints, 0, usb_redir_inval};
  s.refuse("alloc_bulk_streams: the device has no bulk streams (SuperSpeed only)");
  usbredirparser_send_bulk_streams_status(s.parser_, id, &status);
}

void RedirectionSession::free_bulk_streams_cb(void* priv, std::uint64_t id,
                                              usb_redir_free_bulk_streams_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_bulk_streams_status_header status{h->endpoints, 0, usb_redir_inval};
  s.refuse("free_bulk_streams: the device has no bulk streams");
  usbredirparser_send_bulk_streams_status(s.parser_, id, &status);
}

void RedirectionSession::start_bulk_receiving_cb(void* priv, std::uint64_t id,
                                                 usb_redir_start_bulk_receiving_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_bulk_receiving_status_header status{h->stream_id, h->endpoint, usb_redir_inval};
  s.refuse("start_bulk_receiving: not offered (no bulk_receiving capability)");
  usbredirparser_send_bulk_receiving_status(s.parser_, id, &status);
}

void RedirectionSession::stop_bulk_receiving_cb(void* priv, std::uint64_t id,
                                                usb_redir_stop_bulk_receiving_header* h) {
  RedirectionSession& s = session(priv);
  usb_redir_bulk_receiving_status_header status{h->stream_id, h->endpoint, usb_redir_success};
  usbredirparser_send_bulk_receiving_status(s.parser_, id, &status);
}

// --- data ---

void RedirectionSession::cancel_data_packet_cb(void* priv, std::uint64_t id) {
  RedirectionSession& s = session(priv);
  const auto it = std::find_if(s.bulk_.begin(), s.bulk_.end(),
                               [id](const BulkRequest& r) { return r.id == id; });
  if (it == s.bulk_.end()) return;  // already answered: the guest has its packet
  usb_redir_bulk_packet_header h{};
  h.endpoint = it->endpoint;
  h.status = usb_redir_cancelled;
  usbredirparser_send_bulk_packet(s.parser_, id, &h, nullptr, 0);
  s.observer_.bulk_cancelled(it->endpoint);
  s.bulk_.erase(it);
}

void RedirectionSession::control_packet_cb(void* priv, std::uint64_t id,
                                           usb_redir_control_packet_header* h, std::uint8_t* data,
                                           int data_len) {
  RedirectionSession& s = session(priv);
  usb_redir_control_packet_header reply = *h;
  const bool in = (h->requesttype & 0x80) != 0;
  const std::span<const std::uint8_t> out(data, data != nullptr ? std::size_t(data_len) : 0);
  if (!s.plugged_) {
    reply.status = usb_redir_ioerror;
    reply.length = 0;
    usbredirparser_send_control_packet(s.parser_, id, &reply, nullptr, 0);
  } else {
    const SetupPacket setup{h->requesttype, h->request, h->value, h->index, h->length};
    s.buffer_.resize(std::min<std::size_t>(h->length, kMaxControlData));
    const ControlOutcome outcome = s.device_.control(
        setup, out, in ? std::span<std::uint8_t>(s.buffer_) : std::span<std::uint8_t>());
    reply.status = outcome.stalled() ? usb_redir_stall : usb_redir_success;
    const std::size_t returned = in && !outcome.stalled() ? outcome.length : 0;
    reply.length = static_cast<std::uint16_t>(in ? returned : (outcome.stalled() ? 0 : h->length));
    usbredirparser_send_control_packet(s.parser_, id, &reply, in ? s.buffer_.data() : nullptr,
                                       static_cast<int>(returned));
    s.observer_.control(setup, outcome, out,
                        std::span<const std::uint8_t>(s.buffer_.data(), returned));
  }
  if (data != nullptr) usbredirparser_free_packet_data(s.parser_, data);
}

void RedirectionSession::bulk_packet_cb(void* priv, std::uint64_t id,
                                        usb_redir_bulk_packet_header* h, std::uint8_t* data,
                                        int /*data_len*/) {
  RedirectionSession& s = session(priv);
  if (data != nullptr) usbredirparser_free_packet_data(s.parser_, data);
  const std::uint32_t length = (std::uint32_t{h->length_high} << 16) | h->length;
  const EndpointDescription* e = s.plugged_ ? s.active_endpoint(h->endpoint) : nullptr;
  if (e == nullptr || e->kind != EndpointKind::kBulk || (h->endpoint & 0x80) == 0) {
    usb_redir_bulk_packet_header reply = *h;
    reply.status = s.plugged_ ? usb_redir_inval : usb_redir_cancelled;
    reply.length = 0;
    reply.length_high = 0;
    usbredirparser_send_bulk_packet(s.parser_, id, &reply, nullptr, 0);
    if (s.plugged_)
      s.refuse("bulk transfer on endpoint " + hex(h->endpoint) +
               ": not a bulk IN endpoint of the current alternate settings");
    return;
  }
  s.bulk_.push_back({id, h->endpoint, length, Clock::now()});
  s.observer_.bulk_requested(h->endpoint, length);
}

void RedirectionSession::iso_packet_cb(void* priv, std::uint64_t /*id*/,
                                       usb_redir_iso_packet_header* h, std::uint8_t* data,
                                       int /*data_len*/) {
  RedirectionSession& s = session(priv);
  if (data != nullptr) usbredirparser_free_packet_data(s.parser_, data);
  s.refuse("isochronous OUT data on endpoint " + hex(h->endpoint) + ": the device has none");
}

void RedirectionSession::interrupt_packet_cb(void* priv, std::uint64_t id,
                                             usb_redir_interrupt_packet_header* h,
                                             std::uint8_t* data, int /*data_len*/) {
  RedirectionSession& s = session(priv);
  if (data != nullptr) usbredirparser_free_packet_data(s.parser_, data);
  usb_redir_interrupt_packet_header reply = *h;
  reply.status = usb_redir_inval;
  reply.length = 0;
  usbredirparser_send_interrupt_packet(s.parser_, id, &reply, nullptr, 0);
  s.refuse("interrupt OUT data on endpoint " + hex(h->endpoint) + ": the device has none");
}

// --- serving the device's data ---

std::chrono::nanoseconds RedirectionSession::service_interval(
    const EndpointDescription& endpoint) const {
  // Full speed counts bInterval in 1 ms frames; high speed and up in 125 us
  // microframes, 2^(bInterval - 1) of them.
  if (device_.speed() == device::uvc::UsbSpeed::kFull)
    return std::chrono::milliseconds(std::max<int>(1, endpoint.interval));
  const int exponent = std::clamp<int>(endpoint.interval, 1, 16) - 1;
  return std::chrono::microseconds(125) * (1 << exponent);
}

void RedirectionSession::unplug(Clock::time_point now) {
  stop_endpoints(std::nullopt);
  usbredirparser_send_device_disconnect(parser_);
  plugged_ = false;
  const std::optional<nanoseconds> after = device_.reconnect_after();
  if (after) replug_at_ = now + *after;
  observer_.device_disconnected(after);
}

void RedirectionSession::serve_bulk(Clock::time_point now) {
  while (plugged_ && !bulk_.empty()) {
    BulkRequest& request = bulk_.front();
    buffer_.resize(request.length);
    const TransferResult r = device_.bulk_in(request.endpoint, buffer_);
    if (r.end == TransferEnd::kNoData) return;
    if (r.end == TransferEnd::kDisconnected) {
      unplug(now);
      return;
    }
    usb_redir_bulk_packet_header h{};
    h.endpoint = request.endpoint;
    std::size_t bytes = 0;
    switch (r.end) {
      case TransferEnd::kCompleted:
        h.status = usb_redir_success;
        bytes = r.bytes;
        break;
      case TransferEnd::kError:  // lost on the bus: the host sees a failed transfer
        h.status = usb_redir_ioerror;
        break;
      case TransferEnd::kStalled:
        h.status = usb_redir_stall;
        break;
      case TransferEnd::kNoData:
      case TransferEnd::kDisconnected:
        break;
    }
    h.length = static_cast<std::uint16_t>(bytes & 0xffff);
    h.length_high = static_cast<std::uint16_t>(bytes >> 16);
    usbredirparser_send_bulk_packet(parser_, request.id, &h, buffer_.data(),
                                    static_cast<int>(bytes));
    observer_.bulk_answered(request.endpoint, r.end, bytes,
                            std::chrono::duration_cast<nanoseconds>(now - request.arrived));
    bulk_.pop_front();
  }
}

void RedirectionSession::serve_iso(IsoStream& stream, Clock::time_point now) {
  const EndpointDescription* e = active_endpoint(stream.endpoint);
  if (e == nullptr) return;
  const nanoseconds interval = service_interval(*e);
  // The packet of the current service interval is due as soon as it begins.
  const auto due = static_cast<std::uint64_t>((now - stream.start) / interval) + 1;
  if (due <= stream.packets_due_before) return;
  std::size_t count = static_cast<std::size_t>(due - stream.packets_due_before);
  std::size_t skipped = 0;
  if (usbredirparser_has_data_to_write(parser_) > static_cast<int>(options_.max_queued_messages)) {
    skipped = count;
    count = 0;
  } else if (count > options_.max_iso_burst) {
    skipped = count - options_.max_iso_burst;
    count = options_.max_iso_burst;
  }
  stream.packets_due_before = due;
  if (count == 0) {
    observer_.iso_sent(stream.endpoint, 0, 0, 0, skipped);
    return;
  }
  const std::uint32_t packet_bytes = e->bytes_per_interval();
  buffer_.resize(count * packet_bytes);
  iso_packets_.assign(count, IsoPacket{packet_bytes, 0, device::uvc::PacketStatus::kOk});
  const TransferResult r = device_.iso_in(stream.endpoint, iso_packets_, buffer_);
  if (r.end == TransferEnd::kDisconnected) {
    unplug(now);
    return;
  }
  if (r.end == TransferEnd::kStalled) {
    usb_redir_iso_stream_status_header status{usb_redir_stall, stream.endpoint};
    usbredirparser_send_iso_stream_status(parser_, 0, &status);
    return;
  }
  std::size_t bytes = 0;
  std::size_t errors = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const IsoPacket& p = iso_packets_[i];
    usb_redir_iso_packet_header h{};
    h.endpoint = stream.endpoint;
    const bool error = p.status != device::uvc::PacketStatus::kOk;
    h.status = error ? usb_redir_ioerror : usb_redir_success;
    h.length = static_cast<std::uint16_t>(error ? 0 : p.actual_length);
    usbredirparser_send_iso_packet(parser_, stream.next_id++, &h, buffer_.data() + i * packet_bytes,
                                   h.length);
    bytes += h.length;
    errors += error ? 1 : 0;
  }
  observer_.iso_sent(stream.endpoint, count, bytes, errors, skipped);
}

void RedirectionSession::serve_interrupts() {
  std::uint8_t data[kMaxInterruptPacket];
  for (const std::uint8_t endpoint : interrupt_receiving_) {
    for (int i = 0; i < 16; ++i) {
      const TransferResult r = device_.interrupt_in(endpoint, data);
      if (r.end != TransferEnd::kCompleted) break;
      usb_redir_interrupt_packet_header h{endpoint, usb_redir_success,
                                          static_cast<std::uint16_t>(r.bytes)};
      usbredirparser_send_interrupt_packet(parser_, 0, &h, data, static_cast<int>(r.bytes));
      observer_.interrupt_sent(endpoint, r.bytes);
    }
  }
}

std::optional<RedirectionSession::Clock::time_point> RedirectionSession::service(
    Clock::time_point now) {
  if (replug_at_ && now >= *replug_at_) {
    replug_at_.reset();
    device_.replug();
    announce_device(true);
  }
  if (!plugged_) return replug_at_;
  serve_bulk(now);
  for (std::size_t i = 0; plugged_ && i < iso_.size(); ++i)
    serve_iso(iso_[i], now);
  if (plugged_) serve_interrupts();
  if (!plugged_) return replug_at_;

  std::optional<Clock::time_point> next;
  const auto earliest = [&next](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
  if (!iso_.empty()) earliest(now + kIsoWake);
  if (!bulk_.empty() || !interrupt_receiving_.empty()) {
    // A bulk request waits for the device's next frame; never spin on it.
    if (const auto ready = device_.data_ready_at())
      earliest(std::max(*ready, now + std::chrono::microseconds(100)));
  }
  return next;
}

SessionEnd RedirectionSession::run(const std::atomic<bool>* stop,
                                   std::optional<Clock::time_point> deadline) {
  flush();  // our hello
  while (true) {
    if (peer_closed_) return SessionEnd::kPeerClosed;
    if (!io_error_.empty()) return SessionEnd::kIoError;
    if (stop != nullptr && stop->load()) return SessionEnd::kStopped;
    const Clock::time_point now = Clock::now();
    if (deadline && now >= *deadline) return SessionEnd::kDeadline;

    Clock::time_point wake = now + kIdleWake;
    if (hello_received_) {
      if (const auto next = service(now)) wake = std::min(wake, *next);
    }
    if (deadline) wake = std::min(wake, *deadline);
    flush();
    if (peer_closed_) return SessionEnd::kPeerClosed;
    if (!io_error_.empty()) return SessionEnd::kIoError;

    pollfd p{
        fd_,
        static_cast<short>(POLLIN | (usbredirparser_has_data_to_write(parser_) > 0 ? POLLOUT : 0)),
        0};
    const nanoseconds left = std::max(nanoseconds(0), wake - Clock::now());
    const timespec timeout{static_cast<time_t>(left.count() / 1'000'000'000),
                           static_cast<long>(left.count() % 1'000'000'000)};
    const int r = ::ppoll(&p, 1, &timeout, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      io_error_ = std::string("poll: ") + std::strerror(errno);
      return SessionEnd::kIoError;
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const int read = usbredirparser_do_read(parser_);
      if (read == usbredirparser_read_io_error) {
        if (peer_closed_) return SessionEnd::kPeerClosed;
        if (io_error_.empty()) io_error_ = "read failed";
        return SessionEnd::kIoError;
      }
      // usbredirparser_read_parse_error: the parser logged it and skipped the packet.
    }
  }
}

}  // namespace hilcap::bus
