#include "fake_usb_device.h"

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>

namespace hilcap::testing {

namespace {

constexpr std::size_t kUrbSize = sizeof(usbdevfs_urb);
constexpr std::size_t kIsoDescSize = sizeof(usbdevfs_iso_packet_desc);
constexpr std::size_t kSetupSize = 8;

// What the kernel's usbfs offers (USBDEVFS_CAP_*); with these libusb sends
// each bulk transfer as a single URB.
constexpr std::uint32_t kCapabilities =
    USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
    USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;

usbdevfs_urb* urb_of(UMockdevIoctlData* data) {
  return reinterpret_cast<usbdevfs_urb*>(data->data);
}

// umockdev_ioctl_data_resolve() returns a new reference (transfer full, see
// UMockdev-1.0.gir); the parent keeps one of its own until the ioctl's
// argument is released. Dropping ours was missed before: every resolved
// URB and its buffer stayed alive, about 34.5 KB per isochronous transfer.
struct DataUnref {
  void operator()(UMockdevIoctlData* data) const { g_object_unref(data); }
};
using ResolvedData = std::unique_ptr<UMockdevIoctlData, DataUnref>;

// The client memory `parent` points to at `offset`, `length` bytes of it;
// null when it cannot be read.
ResolvedData resolve(UMockdevIoctlData* parent, std::size_t offset, std::size_t length) {
  GError* err = nullptr;
  ResolvedData data(umockdev_ioctl_data_resolve(parent, offset, length, &err));
  g_clear_error(&err);
  return data;
}

// Resolves `arg`'s pointer (`client_pointer`, as the client passed it) again
// with another length. reload() forgets the children resolved so far; in
// umockdev 0.17 it also forgets to release the parent's reference to them (a
// Vala array resize), which is released here when reload() did not. `child`
// is the one child resolved before.
ResolvedData resolve_again(UMockdevIoctlData* arg, gulong client_pointer, ResolvedData child,
                           std::size_t length) {
  const guint references = G_OBJECT(child.get())->ref_count;  // ours and the parent's
  GError* err = nullptr;
  umockdev_ioctl_data_reload(arg, &err);
  g_clear_error(&err);
  if (G_OBJECT(child.get())->ref_count == references) g_object_unref(child.get());
  child.reset();
  // The argument has no client memory of its own, so reload() does not put
  // the client's pointer back in place of the resolved one: done by hand.
  *reinterpret_cast<gulong*>(arg->data) = client_pointer;
  return resolve(arg, 0, length);
}

void finish(UMockdevIoctlClient* client, int error) {
  umockdev_ioctl_client_complete(client, error == 0 ? 0 : -1, error);
}

// Sets a URB's outcome, its isochronous packets included.
void set_outcome(usbdevfs_urb* u, int status) {
  u->status = status;
  u->actual_length = 0;
  if (u->type != USBDEVFS_URB_TYPE_ISO) return;
  for (int i = 0; i < u->number_of_packets; ++i) {
    u->iso_frame_desc[i].actual_length = 0;
    u->iso_frame_desc[i].status = static_cast<unsigned int>(status);
  }
}

std::optional<EndpointType> endpoint_type_of(const usbdevfs_urb* u) {
  switch (u->type) {
    case USBDEVFS_URB_TYPE_ISO:
      return EndpointType::kIsochronous;
    case USBDEVFS_URB_TYPE_BULK:
      return EndpointType::kBulk;
    case USBDEVFS_URB_TYPE_INTERRUPT:
      return EndpointType::kInterrupt;
    default:
      return std::nullopt;
  }
}

}  // namespace

struct FakeUsbDevice::IoctlGate {
  std::mutex mu;                    // held while the device answers
  FakeUsbDevice* device = nullptr;  // null once the device is being destroyed
};

FakeUsbDevice::FakeUsbDevice(MockTestbed& testbed, UsbDeviceModel& model,
                             std::vector<std::uint8_t> descriptors, UsbSpeed speed,
                             UsbBusAddress address)
    : testbed_(testbed),
      model_(model),
      descriptors_(std::move(descriptors)),
      speed_(speed),
      address_(address),
      paths_(usb_node_paths(address)),
      layout_(ConfigurationLayout::parse(
          std::span(descriptors_).subspan(std::min<std::size_t>(18, descriptors_.size())))),
      handler_(umockdev_ioctl_base_new()),
      gate_(new IoctlGate{.device = this}) {
  g_signal_connect_data(handler_, "handle-ioctl", G_CALLBACK(&FakeUsbDevice::on_ioctl_cb), gate_,
                        &FakeUsbDevice::free_gate, GConnectFlags{});
}

FakeUsbDevice::~FakeUsbDevice() {
  {
    std::lock_guard closing(gate_->mu);  // after the answer under way, if any
    gate_->device = nullptr;
  }
  if (attached_) umockdev_testbed_detach_ioctl(testbed_.get(), paths_.devnode.c_str(), nullptr);
  std::lock_guard lock(mu_);
  while (!files_.empty())
    close_file(files_.begin()->first);
  g_object_unref(handler_);
}

FakeUsbDevice::OpenFile& FakeUsbDevice::file_of(UMockdevIoctlClient* client) {
  const auto found = files_.find(client);
  if (found != files_.end()) return found->second;
  g_object_ref(client);  // umockdev keeps one client per open of the node
  return files_[client];
}

// umockdev marks a client disconnected when its node is closed (its
// "connected" notification does not reach us in 0.17), so closed files are
// swept before answering anyone.
void FakeUsbDevice::sweep_closed_files() {
  for (auto it = files_.begin(); it != files_.end();) {
    const auto next = std::next(it);
    if (!umockdev_ioctl_client_get_connected(it->first)) close_file(it->first);
    it = next;
  }
}

void FakeUsbDevice::close_file(UMockdevIoctlClient* client) {
  const auto file = files_.find(client);
  for (const Urb& u : file->second.pending)
    g_object_unref(u.urb);
  for (const Urb& u : file->second.completed)
    g_object_unref(u.urb);
  files_.erase(file);
  g_object_unref(client);
}

bool FakeUsbDevice::plug(std::string& error) {
  const std::string description = umockdev_description(descriptors_, speed_, address_);
  if (description.empty()) {
    error = "descriptors too short for a device and a configuration descriptor";
    return false;
  }
  {
    std::lock_guard lock(mu_);
    connected_ = true;
    removal_announced_ = false;
    alt_settings_.clear();
    halted_.clear();
  }
  published_.store(true, std::memory_order_release);
  if (!testbed_.add_device(description, error)) return false;
  if (attached_) return true;
  GError* err = nullptr;
  if (!umockdev_testbed_attach_ioctl(testbed_.get(), paths_.devnode.c_str(), handler_, &err)) {
    error = err ? err->message : "umockdev_testbed_attach_ioctl failed";
    g_clear_error(&err);
    return false;
  }
  attached_ = true;
  return true;
}

void FakeUsbDevice::unplug() {
  {
    std::lock_guard lock(mu_);
    disconnect_locked();
    removal_announced_ = true;
  }
  announce_removal();
}

// The kernel sends "remove" and the device's sysfs and /dev entries vanish:
// later enumerations no longer list it.
void FakeUsbDevice::announce_removal() {
  testbed_.uevent(paths_.sysfs, "remove");
  testbed_.remove_device(paths_.sysfs);
}

void FakeUsbDevice::disconnect_locked() {
  connected_ = false;
  kill_urbs(-ESHUTDOWN, {});
}

void FakeUsbDevice::hold_transfers(bool hold) {
  std::lock_guard lock(mu_);
  hold_ = hold;
}

void FakeUsbDevice::bind_kernel_driver(std::uint8_t interface, std::string driver) {
  std::lock_guard lock(mu_);
  drivers_[interface] = {std::move(driver), true};
}

void FakeUsbDevice::fail_alt_settings(int error) {
  std::lock_guard lock(mu_);
  alt_setting_error_ = error;
}

std::size_t FakeUsbDevice::transfers_in_flight() {
  std::lock_guard lock(mu_);
  sweep_closed_files();
  std::size_t n = 0;
  for (const auto& [client, file] : files_)
    n += file.pending.size();
  return n;
}

FakeUsbDevice::Stats FakeUsbDevice::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

gboolean FakeUsbDevice::on_ioctl_cb(UMockdevIoctlBase*, UMockdevIoctlClient* client,
                                    gpointer gate) {
  IoctlGate& g = *static_cast<IoctlGate*>(gate);
  std::lock_guard open(g.mu);
  if (g.device == nullptr) {
    finish(client, ENODEV);  // the device is gone
    return TRUE;
  }
  g.device->on_ioctl(client);
  return TRUE;
}

void FakeUsbDevice::free_gate(gpointer gate, GClosure*) {
  delete static_cast<IoctlGate*>(gate);
}

void FakeUsbDevice::on_ioctl(UMockdevIoctlClient* client) {
  published_.load(std::memory_order_acquire);
  bool removal = false;
  {
    std::lock_guard lock(mu_);
    const gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    sweep_closed_files();
    OpenFile& file = file_of(client);
    ++stats_.ioctls;
    if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) {
      // Reaping works after a disconnect too, until every URB is collected.
      // libusb only reaps without delay; a blocking reap is answered the same way.
      reap(client, file, arg);
    } else {
      finish(client, connected_ ? answer(file, request, arg) : ENODEV);
    }
    removal = !connected_ && !removal_announced_;
    removal_announced_ = removal_announced_ || removal;
  }
  // The model pulled the plug (a disconnect fault) while answering.
  if (removal) announce_removal();
}

