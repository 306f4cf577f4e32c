// GetTickCount(64) and the performance counter (<hilcap/win32_base.h>).
#include <hilcap/win32_base.h>

#include <cstdint>
#include <ctime>

namespace hilcap {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
// QueryPerformanceFrequency: 10 MHz, what current Windows versions report.
constexpr std::int64_t kPerformanceFrequency = 10'000'000;
constexpr std::int64_t kNsPerPerformanceTick = 1'000'000'000 / kPerformanceFrequency;

std::int64_t clock_ns(clockid_t clock) {
  timespec now{};
  ::clock_gettime(clock, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace
}  // namespace hilcap

extern "C" {

// Milliseconds since boot, suspend included, as Windows counts them.
ULONGLONG WINAPI GetTickCount64(void) {
  return static_cast<ULONGLONG>(hilcap::clock_ns(CLOCK_BOOTTIME) / hilcap::kNsPerMs);
}

// The same, wrapping every 49.7 days.
DWORD WINAPI GetTickCount(void) {
  return static_cast<DWORD>(GetTickCount64());
}

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER* lpPerformanceCount) {
  if (lpPerformanceCount == nullptr) return FALSE;
  lpPerformanceCount->QuadPart = hilcap::clock_ns(CLOCK_MONOTONIC) / hilcap::kNsPerPerformanceTick;
  return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER* lpFrequency) {
  if (lpFrequency == nullptr) return FALSE;
  lpFrequency->QuadPart = hilcap::kPerformanceFrequency;
  return TRUE;
}

}  // extern "C"
