#include "scenario/status_names.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace hilcap::sim {
namespace {

struct NamedStatus {
  std::string_view name;
  NTSTATUS status;
};

constexpr std::array kStatuses{
    NamedStatus{"STATUS_SUCCESS", STATUS_SUCCESS},
    NamedStatus{"STATUS_PENDING", STATUS_PENDING},
    NamedStatus{"STATUS_CANCELLED", STATUS_CANCELLED},
    NamedStatus{"STATUS_INVALID_PARAMETER", STATUS_INVALID_PARAMETER},
    NamedStatus{"STATUS_INVALID_HANDLE", STATUS_INVALID_HANDLE},
    NamedStatus{"STATUS_INVALID_DEVICE_REQUEST", STATUS_INVALID_DEVICE_REQUEST},
    NamedStatus{"STATUS_INVALID_DEVICE_STATE", STATUS_INVALID_DEVICE_STATE},
    NamedStatus{"STATUS_DEVICE_NOT_CONNECTED", STATUS_DEVICE_NOT_CONNECTED},
    NamedStatus{"STATUS_NOT_FOUND", STATUS_NOT_FOUND},
    NamedStatus{"STATUS_INSUFFICIENT_RESOURCES", STATUS_INSUFFICIENT_RESOURCES},
    NamedStatus{"STATUS_BUFFER_TOO_SMALL", STATUS_BUFFER_TOO_SMALL},
    NamedStatus{"STATUS_NOT_SUPPORTED", STATUS_NOT_SUPPORTED},
    NamedStatus{"STATUS_UNSUCCESSFUL", STATUS_UNSUCCESSFUL},
};

constexpr std::array<std::pair<DWORD, NTSTATUS>, 13> kWin32Errors{{
    {ERROR_SUCCESS, STATUS_SUCCESS},
    {ERROR_IO_PENDING, STATUS_PENDING},
    {ERROR_OPERATION_ABORTED, STATUS_CANCELLED},
    {ERROR_INVALID_PARAMETER, STATUS_INVALID_PARAMETER},
    {ERROR_INVALID_HANDLE, STATUS_INVALID_HANDLE},
    {ERROR_INVALID_FUNCTION, STATUS_INVALID_DEVICE_REQUEST},
    {ERROR_BAD_COMMAND, STATUS_INVALID_DEVICE_STATE},
    {ERROR_DEVICE_NOT_CONNECTED, STATUS_DEVICE_NOT_CONNECTED},
    {ERROR_NOT_FOUND, STATUS_NOT_FOUND},
    {ERROR_NO_SYSTEM_RESOURCES, STATUS_INSUFFICIENT_RESOURCES},
    {ERROR_INSUFFICIENT_BUFFER, STATUS_BUFFER_TOO_SMALL},
    {ERROR_NOT_SUPPORTED, STATUS_NOT_SUPPORTED},
    {ERROR_GEN_FAILURE, STATUS_UNSUCCESSFUL},
}};

}  // namespace

std::optional<NTSTATUS> status_from_name(std::string_view name) {
  for (const NamedStatus& s : kStatuses) {
    if (s.name == name) return s.status;
  }
  return std::nullopt;
}

std::string status_name(NTSTATUS status) {
  for (const NamedStatus& s : kStatuses) {
    if (s.status == status) return std::string(s.name);
  }
  return fmt::format("NTSTATUS 0x{:08X}", static_cast<std::uint32_t>(status));
}

NTSTATUS status_from_win32_error(DWORD error) {
  for (const auto& [win32, status] : kWin32Errors) {
    if (win32 == error) return status;
  }
  return STATUS_UNSUCCESSFUL;
}

}  // namespace hilcap::sim
