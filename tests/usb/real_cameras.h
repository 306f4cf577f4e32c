// Real cameras' descriptor sets (realdata/descriptors/esp-usb/*.dev.bin +
// *.cfg.bin, read in place) and fake devices that serve them raw on a
// testbed, one per address from 2 on, in name order.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "uvc_device_config.h"

namespace hilcap::testing {

// Kept out of this header: they bring glib, whose TRUE/FALSE must come after <hilcap/ks.h>.
class DescriptorOnlyModel;
class FakeUsbDevice;
class MockTestbed;
using device::uvc::UsbSpeed;

struct RealCamera {
  std::string name;  // the file stem, "logitech_c270"
  std::vector<std::uint8_t> device;
  std::vector<std::uint8_t> configuration;
  UsbSpeed speed;  // as UsbTreeView recorded it
};

// The esp-usb folder under $HILCAP_REALDATA (empty when the variable is unset).
std::filesystem::path esp_usb_folder();
// Every camera with both a device and a configuration descriptor, by name.
std::vector<RealCamera> load_real_cameras(const std::filesystem::path& folder);

// The cameras served raw (standard requests answered from their descriptors).
class RealCameraRig {
 public:
  RealCameraRig();
  ~RealCameraRig();
  RealCameraRig(const RealCameraRig&) = delete;
  RealCameraRig& operator=(const RealCameraRig&) = delete;

  // Plugs every camera; camera i gets address 2 + i on `bus`. False with
  // `error` set when the testbed refuses one.
  bool plug(MockTestbed& testbed, const std::vector<RealCamera>& cameras, std::string& error,
            int bus = 1);

 private:
  std::vector<std::unique_ptr<DescriptorOnlyModel>> models_;
  std::vector<std::unique_ptr<FakeUsbDevice>> devices_;
};

}  // namespace hilcap::testing
