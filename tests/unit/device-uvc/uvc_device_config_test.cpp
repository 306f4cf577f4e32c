#include "uvc_device_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_configs.h"

namespace hilcap::device::uvc {
namespace {

const FieldError* find_field(const FieldErrors& errors, const std::string& pointer) {
  const auto it = std::find_if(errors.begin(), errors.end(),
                               [&](const FieldError& e) { return e.json_pointer == pointer; });
  return it == errors.end() ? nullptr : &*it;
}

// The shared test configurations are valid (every other test builds on them).
TEST(UvcDeviceConfig, TestConfigurationsAreValid) {
  EXPECT_TRUE(validate(test::camera_config()).empty());
  EXPECT_TRUE(validate(test::bulk_config()).empty());
}

// An error names the field's JSON Pointer in the configuration, the expected
// value and what was found.
TEST(UvcDeviceConfig, ErrorNamesFieldExpectedAndFound) {
  UvcDeviceConfig c = test::camera_config();
  std::get<DiscreteIntervals>(c.formats[0].frames[1].intervals).intervals_100ns = {333333, 333333};
  const auto errors = validate(c);
  const FieldError* e = find_field(errors, "/formats/0/frames/1/intervals/1");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->message(),
            "at /formats/0/frames/1/intervals/1: expected a value above the previous interval "
            "333333, found 333333");
}

// Every wrong field is reported, not only the first.
TEST(UvcDeviceConfig, ReportsEveryWrongField) {
  UvcDeviceConfig c = test::camera_config();
  c.vendor_id = 0;
  c.formats[0].default_frame_index = 3;
  c.formats[1].frames[0].max_compressed_bytes = 0;
  c.clock_frequency_hz = 0;
  const auto errors = validate(c);
  EXPECT_NE(find_field(errors, "/vendor_id"), nullptr);
  EXPECT_NE(find_field(errors, "/formats/0/default_frame_index"), nullptr);
  EXPECT_NE(find_field(errors, "/formats/1/frames/0/max_compressed_bytes"), nullptr);
  EXPECT_NE(find_field(errors, "/clock_frequency_hz"), nullptr);
  EXPECT_EQ(errors.size(), 4u);
}

// The default interval must be one the frame offers, discrete or on the continuous grid.
TEST(UvcDeviceConfig, DefaultIntervalMustBeOffered) {
  UvcDeviceConfig c = test::camera_config();
  c.formats[0].frames[0].default_interval_100ns = 400000;
  c.formats[1].frames[0].default_interval_100ns = 400000;  // not min + k * step
  const auto errors = validate(c);
  EXPECT_NE(find_field(errors, "/formats/0/frames/0/default_interval_100ns"), nullptr);
  EXPECT_NE(find_field(errors, "/formats/1/frames/0/default_interval_100ns"), nullptr);
}

// A continuous range whose step does not divide it is refused.
TEST(UvcDeviceConfig, ContinuousStepMustDivideRange) {
  UvcDeviceConfig c = test::camera_config();
  std::get<ContinuousIntervals>(c.formats[1].frames[0].intervals).step_100ns = 400000;
  const auto errors = validate(c);
  const FieldError* e = find_field(errors, "/formats/1/frames/0/intervals/step_100ns");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->found, "400000");
}

