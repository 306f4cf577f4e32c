#include <hilcap/device/uvc_protocol.h>
#include <hilcap/uvc/payload_header.h>

namespace hilcap::uvc {

namespace uvcp = device::uvc;

bool PayloadHeader::fid() const {
  return (info & uvcp::kHeaderFid) != 0;
}
bool PayloadHeader::eof() const {
  return (info & uvcp::kHeaderEof) != 0;
}
bool PayloadHeader::has_pts() const {
  return (info & uvcp::kHeaderPts) != 0;
}
bool PayloadHeader::has_scr() const {
  return (info & uvcp::kHeaderScr) != 0;
}
bool PayloadHeader::still() const {
  return (info & uvcp::kHeaderSti) != 0;
}
bool PayloadHeader::error() const {
  return (info & uvcp::kHeaderErr) != 0;
}
bool PayloadHeader::eoh() const {
  return (info & uvcp::kHeaderEoh) != 0;
}

const char* to_string(HeaderStatus status) {
  switch (status) {
    case HeaderStatus::kOk:
      return "ok";
    case HeaderStatus::kEmpty:
      return "empty payload";
    case HeaderStatus::kLengthTooSmall:
      return "bHeaderLength < 2";
    case HeaderStatus::kLengthPastPayload:
      return "bHeaderLength past the payload";
    case HeaderStatus::kLengthMismatch:
      return "bHeaderLength too short for the PTS/SCR bits";
  }
  return "?";
}

HeaderStatus parse_payload_header(std::span<const std::uint8_t> payload, PayloadHeader& header) {
  if (payload.empty()) return HeaderStatus::kEmpty;
  header = PayloadHeader{};
  header.length = payload[0];
  if (header.length < uvcp::kMinPayloadHeader) return HeaderStatus::kLengthTooSmall;
  if (header.length > payload.size()) return HeaderStatus::kLengthPastPayload;
  header.info = payload[1];
  const std::size_t expected =
      uvcp::kMinPayloadHeader + (header.has_pts() ? 4 : 0) + (header.has_scr() ? 6 : 0);
  if (header.length < expected) return HeaderStatus::kLengthMismatch;
  const auto get32 = [&](std::size_t at) { return uvcp::detail::get32(payload, at); };
  std::size_t at = uvcp::kMinPayloadHeader;
  if (header.has_pts()) {
    header.pts = get32(at);
    at += 4;
  }
  if (header.has_scr()) {
    header.scr.stc = get32(at);
    header.scr.sof = uvcp::detail::get16(payload, at + 4);
  }
  return HeaderStatus::kOk;
}

}  // namespace hilcap::uvc