// Answers a request other than REAPURB; returns 0 or the errno.
int FakeUsbDevice::answer(OpenFile& file, gulong request, UMockdevIoctlData* arg) {
  switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
      const ResolvedData caps = resolve(arg, 0, sizeof(std::uint32_t));
      if (!caps) return EFAULT;
      std::memcpy(caps->data, &kCapabilities, sizeof kCapabilities);
      return 0;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_CLEAR_HALT: {
      const ResolvedData d = resolve(arg, 0, sizeof(unsigned int));
      if (!d) return EFAULT;
      const auto number = static_cast<std::uint8_t>(*reinterpret_cast<unsigned int*>(d->data));
      if (request == USBDEVFS_CLAIMINTERFACE) return claim(file, number);
      if (request == USBDEVFS_RELEASEINTERFACE) return file.claimed.erase(number) ? 0 : EINVAL;
      halted_.erase(number);
      model_.clear_halt(number);
      return 0;
    }
    case USBDEVFS_DISCONNECT_CLAIM:
      return disconnect_claim(file, arg);
    case USBDEVFS_GETDRIVER:
      return get_driver(arg);
    case USBDEVFS_IOCTL:
      return driver_ioctl(arg);
    case USBDEVFS_SETINTERFACE:
      return set_interface(file, arg);
    case USBDEVFS_RESETEP:
      return 0;
    case USBDEVFS_RESET:
      // A bus reset: endpoints flushed, every interface back to alternate setting 0.
      kill_urbs(-ESHUTDOWN, {});
      alt_settings_.clear();
      halted_.clear();
      model_.reset();
      return 0;
    case USBDEVFS_SUBMITURB:
      return submit(file, arg);
    case USBDEVFS_DISCARDURB:
      return discard(file, arg);
    default:
      ++stats_.unknown_ioctls;
      return ENOTTY;
  }
}

