// A USB device behind a umockdev testbed, answering the usbdevfs ioctls that
// libusb's Linux backend issues on /dev/bus/usb/BBB/DDD: capabilities,
// claim/release, DISCONNECT_CLAIM (auto-detach), GETDRIVER and USBDEVFS_IOCTL
// (kernel driver detach/attach), SETINTERFACE, CLEAR_HALT, RESET, and
// SUBMITURB/DISCARDURB/REAPURB(NDELAY) for control, bulk and isochronous
// URBs, several in flight. The device's answers come from a UsbDeviceModel.
//
// As in the kernel, URBs and interface claims belong to the open file (one
// umockdev client per open); closing it drops them. The ioctls arrive on
// umockdev's worker thread; the test drives the device (unplug, hold) from its
// own thread. One mutex serialises both, and the model is only ever called
// under it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "configuration_layout.h"
#include "mock_testbed.h"
#include "usb_device_description.h"
#include "usb_device_model.h"

namespace hilcap::testing {

class FakeUsbDevice {
 public:
  struct Stats {
    unsigned long ioctls = 0;
    unsigned long submitted = 0;
    unsigned long reaped = 0;
    unsigned long discarded = 0;
    unsigned long rejected_submits = 0;
    unsigned long control_stalls = 0;
    unsigned long unknown_ioctls = 0;
    unsigned long set_interface = 0;
  };

  // `descriptors`: the device descriptor followed by the configuration.
  FakeUsbDevice(MockTestbed& testbed, UsbDeviceModel& model, std::vector<std::uint8_t> descriptors,
                UsbSpeed speed, UsbBusAddress address = {});
  ~FakeUsbDevice();
  FakeUsbDevice(const FakeUsbDevice&) = delete;
  FakeUsbDevice& operator=(const FakeUsbDevice&) = delete;

  // Adds the device to the testbed (an "add" uevent: libusb sees a hotplug
  // arrival) and starts answering on its node. False with `error` set when
  // umockdev refuses.
  bool plug(std::string& error);
  // The device drops off the bus, as the kernel reports it: URBs in flight
  // complete with -ESHUTDOWN, every later ioctl but REAPURB fails with ENODEV
  // (REAPURB too once the completed URBs are reaped), and a "remove" uevent.
  void unplug();
  // While held, no URB on a data endpoint completes (control transfers still
  // do): transfers stay in flight until released, discarded or unplugged.
  void hold_transfers(bool hold);
  // A kernel driver (e.g. "uvcvideo") bound to an interface: claiming it
  // fails with EBUSY until the driver is detached.
  void bind_kernel_driver(std::uint8_t interface, std::string driver);
  // Every later SETINTERFACE to a non-zero alternate setting fails with
  // `error` (0: accepted again). ENOSPC is the host controller's answer when
  // the bus lacks the bandwidth (xHCI).
  void fail_alt_settings(int error);

  // URBs submitted and not completed, over the files open on the node.
  std::size_t transfers_in_flight();
  Stats stats() const;
  const UsbNodePaths& paths() const { return paths_; }
  // Runs f with the model quiet (no ioctl being answered).
  template <class F>
  decltype(auto) with_model(F&& f) {
    std::lock_guard lock(mu_);
    return f(model_);
  }

 private:
  struct Urb {
    UMockdevIoctlData* urb = nullptr;     // owned reference
    UMockdevIoctlData* buffer = nullptr;  // child of urb
  };
  // What one open file of the device node holds.
  struct OpenFile {
    std::deque<Urb> pending;
    std::deque<Urb> completed;  // discarded or killed, waiting for REAPURB
    std::set<std::uint8_t> claimed;
  };
  struct KernelDriver {
    std::string name;
    bool bound = false;
  };

  // umockdev's worker can still hand over an ioctl after detach_ioctl() has
  // returned (a client that had the node open), so the signal points at this
  // gate, never at the device: the destructor closes it, after any answer
  // under way, and ioctls that come later fail with ENODEV.
  struct IoctlGate;
  static gboolean on_ioctl_cb(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer gate);
  static void free_gate(gpointer gate, GClosure*);
  OpenFile& file_of(UMockdevIoctlClient* client);
  void sweep_closed_files();
  // Closing the node frees its URBs and releases its interfaces, as the kernel does.
  void close_file(UMockdevIoctlClient* client);
  void on_ioctl(UMockdevIoctlClient* client);
  int answer(OpenFile& file, gulong request, UMockdevIoctlData* arg);
  int submit(OpenFile& file, UMockdevIoctlData* arg);
  void reap(UMockdevIoctlClient* client, OpenFile& file, UMockdevIoctlData* arg);
  int discard(OpenFile& file, UMockdevIoctlData* arg);
  int set_interface(OpenFile& file, UMockdevIoctlData* arg);
  int claim(OpenFile& file, std::uint8_t interface);
  int disconnect_claim(OpenFile& file, UMockdevIoctlData* arg);
  int driver_ioctl(UMockdevIoctlData* arg);
  int get_driver(UMockdevIoctlData* arg);
  bool claimed_elsewhere(const OpenFile& file, std::uint8_t interface) const;

  // Completes a URB if the device has something to say; false leaves it pending.
  bool try_complete(Urb& urb);
  void complete_control(Urb& urb);
  // Ends every URB on the given endpoints (all, when empty) with `status`.
  void kill_urbs(int status, const std::vector<std::uint8_t>& endpoints);
  std::vector<std::uint8_t> endpoints_of(std::uint8_t interface) const;
  void disconnect_locked();
  void announce_removal();
  std::optional<std::uint8_t> interface_of_endpoint(std::uint8_t endpoint) const;

  MockTestbed& testbed_;
  UsbDeviceModel& model_;
  std::vector<std::uint8_t> descriptors_;
  UsbSpeed speed_;
  UsbBusAddress address_;
  UsbNodePaths paths_;
  ConfigurationLayout layout_;
  UMockdevIoctlBase* handler_;
  IoctlGate* gate_;  // freed with handler_'s signal connection (free_gate)
  bool attached_ = false;
  bool removal_announced_ = false;
  // glib hands each ioctl to umockdev's worker thread through futexes that
  // ThreadSanitizer cannot see; this release (plug) / acquire (on_ioctl) pair
  // shows it that everything built before plug() happens before the answers.
  std::atomic<bool> published_{false};

  mutable std::mutex mu_;
  std::map<UMockdevIoctlClient*, OpenFile> files_;  // each client referenced
  std::map<std::uint8_t, std::uint8_t> alt_settings_;
  std::set<std::uint8_t> halted_;  // by a STALL, until CLEAR_HALT
  std::map<std::uint8_t, KernelDriver> drivers_;
  bool connected_ = false;
  bool hold_ = false;
  int alt_setting_error_ = 0;
  Stats stats_;
};

}  // namespace hilcap::testing
