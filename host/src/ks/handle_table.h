// The process's HANDLE namespace: each value names one kernel object until it
// is closed. Values carry a generation, so a stale handle is refused rather
// than reaching a newer object in the same slot.
#pragma once

#include <memory>
#include <shared_mutex>
#include <vector>

#include "kernel_object.h"

namespace hilcap::ks {

class HandleTable {
 public:
  // The process-wide table.
  static HandleTable& instance();

  // NULL when the table is full.
  HANDLE insert(std::shared_ptr<KernelObject> object);
  std::shared_ptr<KernelObject> lookup(HANDLE handle) const;
  // nullptr when `handle` is unknown or names an object of another type.
  template <class T>
  std::shared_ptr<T> lookup_as(HANDLE handle) const {
    return std::dynamic_pointer_cast<T>(lookup(handle));
  }
  // Removes the handle and returns its object; nullptr when unknown.
  std::shared_ptr<KernelObject> remove(HANDLE handle);

 private:
  struct Entry {
    std::shared_ptr<KernelObject> object;
    std::uint32_t generation = 0;
  };

  // The slot of a live handle, or -1.
  std::ptrdiff_t slot_of(HANDLE handle) const;

  mutable std::shared_mutex mutex_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace hilcap::ks
