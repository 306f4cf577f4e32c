#include "socket_address.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace hilcap::bus {
namespace {

// Guards the address forms of --listen and --connect, and the message for a bad one.
TEST(SocketAddress, Parses) {
  auto unix_address = SocketAddress::parse("unix:/tmp/cam.sock");
  ASSERT_TRUE(std::holds_alternative<SocketAddress>(unix_address));
  EXPECT_EQ(std::get<SocketAddress>(unix_address).to_string(), "unix:/tmp/cam.sock");
  EXPECT_TRUE(std::get<SocketAddress>(unix_address).is_unix());
  auto tcp = SocketAddress::parse("tcp:localhost:4000");
  ASSERT_TRUE(std::holds_alternative<SocketAddress>(tcp));
  EXPECT_EQ(std::get<SocketAddress>(tcp).to_string(), "tcp:localhost:4000");
  auto v6 = SocketAddress::parse("tcp:[::1]:4000");
  ASSERT_TRUE(std::holds_alternative<SocketAddress>(v6));
  EXPECT_EQ(std::get<SocketAddress>(v6).to_string(), "tcp:[::1]:4000");
  for (const char* bad : {"", "/tmp/x", "unix:", "tcp:4000", "tcp:host:", "tcp:host:99999",
                          "tcp:host:12345678901234567890", "udp:host:1"}) {
    const auto parsed = SocketAddress::parse(bad);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << bad;
    EXPECT_NE(std::get<std::string>(parsed).find("expected unix:PATH or tcp:HOST:PORT"),
              std::string::npos);
  }
}

// Guards listening on a unix socket: a stale socket file is replaced, a peer
// connects, and the socket file is gone once it has.
TEST(SocketAddress, ListenAcceptsOnePeer) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("hilcap-listen-" + std::to_string(getpid())))
          .string();
  const SocketAddress address = std::get<SocketAddress>(SocketAddress::parse("unix:" + path));
  int client = -1;
  std::thread peer([&] {
    std::string error;
    client = address.connect_to(nullptr, std::chrono::steady_clock::now() + std::chrono::seconds(5),
                                error);
  });
  std::string error;
  const int server = address.listen_and_accept(
      nullptr, std::chrono::steady_clock::now() + std::chrono::seconds(5), error);
  peer.join();
  EXPECT_GE(server, 0) << error;
  EXPECT_GE(client, 0);
  EXPECT_FALSE(std::filesystem::exists(path));
  close(server);
  close(client);
}

// Guards a unix socket that another process still listens on: not taken over.
TEST(SocketAddress, ListenRefusesASocketInUse) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("hilcap-busy-" + std::to_string(getpid())))
          .string();
  const SocketAddress address = std::get<SocketAddress>(SocketAddress::parse("unix:" + path));
  std::thread first([&] {
    std::string error;
    const int fd = address.listen_and_accept(
        nullptr, std::chrono::steady_clock::now() + std::chrono::milliseconds(500), error);
    if (fd >= 0) close(fd);
  });
  while (!std::filesystem::exists(path))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // bound, then listening
  std::string error;
  EXPECT_LT(address.listen_and_accept(nullptr, std::chrono::steady_clock::now(), error), 0);
  EXPECT_NE(error.find("another process is listening"), std::string::npos) << error;
  first.join();
}

// Guards giving up: nobody listening and a deadline passed is an error, not a hang.
TEST(SocketAddress, ConnectGivesUpAtTheDeadline) {
  const SocketAddress address =
      std::get<SocketAddress>(SocketAddress::parse("unix:/nonexistent/hilcap.sock"));
  std::string error;
  EXPECT_LT(address.connect_to(
                nullptr, std::chrono::steady_clock::now() + std::chrono::milliseconds(100), error),
            0);
  EXPECT_NE(error.find("/nonexistent/hilcap.sock"), std::string::npos);
}

}  // namespace
}  // namespace hilcap::bus
