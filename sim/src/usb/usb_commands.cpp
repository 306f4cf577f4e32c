#include "usb/usb_commands.h"

#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>

#include "usb/device_listing.h"

namespace hilcap::sim {

namespace {

int devices_command(const UsbCommandArguments& arguments, CliContext& context) {
  auto usb = uvc::UsbContext::create();
  if (!usb.ok()) {
    *context.err << "hilcap devices: " << usb.error() << "\n";
    return kExitUsage;
  }
  auto devices = usb.value()->list_uvc_devices();
  if (!devices.ok()) {
    *context.err << "hilcap devices: " << devices.error() << "\n";
    return kExitUsage;
  }
  if (arguments.json) {
    *context.out << devices_json(devices.value()).dump(2) << "\n";
  } else {
    *context.out << devices_text(devices.value());
  }
  return kExitOk;
}

}  // namespace

void add_usb_commands(CLI::App& app, UsbCommandArguments& arguments) {
  arguments.devices = app.add_subcommand(
      "devices",
      "List the USB Video Class devices present: each video function, how it streams, and every "
      "format with its frame sizes and rates (read from the raw descriptors)");
  arguments.devices->add_flag("--json", arguments.json, "Print the list as JSON");
  add_capture_command(app, arguments.capture);
}

std::optional<int> run_usb_command(const UsbCommandArguments& arguments, CliContext& context) {
  if (arguments.devices != nullptr && arguments.devices->parsed())
    return devices_command(arguments, context);
  if (arguments.capture.command != nullptr && arguments.capture.command->parsed())
    return capture_command(arguments.capture, context);
  return std::nullopt;
}

}  // namespace hilcap::sim