bool FakeUsbDevice::claimed_elsewhere(const OpenFile& file, std::uint8_t interface) const {
  return std::any_of(files_.begin(), files_.end(), [&](const auto& other) {
    return &other.second != &file && other.second.claimed.count(interface) != 0;
  });
}

int FakeUsbDevice::claim(OpenFile& file, std::uint8_t interface) {
  if (!layout_.has_interface(interface)) return ENOENT;
  const auto driver = drivers_.find(interface);
  if ((driver != drivers_.end() && driver->second.bound) || claimed_elsewhere(file, interface))
    return EBUSY;
  file.claimed.insert(interface);
  return 0;
}

int FakeUsbDevice::disconnect_claim(OpenFile& file, UMockdevIoctlData* arg) {
  const ResolvedData d = resolve(arg, 0, sizeof(usbdevfs_disconnect_claim));
  if (!d) return EFAULT;
  const auto* dc = reinterpret_cast<const usbdevfs_disconnect_claim*>(d->data);
  const auto interface = static_cast<std::uint8_t>(dc->interface);
  if (!layout_.has_interface(interface)) return EINVAL;
  const auto driver = drivers_.find(interface);
  if (driver != drivers_.end() && driver->second.bound) {
    const bool named =
        std::strncmp(driver->second.name.c_str(), dc->driver, sizeof dc->driver) == 0;
    if ((dc->flags & USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER) && !named) return EBUSY;
    if ((dc->flags & USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER) && named) return EBUSY;
    driver->second.bound = false;
  }
  return claim(file, interface);
}

