// The Win32 basics of <hilcap/win32_base.h> as the Windows documentation
// describes them: WaitForMultipleObjects (any and all, timeouts, its
// WAIT_FAILED cases), Sleep, the tick and performance counters, the process
// heap and the memory and FOURCC macros.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/win32_base.h>

#include <array>
#include <chrono>
#include <cstring>
#include <thread>

#include "ks_policy.h"

namespace hilcap {
namespace {

using Clock = std::chrono::steady_clock;

struct Events {
  explicit Events(std::size_t n, BOOL manual = TRUE) {
    for (std::size_t i = 0; i < n; ++i)
      handles[i] = CreateEvent(nullptr, manual, FALSE, nullptr);
    count = static_cast<DWORD>(n);
  }
  ~Events() {
    for (DWORD i = 0; i < count; ++i)
      CloseHandle(handles[i]);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  std::array<HANDLE, MAXIMUM_WAIT_OBJECTS> handles{};
  DWORD count = 0;
};

TEST(WaitForMultipleObjects, ReturnsTheLowestSignalledIndex) {
  Events e(4);
  SetEvent(e.handles[3]);
  SetEvent(e.handles[1]);
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, 0), WAIT_OBJECT_0 + 1);
  // Manual-reset events stay signalled: the same answer again.
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, INFINITE), WAIT_OBJECT_0 + 1);
}

TEST(WaitForMultipleObjects, TimesOutWhenNothingIsSignalled) {
  Events e(2);
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, 0),
            static_cast<DWORD>(WAIT_TIMEOUT));
  const auto start = Clock::now();
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, 30),
            static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(30));
}

// Only the auto-reset event that satisfied a wait for any is reset.
TEST(WaitForMultipleObjects, AWaitForAnyConsumesOnlyTheEventItReturns) {
  Events e(2, FALSE);
  SetEvent(e.handles[0]);
  SetEvent(e.handles[1]);
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, 0), WAIT_OBJECT_0 + 0);
  EXPECT_EQ(WaitForSingleObject(e.handles[0], 0), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_EQ(WaitForSingleObject(e.handles[1], 0), WAIT_OBJECT_0);
}

// bWaitAll: satisfied only once every object is signalled, then it resets
// the auto-reset ones (and only then).
TEST(WaitForMultipleObjects, AWaitForAllNeedsEveryObject) {
  Events manual(1);
  Events automatic(1, FALSE);
  const std::array<HANDLE, 2> both{manual.handles[0], automatic.handles[0]};
  SetEvent(automatic.handles[0]);
  EXPECT_EQ(WaitForMultipleObjects(2, both.data(), TRUE, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_EQ(WaitForSingleObject(automatic.handles[0], 0), WAIT_OBJECT_0)
      << "a wait that was not satisfied changes no state";
  SetEvent(automatic.handles[0]);
  SetEvent(manual.handles[0]);
  EXPECT_EQ(WaitForMultipleObjects(2, both.data(), TRUE, 0), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(automatic.handles[0], 0), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_EQ(WaitForSingleObject(manual.handles[0], 0), WAIT_OBJECT_0);
}

// A wait wakes when another thread signals one of its objects.
TEST(WaitForMultipleObjects, WakesWhenAnotherThreadSignals) {
  Events e(3);
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    SetEvent(e.handles[2]);
  });
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), FALSE, 10'000), WAIT_OBJECT_0 + 2);
  setter.join();
  std::thread all([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    SetEvent(e.handles[0]);
    SetEvent(e.handles[1]);
  });
  EXPECT_EQ(WaitForMultipleObjects(e.count, e.handles.data(), TRUE, 10'000), WAIT_OBJECT_0);
  all.join();
}

// WAIT_FAILED: nCount 0 or above MAXIMUM_WAIT_OBJECTS and the same handle
// twice in a wait for all (ERROR_INVALID_PARAMETER), a handle that names
// nothing (ERROR_INVALID_HANDLE), no array (ERROR_NOACCESS).
TEST(WaitForMultipleObjects, FailsOnBadArguments) {
  Events e(2);
  EXPECT_EQ(WaitForMultipleObjects(0, e.handles.data(), FALSE, 0), WAIT_FAILED);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  std::array<HANDLE, MAXIMUM_WAIT_OBJECTS + 1> many{};
  many.fill(e.handles[0]);
  EXPECT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, many.data(), FALSE, 0), WAIT_FAILED);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  const std::array<HANDLE, 2> twice{e.handles[0], e.handles[0]};
  EXPECT_EQ(WaitForMultipleObjects(2, twice.data(), TRUE, 0), WAIT_FAILED);
  EXPECT_EQ(GetLastError(), kKsPolicy.wait_all_duplicate_error);
  SetEvent(e.handles[0]);
  EXPECT_EQ(WaitForMultipleObjects(2, twice.data(), FALSE, 0), WAIT_OBJECT_0)
      << "duplicates are fine in a wait for any";
  const std::array<HANDLE, 2> bogus{e.handles[0], reinterpret_cast<HANDLE>(0x1234)};
  EXPECT_EQ(WaitForMultipleObjects(2, bogus.data(), FALSE, 0), WAIT_FAILED);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(WaitForMultipleObjects(2, nullptr, FALSE, 0), WAIT_FAILED);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
}

