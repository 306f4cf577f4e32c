// Real payloads: the usbmon records and payload heads in
// realdata/streaming/vaultmicro reassemble as that folder's README describes.
#include <gtest/gtest.h>
#include <hilcap/uvc/frame_assembler.h>

#include <chrono>

#include "realdata_files.h"
#include "recording_destination.h"
#include "usbmon_record.h"

namespace hilcap::uvc::testing {
namespace {

namespace usbmon = testsupport::usbmon;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

constexpr std::size_t kBufferSize = 1 << 20;

std::filesystem::path vaultmicro(const std::filesystem::path& root) {
  return root / "streaming" / "vaultmicro";
}

usbmon::Record load_record(const std::filesystem::path& path) {
  std::vector<std::uint8_t> bytes;
  const usbmon::ParseOutcome read = usbmon::read_hex_text(path, bytes);
  EXPECT_TRUE(read.ok) << read.error;
  usbmon::Record r;
  const usbmon::ParseOutcome parsed = usbmon::parse_record(bytes, r);
  EXPECT_TRUE(parsed.ok) << parsed.error;
  return r;
}

void feed_iso(FrameAssembler& assembler, const usbmon::Record& r) {
  const nanoseconds t = microseconds(r.timestamp_us());
  for (std::size_t i = 0; i < r.iso.size(); ++i) {
    ASSERT_LE(std::uint64_t{r.iso[i].offset} + r.iso[i].length, r.data.size()) << "packet " << i;
    assembler.on_iso_packet(r.iso_packet(i), r.iso[i].status, t);
  }
}

AssemblerConfig iso_config() {
  AssemblerConfig c;
  c.transport = Transport::kIsochronous;
  c.max_video_frame_size = kBufferSize;
  return c;
}

AssemblerConfig bulk_config(std::uint32_t max_payload) {
  AssemblerConfig c;
  c.transport = Transport::kBulk;
  c.max_video_frame_size = kBufferSize;
  c.max_payload_transfer_size = max_payload;
  return c;
}

// Guards: an iso URB whose frame ends on a header-only payload with EOF and
// reserved bit 4 set (BFH 0x1e), followed by header-only payloads with FID
// toggled, gives one frame of exactly the data bytes, ended by EOF.
TEST(RealIsoPayloads, EofWithReservedBitEndsTheFrameAndFidToggles) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record r = load_record(vaultmicro(root) / "tph_iso_0.hex.txt");
  ASSERT_EQ(r.event, 'C');
  ASSERT_EQ(r.iso.size(), 32u);
  RecordingDestination dest(4, kBufferSize);
  FrameAssembler assembler(iso_config(), dest);
  feed_iso(assembler, r);

  ASSERT_EQ(dest.delivered.size(), 1u);
  const auto& frame = dest.delivered[0];
  EXPECT_EQ(frame.info.bytes_used, 26u * (1280 - 12) + (436 - 12));
  EXPECT_EQ(frame.info.flags, 0u);  // ended by EOF, nothing wrong
  EXPECT_FALSE(frame.info.fid);
  EXPECT_EQ(frame.info.payloads, 29u);  // packets 0..28, the last two header-only
  ASSERT_TRUE(frame.info.pts.has_value());
  EXPECT_EQ(*frame.info.pts, 0xafbd29a9u);
  ASSERT_TRUE(frame.info.scr.has_value());
  EXPECT_EQ(frame.info.scr->stc, 0xafd3256bu);  // from the EOF payload
  // The frame ends with the data of packet 26, after its header.
  const auto last = r.iso_packet(26);
  EXPECT_TRUE(std::equal(last.begin() + 12, last.end(), frame.bytes.end() - (436 - 12)));

