// The hilcap commands that talk to USB video devices through libusb:
// `hilcap devices` lists them. They plug into the CLI next to run, validate
// and test.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/cli_context.h"

namespace hilcap::sim {

struct UsbCommandArguments {
  CLI::App* devices = nullptr;
  bool json = false;
};

void add_usb_commands(CLI::App& app, UsbCommandArguments& arguments);

// The exit status of the USB command that was parsed; nothing when none was.
std::optional<int> run_usb_command(const UsbCommandArguments& arguments, CliContext& context);

}  // namespace hilcap::sim
