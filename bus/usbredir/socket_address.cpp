#include "socket_address.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace hilcap::bus {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRetryEvery = std::chrono::milliseconds(50);

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

bool give_up(const std::atomic<bool>* stop, std::optional<Clock::time_point> deadline) {
  return (stop != nullptr && stop->load()) || (deadline && Clock::now() >= *deadline);
}

// Milliseconds to wait in one poll: until the deadline, at most kRetryEvery.
int wait_ms(std::optional<Clock::time_point> deadline) {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kRetryEvery);
  if (deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
    wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
  }
  return static_cast<int>(wait.count());
}

void make_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

bool unix_sockaddr(const std::string& path, sockaddr_un& address, std::string& error) {
  address = {};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    error = "unix socket path must be 1 to " + std::to_string(sizeof(address.sun_path) - 1) +
            " bytes: \"" + path + "\"";
    return false;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

struct AddrInfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoFree>;

AddrInfo resolve(const TcpAddress& tcp, bool passive, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* found = nullptr;
  const int r =
      getaddrinfo(tcp.host.empty() ? nullptr : tcp.host.c_str(), tcp.port.c_str(), &hints, &found);
  if (r != 0) {
    error = "cannot resolve " + tcp.host + ":" + tcp.port + ": " + gai_strerror(r);
    return nullptr;
  }
  return AddrInfo(found);
}

// A process listens on the unix socket bound at `path` (/proc/net/unix: a
// socket with __SO_ACCEPTCON set). Connecting to find out would take that
// process's one peer.
bool unix_socket_listening(const std::string& path) {
  std::ifstream table("/proc/net/unix");
  std::string line;
  std::getline(table, line);  // the column names
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, references, protocol, flags, type, state, inode, bound;
    if (!(fields >> slot >> references >> protocol >> flags >> type >> state >> inode >> bound))
      continue;
    if (bound == path && (std::stoul(flags, nullptr, 16) & 0x10000) != 0) return true;
  }
  return false;
}

// Waits for a peer on the listening socket; the connected socket or -1.
int accept_one(int listener, const std::atomic<bool>* stop,
               std::optional<Clock::time_point> deadline, std::string& error) {
  while (!give_up(stop, deadline)) {
    pollfd p{listener, POLLIN, 0};
    const int r = poll(&p, 1, wait_ms(deadline));
    if (r < 0 && errno != EINTR) {
      error = errno_text("poll");
      return -1;
    }
    if (r <= 0) continue;
    const int fd = accept(listener, nullptr, nullptr);
    if (fd >= 0) return fd;
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
      error = errno_text("accept");
      return -1;
    }
  }
  error = stop != nullptr && stop->load() ? "interrupted while waiting for a peer"
                                          : "no peer connected before the deadline";
  return -1;
}

}  // namespace

std::variant<SocketAddress, std::string> SocketAddress::parse(const std::string& text) {
  const std::string expected = "expected unix:PATH or tcp:HOST:PORT, found \"" + text + "\"";
  if (text.rfind("unix:", 0) == 0) {
    const std::string path = text.substr(5);
    if (path.empty()) return expected;
    return SocketAddress(UnixAddress{path});
  }
  if (text.rfind("tcp:", 0) == 0) {
    std::string rest = text.substr(4);
    std::string host;
    std::size_t colon;
    if (!rest.empty() && rest.front() == '[') {  // [::1]:4000
      const std::size_t close = rest.find(']');
      if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
        return expected;
      host = rest.substr(1, close - 1);
      colon = close + 1;
    } else {
      colon = rest.rfind(':');
      if (colon == std::string::npos) return expected;
      host = rest.substr(0, colon);
    }
    const std::string port = rest.substr(colon + 1);
    if (host.empty() || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
      return expected;
    return SocketAddress(TcpAddress{host, port});
  }
  return expected;
}

std::string SocketAddress::to_string() const {
  if (const auto* u = std::get_if<UnixAddress>(&address_)) return "unix:" + u->path;
  const auto& t = std::get<TcpAddress>(address_);
  return "tcp:" + (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" +
         t.port;
}

int SocketAddress::listen_and_accept(const std::atomic<bool>* stop,
                                     std::optional<Clock::time_point> deadline,
                                     std::string& error) const {
  int listener = -1;
  std::string unix_path;
  if (const auto* u = std::get_if<UnixAddress>(&address_)) {
    sockaddr_un address;
    if (!unix_sockaddr(u->path, address, error)) return -1;
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) {
      error = errno_text("socket");
      return -1;
    }
    // A socket file left by an earlier run would make bind fail; one that a
    // process still listens on is not ours to take.
    struct stat st {};
    if (lstat(u->path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      if (unix_socket_listening(u->path)) {
        error = u->path + ": another process is listening on it";
        close(listener);
        return -1;
      }
      unlink(u->path.c_str());
    }
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      error = errno_text(("bind " + u->path).c_str());
      close(listener);
      return -1;
    }
    unix_path = u->path;
  } else {
    const AddrInfo found = resolve(std::get<TcpAddress>(address_), true, error);
    if (!found) return -1;
    for (addrinfo* a = found.get(); a != nullptr && listener < 0; a = a->ai_next) {
      listener = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (listener < 0) continue;
      const int on = 1;
      setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
      if (bind(listener, a->ai_addr, a->ai_addrlen) != 0) {
        error = errno_text(("bind " + to_string()).c_str());
        close(listener);
        listener = -1;
      }
    }
    if (listener < 0) {
      if (error.empty()) error = errno_text("socket");
      return -1;
    }
  }
  if (listen(listener, 1) != 0) {
    error = errno_text("listen");
    close(listener);
    if (!unix_path.empty()) unlink(unix_path.c_str());
    return -1;
  }
  make_nonblocking(listener);
  const int fd = accept_one(listener, stop, deadline, error);
  close(listener);
  if (!unix_path.empty()) unlink(unix_path.c_str());
  if (fd >= 0) make_nonblocking(fd);
  return fd;
}

int SocketAddress::connect_to(const std::atomic<bool>* stop,
                              std::optional<Clock::time_point> deadline, std::string& error) const {
  while (true) {
    int fd = -1;
    if (const auto* u = std::get_if<UnixAddress>(&address_)) {
      sockaddr_un address;
      if (!unix_sockaddr(u->path, address, error)) return -1;
      fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        error = errno_text(("connect " + u->path).c_str());
        close(fd);
        fd = -1;
      }
    } else {
      const AddrInfo found = resolve(std::get<TcpAddress>(address_), false, error);
      if (!found) return -1;
      for (addrinfo* a = found.get(); a != nullptr && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
          error = errno_text(("connect " + to_string()).c_str());
          close(fd);
          fd = -1;
        }
      }
      if (fd >= 0) {
        const int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      }
    }
    if (fd >= 0) {
      make_nonblocking(fd);
      error.clear();
      return fd;
    }
    if (give_up(stop, deadline)) return -1;
    std::this_thread::sleep_for(kRetryEvery);
  }
}

}  // namespace hilcap::bus
