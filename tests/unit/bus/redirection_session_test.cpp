#include "redirection_session.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "fake_device.h"
#include "guest_peer.h"

namespace hilcap::bus {
namespace {

using testing::GuestMessage;
using testing::GuestPeer;
using namespace std::chrono_literals;

class Recorder final : public RedirectionObserver {
 public:
  void protocol_error(const std::string& what) override { errors.push_back(what); }
  void request_refused(const std::string& what) override { refused.push_back(what); }
  std::vector<std::string> errors, refused;
};

// A session on one end of a socket pair, run on its own thread; the test is
// the usb-guest on the other end.
class Session : public ::testing::Test {
 protected:
  void start(bool iso = false) {
    device_ = std::make_unique<test::FakeDevice>(iso);
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    session_ = std::make_unique<RedirectionSession>(fds[0], *device_, recorder_);
    thread_ = std::thread([this] { end_ = session_->run(&stop_, std::nullopt); });
    guest_ = std::make_unique<GuestPeer>(fds[1]);
    ASSERT_TRUE(guest_->pump_until_message("device_connect"));
  }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void TearDown() override { finish(); }

  std::unique_ptr<test::FakeDevice> device_;
  Recorder recorder_;
  std::unique_ptr<RedirectionSession> session_;
  std::atomic<bool> stop_{false};
  SessionEnd end_ = SessionEnd::kIoError;
  std::thread thread_;
  std::unique_ptr<GuestPeer> guest_;
};

// Guards the announcement QEMU needs: after the hello, ep_info, then
// interface_info, then device_connect with the device descriptor's ids,
// class and version, at the device's speed.
TEST_F(Session, AnnouncesTheDeviceInOrder) {
  start();
  const int ep = guest_->find("ep_info"), intf = guest_->find("interface_info"),
            connect = guest_->find("device_connect");
  ASSERT_GE(ep, 0);
  EXPECT_LT(ep, intf);
  EXPECT_LT(intf, connect);
  const usb_redir_device_connect_header& c = guest_->messages[connect].device_connect;
  EXPECT_EQ(c.speed, usb_redir_speed_high);
  EXPECT_EQ(c.vendor_id, 0x1209);
  EXPECT_EQ(c.product_id, 0x0001);
  EXPECT_EQ(c.device_version_bcd, 0x0102);
  EXPECT_EQ(c.device_class, 0xEF);
  const usb_redir_interface_info_header& i = guest_->messages[intf].interface_info;
  ASSERT_EQ(i.interface_count, 2u);
  EXPECT_EQ(i.interface_class[0], 0x0E);
  EXPECT_EQ(i.interface_subclass[1], 0x02);
  const usb_redir_ep_info_header& e = guest_->messages[ep].ep_info;
  EXPECT_EQ(e.type[0], usb_redir_type_control);
  EXPECT_EQ(e.type[16 + 1], usb_redir_type_bulk);  // 0x81
  EXPECT_EQ(e.max_packet_size[16 + 1], 512);
  EXPECT_EQ(e.interface[16 + 1], 1);
  EXPECT_EQ(e.type[16 + 2], usb_redir_type_interrupt);  // 0x82, the status endpoint
  EXPECT_NE(e.interval[16 + 2], 0);  // QEMU refuses an interrupt endpoint without one
}

// Guards control transfers: IN answered with the device's bytes (at most
// wLength), OUT data handed to the device, a STALL reported as stall.
TEST_F(Session, ControlTransfers) {
  start();
  guest_->control(1, 0x80, 0x06, 0x0100, 0, 64);  // GET_DESCRIPTOR(device)
  guest_->control(2, 0x21, 0x01, 0x0100, 0x0001, 3, {1, 2, 3});
  ASSERT_TRUE(guest_->pump_until_message("control", 2));
  {
    std::lock_guard lock(device_->mutex);
    EXPECT_EQ(device_->last_out, (std::vector<std::uint8_t>{1, 2, 3}));
  }
  guest_->control(3, 0xA1, 0xff, 0, 0, 8);
  ASSERT_TRUE(guest_->pump_until_message("control", 3));
  const GuestMessage* descriptor = guest_->last("control", 1);
  EXPECT_EQ(descriptor->status, usb_redir_success);
  ASSERT_EQ(descriptor->data.size(), 18u);
  EXPECT_EQ(descriptor->data[1], 0x01);
  EXPECT_EQ(guest_->last("control", 2)->status, usb_redir_success);
  EXPECT_EQ(guest_->last("control", 3)->status, usb_redir_stall);
  finish();
  EXPECT_NE(std::find(device_->calls.begin(), device_->calls.end(), "control 21 01 0100"),
            device_->calls.end());
}

// Guards QEMU's 4096-byte control buffer: a longer wLength gets at most 4096 bytes.
TEST_F(Session, ControlAnswersAtMost4096Bytes) {
  start();
  guest_->control(1, 0xC0, 0x01, 0, 0, 10000);  // vendor IN
  ASSERT_TRUE(guest_->pump_until_message("control", 1));
  EXPECT_EQ(guest_->last("control", 1)->data.size(), 4096u);
}

// Guards SET_INTERFACE: the device is told, the new endpoints are announced
// before the status; an alternate setting the descriptors lack is refused.
TEST_F(Session, AlternateSettings) {
  start(true);
  const std::size_t before = guest_->messages.size();
  guest_->set_alt_setting(7, 1, 2);
  ASSERT_TRUE(guest_->pump_until_message("alt_status", 7));
  const int ep = guest_->find("ep_info", before);
  const int status = guest_->find("alt_status", before);
  ASSERT_GE(ep, 0);
  EXPECT_LT(ep, status);
  EXPECT_EQ(guest_->messages[status].status, usb_redir_success);
  const usb_redir_ep_info_header& e = guest_->messages[ep].ep_info;
  EXPECT_EQ(e.type[16 + 1], usb_redir_type_iso);
  EXPECT_EQ(e.max_packet_size[16 + 1],
            3 * 1024);  // bytes per microframe, as usbredir's host sends it
  guest_->set_alt_setting(8, 1, 9);
  ASSERT_TRUE(guest_->pump_until_message("alt_status", 8));
  EXPECT_EQ(guest_->last("alt_status", 8)->status, usb_redir_inval);
  guest_->get_alt_setting(9, 1);
  ASSERT_TRUE(guest_->pump_until_message("alt_status", 9));
  EXPECT_EQ(guest_->last("alt_status", 9)->alt, 2);
  finish();
  EXPECT_EQ(std::count(device_->calls.begin(), device_->calls.end(), "set_interface 1 2"), 1);
  EXPECT_EQ(recorder_.refused.size(), 1u);
}

// Guards bulk pacing: a request with no data waits (the device paces frames,
// not the host), requests are answered in order once data comes, and a
// pending request cancelled by the host ends with status cancelled.
TEST_F(Session, BulkRequestsWaitForDataAndCanBeCancelled) {
  start();
  guest_->bulk_in(10, 0x81, 16384);
  guest_->bulk_in(11, 0x81, 16384);
  guest_->bulk_in(12, 0x81, 16384);
  EXPECT_FALSE(guest_->pump_until_message("bulk", UINT64_MAX, 100ms));
  {
    std::lock_guard lock(device_->mutex);
    device_->bulk_answers.push_back({TransferEnd::kCompleted, 16384});
    device_->bulk_answers.push_back({TransferEnd::kCompleted, 700});
  }
  ASSERT_TRUE(guest_->pump_until_message("bulk", 11));
  EXPECT_EQ(guest_->last("bulk", 10)->data.size(), 16384u);
  EXPECT_EQ(guest_->last("bulk", 11)->data.size(), 700u);
  const auto index_of = [&](std::uint64_t id) {
    return std::find_if(guest_->messages.begin(), guest_->messages.end(),
                        [id](const GuestMessage& m) { return m.type == "bulk" && m.id == id; }) -
           guest_->messages.begin();
  };
  EXPECT_LT(index_of(10), index_of(11));  // in the order they were asked for
  guest_->cancel(12);
  guest_->cancel(99);  // unknown (already answered): nothing to send
  ASSERT_TRUE(guest_->pump_until_message("bulk", 12));
  EXPECT_EQ(guest_->last("bulk", 12)->status, usb_redir_cancelled);
  EXPECT_EQ(guest_->last("bulk", 99), nullptr);
}

// Guards the error statuses of a bulk transfer: STALL for a halted endpoint,
// an I/O error for a payload lost on the bus, inval for an endpoint the
// current alternate settings lack.
TEST_F(Session, BulkErrors) {
  start();
  {
    std::lock_guard lock(device_->mutex);
    device_->bulk_answers.push_back({TransferEnd::kStalled, 0});
    device_->bulk_answers.push_back({TransferEnd::kError, 300});
  }
  guest_->bulk_in(1, 0x81, 512);
  guest_->bulk_in(2, 0x81, 512);
  guest_->bulk_in(3, 0x83, 512);
  ASSERT_TRUE(guest_->pump_until_message("bulk", 3));
  ASSERT_TRUE(guest_->pump_until_message("bulk", 2));
  EXPECT_EQ(guest_->last("bulk", 1)->status, usb_redir_stall);
  EXPECT_EQ(guest_->last("bulk", 2)->status, usb_redir_ioerror);
  EXPECT_TRUE(guest_->last("bulk", 2)->data.empty());
  EXPECT_EQ(guest_->last("bulk", 3)->status, usb_redir_inval);
}

// Guards isochronous streams: started by the guest, packets then flow
// unsolicited from the device; a stream on a non-isochronous endpoint is refused.
TEST_F(Session, IsochronousStream) {
  start(true);
  guest_->start_iso_stream(1, 0x81);  // alternate setting 0 has no endpoint
  ASSERT_TRUE(guest_->pump_until_message("iso_status", 1));
  EXPECT_EQ(guest_->last("iso_status", 1)->status, usb_redir_inval);
  guest_->set_alt_setting(2, 1, 1);
  guest_->start_iso_stream(3, 0x81);
  ASSERT_TRUE(guest_->pump_until_message("iso_status", 3));
  EXPECT_EQ(guest_->last("iso_status", 3)->status, usb_redir_success);
  ASSERT_TRUE(guest_->pump_until([&] {
    return std::count_if(guest_->messages.begin(), guest_->messages.end(),
                         [](const GuestMessage& m) { return m.type == "iso"; }) >= 40;
  }));
  const GuestMessage* packet = guest_->last("iso");
  EXPECT_EQ(packet->endpoint, 0x81);
  EXPECT_EQ(packet->data.size(), 100u);
  EXPECT_EQ(packet->data[0], 0x5a);
  guest_->stop_iso_stream(4, 0x81);
  ASSERT_TRUE(guest_->pump_until_message("iso_status", 4));
}

// Guards unplugging: a device gone in the middle of a stream is announced
// with device_disconnect, and when it says so it comes back: endpoints and
// interfaces announced again, then device_connect.
TEST_F(Session, DisconnectAndReconnect) {
  start(true);
  device_->reconnect_after_ = 20ms;
  guest_->set_alt_setting(1, 1, 1);
  guest_->bulk_in(5, 0x83, 64);  // refused: not an endpoint of the device
  device_->disconnect_iso = true;
  guest_->start_iso_stream(2, 0x81);
  ASSERT_TRUE(guest_->pump_until_message("device_disconnect"));
  const int gone = guest_->find("device_disconnect");
  device_->disconnect_iso = false;
  ASSERT_TRUE(guest_->pump_until([&] { return guest_->find("device_connect", gone) >= 0; }));
  const int back = guest_->find("device_connect", gone);
  EXPECT_GT(back, guest_->find("interface_info", gone));
  EXPECT_GT(guest_->find("interface_info", gone), guest_->find("ep_info", gone));
  finish();
  EXPECT_NE(std::find(device_->calls.begin(), device_->calls.end(), "replug"),
            device_->calls.end());
}

// Guards robustness: a message the parser cannot take is logged and dropped;
// the session goes on answering.
TEST_F(Session, MalformedMessageIsLoggedNotFatal) {
  start();
  // A header (type, length, 64-bit id) of a type no usbredir version has.
  const std::uint8_t garbage[16] = {0x0f, 0x27, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  guest_->write_raw(garbage);
  guest_->control(1, 0x80, 0x06, 0x0100, 0, 18);
  ASSERT_TRUE(guest_->pump_until_message("control", 1));
  finish();
  ASSERT_FALSE(recorder_.errors.empty());
  EXPECT_NE(recorder_.errors[0].find("invalid"), std::string::npos) << recorder_.errors[0];
}

// Guards the ends of a session: the peer closing the connection ends it
// cleanly (QEMU quitting), as does the stop flag (Ctrl-C).
TEST_F(Session, EndsWhenThePeerCloses) {
  start();
  guest_->close();
  thread_.join();
  EXPECT_EQ(end_, SessionEnd::kPeerClosed);
}

TEST_F(Session, EndsWhenStopped) {
  start();
  finish();
  EXPECT_EQ(end_, SessionEnd::kStopped);
}

// Guards the interrupt endpoint: receiving starts on the VideoControl status
// endpoint and is refused elsewhere.
TEST_F(Session, InterruptReceiving) {
  start();
  guest_->start_interrupt_receiving(1, 0x82);
  guest_->start_interrupt_receiving(2, 0x85);
  ASSERT_TRUE(guest_->pump_until_message("interrupt_status", 2));
  EXPECT_EQ(guest_->last("interrupt_status", 1)->status, usb_redir_success);
  EXPECT_EQ(guest_->last("interrupt_status", 2)->status, usb_redir_inval);
}

}  // namespace
}  // namespace hilcap::bus
