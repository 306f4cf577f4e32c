// The simulated Windows machine of libhilcap-win32: its capture devices, one
// per scenario file named in HILCAP_DEVICES (colon-separated), each with
// three device interfaces (KSCATEGORY_CAPTURE, _VIDEO, _VIDEO_CAMERA, as
// avshws registers its filter), found through SetupDi* and opened with
// CreateFile (<hilcap/win32_devices.h>).
//
// Built on first use, once per process; never destroyed (clients may hold
// pins on its devices until the process ends), its device threads are stopped
// at exit. Threads: every member may be called from any thread.
#pragma once

#include <hilcap/ks.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "simulated_device.h"

namespace hilcap::machine {

struct DeviceInterface {
  std::size_t device = 0;  // index in Machine::devices()
  GUID category{};         // the interface class
  std::string path;        // \\?\root#hilcap_sim#NNNN#{category}\global
};

class Machine {
 public:
  // The process's machine, reading HILCAP_DEVICES the first time.
  static Machine& instance();

  // Devices are kept in HILCAP_DEVICES order; one whose scenario did not load
  // is null (its errors went to stderr).
  const std::vector<std::unique_ptr<SimulatedDevice>>& devices() const { return devices_; }
  const std::vector<DeviceInterface>& interfaces() const { return interfaces_; }
  // ROOT\HILCAP_SIM\NNNN.
  static std::string instance_id(std::size_t device);

  // CreateFile: a new filter handle for an interface path (compared without
  // regard to case); NULL when no present device has that path.
  HANDLE open(std::string_view path) const;
  // Whether a present device has that interface path.
  bool has_path(std::string_view path) const { return find(path) != nullptr; }

  // Ends every device's threads (at exit).
  void stop();

 private:
  Machine();
  const DeviceInterface* find(std::string_view path) const;

  std::vector<std::unique_ptr<SimulatedDevice>> devices_;
  std::vector<DeviceInterface> interfaces_;
};

// The interface classes a device registers, in the order they are listed.
const std::vector<GUID>& device_categories();

// "{65e8773d-8f56-11d0-a3b9-00a0c9223196}": lowercase, as in interface paths.
std::string guid_text(const GUID& guid);

}  // namespace hilcap::machine
