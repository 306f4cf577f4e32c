// CreateFileA / CreateFileW (<hilcap/win32_devices.h>): device interface
// paths of the simulated machine open its KS filters; nothing else opens.
#include <hilcap/win32_devices.h>

#include <string>

#include "machine.h"
#include "wide_text.h"

namespace hilcap::machine {
namespace {

HANDLE create_file(const std::string& path, DWORD disposition) {
  switch (disposition) {
    case OPEN_EXISTING:
    case OPEN_ALWAYS:
      break;
    case CREATE_NEW:
      // The device exists already.
      SetLastError(Machine::instance().has_path(path) ? ERROR_FILE_EXISTS : ERROR_FILE_NOT_FOUND);
      return INVALID_HANDLE_VALUE;
    default:
      SetLastError(ERROR_INVALID_PARAMETER);
      return INVALID_HANDLE_VALUE;
  }
  HANDLE filter = Machine::instance().open(path);
  if (filter == nullptr) {
    SetLastError(ERROR_FILE_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  // As for an existing file: OPEN_ALWAYS says it existed.
  SetLastError(disposition == OPEN_ALWAYS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return filter;
}

}  // namespace
}  // namespace hilcap::machine

extern "C" {

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD, DWORD, LPSECURITY_ATTRIBUTES,
                          DWORD dwCreationDisposition, DWORD, HANDLE) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  return hilcap::machine::create_file(lpFileName, dwCreationDisposition);
}

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD, DWORD, LPSECURITY_ATTRIBUTES,
                          DWORD dwCreationDisposition, DWORD, HANDLE) {
  if (lpFileName == nullptr) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  return hilcap::machine::create_file(hilcap::machine::narrow(lpFileName), dwCreationDisposition);
}

}  // extern "C"
