// The process heap (<hilcap/win32_base.h>): the C library's allocator, each
// block preceded by a 16-byte header holding its size, so that HeapSize
// answers and blocks keep MEMORY_ALLOCATION_ALIGNMENT.
#include <hilcap/win32_base.h>

#include <cstdlib>
#include <cstring>
#include <limits>

namespace hilcap {
namespace {

struct alignas(MEMORY_ALLOCATION_ALIGNMENT) BlockHeader {
  SIZE_T size;
};
static_assert(sizeof(BlockHeader) == MEMORY_ALLOCATION_ALIGNMENT);

// The process heap's handle: an address nothing else has.
char g_process_heap;

HANDLE process_heap() {
  return &g_process_heap;
}

BlockHeader* header_of(LPCVOID memory) {
  return const_cast<BlockHeader*>(static_cast<const BlockHeader*>(memory) - 1);
}

bool too_large(SIZE_T bytes) {
  return bytes > std::numeric_limits<SIZE_T>::max() - sizeof(BlockHeader);
}

}  // namespace
}  // namespace hilcap

extern "C" {

HANDLE WINAPI GetProcessHeap(void) {
  return hilcap::process_heap();
}

LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes) {
  if (hHeap != hilcap::process_heap() || hilcap::too_large(dwBytes)) return nullptr;
  const SIZE_T total = sizeof(hilcap::BlockHeader) + dwBytes;
  void* block = (dwFlags & HEAP_ZERO_MEMORY) ? std::calloc(1, total) : std::malloc(total);
  if (block == nullptr) return nullptr;
  auto* header = static_cast<hilcap::BlockHeader*>(block);
  header->size = dwBytes;
  return header + 1;
}

LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes) {
  if (hHeap != hilcap::process_heap() || lpMem == nullptr || hilcap::too_large(dwBytes)) {
    return nullptr;
  }
  hilcap::BlockHeader* header = hilcap::header_of(lpMem);
  const SIZE_T old_size = header->size;
  if (dwFlags & HEAP_REALLOC_IN_PLACE_ONLY) {
    if (dwBytes > old_size) return nullptr;
    header->size = dwBytes;
    return lpMem;
  }
  void* block = std::realloc(header, sizeof(hilcap::BlockHeader) + dwBytes);
  if (block == nullptr) return nullptr;
  header = static_cast<hilcap::BlockHeader*>(block);
  header->size = dwBytes;
  if ((dwFlags & HEAP_ZERO_MEMORY) && dwBytes > old_size) {
    std::memset(reinterpret_cast<char*>(header + 1) + old_size, 0, dwBytes - old_size);
  }
  return header + 1;
}

BOOL WINAPI HeapFree(HANDLE hHeap, DWORD, LPVOID lpMem) {
  if (hHeap != hilcap::process_heap()) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  if (lpMem != nullptr) std::free(hilcap::header_of(lpMem));
  return TRUE;
}

SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD, LPCVOID lpMem) {
  if (hHeap != hilcap::process_heap() || lpMem == nullptr) return static_cast<SIZE_T>(-1);
  return hilcap::header_of(lpMem)->size;
}

}  // extern "C"
