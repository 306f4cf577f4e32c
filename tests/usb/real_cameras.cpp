#include "real_cameras.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "fake_usb_device.h"

namespace hilcap::testing {

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The speed UsbTreeView recorded for the device; high speed when it does not say.
UsbSpeed recorded_speed(const fs::path& treeview) {
  std::ifstream in(treeview);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Device Bus Speed", 0) == 0)
      return line.find("Full-Speed") != std::string::npos ? UsbSpeed::kFull : UsbSpeed::kHigh;
  return UsbSpeed::kHigh;
}

}  // namespace

fs::path esp_usb_folder() {
  const char* realdata = std::getenv("HILCAP_REALDATA");
  return realdata ? fs::path(realdata) / "descriptors" / "esp-usb" : fs::path();
}

std::vector<RealCamera> load_real_cameras(const fs::path& folder) {
  std::vector<RealCamera> out;
  std::error_code ec;
  if (folder.empty()) return out;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".dev.bin";
    if (file.size() <= suffix.size() ||
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string stem = file.substr(0, file.size() - suffix.size());
    const fs::path cfg = folder / (stem + ".cfg.bin");
    if (!fs::exists(cfg)) continue;
    out.push_back({stem, read_file(entry.path()), read_file(cfg),
                   recorded_speed(folder / (stem + ".usbtreeview.txt"))});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

RealCameraRig::RealCameraRig() = default;
RealCameraRig::~RealCameraRig() = default;

bool RealCameraRig::plug(MockTestbed& testbed, const std::vector<RealCamera>& cameras,
                         std::string& error, int bus) {
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    const RealCamera& camera = cameras[i];
    device::uvc::DescriptorSet set;
    set.device = camera.device;
    set.configuration = camera.configuration;
    models_.push_back(std::make_unique<DescriptorOnlyModel>(set));
    Bytes sysfs = camera.device;
    sysfs.insert(sysfs.end(), camera.configuration.begin(), camera.configuration.end());
    devices_.push_back(
        std::make_unique<FakeUsbDevice>(testbed, *models_.back(), sysfs, camera.speed,
                                        UsbBusAddress{bus, static_cast<int>(2 + i)}));
    if (!devices_.back()->plug(error)) {
      error = camera.name + ": " + error;
      return false;
    }
  }
  return true;
}

}  // namespace hilcap::testing
