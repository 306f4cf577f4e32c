// The process's HANDLE namespace: each value names one kernel object until it
// is closed. Values carry a generation, so a stale handle is refused rather
// than reaching a newer object in the same slot.
//
// Every Win32 call resolves one or two handles, so lookup is the hot path.
// Slots live in a table that never moves, found by arithmetic; one atomic
// word per slot holds {generation, live, owned, reference count}. A lookup
// holds a reference, so an object is never destroyed under a call; CloseHandle
// retires the handle at once and the last reference frees the slot.
//
// Taking and dropping a reference are two locked instructions, which on this
// hardware cost more than the rest of an ALLOC (perf-limits.md §2). So each
// thread keeps the references of the handles it used last (a few entries):
// a repeated lookup is a compare and one plain atomic load of the slot's state
// (which still refuses a closed handle at once), no read-modify-write. A
// cached reference is dropped when its entry is reused, when the thread
// notices any close on its next call, or when the thread exits; until then a
// closed object stays allocated (closed, unreachable through its handle).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernel_object.h"

namespace hilcap::ks {

class HandleTable {
  struct Slot;
  struct CacheEntry;

 public:
  // A lookup: keeps the object alive (not the handle) until destroyed. Used
  // and destroyed on the thread that looked it up.
  template <class T>
  class Ref {
   public:
    Ref() = default;
    Ref(Ref&& other) noexcept
        : counted_(std::exchange(other.counted_, nullptr)),
          pinned_(std::exchange(other.pinned_, nullptr)),
          object_(std::exchange(other.object_, nullptr)) {}
    Ref& operator=(Ref&& other) noexcept {
      if (this != &other) {
        reset();
        counted_ = std::exchange(other.counted_, nullptr);
        pinned_ = std::exchange(other.pinned_, nullptr);
        object_ = std::exchange(other.object_, nullptr);
      }
      return *this;
    }
    Ref(const Ref&) = delete;
    Ref& operator=(const Ref&) = delete;
    ~Ref() { reset(); }

    T* get() const { return object_; }
    T* operator->() const { return object_; }
    T& operator*() const { return *object_; }
    explicit operator bool() const { return object_ != nullptr; }

   private:
    friend class HandleTable;
    Ref(Slot* counted, CacheEntry* pinned, T* object)
        : counted_(counted), pinned_(pinned), object_(object) {}
    void reset() {
      if (counted_ != nullptr) release(*counted_);
      if (pinned_ != nullptr) --pinned_->pins;
      counted_ = nullptr;
      pinned_ = nullptr;
      object_ = nullptr;
    }

    Slot* counted_ = nullptr;       // a reference of our own, released at the end
    CacheEntry* pinned_ = nullptr;  // or an entry of this thread's cache, kept meanwhile
    T* object_ = nullptr;
  };

  // The process-wide table.
  static HandleTable& instance();

  // NULL when the table is full.
  HANDLE insert(std::shared_ptr<KernelObject> object);
  // Empty when `handle` is unknown or closed.
  Ref<KernelObject> lookup(HANDLE handle) { return find<KernelObject>(handle); }
  // Empty when `handle` is unknown, closed or names an object of another type.
  template <class T>
  Ref<T> lookup_as(HANDLE handle) {
    return find<T>(handle);
  }
  // Retires the handle and returns its object; nullptr when unknown.
  std::shared_ptr<KernelObject> remove(HANDLE handle);

 private:
  static constexpr std::size_t kChunkSlots = 1024;
  static constexpr std::size_t kChunks = 1024;  // at most 2^20 open handles
  static constexpr std::size_t kCacheEntries = 4;

  struct Slot {
    // generation << 32 | kLive | kOwned | references.
    std::atomic<std::uint64_t> state{0};
    // Written only while the slot is not owned (insert) or once the last
    // reference is gone (reclaim); read only under a reference.
    std::shared_ptr<KernelObject> object;
    std::uint32_t index = 0;
  };

  struct Decoded {
    std::uint64_t value = 0;  // the handle
    std::size_t slot = 0;
    std::uint64_t generation = 0;
    bool valid = false;
  };

  // One of a thread's cached references (see the top of this file).
  struct CacheEntry {
    std::uint64_t handle = 0;    // 0 (never a handle): unused
    std::uint64_t identity = 0;  // the slot state's generation and kLive while the handle is open
    Slot* slot = nullptr;        // holds a reference
    KernelObject* object = nullptr;
    std::uint32_t pins = 0;  // Refs of this thread using the entry now
  };

  // Trivial, so that reaching it needs no per-thread initialisation check; a
  // separate thread_local, created when the first entry is filled, drops the
  // entries when the thread exits.
  struct LookupCache {
    std::array<CacheEntry, kCacheEntries> entries{};
    std::uint64_t closes_seen = 0;
    std::uint32_t next_victim = 0;
    bool exiting = false;  // the thread exits: cache nothing more
  };