  const AssemblerCounters& c = assembler.counters();
  EXPECT_EQ(c.payloads, 32u);
  EXPECT_EQ(c.header_only_payloads, 5u);
  EXPECT_EQ(c.invalid_headers, 0u);
  EXPECT_EQ(c.frames_started, 2u);  // the FID=1 header-only payloads began the next frame
  assembler.flush();
  EXPECT_EQ(assembler.counters().dropped[DropReason::kIncomplete], 1u);
  EXPECT_EQ(dest.free_buffers(), 4u);
}

// Guards: a mid-frame iso URB (32 x 1280 B, FID 0) only accumulates data.
TEST(RealIsoPayloads, MidFrameUrbAccumulatesWithoutEndingAFrame) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record r = load_record(vaultmicro(root) / "tph_iso_1.hex.txt");
  RecordingDestination dest(2, kBufferSize);
  FrameAssembler assembler(iso_config(), dest);
  feed_iso(assembler, r);
  EXPECT_TRUE(dest.delivered.empty());
  EXPECT_EQ(assembler.counters().payloads, 32u);
  EXPECT_EQ(assembler.counters().header_only_payloads, 0u);
  // A FID toggle ends it: all 32 x 1268 data bytes are there, flagged no-EOF.
  const std::uint8_t toggle[12] = {0x0c, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  assembler.on_iso_packet(toggle, 0, nanoseconds(0));
  ASSERT_EQ(dest.delivered.size(), 1u);
  EXPECT_EQ(dest.delivered[0].info.bytes_used, 32u * 1268);
  EXPECT_EQ(dest.delivered[0].info.flags, kUvcFrameNoEof);
}

// Guards: an iso URB of 32 header-only payloads (actual 384 B, the capture
// holding the whole buffer) yields no data and no error.
TEST(RealIsoPayloads, HeaderOnlyUrbCarriesNoData) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record r = load_record(vaultmicro(root) / "header_only_iso_urb.hex.txt");
  EXPECT_EQ(r.length, 384u);
  RecordingDestination dest(2, kBufferSize);
  FrameAssembler assembler(iso_config(), dest);
  feed_iso(assembler, r);
  EXPECT_EQ(assembler.counters().header_only_payloads, 32u);
  EXPECT_EQ(assembler.counters().invalid_headers, 0u);
  EXPECT_EQ(assembler.counters().frames_started, 1u);
  EXPECT_TRUE(dest.delivered.empty());
}

// Guards: the submit record is read as one (status -EINPROGRESS, descriptors
// -EXDEV, no data), and the pcap files hold the same records as the hex files.
TEST(RealIsoPayloads, PcapHoldsTheSameRecordsAsTheHexFiles) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record submit = load_record(vaultmicro(root) / "tph_iso_out.hex.txt");
  EXPECT_EQ(submit.event, 'S');
  EXPECT_EQ(submit.status, -115);
  ASSERT_EQ(submit.iso.size(), 32u);
  for (const usbmon::IsoDescriptor& d : submit.iso)
    EXPECT_EQ(d.status, -18);
  EXPECT_TRUE(submit.data.empty());

  const std::pair<const char*, std::vector<const char*>> sets[] = {
      {"vaultmicro_iso_urbs.pcap",
       {"tph_iso_1.hex.txt", "header_only_iso_urb.hex.txt", "tph_iso_0.hex.txt",
        "tph_iso_out.hex.txt"}},
      {"vaultmicro_bulk_urbs.pcap", {"tph_bulk_0.hex.txt", "tph_bulk_1.hex.txt"}},
  };
  for (const auto& [pcap, hex_files] : sets) {
    std::vector<usbmon::Record> records;
    const usbmon::ParseOutcome read = usbmon::read_pcap(vaultmicro(root) / pcap, records);
    ASSERT_TRUE(read.ok) << read.error;
    ASSERT_EQ(records.size(), hex_files.size()) << pcap;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const usbmon::Record hex = load_record(vaultmicro(root) / hex_files[i]);
      EXPECT_EQ(records[i].id, hex.id) << hex_files[i];
      EXPECT_EQ(records[i].timestamp_us(), hex.timestamp_us()) << hex_files[i];
      EXPECT_EQ(records[i].data, hex.data) << hex_files[i];
      EXPECT_EQ(records[i].iso.size(), hex.iso.size()) << hex_files[i];
    }
  }
}

