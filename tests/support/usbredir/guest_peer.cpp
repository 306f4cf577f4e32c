#include "guest_peer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hilcap::testing {

namespace {

GuestPeer& peer(void* priv) {
  return *static_cast<GuestPeer*>(priv);
}

std::vector<std::uint8_t> take(usbredirparser* parser, std::uint8_t* data, int length) {
  std::vector<std::uint8_t> out;
  if (data != nullptr) {
    out.assign(data, data + length);
    usbredirparser_free_packet_data(parser, data);
  }
  return out;
}

}  // namespace

GuestPeer::GuestPeer(int fd) : fd_(fd), parser_(usbredirparser_create()) {
  parser_->priv = this;
  parser_->log_func = [](void*, int, const char*) {};
  parser_->read_func = [](void* priv, std::uint8_t* data, int count) -> int {
    GuestPeer& p = peer(priv);
    const ssize_t r = ::read(p.fd_, data, static_cast<std::size_t>(count));
    if (r > 0) return static_cast<int>(r);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    p.closed_ = true;
    return -1;
  };
  parser_->write_func = [](void* priv, std::uint8_t* data, int count) -> int {
    GuestPeer& p = peer(priv);
    const ssize_t r = ::send(p.fd_, data, static_cast<std::size_t>(count), MSG_NOSIGNAL);
    if (r >= 0) return static_cast<int>(r);
    if (errno == EAGAIN || errno == EINTR) return 0;
    p.closed_ = true;
    return -1;
  };
  parser_->hello_func = [](void* priv, usb_redir_hello_header*) {
    peer(priv).add({.type = "hello"});
  };
  parser_->device_connect_func = [](void* priv, usb_redir_device_connect_header* h) {
    GuestMessage m{.type = "device_connect"};
    m.device_connect = *h;
    peer(priv).add(m);
  };
  parser_->device_disconnect_func = [](void* priv) {
    peer(priv).add({.type = "device_disconnect"});
  };
  parser_->ep_info_func = [](void* priv, usb_redir_ep_info_header* h) {
    GuestMessage m{.type = "ep_info"};
    m.ep_info = *h;
    peer(priv).add(m);
  };
  parser_->interface_info_func = [](void* priv, usb_redir_interface_info_header* h) {
    GuestMessage m{.type = "interface_info"};
    m.interface_info = *h;
    peer(priv).add(m);
  };
  parser_->configuration_status_func = [](void* priv, std::uint64_t id,
                                          usb_redir_configuration_status_header* h) {
    peer(priv).add({.type = "configuration_status",
                    .id = id,
                    .status = h->status,
                    .configuration = h->configuration});
  };
  parser_->alt_setting_status_func = [](void* priv, std::uint64_t id,
                                        usb_redir_alt_setting_status_header* h) {
    peer(priv).add({.type = "alt_status",
                    .id = id,
                    .status = h->status,
                    .interface = h->interface,
                    .alt = h->alt});
  };
  parser_->iso_stream_status_func = [](void* priv, std::uint64_t id,
                                       usb_redir_iso_stream_status_header* h) {
    peer(priv).add({.type = "iso_status", .id = id, .status = h->status, .endpoint = h->endpoint});
  };
  parser_->interrupt_receiving_status_func = [](void* priv, std::uint64_t id,
                                                usb_redir_interrupt_receiving_status_header* h) {
    peer(priv).add(
        {.type = "interrupt_status", .id = id, .status = h->status, .endpoint = h->endpoint});
  };
  parser_->bulk_streams_status_func = [](void*, std::uint64_t,
                                         usb_redir_bulk_streams_status_header*) {};
  parser_->bulk_receiving_status_func = [](void*, std::uint64_t,
                                           usb_redir_bulk_receiving_status_header*) {};
  parser_->control_packet_func = [](void* priv, std::uint64_t id,
                                    usb_redir_control_packet_header* h, std::uint8_t* data,
                                    int length) {
    GuestPeer& p = peer(priv);
    p.add({.type = "control",
           .id = id,
           .status = h->status,
           .endpoint = h->endpoint,
           .data = take(p.parser_, data, length)});
  };
  parser_->bulk_packet_func = [](void* priv, std::uint64_t id, usb_redir_bulk_packet_header* h,
                                 std::uint8_t* data, int length) {
    GuestPeer& p = peer(priv);
    p.add({.type = "bulk",
           .id = id,
           .status = h->status,
           .endpoint = h->endpoint,
           .data = take(p.parser_, data, length)});
  };
  parser_->iso_packet_func = [](void* priv, std::uint64_t id, usb_redir_iso_packet_header* h,
                                std::uint8_t* data, int length) {
    GuestPeer& p = peer(priv);
    p.add({.type = "iso",
           .id = id,
           .status = h->status,
           .endpoint = h->endpoint,
           .data = take(p.parser_, data, length)});
  };
  parser_->interrupt_packet_func = [](void* priv, std::uint64_t id,
                                      usb_redir_interrupt_packet_header* h, std::uint8_t* data,
                                      int length) {
    GuestPeer& p = peer(priv);
    p.add({.type = "interrupt",
           .id = id,
           .status = h->status,
           .endpoint = h->endpoint,
           .data = take(p.parser_, data, length)});
  };
  parser_->buffered_bulk_packet_func =
      [](void* priv, std::uint64_t, usb_redir_buffered_bulk_packet_header*, std::uint8_t* data,
         int) { usbredirparser_free_packet_data(peer(priv).parser_, data); };
  parser_->filter_reject_func = [](void*) {};
  parser_->filter_filter_func = [](void*, usbredirfilter_rule* rules, int) { std::free(rules); };
  parser_->device_disconnect_ack_func = [](void*) {};
  parser_->start_bulk_receiving_func = [](void*, std::uint64_t,
                                          usb_redir_start_bulk_receiving_header*) {};
  parser_->stop_bulk_receiving_func = [](void*, std::uint64_t,
                                         usb_redir_stop_bulk_receiving_header*) {};
  // Requests only a usb-host receives: never delivered to a usb-guest.
  parser_->reset_func = [](void*) {};
  parser_->set_configuration_func = [](void*, std::uint64_t, usb_redir_set_configuration_header*) {
  };
  parser_->get_configuration_func = [](void*, std::uint64_t) {};
  parser_->set_alt_setting_func = [](void*, std::uint64_t, usb_redir_set_alt_setting_header*) {};
  parser_->get_alt_setting_func = [](void*, std::uint64_t, usb_redir_get_alt_setting_header*) {};
  parser_->start_iso_stream_func = [](void*, std::uint64_t, usb_redir_start_iso_stream_header*) {};
  parser_->stop_iso_stream_func = [](void*, std::uint64_t, usb_redir_stop_iso_stream_header*) {};
  parser_->start_interrupt_receiving_func = [](void*, std::uint64_t,
                                               usb_redir_start_interrupt_receiving_header*) {};
  parser_->stop_interrupt_receiving_func = [](void*, std::uint64_t,
                                              usb_redir_stop_interrupt_receiving_header*) {};
  parser_->alloc_bulk_streams_func = [](void*, std::uint64_t,
                                        usb_redir_alloc_bulk_streams_header*) {};
  parser_->free_bulk_streams_func = [](void*, std::uint64_t, usb_redir_free_bulk_streams_header*) {
  };
  parser_->cancel_data_packet_func = [](void*, std::uint64_t) {};

  // What QEMU 7.2 advertises.
  std::uint32_t caps[USB_REDIR_CAPS_SIZE] = {};
  usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
  usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
  usbredirparser_init(parser_, "hilcap test usb-guest", caps, USB_REDIR_CAPS_SIZE, 0);
  flush();
}