int FakeUsbDevice::get_driver(UMockdevIoctlData* arg) {
  const ResolvedData d = resolve(arg, 0, sizeof(usbdevfs_getdriver));
  if (!d) return EFAULT;
  auto* gd = reinterpret_cast<usbdevfs_getdriver*>(d->data);
  const auto driver = drivers_.find(static_cast<std::uint8_t>(gd->interface));
  if (driver == drivers_.end() || !driver->second.bound) return ENODATA;
  std::memset(gd->driver, 0, sizeof gd->driver);
  std::strncpy(gd->driver, driver->second.name.c_str(), sizeof gd->driver - 1);
  return 0;
}

// USBDEVFS_IOCTL carries USBDEVFS_DISCONNECT (detach the kernel driver) and
// USBDEVFS_CONNECT (let it bind again).
int FakeUsbDevice::driver_ioctl(UMockdevIoctlData* arg) {
  const ResolvedData d = resolve(arg, 0, sizeof(usbdevfs_ioctl));
  if (!d) return EFAULT;
  const auto* io = reinterpret_cast<const usbdevfs_ioctl*>(d->data);
  const auto interface = static_cast<std::uint8_t>(io->ifno);
  const auto driver = drivers_.find(interface);
  const bool bound = driver != drivers_.end() && driver->second.bound;
  if (io->ioctl_code == static_cast<int>(USBDEVFS_DISCONNECT)) {
    if (!bound) return ENODATA;
    driver->second.bound = false;
    return 0;
  }
  if (io->ioctl_code == static_cast<int>(USBDEVFS_CONNECT)) {
    const bool claimed = std::any_of(files_.begin(), files_.end(), [&](const auto& f) {
      return f.second.claimed.count(interface) != 0;
    });
    if (claimed) return EBUSY;
    if (driver != drivers_.end()) driver->second.bound = true;
    return 0;
  }
  return ENOTTY;
}

int FakeUsbDevice::set_interface(OpenFile& file, UMockdevIoctlData* arg) {
  const ResolvedData d = resolve(arg, 0, sizeof(usbdevfs_setinterface));
  if (!d) return EFAULT;
  const auto* si = reinterpret_cast<const usbdevfs_setinterface*>(d->data);
  const auto interface = static_cast<std::uint8_t>(si->interface);
  const auto alt = static_cast<std::uint8_t>(si->altsetting);
  if (!layout_.has_alt_setting(interface, alt)) return EINVAL;
  if (alt != 0 && alt_setting_error_ != 0) return alt_setting_error_;
  // usbfs claims the interface on first use, as the kernel does.
  if (const int claimed = claim(file, interface); claimed != 0) return claimed;
  // Changing the alternate setting disables the old one's endpoints, which
  // flushes their URBs.
  const std::vector<std::uint8_t> endpoints = endpoints_of(interface);
  kill_urbs(-ESHUTDOWN, endpoints);
  for (const std::uint8_t ep : endpoints)
    halted_.erase(ep);
  if (!model_.set_interface(interface, alt)) return EINVAL;
  alt_settings_[interface] = alt;
  ++stats_.set_interface;
  return 0;
}

