#include "machine.h"

#include <fmt/format.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>
#include <strings.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "scenario/scenario_files.h"
#include "scenario/scenario_loader.h"

namespace hilcap::machine {
namespace {

constexpr char kDevicesVariable[] = "HILCAP_DEVICES";

std::int64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::vector<std::string> split_paths(const char* list) {
  std::vector<std::string> paths;
  if (list == nullptr) return paths;
  std::string_view rest(list);
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view path = rest.substr(0, colon);
    paths.emplace_back(path);  // empty entries keep their index, and load nothing
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return paths;
}

Machine* g_machine = nullptr;

// Loads a device's scenario. Its duration_s, required for `hilcap run`, does
// not apply here (the device runs as long as the process): a file without
// one loads as if it had one, everything else is checked as ever.
sim::LoadedScenario load_device_scenario(const std::string& path) {
  const sim::FileReader read = sim::disk_file_reader();
  std::string error;
  const std::optional<std::string> text = read(path, error);
  if (text) {
    nlohmann::json document = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (document.is_object() && !document.contains("duration_s")) {
      document["duration_s"] = 1;
      const std::filesystem::path file(path);
      return sim::parse_scenario(document.dump(), path, file.parent_path(), read);
    }
  }
  return sim::load_scenario(path, read);
}

void stop_machine_at_exit() {
  if (g_machine != nullptr) g_machine->stop();
}

}  // namespace

const std::vector<GUID>& device_categories() {
  static const std::vector<GUID> categories{KSCATEGORY_CAPTURE, KSCATEGORY_VIDEO,
                                            KSCATEGORY_VIDEO_CAMERA};
  return categories;
}

std::string guid_text(const GUID& guid) {
  return fmt::format("{{{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
                     guid.Data1, guid.Data2, guid.Data3, guid.Data4[0], guid.Data4[1],
                     guid.Data4[2], guid.Data4[3], guid.Data4[4], guid.Data4[5], guid.Data4[6],
                     guid.Data4[7]);
}

std::string Machine::instance_id(std::size_t device) {
  return fmt::format("ROOT\\HILCAP_SIM\\{:04}", device);
}

Machine& Machine::instance() {
  static std::once_flag built;
  std::call_once(built, [] {
    // Never destroyed: pins may hold its devices until the process ends.
    g_machine = new Machine();
    std::atexit(stop_machine_at_exit);
  });
  return *g_machine;
}

Machine::Machine() {
  const std::vector<std::string> paths = split_paths(std::getenv(kDevicesVariable));
  const std::int64_t epoch_ns = monotonic_ns();
  for (std::size_t index = 0; index < paths.size(); ++index) {
    devices_.emplace_back();
    if (paths[index].empty()) continue;
    sim::LoadedScenario loaded = load_device_scenario(paths[index]);
    std::vector<std::string> errors;
    for (const sim::ScenarioError& error : loaded.errors)
      errors.push_back(error.to_string());
    if (loaded.scenario) {
      SimulatedDevice::Created created = SimulatedDevice::create(*loaded.scenario, epoch_ns);
      devices_.back() = std::move(created.device);
      errors.insert(errors.end(), created.errors.begin(), created.errors.end());
    }
    for (const std::string& error : errors)
      std::fprintf(stderr, "hilcap-win32: %s: device %zu not present: %s\n", kDevicesVariable,
                   index, error.c_str());
    if (!devices_.back()) continue;
    for (const GUID& category : device_categories()) {
      interfaces_.push_back(
          {index, category,
           fmt::format("\\\\?\\root#hilcap_sim#{:04}#{}\\global", index, guid_text(category))});
    }
  }
}

const DeviceInterface* Machine::find(std::string_view path) const {
  for (const DeviceInterface& interface : interfaces_) {
    if (interface.path.size() == path.size() &&
        ::strncasecmp(interface.path.c_str(), path.data(), path.size()) == 0) {
      // A removed device's interfaces are gone, as PnP deletes their links.
      return devices_[interface.device]->present() ? &interface : nullptr;
    }
  }
  return nullptr;
}

HANDLE Machine::open(std::string_view path) const {
  const DeviceInterface* interface = find(path);
  return interface ? devices_[interface->device]->open_filter() : nullptr;
}

void Machine::stop() {
  for (const auto& device : devices_) {
    if (device) device->stop();
  }
}

}  // namespace hilcap::machine
