#include <gtest/gtest.h>
#include <hilcap/ks.h>

#include "ks_header_c11.h"

namespace hilcap {
namespace {

// <hilcap/ks.h> compiles as C11 and C sees the same x64 layout as C++.
TEST(KsHeader, CompilesAsC11WithTheSameLayout) {
  KsHeaderC11Layout c{};
  ks_header_c11_layout(&c);
  EXPECT_EQ(c.ksmethod, sizeof(KSMETHOD));
  EXPECT_EQ(c.framing, sizeof(KSALLOCATOR_FRAMING));
  EXPECT_EQ(c.status, sizeof(KSSTREAMALLOCATOR_STATUS));
  EXPECT_EQ(c.status_allocated_frames, offsetof(KSSTREAMALLOCATOR_STATUS, AllocatedFrames));
  EXPECT_EQ(c.framing_item, sizeof(KS_FRAMING_ITEM));
  EXPECT_EQ(c.framing_ex, sizeof(KSALLOCATOR_FRAMING_EX));
  EXPECT_EQ(c.status_ex, sizeof(KSSTREAMALLOCATOR_STATUS_EX));
  EXPECT_EQ(c.function_table, sizeof(KSSTREAMALLOCATOR_FUNCTIONTABLE));
  EXPECT_EQ(c.dropped_frames, sizeof(KSPROPERTY_DROPPEDFRAMES_CURRENT_S));
  EXPECT_EQ(c.stream_header, sizeof(KSSTREAM_HEADER));
  EXPECT_EQ(c.frame_info, 72u);
  EXPECT_EQ(c.overlapped, sizeof(OVERLAPPED));
  EXPECT_EQ(c.ioctl_method, 0x002F000Fu);
  EXPECT_EQ(c.ioctl_property, 0x002F0003u);
  EXPECT_EQ(c.method_id, 1u);
  EXPECT_EQ(c.method_flags, static_cast<unsigned long>(KSMETHOD_TYPE_READ));
  EXPECT_TRUE(c.method_set_matches);
}

}  // namespace
}  // namespace hilcap
