#include "handle_table.h"

namespace hilcap::ks {
constinit HandleTableStorage g_handle_table;
constinit thread_local HandleTable::LookupCache HandleTable::cache_
    __attribute__((tls_model("initial-exec")));

namespace {

// Created on a thread's first cached lookup; its destructor runs at thread exit.
struct ThreadExitHook {
  void (*const run)();
  ~ThreadExitHook() { run(); }
};

}  // namespace

void HandleTable::drop_thread_cache() {
  // Objects freed here may still look handles up; they must not refill the cache.
  cache_.exiting = true;
  for (CacheEntry& entry : cache_.entries)
    forget(entry);
}

HandleTable::Slot* HandleTable::slot_at(std::size_t index) const {
  const std::size_t chunk = index / kChunkSlots;
  if (chunk >= kChunks) return nullptr;
  Slot* const slots = chunks_[chunk].load(std::memory_order_acquire);
  return slots == nullptr ? nullptr : &slots[index % kChunkSlots];
}

HANDLE HandleTable::insert(std::shared_ptr<KernelObject> object) {
  std::lock_guard lock(mutex_);
  std::size_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_used_ == kChunks * kChunkSlots) return nullptr;
    index = slots_used_++;
    if (index % kChunkSlots == 0) {
      auto& storage = chunk_storage_.emplace_back(new Slot[kChunkSlots]);
      for (std::size_t i = 0; i < kChunkSlots; ++i)
        storage[i].index = static_cast<std::uint32_t>(index + i);
      chunks_[index / kChunkSlots].store(storage.get(), std::memory_order_release);
    }
  }
  Slot& slot = *slot_at(index);
  slot.object = std::move(object);
  // Stale lookups may hold transient references to a free slot: keep them.
  std::uint64_t state = slot.state.load(std::memory_order_relaxed);
  while (!slot.state.compare_exchange_weak(state, state | kLive | kOwned, std::memory_order_release,
                                           std::memory_order_relaxed)) {
  }
  const std::uint64_t value = (((state >> kGenerationShift) << kSlotBits) | (index + 1)) << 2;
  return reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(value));
}

HandleTable::Ref<KernelObject> HandleTable::counted_lookup(const Decoded& handle) const {
  Slot* const slot = slot_at(handle.slot);
  if (slot == nullptr) return {};
  const std::uint64_t state = slot->state.fetch_add(1, std::memory_order_acquire);
  if (!names(state, handle)) {
    release(*slot);
    return {};
  }
  return Ref<KernelObject>(slot, nullptr, slot->object.get());
}

HandleTable::Ref<KernelObject> HandleTable::adopt(LookupCache& cache, const Decoded& handle,
                                                  Ref<KernelObject> ref) {
  if (!ref || cache.exiting) return ref;
  thread_local const ThreadExitHook drop_at_exit{&drop_thread_cache};
  CacheEntry* victim = nullptr;
  for (CacheEntry& entry : cache.entries) {
    if (entry.slot == nullptr) {
      victim = &entry;
      break;
    }
  }
  for (std::size_t tries = 0; victim == nullptr && tries < kCacheEntries; ++tries) {
    CacheEntry& entry = cache.entries[cache.next_victim];
    cache.next_victim = static_cast<std::uint32_t>((cache.next_victim + 1) % kCacheEntries);
    if (entry.pins == 0) victim = &entry;
  }
  if (victim == nullptr) return ref;  // every entry in use by nested calls: stay uncached
  Slot* const evicted = victim->slot;
  *victim = {.handle = handle.value,
             .identity = (handle.generation << kGenerationShift) | kLive,
             .slot = std::exchange(ref.counted_, nullptr),
             .object = ref.object_,
             .pins = 1};
  // Last: dropping the evicted reference may destroy an object, which may look
  // handles up again (the new entry is pinned meanwhile).
  if (evicted != nullptr) release(*evicted);
  return Ref<KernelObject>(nullptr, victim, std::exchange(ref.object_, nullptr));
}

void HandleTable::sweep(LookupCache& cache, std::uint64_t closes) {
  bool swept = true;
  for (CacheEntry& entry : cache.entries) {
    if (entry.slot == nullptr) continue;
    const std::uint64_t state = entry.slot->state.load(std::memory_order_acquire);
    if ((state & kIdentityMask) == entry.identity) continue;
    if (entry.pins != 0) {
      swept = false;  // closed under a call of this thread: try again on the next lookup
      continue;
    }
    forget(entry);
  }
  if (swept) cache.closes_seen = closes;
}

void HandleTable::forget(CacheEntry& entry) {
  Slot* const slot = std::exchange(entry.slot, nullptr);
  entry = {};
  if (slot != nullptr) release(*slot);  // after clearing: may re-enter the cache
}

void HandleTable::release(Slot& slot) {
  const std::uint64_t state = slot.state.fetch_sub(1, std::memory_order_acq_rel);
  if ((state & kReferenceMask) == 1 && (state & (kLive | kOwned)) == kOwned) {
    reclaim(slot, state - 1);
  }
}

void HandleTable::reclaim(Slot& slot, std::uint64_t state) {
  // A stale lookup may take a reference meanwhile; its release reclaims then.
  if (!slot.state.compare_exchange_strong(state, state & ~kOwned, std::memory_order_acq_rel)) {
    return;
  }
  slot.object.reset();  // may destroy the object, which may use handles: no lock held
  HandleTable& table = instance();
  std::lock_guard lock(table.mutex_);
  table.free_slots_.push_back(slot.index);
}

std::shared_ptr<KernelObject> HandleTable::remove(HANDLE handle) {
  const Decoded d = decode(handle);
  if (!d.valid) return nullptr;
  std::shared_ptr<KernelObject> object;
  {
    Ref<KernelObject> ref = counted_lookup(d);
    if (!ref) return nullptr;
    Slot& slot = *ref.counted_;
    std::uint64_t state = slot.state.load(std::memory_order_relaxed);
    std::uint64_t retired;
    do {
      if (!names(state, d)) return nullptr;  // another thread closed it first
      retired = (((d.generation + 1) & kGenerationMask) << kGenerationShift) |
                (state & ~kLive & kGenerationMask);
    } while (!slot.state.compare_exchange_weak(state, retired, std::memory_order_acq_rel,
                                               std::memory_order_relaxed));
    object = slot.object;  // copied under our reference
  }
  // Tells every thread's cache, and drops this thread's entry now.
  sweep(cache_, closes_.fetch_add(1, std::memory_order_acq_rel) + 1);
  return object;
}

}  // namespace hilcap::ks
