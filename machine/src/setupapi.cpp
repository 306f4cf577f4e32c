// The SetupDi calls of <hilcap/win32_devices.h> over the simulated machine's
// devices: a device information set is a snapshot of the devices that
// matched SetupDiGetClassDevs, named by an HDEVINFO until
// SetupDiDestroyDeviceInfoList. The argument checks and error codes follow
// Windows as Wine's conformance tests record it (devinst.c).
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>
#include <hilcap/win32_devices.h>
#include <strings.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "machine.h"
#include "wide_text.h"

extern "C" const GUID GUID_DEVCLASS_CAMERA = {
    0xca3e7ab9L, 0xb4c3, 0x4ae6, {0x82, 0x51, 0x57, 0x9e, 0xf9, 0x33, 0x89, 0x0f}};

namespace hilcap::machine {
namespace {

constexpr DWORD kKnownFlags =
    DIGCF_DEFAULT | DIGCF_PRESENT | DIGCF_ALLCLASSES | DIGCF_PROFILE | DIGCF_DEVICEINTERFACE;
constexpr char kManufacturer[] = "hilcap";
constexpr char kClassName[] = "Camera";
constexpr char kHardwareId[] = "root\\hilcap_sim";

bool same_guid(const GUID& a, const GUID& b) {
  return std::memcmp(&a, &b, sizeof(GUID)) == 0;
}

bool fail(DWORD error) {
  SetLastError(error);
  return false;
}

// The open device information sets. An HDEVINFO value is never reused, never
// NULL and never INVALID_HANDLE_VALUE.
class DeviceInfoSets {
 public:
  static DeviceInfoSets& instance() {
    static DeviceInfoSets* const sets = new DeviceInfoSets;  // threads may use it at exit
    return *sets;
  }

  HDEVINFO add(std::vector<std::size_t> devices) {
    std::lock_guard lock(mutex_);
    const std::uintptr_t key = (++created_ << 4) | 0x8;
    sets_.emplace(key, std::move(devices));
    return reinterpret_cast<HDEVINFO>(key);
  }

  // The devices of the set (indices in Machine::devices()); nullopt for an unknown set.
  std::optional<std::vector<std::size_t>> devices(HDEVINFO set) const {
    std::lock_guard lock(mutex_);
    const auto it = sets_.find(reinterpret_cast<std::uintptr_t>(set));
    if (it == sets_.end()) return std::nullopt;
    return it->second;
  }

