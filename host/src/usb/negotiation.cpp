#include "negotiation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hilcap/device/uvc_protocol.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "device_discovery.h"
#include "libusb_support.h"

namespace hilcap::uvc {

namespace {

namespace uvcp = device::uvc;

std::string id_text(const UvcDeviceInfo& device) {
  return fmt::format("{:04x}:{:04x}", device.vendor_id, device.product_id);
}

unsigned timeout_ms(const SourceOptions& options) {
  return static_cast<unsigned>(std::max<long long>(1, options.control_timeout.count()));
}

// SET_CUR of a VideoStreaming control; the number of bytes taken or a libusb error.
int set_cur(libusb_device_handle* handle, std::uint8_t interface, std::uint8_t selector,
            const ProbeCommit& block, std::size_t length, const SourceOptions& options) {
  std::array<std::uint8_t, uvcp::kProbeCommitSize15> bytes{};
  uvcp::encode_probe_commit(block, std::span(bytes).first(length));
  return libusb_control_transfer(handle, uvcp::kRequestTypeClassInterfaceOut, uvcp::kSetCur,
                                 static_cast<std::uint16_t>(selector << 8), interface, bytes.data(),
                                 static_cast<std::uint16_t>(length), timeout_ms(options));
}

SourceError negotiation_error(std::string message) {
  return {SourceErrorKind::kNegotiation, std::move(message)};
}

std::string control_failure(const char* what, int result, std::size_t length) {
  if (result == LIBUSB_ERROR_PIPE)
    return fmt::format("the device refused {} ({} bytes) with a STALL", what, length);
  if (result < 0)
    return fmt::format("{} ({} bytes) failed: {}", what, length, libusb_error_text(result));
  return fmt::format("{} moved {} of {} bytes", what, result, length);
}

// Claims `interface`, detaching a kernel driver when allowed. Returns whether
// one was detached.
SourceResult<bool> claim(libusb_device_handle* handle, const UvcDeviceInfo& device,
                         std::uint8_t configuration, std::uint8_t interface,
                         const SourceOptions& options) {
  const int active = libusb_kernel_driver_active(handle, interface);
  const bool driver = active == 1;
  const auto driver_error = [&](const std::string& why) {
    return SourceError{
        SourceErrorKind::kKernelDriver,
        fmt::format("interface {} of {} ({}) is bound to a kernel driver (usually uvcvideo){}; {}",
                    interface, id_text(device), device.location.device_node(), why,
                    unbind_hint(device.location, configuration, interface))};
  };
  if (driver && !options.detach_kernel_driver)
    return driver_error(" and detaching it was not allowed");
  if (driver) {
    const int r = libusb_set_auto_detach_kernel_driver(handle, 1);
    if (r != 0)
      return driver_error(
          fmt::format(" that this libusb cannot detach ({})", libusb_error_name(r)));
  }
  const int r = libusb_claim_interface(handle, interface);
  if (r == 0) return driver;
  if (r == LIBUSB_ERROR_BUSY || r == LIBUSB_ERROR_ACCESS) {
    if (driver || libusb_kernel_driver_active(handle, interface) == 1)
      return driver_error(fmt::format(" that could not be detached ({})", libusb_error_name(r)));
    if (r == LIBUSB_ERROR_BUSY)
      return SourceError{SourceErrorKind::kBusy,
                         fmt::format("interface {} of {} is claimed by another program (another "
                                     "hilcap, a video call, a browser tab?): close it and retry",
                                     interface, id_text(device))};
    return SourceError{SourceErrorKind::kAccessDenied,
                       access_hint(device.vendor_id, device.product_id, device.location)};
  }
  return usb_failure("libusb_claim_interface", r);
}

}  // namespace

SourceResult<NegotiatedStream> negotiate_stream(libusb_device_handle* handle,
                                                const UvcDeviceInfo& device, std::size_t function,
                                                const SourceOptions& options) {
  const Configuration& configuration = device.descriptors.configuration;
  if (configuration.video_functions.empty()) {
    std::vector<std::string> problems;
    for (const Diagnostic& d : device.descriptors.diagnostics)
      if (d.severity == Severity::kError) problems.push_back(d.to_string());
    return SourceError{SourceErrorKind::kDescriptors,
                       fmt::format("{} presents no usable video function{}{}", id_text(device),
                                   problems.empty() ? "" : ": ", fmt::join(problems, "; "))};
  }
  if (function >= configuration.video_functions.size())
    return SourceError{
        SourceErrorKind::kNoSuchDevice,
        fmt::format("{} has {} video function(s); function {} does not exist", id_text(device),
                    configuration.video_functions.size(), function)};
  const VideoFunction& video = configuration.video_functions[function];

  NegotiatedStream out;
  out.device = device;
  out.bcd_uvc = video.bcd_uvc();
  auto chosen = choose_stream(video, options.stream);
  if (!chosen)
    return SourceError{SourceErrorKind::kFormatNotOffered,
                       fmt::format("{}: {}", id_text(device), chosen.error())};
  out.choice = chosen.value();
  out.streaming_interface = out.choice.interface_number;
  const StreamingInterface* streaming = nullptr;
  for (const StreamingInterface& s : video.streaming)
    if (s.interface_number == out.streaming_interface) streaming = &s;

  auto claimed =
      claim(handle, device, configuration.configuration_value, out.streaming_interface, options);
  if (!claimed) return claimed.failure();
  out.kernel_driver_detached = claimed.value();
  if (out.kernel_driver_detached)
    out.notes.push_back(
        fmt::format("detached the kernel driver from interface {}; it is attached again on close",
                    out.streaming_interface));
  const auto fail = [&](SourceError error) -> SourceResult<NegotiatedStream> {
    libusb_release_interface(handle, out.streaming_interface);
    return error;
  };

  // The interface idles on alternate setting 0 while negotiating (as Linux does).
  if (const int r = libusb_set_interface_alt_setting(handle, out.streaming_interface, 0); r != 0) {
    if (r == LIBUSB_ERROR_NO_DEVICE)
      return fail(usb_failure("libusb_set_interface_alt_setting", r));
    out.notes.push_back(fmt::format("alternate setting 0 refused ({})", libusb_error_name(r)));
  }

  ProbeRequest probe = make_probe_request(out.choice, out.bcd_uvc);
  int r = set_cur(handle, out.streaming_interface, uvcp::kVsProbeControl, probe.block, probe.length,
                  options);
  if (r == LIBUSB_ERROR_PIPE && probe.length == uvcp::kProbeCommitSize15) {
    // Some UVC 1.5 devices only take the 1.1 block (libuvc #187).
    out.notes.push_back("the device stalled the 48-byte UVC 1.5 PROBE; using the 34-byte block");
    probe.length = uvcp::kProbeCommitSize11;
    r = set_cur(handle, out.streaming_interface, uvcp::kVsProbeControl, probe.block, probe.length,
                options);
  }
  if (r == LIBUSB_ERROR_NO_DEVICE) return fail(usb_failure("PROBE SET_CUR", r));
  if (r != static_cast<int>(probe.length))
    return fail(negotiation_error(control_failure("PROBE SET_CUR", r, probe.length)));
  out.probe_block_size = probe.length;

  std::array<std::uint8_t, uvcp::kProbeCommitSize15> answer{};
  r = libusb_control_transfer(handle, uvcp::kRequestTypeClassInterfaceIn, uvcp::kGetCur,
                              static_cast<std::uint16_t>(uvcp::kVsProbeControl << 8),
                              out.streaming_interface, answer.data(),
                              static_cast<std::uint16_t>(probe.length), timeout_ms(options));
  if (r == LIBUSB_ERROR_NO_DEVICE) return fail(usb_failure("PROBE GET_CUR", r));
  if (r < 0) return fail(negotiation_error(control_failure("PROBE GET_CUR", r, probe.length)));
  if (static_cast<std::size_t>(r) < probe.length)
    out.notes.push_back(fmt::format("PROBE GET_CUR answered {} of {} bytes", r, probe.length));
  auto outcome = interpret_probe_answer(*streaming, probe,
                                        std::span(answer).first(static_cast<std::size_t>(r)));
  if (!outcome) return fail(negotiation_error(outcome.error()));
  out.committed = outcome->negotiated;
  out.adjusted = outcome->adjusted;
  out.notes.insert(out.notes.end(), outcome->notes.begin(), outcome->notes.end());

  r = set_cur(handle, out.streaming_interface, uvcp::kVsCommitControl, out.committed, probe.length,
              options);
  if (r == LIBUSB_ERROR_NO_DEVICE) return fail(usb_failure("COMMIT SET_CUR", r));
  if (r != static_cast<int>(probe.length))
    return fail(negotiation_error(control_failure("COMMIT SET_CUR", r, probe.length)));

  // The device's answer may name another format or frame than asked for.
  if (const Format* format = streaming->find_format(out.committed.format_index)) {
    out.choice.format_index = format->index;
    out.choice.format_name = format->name;
    out.choice.format_kind = format->kind;
    if (const Frame* frame = format->find_frame(out.committed.frame_index)) {
      out.choice.frame_index = frame->index;
      out.choice.width = frame->width;
      out.choice.height = frame->height;
      out.choice.max_video_frame_buffer_size = frame->max_video_frame_buffer_size;
    }
  }
  out.choice.interval_100ns = out.committed.frame_interval_100ns;

  auto endpoint =
      choose_endpoint(*streaming, device.speed, out.committed.max_payload_transfer_size);
  if (!endpoint)
    return fail(
        {SourceErrorKind::kBandwidth, fmt::format("{}: {}", id_text(device), endpoint.error())});
  out.endpoint = endpoint.value();
  out.clock_frequency_hz = out.committed.clock_frequency_hz != 0 ? out.committed.clock_frequency_hz
                                                                 : video.header.clock_frequency_hz;
  if (out.endpoint.transfer == TransferType::kIsochronous) {
    out.packets_per_transfer = std::max(1u, options.iso_packets);
    out.transfer_bytes = out.packets_per_transfer * out.endpoint.bytes_per_interval;
  } else {
    // One payload per transfer when it fits, else whole packets of it.
    const std::uint32_t packet = std::max<std::uint32_t>(1, out.endpoint.packet_size);
    const std::uint32_t cap = std::max(packet, options.max_bulk_transfer / packet * packet);
    out.transfer_bytes = std::min(out.committed.max_payload_transfer_size, cap);
  }
  return out;
}

std::optional<SourceError> recommit_stream(libusb_device_handle* handle,
                                           const NegotiatedStream& stream,
                                           const SourceOptions& options) {
  const int r = set_cur(handle, stream.streaming_interface, uvcp::kVsCommitControl,
                        stream.committed, stream.probe_block_size, options);
  if (r == LIBUSB_ERROR_NO_DEVICE) return usb_failure("COMMIT SET_CUR", r);
  if (r != static_cast<int>(stream.probe_block_size))
    return negotiation_error(control_failure("COMMIT SET_CUR", r, stream.probe_block_size));
  return std::nullopt;
}

std::optional<SourceError> select_alternate_setting(UsbContext& usb, libusb_device_handle* handle,
                                                    const NegotiatedStream& stream) {
  if (stream.endpoint.transfer != TransferType::kIsochronous) return std::nullopt;
  const int r = libusb_set_interface_alt_setting(handle, stream.streaming_interface,
                                                 stream.endpoint.alternate_setting);
  if (r == 0) return std::nullopt;
  if (r == LIBUSB_ERROR_NO_DEVICE) return usb_failure("libusb_set_interface_alt_setting", r);
  const std::optional<int> error = errno_in_log(usb.libusb_log());
  return SourceError{
      SourceErrorKind::kBandwidth,
      fmt::format(
          "bandwidth not available: the host refused alternate setting {} of interface {} "
          "({} bytes per {}) with {}{}; another device on the same bus or controller may hold "
          "the bandwidth: try a smaller size or rate, MJPEG, or another port",
          stream.endpoint.alternate_setting, stream.streaming_interface,
          stream.endpoint.bytes_per_interval,
          stream.device.speed == UsbSpeed::kFull ? "frame" : "microframe", libusb_error_name(r),
          error == ENOSPC ? " (ENOSPC: no space left on the bus schedule)"
          : error         ? fmt::format(" (errno {})", *error)
                          : "")};
}

}  // namespace hilcap::uvc
