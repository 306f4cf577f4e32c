// Where a usbredir connection goes: "unix:PATH" or "tcp:HOST:PORT", and the
// stream socket it gives, listening (accept one peer) or connecting. QEMU's
// `-chardev socket,path=PATH` connects to a listening side; with
// `server=on` QEMU listens and hilcap connects.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace hilcap::bus {

struct UnixAddress {
  std::string path;
};
struct TcpAddress {
  std::string host;
  std::string port;
};

class SocketAddress {
 public:
  // "unix:PATH" or "tcp:HOST:PORT" (HOST may be a bracketed IPv6 address);
  // otherwise what is wrong, in words.
  static std::variant<SocketAddress, std::string> parse(const std::string& text);

  std::string to_string() const;
  bool is_unix() const { return std::holds_alternative<UnixAddress>(address_); }

  // A connected stream socket (non-blocking, close-on-exec), or an error in
  // `error`. listen_and_accept() removes a stale unix socket file first and
  // removes the one it made once a peer connected. Both give up when `stop`
  // is set or the deadline passes (connect retries until then: the peer may
  // not be listening yet).
  int listen_and_accept(const std::atomic<bool>* stop,
                        std::optional<std::chrono::steady_clock::time_point> deadline,
                        std::string& error) const;
  int connect_to(const std::atomic<bool>* stop,
                 std::optional<std::chrono::steady_clock::time_point> deadline,
                 std::string& error) const;

 private:
  explicit SocketAddress(std::variant<UnixAddress, TcpAddress> address)
      : address_(std::move(address)) {}
  std::variant<UnixAddress, TcpAddress> address_;
};

}  // namespace hilcap::bus