  bool remove(HDEVINFO set) {
    std::lock_guard lock(mutex_);
    return sets_.erase(reinterpret_cast<std::uintptr_t>(set)) == 1;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uintptr_t, std::vector<std::size_t>> sets_;
  std::uintptr_t created_ = 0;
};

// Whether `enumerator` (NULL: any) names the device: its instance ID, or
// the enumerator it sits on ("ROOT").
bool enumerated_by(std::size_t device, const std::optional<std::string>& enumerator) {
  if (!enumerator || enumerator->empty()) return true;
  return ::strcasecmp(enumerator->c_str(), Machine::instance_id(device).c_str()) == 0 ||
         ::strcasecmp(enumerator->c_str(), "ROOT") == 0;
}

HDEVINFO get_class_devs(const GUID* class_guid, const std::optional<std::string>& enumerator,
                        DWORD flags) {
  if ((flags & ~kKnownFlags) != 0) {
    SetLastError(ERROR_INVALID_FLAGS);
    return INVALID_HANDLE_VALUE;
  }
  const bool all_classes = (flags & DIGCF_ALLCLASSES) != 0;
  if (class_guid == nullptr && !all_classes) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  const Machine& machine = Machine::instance();
  std::vector<std::size_t> devices;
  for (std::size_t index = 0; index < machine.devices().size(); ++index) {
    const auto& device = machine.devices()[index];
    if (!device || !enumerated_by(index, enumerator)) continue;
    if ((flags & DIGCF_PRESENT) && !device->present()) continue;
    bool matches = all_classes;
    if (!matches && (flags & DIGCF_DEVICEINTERFACE)) {
      for (const GUID& category : device_categories())
        matches = matches || same_guid(category, *class_guid);
    } else if (!matches) {
      matches = same_guid(*class_guid, GUID_DEVCLASS_CAMERA);
    }
    if (!matches) continue;
    devices.push_back(index);
    // The default interface of a class: its first device.
    if ((flags & DIGCF_DEFAULT) && (flags & DIGCF_DEVICEINTERFACE)) break;
  }
  return DeviceInfoSets::instance().add(std::move(devices));
}

// SP_DEVINFO_DATA.DevInst / Reserved of a device: its index + 1 (0 is none).
void fill_device_info(std::size_t device, SP_DEVINFO_DATA& data) {
  data.ClassGuid = GUID_DEVCLASS_CAMERA;
  data.DevInst = static_cast<DWORD>(device + 1);
  data.Reserved = device + 1;
}

// The device a caller's SP_DEVINFO_DATA names within `devices`, or why not.
std::optional<std::size_t> device_of(const SP_DEVINFO_DATA& data,
                                     const std::vector<std::size_t>& devices) {
  for (std::size_t device : devices) {
    if (data.DevInst == device + 1) return device;
  }
  return std::nullopt;
}

bool enum_device_interfaces(HDEVINFO set, const SP_DEVINFO_DATA* device_info,
                            const GUID* interface_class, DWORD member_index,
                            SP_DEVICE_INTERFACE_DATA* interface_data) {
  const auto devices = DeviceInfoSets::instance().devices(set);
  if (!devices) return fail(ERROR_INVALID_HANDLE);
  if (interface_data == nullptr || interface_class == nullptr) return fail(ERROR_INVALID_PARAMETER);
  if (interface_data->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
    return fail(ERROR_INVALID_USER_BUFFER);
  }
  std::optional<std::size_t> only;
  if (device_info != nullptr) {
    if (device_info->cbSize != sizeof(SP_DEVINFO_DATA)) return fail(ERROR_INVALID_USER_BUFFER);
    only = device_of(*device_info, *devices);
    if (!only) return fail(ERROR_INVALID_PARAMETER);
  }
  const Machine& machine = Machine::instance();
  DWORD seen = 0;
  for (std::size_t device : *devices) {
    if (only && device != *only) continue;
    for (std::size_t i = 0; i < machine.interfaces().size(); ++i) {
      const DeviceInterface& interface = machine.interfaces()[i];
      if (interface.device != device || !same_guid(interface.category, *interface_class)) continue;
      if (seen++ != member_index) continue;
      interface_data->InterfaceClassGuid = interface.category;
      interface_data->Flags = machine.devices()[device]->present() ? SPINT_ACTIVE : SPINT_REMOVED;
      interface_data->Reserved = i + 1;
      return true;
    }
  }
  return fail(ERROR_NO_MORE_ITEMS);
}

// The interface a caller's SP_DEVICE_INTERFACE_DATA names within `devices`.
const DeviceInterface* interface_of(const SP_DEVICE_INTERFACE_DATA& data,
                                    const std::vector<std::size_t>& devices) {
  const Machine& machine = Machine::instance();
  if (data.Reserved == 0 || data.Reserved > machine.interfaces().size()) return nullptr;
  const DeviceInterface& interface = machine.interfaces()[data.Reserved - 1];
  for (std::size_t device : devices) {
    if (device == interface.device) return &interface;
  }
  return nullptr;
}

template <class Detail, class Char>
bool get_interface_detail(HDEVINFO set, const SP_DEVICE_INTERFACE_DATA* interface_data,
                          Detail* detail, DWORD detail_size, DWORD* required_size,
                          SP_DEVINFO_DATA* device_info) {
  const auto devices = DeviceInfoSets::instance().devices(set);
  if (!devices) return fail(ERROR_INVALID_HANDLE);
  if (interface_data == nullptr || interface_data->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
    return fail(ERROR_INVALID_PARAMETER);
  }
  const DeviceInterface* interface = interface_of(*interface_data, *devices);
  if (interface == nullptr) return fail(ERROR_INVALID_PARAMETER);
  if (detail == nullptr && detail_size != 0) return fail(ERROR_INVALID_USER_BUFFER);
  if (detail != nullptr && detail->cbSize != sizeof(Detail)) return fail(ERROR_INVALID_USER_BUFFER);
  if (device_info != nullptr && device_info->cbSize != sizeof(SP_DEVINFO_DATA)) {
    return fail(ERROR_INVALID_USER_BUFFER);
  }

  const std::basic_string<Char> path(interface->path.begin(), interface->path.end());
  const auto required =
      static_cast<DWORD>(offsetof(Detail, DevicePath) + (path.size() + 1) * sizeof(Char));
  if (required_size != nullptr) *required_size = required;
  if (device_info != nullptr) fill_device_info(interface->device, *device_info);
  if (detail == nullptr || detail_size < required) return fail(ERROR_INSUFFICIENT_BUFFER);
  std::memcpy(detail->DevicePath, path.c_str(), (path.size() + 1) * sizeof(Char));
  return true;
}

template <class Char>
bool get_registry_property(HDEVINFO set, const SP_DEVINFO_DATA* device_info, DWORD property,
                           DWORD* data_type, BYTE* buffer, DWORD buffer_size,
                           DWORD* required_size) {
  const auto devices = DeviceInfoSets::instance().devices(set);
  if (!devices) return fail(ERROR_INVALID_HANDLE);
  if (device_info == nullptr || device_info->cbSize != sizeof(SP_DEVINFO_DATA)) {
    return fail(ERROR_INVALID_PARAMETER);
  }
  const std::optional<std::size_t> device = device_of(*device_info, *devices);
  if (!device) return fail(ERROR_INVALID_PARAMETER);
  if (buffer == nullptr && buffer_size != 0) return fail(ERROR_INVALID_USER_BUFFER);

  std::string text;
  DWORD type = REG_SZ;
  switch (property) {
    case SPDRP_FRIENDLYNAME:
    case SPDRP_DEVICEDESC: {
      const std::string& file = Machine::instance().devices()[*device]->scenario_file();
      const std::size_t slash = file.find_last_of('/');
      text = "hilcap simulated camera (" +
             (slash == std::string::npos ? file : file.substr(slash + 1)) + ")";
      break;
    }
    case SPDRP_MFG:
      text = kManufacturer;
      break;
    case SPDRP_CLASS:
      text = kClassName;
      break;
    case SPDRP_CLASSGUID:
      text = guid_text(GUID_DEVCLASS_CAMERA);
      break;
    case SPDRP_HARDWAREID:
      text = std::string(kHardwareId) + '\0';  // a list: one ID, then the empty one
      type = REG_MULTI_SZ;
      break;
    default:
      return fail(ERROR_INVALID_DATA);
  }
  const std::basic_string<Char> value(text.begin(), text.end());
  const auto required = static_cast<DWORD>((value.size() + 1) * sizeof(Char));
  if (required_size != nullptr) *required_size = required;
  if (data_type != nullptr) *data_type = type;
  if (buffer == nullptr || buffer_size < required) return fail(ERROR_INSUFFICIENT_BUFFER);
  std::memcpy(buffer, value.c_str(), required);
  return true;
}

std::optional<std::string> text_of(LPCSTR text) {
  return text == nullptr ? std::nullopt : std::optional<std::string>(text);
}

std::optional<std::string> text_of(LPCWSTR text) {
  return text == nullptr ? std::nullopt : std::optional<std::string>(narrow(text));
}

}  // namespace
}  // namespace hilcap::machine

extern "C" {

HDEVINFO WINAPI SetupDiGetClassDevsA(const GUID* ClassGuid, LPCSTR Enumerator, HWND, DWORD Flags) {
  return hilcap::machine::get_class_devs(ClassGuid, hilcap::machine::text_of(Enumerator), Flags);
}

HDEVINFO WINAPI SetupDiGetClassDevsW(const GUID* ClassGuid, LPCWSTR Enumerator, HWND, DWORD Flags) {
  return hilcap::machine::get_class_devs(ClassGuid, hilcap::machine::text_of(Enumerator), Flags);
}

BOOL WINAPI SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                        const GUID* InterfaceClassGuid, DWORD MemberIndex,
                                        PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData) {
  return hilcap::machine::enum_device_interfaces(DeviceInfoSet, DeviceInfoData, InterfaceClassGuid,
                                                 MemberIndex, DeviceInterfaceData)
             ? TRUE
             : FALSE;
}

BOOL WINAPI SetupDiGetDeviceInterfaceDetailA(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData) {
  return hilcap::machine::get_interface_detail<SP_DEVICE_INTERFACE_DETAIL_DATA_A, CHAR>(
             DeviceInfoSet, DeviceInterfaceData, DeviceInterfaceDetailData,
             DeviceInterfaceDetailDataSize, RequiredSize, DeviceInfoData)
             ? TRUE
             : FALSE;
}

BOOL WINAPI SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData) {
  return hilcap::machine::get_interface_detail<SP_DEVICE_INTERFACE_DETAIL_DATA_W, WCHAR>(
             DeviceInfoSet, DeviceInterfaceData, DeviceInterfaceDetailData,
             DeviceInterfaceDetailDataSize, RequiredSize, DeviceInfoData)
             ? TRUE
             : FALSE;
}

