// The header at the start of every UVC payload (UVC 1.5, 2.4.3.3).
#pragma once

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

  bool fid() const;
  bool eof() const;
  bool has_pts() const;
  bool has_scr() const;
  bool still() const;
  bool error() const;
  bool eoh() const;
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
HeaderStatus parse_payload_header(std::span<const std::uint8_t> payload, PayloadHeader& header);

}  // namespace hilcap::uvc
