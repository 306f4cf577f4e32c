#include <hilcap/device/uvc_protocol.h>
#include <hilcap/uvc/payload_header.h>

namespace hilcap::uvc {

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

}  // namespace hilcap::uvc
