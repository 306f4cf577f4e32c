// The header at the start of every UVC payload (UVC 1.5, 2.4.3.3).
#pragma once

#include <hilcap/device/uvc_protocol.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hilcap::uvc {

// Source clock reference: the device clock (STC) and the USB SOF counter
// (bits 10:0) at the time it was sampled.
struct ScrValue {
  std::uint32_t stc = 0;
  std::uint16_t sof = 0;
  friend bool operator==(const ScrValue&, const ScrValue&) = default;
};

struct PayloadHeader {
  std::uint8_t length = 0;  // bHeaderLength
  std::uint8_t info = 0;    // bmHeaderInfo
  std::uint32_t pts = 0;    // valid when has_pts()
  ScrValue scr;             // valid when has_scr()

  // Inline, as is parse_payload_header: they run for every packet of a
  // stream, and out-of-line calls were most of what reassembly cost over
  // the copy itself (issue 15, bench/reassembly_bench).
  bool fid() const { return (info & device::uvc::kHeaderFid) != 0; }
  bool eof() const { return (info & device::uvc::kHeaderEof) != 0; }
  bool has_pts() const { return (info & device::uvc::kHeaderPts) != 0; }
  bool has_scr() const { return (info & device::uvc::kHeaderScr) != 0; }
  bool still() const { return (info & device::uvc::kHeaderSti) != 0; }
  bool error() const { return (info & device::uvc::kHeaderErr) != 0; }
  bool eoh() const { return (info & device::uvc::kHeaderEoh) != 0; }
};

enum class HeaderStatus {
  kOk,
  kEmpty,              // zero-length payload: no header at all
  kLengthTooSmall,     // bHeaderLength < 2
  kLengthPastPayload,  // bHeaderLength > payload size
  kLengthMismatch,     // bHeaderLength < 2 + 4 (PTS) + 6 (SCR): the fields it announces do not fit
};
const char* to_string(HeaderStatus status);

// Parses and checks the header at the start of `payload`. bHeaderLength must
// cover the fields the PTS/SCR bits announce and fit in the payload; a longer
// header is accepted and its extra bytes skipped (real devices append
// vendor metadata there, and the data starts at bHeaderLength either way).
inline HeaderStatus parse_payload_header(std::span<const std::uint8_t> payload,
                                         PayloadHeader& header) {
  namespace uvcp = device::uvc;
  if (payload.empty()) return HeaderStatus::kEmpty;
  header = PayloadHeader{};
  header.length = payload[0];
  if (header.length < uvcp::kMinPayloadHeader) return HeaderStatus::kLengthTooSmall;
  if (header.length > payload.size()) return HeaderStatus::kLengthPastPayload;
  header.info = payload[1];
  const std::size_t expected =
      uvcp::kMinPayloadHeader + (header.has_pts() ? 4 : 0) + (header.has_scr() ? 6 : 0);
  if (header.length < expected) return HeaderStatus::kLengthMismatch;
  std::size_t at = uvcp::kMinPayloadHeader;
  if (header.has_pts()) {
    header.pts = uvcp::detail::get32(payload, at);
    at += 4;
  }
  if (header.has_scr()) {
    header.scr.stc = uvcp::detail::get32(payload, at);
    header.scr.sof = uvcp::detail::get16(payload, at + 4);
  }
  return HeaderStatus::kOk;
}

}  // namespace hilcap::uvc
