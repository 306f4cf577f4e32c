// A reader for the text `lsusb -v` prints, and a canonical line form of the
// descriptor facts that the conformance test compares: the same lines are
// produced from hilcap's parsed model, so a difference shows as a missing or
// extra line. Only the fields compared are read; everything else is skipped.
#pragma once

#include <hilcap/uvc/descriptor_parser.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hilcap::uvc::testing {

struct LsusbDecode {
  std::vector<std::string> lines;     // canonical lines, in lsusb's order
  std::vector<std::string> warnings;  // "PROCESSING_UNIT: Warning: Descriptor too short"
  int video_functions = 0;            // VideoControl HEADER descriptors seen
  // Class descriptors lsusb did not decode but dumped as "INTERFACE CLASS:"
  // hex (it does so when they follow an endpoint descriptor).
  std::vector<std::vector<std::uint8_t>> undecoded;
};

LsusbDecode parse_lsusb_text(const std::string& text);

// The same canonical lines, from the model.
std::vector<std::string> canonical_lines(const ParsedDevice& parsed);

}  // namespace hilcap::uvc::testing