std::vector<std::uint8_t> FakeUsbDevice::endpoints_of(std::uint8_t interface) const {
  const auto alt = alt_settings_.find(interface);
  std::vector<std::uint8_t> out;
  for (const EndpointInfo& e :
       layout_.endpoints(interface, alt == alt_settings_.end() ? 0 : alt->second))
    out.push_back(e.address);
  return out;
}

std::optional<std::uint8_t> FakeUsbDevice::interface_of_endpoint(std::uint8_t endpoint) const {
  for (const std::uint8_t interface : layout_.interfaces()) {
    const auto alt = alt_settings_.find(interface);
    if (layout_.endpoint(interface, alt == alt_settings_.end() ? 0 : alt->second, endpoint))
      return interface;
  }
  return std::nullopt;
}

void FakeUsbDevice::kill_urbs(int status, const std::vector<std::uint8_t>& endpoints) {
  for (auto& [client, file] : files_) {
    for (auto it = file.pending.begin(); it != file.pending.end();) {
      usbdevfs_urb* u = urb_of(it->urb);
      const bool hit = endpoints.empty() || (u->type != USBDEVFS_URB_TYPE_CONTROL &&
                                             std::find(endpoints.begin(), endpoints.end(),
                                                       u->endpoint) != endpoints.end());
      if (!hit) {
        ++it;
        continue;
      }
      set_outcome(u, status);
      file.completed.push_back(*it);
      it = file.pending.erase(it);
    }
  }
}

int FakeUsbDevice::submit(OpenFile& file, UMockdevIoctlData* arg) {
  const gulong client_pointer = *reinterpret_cast<gulong*>(arg->data);
  ResolvedData urb = resolve(arg, 0, kUrbSize);
  if (!urb) return EFAULT;
  usbdevfs_urb* u = urb_of(urb.get());
  if (u->type == USBDEVFS_URB_TYPE_ISO && u->number_of_packets > 0) {
    // The packet descriptors trail the URB: resolve it again with them.
    const auto packets = static_cast<std::size_t>(u->number_of_packets);
    urb = resolve_again(arg, client_pointer, std::move(urb), kUrbSize + packets * kIsoDescSize);
    if (!urb) return EFAULT;
    u = urb_of(urb.get());
  }

  if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
    if ((u->endpoint & 0x7f) != 0 || u->buffer_length < static_cast<int>(kSetupSize)) return EINVAL;
  } else {
    const std::optional<EndpointType> type = endpoint_type_of(u);
    const std::optional<std::uint8_t> interface = interface_of_endpoint(u->endpoint);
    if (!type || !interface) {
      ++stats_.rejected_submits;
      return ENOENT;  // not an endpoint of the current alternate settings
    }
    const auto alt = alt_settings_.find(*interface);
    const auto endpoint =
        layout_.endpoint(*interface, alt == alt_settings_.end() ? 0 : alt->second, u->endpoint);
    if (endpoint->type != *type) {
      ++stats_.rejected_submits;
      return EINVAL;
    }
    if (const int claimed = claim(file, *interface); claimed != 0) return claimed;
  }

  // The buffer stays alive as the URB's child; the URB by the reference kept.
  UMockdevIoctlData* buffer = nullptr;
  if (u->buffer_length > 0) {
    buffer = resolve(urb.get(), offsetof(usbdevfs_urb, buffer),
                     static_cast<std::size_t>(u->buffer_length))
                 .get();
    if (!buffer) return EFAULT;
  }
  if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
    const auto length = static_cast<std::uint16_t>(buffer->data[6] | buffer->data[7] << 8);
    if (kSetupSize + length > static_cast<std::size_t>(u->buffer_length)) return EINVAL;
  }
  file.pending.push_back({urb.release(), buffer});
  ++stats_.submitted;
  return 0;
}

int FakeUsbDevice::discard(OpenFile& file, UMockdevIoctlData* arg) {
  const gulong address = *reinterpret_cast<gulong*>(arg->data);
  const auto it = std::find_if(file.pending.begin(), file.pending.end(),
                               [&](const Urb& u) { return u.urb->client_addr == address; });
  if (it == file.pending.end()) return EINVAL;  // already completed: the caller reaps it
  set_outcome(urb_of(it->urb), -ENOENT);
  file.completed.push_back(*it);
  file.pending.erase(it);
  ++stats_.discarded;
  return 0;
}