  // A handle value is ((generation << kSlotBits) | (slot + 1)) << 2: a
  // multiple of 4 like Windows handles, never NULL nor INVALID_HANDLE_VALUE.
  static constexpr unsigned kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kGenerationMask = 0xFFFFFFFFu;
  // Slot::state bits.
  static constexpr std::uint64_t kReferenceMask = (std::uint64_t{1} << 30) - 1;
  static constexpr std::uint64_t kOwned = std::uint64_t{1} << 30;  // holds an object to free
  static constexpr std::uint64_t kLive = std::uint64_t{1} << 31;   // the handle is open
  static constexpr unsigned kGenerationShift = 32;
  // The bits of Slot::state that say which handle, if any, is open on it.
  static constexpr std::uint64_t kIdentityMask = (kGenerationMask << kGenerationShift) | kLive;

  friend union HandleTableStorage;
  constexpr HandleTable() = default;

  static Decoded decode(HANDLE handle) {
    const auto value = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
    const std::uint64_t slot_plus_one = (value >> 2) & kSlotMask;
    const std::uint64_t generation = value >> (2 + kSlotBits);
    if ((value & 3) != 0 || slot_plus_one == 0 || generation > kGenerationMask) return {};
    return {value, slot_plus_one - 1, generation, true};
  }

  static bool names(std::uint64_t state, const Decoded& handle) {
    return (state & kLive) != 0 && (state >> kGenerationShift) == handle.generation;
  }

  template <class T>
  static bool is_a(const KernelObject& object) {
    if constexpr (std::is_same_v<T, KernelObject>) {
      return true;
    } else {
      return object.type() == T::kType;
    }
  }

  // Inline, so that a cache hit costs no call and no copy of a returned Ref.
  template <class T>
  Ref<T> find(HANDLE handle) {
    const auto value = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
    LookupCache& cache = cache_;
    const std::uint64_t closes = closes_.load(std::memory_order_acquire);
    if (closes != cache.closes_seen) sweep(cache, closes);
    for (CacheEntry& entry : cache.entries) {
      if (entry.handle != value || value == 0) continue;
      const std::uint64_t state = entry.slot->state.load(std::memory_order_acquire);
      if ((state & kIdentityMask) != entry.identity) {
        if (entry.pins == 0) forget(entry);
        return {};  // closed meanwhile
      }
      if (!is_a<T>(*entry.object)) return {};
      ++entry.pins;
      return Ref<T>(nullptr, &entry, static_cast<T*>(entry.object));
    }
    const Decoded d = decode(handle);
    if (!d.valid) return {};
    Ref<KernelObject> ref = adopt(cache, d, counted_lookup(d));
    if (!ref || !is_a<T>(*ref)) return {};
    return Ref<T>(std::exchange(ref.counted_, nullptr), std::exchange(ref.pinned_, nullptr),
                  static_cast<T*>(std::exchange(ref.object_, nullptr)));
  }

  Slot* slot_at(std::size_t index) const;
  Ref<KernelObject> counted_lookup(const Decoded& handle) const;
  Ref<KernelObject> adopt(LookupCache& cache, const Decoded& handle, Ref<KernelObject> ref);
  // Drops the cached references of closed handles (unless in use).
  void sweep(LookupCache& cache, std::uint64_t closes);
  static void forget(CacheEntry& entry);
  static void drop_thread_cache();
  static void release(Slot& slot);
  static void reclaim(Slot& slot, std::uint64_t state);

  // initial-exec: one %fs-relative access instead of __tls_get_addr calls.
  // libhilcap is linked, not dlopen()ed (a dlopen()ed copy would take these
  // ~170 bytes from glibc's static TLS surplus).
  static constinit thread_local LookupCache cache_ __attribute__((tls_model("initial-exec")));

  std::array<std::atomic<Slot*>, kChunks> chunks_{};
  std::atomic<std::uint64_t> closes_{0};  // handles retired so far
  std::mutex mutex_;                      // insert and reclaim: free list, chunk allocation
  std::vector<std::uint32_t> free_slots_;
  std::size_t slots_used_ = 0;
  std::vector<std::unique_ptr<Slot[]>> chunk_storage_;
};

// The table's storage: constant-initialised, so that reaching it costs no
// guard check on every lookup, and never destroyed, so that objects still
// open at exit stay valid for other threads.
union HandleTableStorage {
  constexpr HandleTableStorage() : table() {}
  ~HandleTableStorage() {}
  HandleTable table;
};
extern constinit HandleTableStorage g_handle_table;

inline HandleTable& HandleTable::instance() {
  return g_handle_table.table;
}

}  // namespace hilcap::ks