GuestPeer::~GuestPeer() {
  usbredirparser_destroy(parser_);
  if (fd_ >= 0) ::close(fd_);
}

void GuestPeer::flush() {
  while (!closed_ && usbredirparser_has_data_to_write(parser_) > 0) {
    if (usbredirparser_do_write(parser_) < 0) return;
    if (usbredirparser_has_data_to_write(parser_) > 0) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 100);
    }
  }
}

bool GuestPeer::pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (closed_ || std::chrono::steady_clock::now() >= until) return done();
    flush();
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 10) > 0 && usbredirparser_do_read(parser_) == usbredirparser_read_io_error)
      closed_ = true;
  }
  return true;
}

int GuestPeer::find(const std::string& type, std::size_t from) const {
  for (std::size_t i = from; i < messages.size(); ++i)
    if (messages[i].type == type) return static_cast<int>(i);
  return -1;
}

const GuestMessage* GuestPeer::last(const std::string& type, std::uint64_t id) const {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->type == type && (id == UINT64_MAX || it->id == id)) return &*it;
  return nullptr;
}

bool GuestPeer::pump_until_message(const std::string& type, std::uint64_t id,
                                   std::chrono::milliseconds timeout) {
  return pump_until([&] { return last(type, id) != nullptr; }, timeout);
}