void FakeUsbDevice::reap(UMockdevIoctlClient* client, OpenFile& file, UMockdevIoctlData* arg) {
  if (file.completed.empty()) {
    for (auto it = file.pending.begin(); it != file.pending.end(); ++it) {
      if (!try_complete(*it)) continue;
      if (!connected_) break;  // the model disconnected: every URB is now completed
      file.completed.push_back(*it);
      file.pending.erase(it);
      break;
    }
  }
  if (file.completed.empty()) {
    finish(client, connected_ ? EAGAIN : ENODEV);
    return;
  }
  const Urb done = file.completed.front();
  file.completed.pop_front();
  // The argument points to a `void *` that receives the client's URB address.
  const ResolvedData slot = resolve(arg, 0, sizeof(gpointer));
  if (!slot) {
    g_object_unref(done.urb);
    finish(client, EFAULT);
    return;
  }
  umockdev_ioctl_data_set_ptr(slot.get(), 0, done.urb);
  finish(client, 0);
  g_object_unref(done.urb);  // the slot holds its own reference
  ++stats_.reaped;
}

bool FakeUsbDevice::try_complete(Urb& urb) {
  usbdevfs_urb* u = urb_of(urb.urb);
  if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
    complete_control(urb);
    return true;
  }
  if (hold_ || (u->endpoint & 0x80) == 0) return false;  // the device never takes OUT data
  if (halted_.count(u->endpoint)) {
    set_outcome(u, -EPIPE);
    return true;
  }
  const std::span<std::uint8_t> buffer =
      urb.buffer
          ? std::span<std::uint8_t>(urb.buffer->data, static_cast<std::size_t>(u->buffer_length))
          : std::span<std::uint8_t>();
  TransferResult result;
  std::vector<IsoPacket> packets;
  if (u->type == USBDEVFS_URB_TYPE_ISO) {
    for (int i = 0; i < u->number_of_packets; ++i)
      packets.push_back({u->iso_frame_desc[i].length});
    result = model_.iso_in(u->endpoint, packets, buffer);
  } else {
    result = model_.bulk_in(u->endpoint, buffer);
  }
  switch (result.end) {
    case TransferEnd::kNoData:
      return false;
    case TransferEnd::kDisconnected:
      disconnect_locked();
      return true;
    case TransferEnd::kStalled:
      halted_.insert(u->endpoint);
      set_outcome(u, -EPIPE);
      return true;
    case TransferEnd::kError:
    case TransferEnd::kCompleted:
      break;
  }
  u->status = result.end == TransferEnd::kError ? -EPROTO : 0;
  u->actual_length = static_cast<int>(result.bytes);
  u->error_count = 0;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const bool failed = packets[i].status == device::uvc::PacketStatus::kError;
    u->iso_frame_desc[i].actual_length = packets[i].actual_length;
    u->iso_frame_desc[i].status = failed ? static_cast<unsigned int>(-EPROTO) : 0;
    if (failed) ++u->error_count;
  }
  return true;
}

void FakeUsbDevice::complete_control(Urb& urb) {
  usbdevfs_urb* u = urb_of(urb.urb);
  const std::span<std::uint8_t> bytes(urb.buffer->data, static_cast<std::size_t>(u->buffer_length));
  const SetupPacket setup = SetupPacket::parse(bytes.first<kSetupSize>());
  const std::span<std::uint8_t> data = bytes.subspan(kSetupSize, setup.length);
  const ControlOutcome outcome =
      setup.device_to_host() ? model_.control(setup, {}, data) : model_.control(setup, data, {});
  if (outcome.stalled()) {
    ++stats_.control_stalls;
    set_outcome(u, -EPIPE);
    return;
  }
  u->status = 0;
  u->actual_length = static_cast<int>(outcome.length);
}

}  // namespace hilcap::testing