// Guards: a bulk payload spanning two transfers: the second (no header at its
// start) is data of the same payload, because the first filled its request.
TEST(RealBulkPayloads, PayloadSpansTwoTransfers) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record b0 = load_record(vaultmicro(root) / "tph_bulk_0.hex.txt");
  const usbmon::Record b1 = load_record(vaultmicro(root) / "tph_bulk_1.hex.txt");
  ASSERT_EQ(b0.data.size(), 16384u);
  ASSERT_EQ(b1.data.size(), 8192u);
  RecordingDestination dest(2, kBufferSize);
  FrameAssembler assembler(bulk_config(64 * 1024), dest);
  assembler.on_bulk_transfer(b0.data, 16384, 0, microseconds(b0.timestamp_us()));
  assembler.on_bulk_transfer(b1.data, 16384, 0, microseconds(b1.timestamp_us()));
  EXPECT_EQ(assembler.counters().payloads, 1u);
  EXPECT_EQ(assembler.counters().invalid_headers, 0u);
  // The next payload toggles FID (0x8d had FID 1): the frame ends.
  const std::uint8_t next[14] = {0x0c, 0x8c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xd8};
  assembler.on_bulk_transfer(next, 16384, 0, nanoseconds(0));
  ASSERT_EQ(dest.delivered.size(), 1u);
  const auto& frame = dest.delivered[0];
  EXPECT_EQ(frame.info.bytes_used, (16384u - 12) + 8192u);
  EXPECT_EQ(frame.info.flags, kUvcFrameNoEof);
  EXPECT_EQ(frame.bytes[0], 0xff);  // JPEG SOI right after the header
  EXPECT_EQ(frame.bytes[1], 0xd8);
  EXPECT_TRUE(std::equal(b1.data.begin(), b1.data.end(), frame.bytes.end() - 8192));
  EXPECT_EQ(frame.info.host_time_last, microseconds(b1.timestamp_us()));
}

// Guards the price of accepting longer headers (Linux's uvcvideo pays it too):
// told (wrongly) that the payload ended with the first transfer, the
// reassembler reads the JPEG data at the start of the second, 6b 06 (107
// bytes, EOF|PTS), as a plausible header: the frame ends at that FID change and
// a bogus frame follows. Only bytes that cannot be a header are rejected (see
// PayloadHeader.LengthChecks).
TEST(RealBulkPayloads, DataThatLooksLikeAHeaderIsTakenForOne) {
  HILCAP_REQUIRE_REALDATA(root);
  const usbmon::Record b0 = load_record(vaultmicro(root) / "tph_bulk_0.hex.txt");
  const usbmon::Record b1 = load_record(vaultmicro(root) / "tph_bulk_1.hex.txt");
  ASSERT_EQ(b1.data[0], 0x6b);
  ASSERT_EQ(b1.data[1], 0x06);
  RecordingDestination dest(2, kBufferSize);
  FrameAssembler assembler(bulk_config(16384), dest);
  assembler.on_bulk_transfer(b0.data, 16384, 0, nanoseconds(0));
  assembler.on_bulk_transfer(b1.data, 16384, 0, nanoseconds(1));
  EXPECT_EQ(assembler.counters().invalid_headers, 0u);
  ASSERT_EQ(dest.delivered.size(), 2u);
  EXPECT_EQ(dest.delivered[0].info.flags, kUvcFrameNoEof);
  EXPECT_EQ(dest.delivered[0].info.bytes_used, 16384u - 12);
  EXPECT_EQ(dest.delivered[1].info.bytes_used, 8192u - 0x6b);
}

struct BravRun {
  std::vector<RecordingDestination::Delivered> frames;
  AssemblerCounters counters;
};

BravRun run_brav(const std::vector<usbmon::HexLine>& lines) {
  RecordingDestination dest(4, kBufferSize);
  FrameAssembler assembler(bulk_config(0), dest);
  for (const usbmon::HexLine& l : lines)  // each line is a whole (cut) payload
    assembler.on_bulk_transfer(l.bytes, 16384, 0, nanoseconds(l.line_number));
  return {dest.delivered, assembler.counters()};
}