void GuestPeer::control(std::uint64_t id, std::uint8_t request_type, std::uint8_t request,
                        std::uint16_t value, std::uint16_t index, std::uint16_t length,
                        std::vector<std::uint8_t> out) {
  usb_redir_control_packet_header h{};
  h.endpoint = request_type & 0x80;
  h.request = request;
  h.requesttype = request_type;
  h.value = value;
  h.index = index;
  h.length = length;
  usbredirparser_send_control_packet(parser_, id, &h, out.empty() ? nullptr : out.data(),
                                     static_cast<int>(out.size()));
  flush();
}

void GuestPeer::bulk_in(std::uint64_t id, std::uint8_t endpoint, std::uint32_t length) {
  usb_redir_bulk_packet_header h{};
  h.endpoint = endpoint;
  h.length = static_cast<std::uint16_t>(length & 0xffff);
  h.length_high = static_cast<std::uint16_t>(length >> 16);
  usbredirparser_send_bulk_packet(parser_, id, &h, nullptr, 0);
  flush();
}

void GuestPeer::cancel(std::uint64_t id) {
  usbredirparser_send_cancel_data_packet(parser_, id);
  flush();
}

void GuestPeer::set_configuration(std::uint64_t id, std::uint8_t configuration) {
  usb_redir_set_configuration_header h{configuration};
  usbredirparser_send_set_configuration(parser_, id, &h);
  flush();
}

void GuestPeer::set_alt_setting(std::uint64_t id, std::uint8_t interface, std::uint8_t alt) {
  usb_redir_set_alt_setting_header h{interface, alt};
  usbredirparser_send_set_alt_setting(parser_, id, &h);
  flush();
}

void GuestPeer::get_alt_setting(std::uint64_t id, std::uint8_t interface) {
  usb_redir_get_alt_setting_header h{interface};
  usbredirparser_send_get_alt_setting(parser_, id, &h);
  flush();
}

void GuestPeer::start_iso_stream(std::uint64_t id, std::uint8_t endpoint) {
  usb_redir_start_iso_stream_header h{endpoint, 32, 15};
  usbredirparser_send_start_iso_stream(parser_, id, &h);
  flush();
}

void GuestPeer::stop_iso_stream(std::uint64_t id, std::uint8_t endpoint) {
  usb_redir_stop_iso_stream_header h{endpoint};
  usbredirparser_send_stop_iso_stream(parser_, id, &h);
  flush();
}

void GuestPeer::start_interrupt_receiving(std::uint64_t id, std::uint8_t endpoint) {
  usb_redir_start_interrupt_receiving_header h{endpoint};
  usbredirparser_send_start_interrupt_receiving(parser_, id, &h);
  flush();
}

void GuestPeer::reset() {
  usbredirparser_send_reset(parser_);
  flush();
}

void GuestPeer::write_raw(std::span<const std::uint8_t> bytes) {
  flush();
  if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) closed_ = true;
}

void GuestPeer::close() {
  flush();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  closed_ = true;
}

}  // namespace hilcap::testing
