// WaitForMultipleObjects and Sleep (<hilcap/win32_base.h>): the multi-object
// waits of event.h on the objects the handles name.
#include <hilcap/win32_base.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>

#include "../ks_policy.h"
#include "event.h"
#include "handle_table.h"

namespace hilcap {
namespace {

DWORD wait_failed(DWORD error) {
  SetLastError(error);
  return WAIT_FAILED;
}

}  // namespace
}  // namespace hilcap

using hilcap::ks::HandleTable;

extern "C" {

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE* lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds) {
  using hilcap::wait_failed;
  if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS) return wait_failed(ERROR_INVALID_PARAMETER);
  if (lpHandles == nullptr) return wait_failed(ERROR_NOACCESS);
  // Each handle's object stays alive while the wait runs (closing one meanwhile
  // is undefined on Windows; here the wait just goes on with it).
  std::array<HandleTable::Ref<hilcap::ks::KernelObject>, MAXIMUM_WAIT_OBJECTS> objects;
  std::array<hilcap::ks::Event*, MAXIMUM_WAIT_OBJECTS> events{};
  for (DWORD i = 0; i < nCount; ++i) {
    objects[i] = HandleTable::instance().lookup(lpHandles[i]);
    events[i] = objects[i] ? objects[i]->signal_event() : nullptr;
    if (events[i] == nullptr) return wait_failed(ERROR_INVALID_HANDLE);
  }
  if (bWaitAll) {
    for (DWORD i = 0; i < nCount; ++i) {
      if (std::find(events.begin(), events.begin() + i, events[i]) != events.begin() + i) {
        return wait_failed(hilcap::kKsPolicy.wait_all_duplicate_error);
      }
    }
    return hilcap::ks::wait_all(events.data(), nCount, dwMilliseconds) ? WAIT_OBJECT_0
                                                                       : WAIT_TIMEOUT;
  }
  const int index = hilcap::ks::wait_any(events.data(), nCount, dwMilliseconds);
  return index < 0 ? WAIT_TIMEOUT : WAIT_OBJECT_0 + static_cast<DWORD>(index);
}

void WINAPI Sleep(DWORD dwMilliseconds) {
  if (dwMilliseconds == 0) {
    ::sched_yield();
    return;
  }
  if (dwMilliseconds == INFINITE) {
    for (;;)
      ::pause();
  }
  timespec left{static_cast<time_t>(dwMilliseconds / 1000),
                static_cast<long>(dwMilliseconds % 1000) * 1'000'000};
  // A signal handler may interrupt the sleep: sleep the rest.
  while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

}  // extern "C"