// Guards: 1326 bulk payload heads are 221 MJPEG frames of 6 payloads, FID
// toggling per frame, EOF on the 6th, PTS advancing 33-34 per frame.
TEST(RealBulkPayloads, BravHeadsGive221Frames) {
  HILCAP_REQUIRE_REALDATA(root);
  std::vector<usbmon::HexLine> lines;
  const usbmon::ParseOutcome read = usbmon::read_hex_lines(
      read_text(vaultmicro(root) / "bulk_payload_heads_brav_new.txt"), lines);
  ASSERT_TRUE(read.ok) << read.error;
  ASSERT_EQ(lines.size(), 1326u);
  const BravRun run = run_brav(lines);
  ASSERT_EQ(run.frames.size(), 221u);
  EXPECT_EQ(run.counters.dropped.total(), 0u);
  EXPECT_EQ(run.counters.invalid_headers, 0u);
  for (std::size_t i = 0; i < run.frames.size(); ++i) {
    const AssembledFrame& f = run.frames[i].info;
    EXPECT_EQ(f.flags, 0u) << "frame " << i;
    EXPECT_EQ(f.payloads, 6u) << "frame " << i;
    EXPECT_EQ(f.bytes_used, 6u * (102 - 12)) << "frame " << i;
    EXPECT_EQ(f.sequence, i);
    EXPECT_EQ(run.frames[i].bytes[0], 0xff) << "frame " << i << " starts with JPEG SOI";
    EXPECT_EQ(run.frames[i].bytes[1], 0xd8);
    if (i == 0) continue;
    EXPECT_NE(f.fid, run.frames[i - 1].info.fid) << "frame " << i;
    const std::uint32_t dpts = *f.pts - *run.frames[i - 1].info.pts;
    EXPECT_GE(dpts, 33u) << "frame " << i;
    EXPECT_LE(dpts, 34u) << "frame " << i;
  }
}

// Guards: the corrupt variant of the file (line 6003 made odd-length, as the
// upstream commit 508df64 did) is refused by the reader with its line number.
// Decoded anyway, its header reads 09 98: 9 bytes where SCR needs 8, which a
// device appending a byte of its own would also send. It is accepted, one byte
// skipped, and no frame is lost: the damage shows only in that frame's size.
TEST(RealBulkPayloads, CorruptBravLineIsReportedAndReadAsALongerHeader) {
  HILCAP_REQUIRE_REALDATA(root);
  std::string text = read_text(vaultmicro(root) / "bulk_payload_heads_brav_new.txt");
  std::size_t at = 0;
  for (int line = 1; line < 6003; ++line)
    at = text.find('\n', at) + 1;
  ASSERT_EQ(text.compare(at, 8, "0c8c49b8"), 0) << "line 6003 is not the one the README names";
  text.replace(at, 8, "0998c49b8");

  std::vector<usbmon::HexLine> lines;
  const usbmon::ParseOutcome read = usbmon::read_hex_lines(text, lines);
  EXPECT_FALSE(read.ok);
  EXPECT_NE(read.error.find("line 6003"), std::string::npos) << read.error;

  // Decoded anyway, dropping the odd last digit.
  const std::size_t end = text.find('\n', at);
  text.erase(end - 1, 1);
  ASSERT_TRUE(usbmon::read_hex_lines(text, lines).ok);
  const BravRun run = run_brav(lines);
  EXPECT_EQ(run.counters.invalid_headers, 0u);
  ASSERT_EQ(run.frames.size(), 221u);
  EXPECT_EQ(run.counters.dropped.total(), 0u);
  std::size_t shorter = 0;
  for (const auto& f : run.frames)
    if (f.info.bytes_used != 6u * (102 - 12)) ++shorter;
  EXPECT_EQ(shorter, 1u);
}

}  // namespace
}  // namespace hilcap::uvc::testing
