#include "handle_table.h"

#include <cstdint>
#include <mutex>

namespace hilcap::ks {
namespace {

// A handle value is ((generation << kSlotBits) | (slot + 1)) << 2: a multiple
// of 4 like Windows handles, never NULL and never INVALID_HANDLE_VALUE.
constexpr unsigned kSlotBits = 24;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
constexpr std::size_t kMaxSlots = kSlotMask - 1;

HANDLE encode(std::size_t slot, std::uint32_t generation) {
  const std::uint64_t value = ((std::uint64_t{generation} << kSlotBits) | (slot + 1)) << 2;
  return reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(value));
}

}  // namespace

HandleTable& HandleTable::instance() {
  // Never destroyed: objects still open at exit stay valid for other threads.
  static HandleTable* const table = new HandleTable;
  return *table;
}

HANDLE HandleTable::insert(std::shared_ptr<KernelObject> object) {
  std::unique_lock lock(mutex_);
  std::size_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (entries_.size() >= kMaxSlots) return nullptr;
    slot = entries_.size();
    entries_.emplace_back();
  }
  Entry& entry = entries_[slot];
  entry.object = std::move(object);
  return encode(slot, entry.generation);
}

std::ptrdiff_t HandleTable::slot_of(HANDLE handle) const {
  const auto value = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
  if ((value & 3) != 0) return -1;
  const std::uint64_t slot_plus_one = (value >> 2) & kSlotMask;
  if (slot_plus_one == 0 || slot_plus_one > entries_.size()) return -1;
  const std::size_t slot = slot_plus_one - 1;
  const Entry& entry = entries_[slot];
  if (!entry.object || (value >> (2 + kSlotBits)) != entry.generation) return -1;
  return static_cast<std::ptrdiff_t>(slot);
}

std::shared_ptr<KernelObject> HandleTable::lookup(HANDLE handle) const {
  std::shared_lock lock(mutex_);
  const std::ptrdiff_t slot = slot_of(handle);
  return slot < 0 ? nullptr : entries_[slot].object;
}

std::shared_ptr<KernelObject> HandleTable::remove(HANDLE handle) {
  std::unique_lock lock(mutex_);
  const std::ptrdiff_t slot = slot_of(handle);
  if (slot < 0) return nullptr;
  Entry& entry = entries_[slot];
  std::shared_ptr<KernelObject> object = std::move(entry.object);
  entry.object.reset();
  ++entry.generation;
  free_slots_.push_back(static_cast<std::uint32_t>(slot));
  return object;
}

}  // namespace hilcap::ks
