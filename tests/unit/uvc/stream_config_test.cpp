// Stream choice, PROBE building and reading, and alternate-setting choice.
#include <gtest/gtest.h>
#include <hilcap/uvc/descriptor_parser.h>
#include <hilcap/uvc/stream_config.h>

#include "config_builder.h"

namespace hilcap::uvc::testing {
namespace {

namespace uvcp = device::uvc;

// YUY2 640x480 (30, 15 fps) and 320x240 (30), MJPEG 1280x720 continuous
// 5..30 fps, NV12 29.97 fps; iso alternate settings 1x1024, 2x1024, 3x1024.
VideoFunction camera() {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0110, {1});
  b.vs_interface(1).input_header(3, 0x81);
  b.format_uncompressed(1, 2, "YUY2");
  b.frame(0x05, 1, 640, 480, 614400, 333333, {333333, 666666});
  b.frame(0x05, 2, 320, 240, 153600, 333333, {333333});
  b.format_mjpeg(2, 1);
  b.frame(0x07, 1, 1280, 720, 1843200, 333333, {333333, 2000000, 333333}, true);
  b.format_uncompressed(3, 1, "NV12", 12);
  b.frame(0x05, 1, 640, 480, 460800, 333667, {333667});
  b.vs_interface(1, 1, 1).endpoint(0x81, 0x05, 0x0400);
  b.vs_interface(1, 2, 1).endpoint(0x81, 0x05, 0x0C00);
  b.vs_interface(1, 3, 1).endpoint(0x81, 0x05, 0x1400);
  const ParsedDevice p = parse_descriptors({}, b.finish());
  EXPECT_TRUE(p.diagnostics.empty());
  return p.configuration.video_functions.at(0);
}

// Guards: an empty request takes the first format, its default frame and interval.
TEST(ChooseStream, DefaultsToTheDevicesDefault) {
  const Result<StreamChoice> c = choose_stream(camera(), {});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->format_name, "YUY2");
  EXPECT_EQ(c->format_index, 1);
  EXPECT_EQ(c->frame_index, 1);
  EXPECT_EQ(c->interval_100ns, 333333u);
  EXPECT_EQ(c->max_video_frame_buffer_size, 614400u);
}

// Guards: format (any case, MJPG alias), size and fps select exactly.
TEST(ChooseStream, ExactRequest) {
  const Result<StreamChoice> y = choose_stream(camera(), {"yuy2", 640, 480, 15});
  ASSERT_TRUE(y) << y.error();
  EXPECT_EQ(y->interval_100ns, 666666u);
  const Result<StreamChoice> m = choose_stream(camera(), {"MJPG", 1280, 720, 10});
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m->format_index, 2);
  EXPECT_EQ(m->interval_100ns, 999999u);  // 333333 + 2 steps of 333333
  EXPECT_EQ(m->format_kind, FormatKind::kMjpeg);
  const Result<StreamChoice> n = choose_stream(camera(), {"NV12", 640, 480, 30});
  ASSERT_TRUE(n) << n.error();  // 29.97 fps is within tolerance of 30
  EXPECT_EQ(n->interval_100ns, 333667u);
}

// Guards: a size without a format is looked for in every format, in order.
TEST(ChooseStream, SizeWithoutFormatSearchesAllFormats) {
  const Result<StreamChoice> c = choose_stream(camera(), {"", 1280, 720, 0});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->format_name, "MJPEG");
  EXPECT_EQ(choose_stream(camera(), {"", 100, 100, 0}).error(),
            "size 100x100 not offered for any format; offered: 640x480, 320x240, 1280x720");
}

// Guards: what is not offered is named together with what is.
TEST(ChooseStream, NotOfferedListsWhatIs) {
  EXPECT_EQ(choose_stream(camera(), {"H264", 0, 0, 0}).error(),
            "format 'H264' not offered; offered: YUY2, MJPEG, NV12");
  EXPECT_EQ(choose_stream(camera(), {"YUY2", 1920, 1080, 0}).error(),
            "size 1920x1080 not offered for YUY2; offered: 640x480, 320x240");
  EXPECT_EQ(choose_stream(camera(), {"YUY2", 320, 240, 60}).error(),
            "60 fps not offered for YUY2 320x240; offered: 30 fps");
  EXPECT_EQ(choose_stream(camera(), {"MJPEG", 1280, 720, 60}).error(),
            "60 fps not offered for MJPEG 1280x720; offered: 5 to 30 fps (intervals "
            "333333..2000000 step 333333 x 100 ns)");
}

