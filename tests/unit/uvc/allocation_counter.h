// Counts heap allocations (global operator new) while armed, so a test can
// check that a hot path does not allocate. The replacement operators live in
// allocation_counter.cpp, their own translation unit.
#pragma once

#include <cstddef>

namespace hilcap::uvc::testing {

class AllocationCounter {
 public:
  AllocationCounter();   // arms and zeroes the count
  ~AllocationCounter();  // disarms
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  std::size_t count() const;
};

}  // namespace hilcap::uvc::testing