// Packet sizes follow the bus speed: high-bandwidth only above full speed, bursts only at
// SuperSpeed.
TEST(UvcDeviceConfig, IsoAltSettingsCheckedAgainstSpeed) {
  UvcDeviceConfig c = test::camera_config();
  c.speed = UsbSpeed::kFull;
  c.transport = IsochronousTransport{{{1024, 1, 1}, {512, 2, 1}, {512, 1, 2}}};
  const auto errors = validate(c);
  EXPECT_NE(find_field(errors, "/transport/alt_settings/0/max_packet_size"), nullptr);
  EXPECT_NE(find_field(errors, "/transport/alt_settings/1/transactions"), nullptr);
  EXPECT_NE(find_field(errors, "/transport/alt_settings/2/burst"), nullptr);

  c.speed = UsbSpeed::kHigh;
  c.transport = IsochronousTransport{{{513, 2, 1}, {683, 3, 1}, {682, 3, 1}}};
  const auto high_errors = validate(c);
  ASSERT_EQ(high_errors.size(), 1u);
  EXPECT_EQ(
      high_errors[0].message(),
      "at /transport/alt_settings/2/max_packet_size: expected 683 to 1024 with 3 transactions "
      "per microframe, found 682");

  c.speed = UsbSpeed::kSuper;
  c.transport = IsochronousTransport{{{1024, 3, 16}, {512, 1, 2}}};
  const auto super_errors = validate(c);
  EXPECT_EQ(super_errors.size(), 1u);
  EXPECT_NE(find_field(super_errors, "/transport/alt_settings/1/max_packet_size"), nullptr);
}

// Bulk packet size must be the one the speed mandates.
TEST(UvcDeviceConfig, BulkPacketSizeFollowsSpeed) {
  UvcDeviceConfig c = test::bulk_config();
  c.speed = UsbSpeed::kSuper;
  const auto errors = validate(c);
  const FieldError* e = find_field(errors, "/transport/max_packet_size");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->expected, "1024 at SuperSpeed");
  EXPECT_EQ(e->found, "512");
}

// Subsampled formats need even sizes; strings must fit a string descriptor.
TEST(UvcDeviceConfig, FrameSizesAndStringsChecked) {
  UvcDeviceConfig c = test::camera_config();
  c.formats[0].format = VideoFormat::kNv12;
  c.formats[0].frames[0].width = 641;
  c.formats[0].frames[0].height = 479;
  c.product = std::string(127, 'x');
  c.manufacturer = "caf\xc3\xa9";
  const auto errors = validate(c);
  EXPECT_NE(find_field(errors, "/formats/0/frames/0/width"), nullptr);
  EXPECT_NE(find_field(errors, "/formats/0/frames/0/height"), nullptr);
  EXPECT_NE(find_field(errors, "/product"), nullptr);
  EXPECT_NE(find_field(errors, "/manufacturer"), nullptr);
}

// A short reply must be shorter than the version's block, else it is no short reply.
TEST(UvcDeviceConfig, ShortReplyMustBeShorterThanBlock) {
  UvcDeviceConfig c = test::camera_config(UvcVersion::k1_0);
  c.negotiation.short_reply_bytes = 26;
  const auto errors = validate(c);
  const FieldError* e = find_field(errors, "/negotiation/short_reply_bytes");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->expected, "0 or fewer than the 26-byte probe/commit block");
  c.negotiation.short_reply_bytes = 25;
  EXPECT_TRUE(validate(c).empty());
}

// Frame sizes: uncompressed from the pixel layout, MJPEG from its configured maximum.
TEST(UvcDeviceConfig, MaxFrameBytes) {
  const UvcDeviceConfig c = test::camera_config();
  EXPECT_EQ(max_frame_bytes(c.formats[0], c.formats[0].frames[0]), 640u * 480 * 2);
  EXPECT_EQ(max_frame_bytes(c.formats[1], c.formats[1].frames[0]), 400000u);
  FormatConfig nv12{VideoFormat::kNv12, {{64, 48, DiscreteIntervals{{333333}}, 333333, 0}}, 1};
  EXPECT_EQ(max_frame_bytes(nv12, nv12.frames[0]), 64u * 48 * 3 / 2);
  FormatConfig grey{VideoFormat::kGrey, {{64, 48, DiscreteIntervals{{333333}}, 333333, 0}}, 1};
  EXPECT_EQ(max_frame_bytes(grey, grey.frames[0]), 64u * 48);
}

}  // namespace
}  // namespace hilcap::device::uvc