TEST(WaitForMultipleObjects, TakesMaximumWaitObjects) {
  Events e(MAXIMUM_WAIT_OBJECTS);
  SetEvent(e.handles[MAXIMUM_WAIT_OBJECTS - 1]);
  EXPECT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e.handles.data(), FALSE, 0),
            WAIT_OBJECT_0 + MAXIMUM_WAIT_OBJECTS - 1);
}

TEST(Win32Time, SleepSleepsAtLeastThatLong) {
  const auto start = Clock::now();
  Sleep(20);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(20));
  Sleep(0);  // yields
}

TEST(Win32Time, TickCountsAreMillisecondsAndMonotonic) {
  const ULONGLONG first = GetTickCount64();
  Sleep(15);
  const ULONGLONG second = GetTickCount64();
  EXPECT_GE(second - first, 15u);
  EXPECT_LT(second - first, 10'000u);
  // GetTickCount is the low 32 bits of the same count.
  EXPECT_LT(static_cast<DWORD>(GetTickCount() - static_cast<DWORD>(second)), 10'000u);
}

// QueryPerformanceFrequency is fixed (10 MHz) and the counter advances by it.
TEST(Win32Time, PerformanceCounterAdvancesAtItsFrequency) {
  LARGE_INTEGER frequency{};
  ASSERT_TRUE(QueryPerformanceFrequency(&frequency));
  EXPECT_EQ(frequency.QuadPart, 10'000'000);
  LARGE_INTEGER before{}, after{};
  ASSERT_TRUE(QueryPerformanceCounter(&before));
  Sleep(20);
  ASSERT_TRUE(QueryPerformanceCounter(&after));
  const double seconds = static_cast<double>(after.QuadPart - before.QuadPart) /
                         static_cast<double>(frequency.QuadPart);
  EXPECT_GE(seconds, 0.020);
  EXPECT_LT(seconds, 10.0);
  EXPECT_FALSE(QueryPerformanceCounter(nullptr));
}

TEST(ProcessHeap, AllocZeroesOnRequestAndKnowsTheSize) {
  const HANDLE heap = GetProcessHeap();
  ASSERT_NE(heap, nullptr);
  EXPECT_EQ(GetProcessHeap(), heap);
  auto* block = static_cast<unsigned char*>(HeapAlloc(heap, HEAP_ZERO_MEMORY, 1000));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % MEMORY_ALLOCATION_ALIGNMENT, 0u);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(block[i], 0);
  EXPECT_EQ(HeapSize(heap, 0, block), 1000u);
  FillMemory(block, 1000, 0xAB);
  block = static_cast<unsigned char*>(HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 2000));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block[999], 0xAB);
  EXPECT_EQ(block[1000], 0) << "HEAP_ZERO_MEMORY zeroes what grew";
  EXPECT_EQ(HeapSize(heap, 0, block), 2000u);
  EXPECT_EQ(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 4000), nullptr);
  EXPECT_TRUE(HeapFree(heap, 0, block));
  EXPECT_TRUE(HeapFree(heap, 0, nullptr));
}

TEST(ProcessHeap, AnotherHeapHandleIsRefused) {
  const HANDLE other = reinterpret_cast<HANDLE>(0x1000);
  EXPECT_EQ(HeapAlloc(other, 0, 16), nullptr);
  EXPECT_FALSE(HeapFree(other, 0, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_FALSE(CloseHandle(GetProcessHeap())) << "the process heap is not a closable handle";
}

TEST(Win32Macros, MemoryAndFourccMacrosMatchWindows) {
  std::array<char, 8> a{};
  std::array<char, 8> b{};
  FillMemory(a.data(), a.size(), 'x');
  CopyMemory(b.data(), a.data(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);
  ZeroMemory(a.data(), a.size());
  EXPECT_EQ(a[0], 0);
  MoveMemory(b.data() + 1, b.data(), 4);
  EXPECT_EQ(b[4], 'x');
  EXPECT_EQ(MAKEFOURCC('Y', 'U', 'Y', '2'), 0x32595559u);
  EXPECT_EQ(MAKEFOURCC('N', 'V', '1', '2'), 0x3231564Eu);
  EXPECT_EQ(mmioFOURCC('Y', 'U', 'Y', '2'), 0x32595559u);
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NO_MATCH), static_cast<HRESULT>(0x80070491));
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_SUCCESS), S_OK);
}

}  // namespace
}  // namespace hilcap
