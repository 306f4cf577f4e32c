// Fuzz target: descriptor bytes through the parser, then through everything
// that consumes the model (stream choice, PROBE building and reading, the
// alternate-setting choice), so that a malformed model cannot crash them.
#include <hilcap/uvc/descriptor_parser.h>
#include <hilcap/uvc/stream_config.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_target.h"

namespace {

void exercise(const hilcap::uvc::ParsedDevice& parsed) {
  using namespace hilcap::uvc;
  for (const Diagnostic& d : parsed.diagnostics)
    (void)d.to_string();
  (void)parsed.speed_hint();
  for (const VideoFunction& fn : parsed.configuration.video_functions) {
    const Result<StreamChoice> choice = choose_stream(fn, StreamRequest{});
    (void)choose_stream(fn, StreamRequest{"YUY2", 640, 480, 30});
    for (const StreamingInterface& si : fn.streaming) {
      for (UsbSpeed speed : {UsbSpeed::kFull, UsbSpeed::kHigh, UsbSpeed::kSuper})
        (void)choose_endpoint(si, speed, 3072);
      if (!choice || choice->interface_number != si.interface_number) continue;
      const ProbeRequest probe = make_probe_request(*choice, fn.bcd_uvc());
      std::array<std::uint8_t, 48> answer{};
      const std::size_t n = hilcap::device::uvc::encode_probe_commit(
          probe.block, std::span<std::uint8_t>(answer).first(probe.length));
      (void)interpret_probe_answer(si, probe, std::span<const std::uint8_t>(answer).first(n));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  // As a configuration descriptor alone, and with its first bytes as a device descriptor.
  exercise(hilcap::uvc::parse_descriptors({}, input));
  exercise(hilcap::uvc::parse_descriptors(input.first(size < 18 ? size : 18), input));
  return 0;
}
