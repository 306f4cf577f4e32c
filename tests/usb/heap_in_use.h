// Bytes of heap the process has allocated and not freed, from the
// sanitizer's allocator in sanitizer builds, else from glibc's arenas: for
// tests that bound memory growth in-process, by counting, not by timing.
#pragma once

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HILCAP_SANITIZER_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HILCAP_SANITIZER_HEAP 1
#endif

#ifdef HILCAP_SANITIZER_HEAP
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

namespace hilcap::testing {

inline std::size_t heap_in_use() {
#ifdef HILCAP_SANITIZER_HEAP
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();  // every arena, mmapped chunks included
  return info.uordblks + info.hblkhd;
#endif
}

}  // namespace hilcap::testing
