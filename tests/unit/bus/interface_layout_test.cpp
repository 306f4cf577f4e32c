#include "interface_layout.h"

#include <gtest/gtest.h>

#include "descriptor_builder.h"

namespace hilcap::bus {
namespace {

device::uvc::UvcDeviceConfig camera() {
  device::uvc::UvcDeviceConfig c;
  device::uvc::FormatConfig f;
  f.frames = {{160, 120, device::uvc::DiscreteIntervals{{333333}}, 333333, 0}};
  c.formats = {f};
  c.interrupt_endpoint = true;
  c.transport = device::uvc::IsochronousTransport{{{512, 1, 1}, {1024, 3, 1}}};
  return c;
}

// Guards what ep_info is made of: interfaces, alternate settings with their
// class codes, and endpoints with type, bInterval and high-bandwidth size.
TEST(InterfaceLayout, ReadsAUvcConfiguration) {
  const auto descriptors = device::uvc::build_descriptors(camera());
  const InterfaceLayout layout = InterfaceLayout::parse(descriptors.configuration);
  EXPECT_EQ(layout.interfaces(), (std::vector<std::uint8_t>{0, 1}));
  const AltSettingDescription* vc = layout.alt_setting(0, 0);
  ASSERT_NE(vc, nullptr);
  EXPECT_EQ(vc->interface_subclass, 0x01);
  ASSERT_EQ(vc->endpoints.size(), 1u);
  EXPECT_EQ(vc->endpoints[0].address, 0x82);
  EXPECT_EQ(vc->endpoints[0].kind, EndpointKind::kInterrupt);
  EXPECT_TRUE(layout.alt_setting(1, 0)->endpoints.empty());
  const AltSettingDescription* fast = layout.alt_setting(1, 2);
  ASSERT_NE(fast, nullptr);
  ASSERT_EQ(fast->endpoints.size(), 1u);
  EXPECT_EQ(fast->endpoints[0].kind, EndpointKind::kIsochronous);
  EXPECT_EQ(fast->endpoints[0].interval, 1);
  EXPECT_EQ(fast->endpoints[0].bytes_per_interval(), 3072u);
  EXPECT_EQ(layout.alt_setting(1, 3), nullptr);
}

// Guards malformed input: a descriptor whose length runs past the end stops
// the walk, without reading past it.
TEST(InterfaceLayout, StopsAtABrokenDescriptor) {
  auto bytes = device::uvc::build_descriptors(camera()).configuration;
  bytes.resize(40);
  bytes.push_back(200);  // bLength beyond the end
  bytes.push_back(0x04);
  const InterfaceLayout layout = InterfaceLayout::parse(bytes);
  EXPECT_LE(layout.interfaces().size(), 1u);
}

}  // namespace
}  // namespace hilcap::bus