// Guards: the PROBE block has the length of the device's UVC version and the chosen fields.
TEST(ProbeRequest, SizeFollowsUvcVersion) {
  const StreamChoice c = *choose_stream(camera(), {"YUY2", 640, 480, 30});
  EXPECT_EQ(make_probe_request(c, 0x0100).length, 26u);
  EXPECT_EQ(make_probe_request(c, 0x0110).length, 34u);
  EXPECT_EQ(make_probe_request(c, 0x0150).length, 48u);
  const ProbeRequest r = make_probe_request(c, 0x0110);
  EXPECT_EQ(r.block.bm_hint, uvcp::kHintFrameInterval);
  EXPECT_EQ(r.block.format_index, 1);
  EXPECT_EQ(r.block.frame_index, 1);
  EXPECT_EQ(r.block.frame_interval_100ns, 333333u);
}

std::vector<std::uint8_t> answer_for(ProbeCommit pc, std::size_t length) {
  std::vector<std::uint8_t> bytes(length);
  uvcp::encode_probe_commit(pc, bytes);
  return bytes;
}

// Guards: what the device changed is listed old -> new; its own fields are not.
TEST(ProbeAnswer, ListsAdjustedFields) {
  const VideoFunction fn = camera();
  const ProbeRequest sent = make_probe_request(*choose_stream(fn, {"YUY2", 640, 480, 30}), 0x0110);
  ProbeCommit answer = sent.block;
  answer.frame_index = 2;
  answer.frame_interval_100ns = 666666;
  answer.max_video_frame_size = 153600;
  answer.max_payload_transfer_size = 3072;
  answer.clock_frequency_hz = 48000000;
  const Result<ProbeOutcome> out =
      interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 34));
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->adjusted.size(), 2u);
  EXPECT_EQ(out->adjusted[0].to_string(), "bFrameIndex 1 -> 2");
  EXPECT_EQ(out->adjusted[1].to_string(), "dwFrameInterval 333333 -> 666666");
  EXPECT_TRUE(out->notes.empty());
  EXPECT_EQ(out->negotiated.max_payload_transfer_size, 3072u);
}

// Guards: a UVC 1.0-sized answer to a 1.1 probe is read (noted); one shorter
// than 26 bytes is an error.
TEST(ProbeAnswer, AnswerLengths) {
  const VideoFunction fn = camera();
  const ProbeRequest sent = make_probe_request(*choose_stream(fn, {}), 0x0110);
  ProbeCommit answer = sent.block;
  answer.max_video_frame_size = 614400;
  answer.max_payload_transfer_size = 3072;
  const Result<ProbeOutcome> short_ok =
      interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 26));
  ASSERT_TRUE(short_ok) << short_ok.error();
  EXPECT_EQ(short_ok->notes.at(0), "device answered 26 bytes to a 34-byte PROBE block");
  const Result<ProbeOutcome> too_short =
      interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 22));
  EXPECT_EQ(too_short.error(),
            "PROBE answer is 22 bytes, shorter than the 26-byte UVC 1.0 block (expected 34)");
  const ProbeRequest sent15 = make_probe_request(*choose_stream(fn, {}), 0x0150);
  EXPECT_TRUE(interpret_probe_answer(fn.streaming[0], sent15, answer_for(answer, 48)));
}