BOOL WINAPI SetupDiEnumDeviceInfo(HDEVINFO DeviceInfoSet, DWORD MemberIndex,
                                  PSP_DEVINFO_DATA DeviceInfoData) {
  const auto devices = hilcap::machine::DeviceInfoSets::instance().devices(DeviceInfoSet);
  if (!devices) return hilcap::machine::fail(ERROR_INVALID_HANDLE);
  if (DeviceInfoData == nullptr) return hilcap::machine::fail(ERROR_INVALID_PARAMETER);
  if (DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA))
    return hilcap::machine::fail(ERROR_INVALID_USER_BUFFER);
  if (MemberIndex >= devices->size()) return hilcap::machine::fail(ERROR_NO_MORE_ITEMS);
  hilcap::machine::fill_device_info((*devices)[MemberIndex], *DeviceInfoData);
  return TRUE;
}

BOOL WINAPI SetupDiGetDeviceRegistryPropertyA(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData, DWORD Property,
                                              PDWORD PropertyRegDataType, PBYTE PropertyBuffer,
                                              DWORD PropertyBufferSize, PDWORD RequiredSize) {
  return hilcap::machine::get_registry_property<CHAR>(DeviceInfoSet, DeviceInfoData, Property,
                                                      PropertyRegDataType, PropertyBuffer,
                                                      PropertyBufferSize, RequiredSize)
             ? TRUE
             : FALSE;
}

BOOL WINAPI SetupDiGetDeviceRegistryPropertyW(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData, DWORD Property,
                                              PDWORD PropertyRegDataType, PBYTE PropertyBuffer,
                                              DWORD PropertyBufferSize, PDWORD RequiredSize) {
  return hilcap::machine::get_registry_property<WCHAR>(DeviceInfoSet, DeviceInfoData, Property,
                                                       PropertyRegDataType, PropertyBuffer,
                                                       PropertyBufferSize, RequiredSize)
             ? TRUE
             : FALSE;
}

BOOL WINAPI SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet) {
  if (!hilcap::machine::DeviceInfoSets::instance().remove(DeviceInfoSet))
    return hilcap::machine::fail(ERROR_INVALID_HANDLE);
  return TRUE;
}

}  // extern "C"
