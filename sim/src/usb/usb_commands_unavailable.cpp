// The USB commands of a build without libusb (meson -Dlibusb=disabled): they
// exist, so that `hilcap --help` lists them, and say why they cannot run.
#include <fmt/format.h>

#include "usb/camera_stack.h"
#include "usb/usb_commands.h"

namespace hilcap::sim {

CaptureStack::Created open_camera_stack(const Scenario& scenario, const RunOptions& /*options*/,
                                        std::int64_t /*epoch_ns*/) {
  CaptureStack::Created created;
  created.unavailable = true;
  created.errors.push_back(fmt::format(
      "{}: this hilcap was built without libusb (meson -Dlibusb=disabled), so it cannot open the "
      "camera of \"device\": {{\"usb\": ...}}; configure with -Dlibusb=enabled",
      scenario.file));
  return created;
}

void add_usb_commands(CLI::App& app, UsbCommandArguments& arguments) {
  arguments.devices = app.add_subcommand("devices", "List USB video devices (needs libusb)");
  arguments.devices->add_flag("--json", arguments.json, "Print the list as JSON");
  arguments.capture.command =
      app.add_subcommand("capture", "Capture from a USB video device (needs libusb)");
  arguments.capture.command->allow_extras();
}

std::optional<int> run_usb_command(const UsbCommandArguments& arguments, CliContext& context) {
  const CLI::App* parsed = arguments.devices != nullptr && arguments.devices->parsed()
                               ? arguments.devices
                               : arguments.capture.command;
  if (parsed == nullptr || !parsed->parsed()) return std::nullopt;
  *context.err << "hilcap " << parsed->get_name()
               << ": this hilcap was built without libusb (meson "
                  "-Dlibusb=disabled); configure with -Dlibusb=enabled\n";
  return kExitUsage;
}

}  // namespace hilcap::sim