// Guards: answers naming no such frame, giving no payload size, or no frame
// size (filled from the descriptor, as Linux does) are handled.
TEST(ProbeAnswer, ImplausibleAnswers) {
  const VideoFunction fn = camera();
  const ProbeRequest sent = make_probe_request(*choose_stream(fn, {}), 0x0100);
  ProbeCommit answer = sent.block;
  answer.max_payload_transfer_size = 3072;
  const Result<ProbeOutcome> filled =
      interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 26));
  ASSERT_TRUE(filled);
  EXPECT_EQ(filled->negotiated.max_video_frame_size, 614400u);
  EXPECT_EQ(filled->notes.size(), 1u);

  answer.frame_index = 9;
  EXPECT_EQ(interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 26)).error(),
            "PROBE answer bFrameIndex 9: format 1 (YUY2) has no such frame");
  answer.frame_index = 1;
  answer.max_payload_transfer_size = 0;
  EXPECT_EQ(interpret_probe_answer(fn.streaming[0], sent, answer_for(answer, 26)).error(),
            "PROBE answer dwMaxPayloadTransferSize is 0: the device gave no payload size");
}

// Guards: the smallest high-bandwidth alternate setting that covers the payload size.
TEST(ChooseEndpoint, HighSpeedHighBandwidth) {
  const StreamingInterface si = camera().streaming.at(0);
  const Result<EndpointChoice> two = choose_endpoint(si, UsbSpeed::kHigh, 2048);
  ASSERT_TRUE(two) << two.error();
  EXPECT_EQ(two->alternate_setting, 2);
  EXPECT_EQ(two->bytes_per_interval, 2048u);
  EXPECT_EQ(choose_endpoint(si, UsbSpeed::kHigh, 2049)->alternate_setting, 3);
  EXPECT_EQ(choose_endpoint(si, UsbSpeed::kHigh, 100)->alternate_setting, 1);
  EXPECT_EQ(choose_endpoint(si, UsbSpeed::kHigh, 5000).error(),
            "bandwidth not available: need 5000 B/µframe, max offered 3072 (alternate setting 3, "
            "high-speed)");
  // At full speed the high-bandwidth bits mean nothing: 1024 is all there is.
  EXPECT_EQ(choose_endpoint(si, UsbSpeed::kFull, 2048).error(),
            "bandwidth not available: need 2048 B/frame, max offered 1024 (alternate setting 1, "
            "full-speed)");
}

// Guards: SuperSpeed uses the companion's wBytesPerInterval, or burst x mult x packet.
TEST(ChooseEndpoint, SuperSpeedCompanion) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0110, {1});
  b.vs_interface(1).input_header(1, 0x82).format_mjpeg(1, 1);
  b.frame(0x07, 1, 640, 480, 614400, 333333, {333333});
  b.vs_interface(1, 1, 1).endpoint(0x82, 0x05, 1024).companion(3, 0, 4096);
  b.vs_interface(1, 2, 1).endpoint(0x82, 0x05, 1024).companion(15, 1, 0);  // 16 x 2 x 1024
  const StreamingInterface si =
      parse_descriptors({}, b.finish()).configuration.video_functions.at(0).streaming.at(0);
  EXPECT_EQ(choose_endpoint(si, UsbSpeed::kSuper, 4096)->alternate_setting, 1);
  const Result<EndpointChoice> big = choose_endpoint(si, UsbSpeed::kSuper, 20000);
  ASSERT_TRUE(big) << big.error();
  EXPECT_EQ(big->alternate_setting, 2);
  EXPECT_EQ(big->bytes_per_interval, 32768u);
}

// Guards: a bulk endpoint in alternate setting 0 means bulk, whatever the payload size.
TEST(ChooseEndpoint, BulkInAltZero) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0150, {1});
  b.vs_interface(1, 0, 1).input_header(1, 0x81).format_mjpeg(1, 1);
  b.frame(0x07, 1, 640, 480, 614400, 333333, {333333});
  b.endpoint(0x81, 0x02, 512, 0);
  const StreamingInterface si =
      parse_descriptors({}, b.finish()).configuration.video_functions.at(0).streaming.at(0);
  const Result<EndpointChoice> c = choose_endpoint(si, UsbSpeed::kHigh, 1 << 20);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->transfer, TransferType::kBulk);
  EXPECT_EQ(c->alternate_setting, 0);
  EXPECT_EQ(c->packet_size, 512);
}

}  // namespace
}  // namespace hilcap::uvc::testing
