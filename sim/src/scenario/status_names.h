// NTSTATUS values by name, for scenario files and messages
// ("STATUS_PENDING"), and the NTSTATUS behind a Win32 error a KS client saw.
#pragma once

#include <hilcap/ks.h>

#include <optional>
#include <string>
#include <string_view>

namespace hilcap::sim {

// The statuses a scenario may name (the "status" enum of the schema).
std::optional<NTSTATUS> status_from_name(std::string_view name);

// "STATUS_CANCELLED", or "NTSTATUS 0xC0000001" for one without a name here.
std::string status_name(NTSTATUS status);

// DeviceIoControl / CancelIoEx / CloseHandle failed at once with `error`
// (GetLastError()): the NTSTATUS the KS layer answered with. The mapping is
// the reverse of the reference's (ks-semantics.md section 1.9) for the
// statuses the allocator and the pin return; others give STATUS_UNSUCCESSFUL.
NTSTATUS status_from_win32_error(DWORD error);

}  // namespace hilcap::sim
