// NTSTATUS -> Win32 error, as RtlNtStatusToDosError maps them (reference §1.9).
#pragma once

#include <hilcap/ks.h>

namespace hilcap::ks {

DWORD win32_error_from_ntstatus(NTSTATUS status);

}  // namespace hilcap::ks
