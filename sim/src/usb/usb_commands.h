// The hilcap commands that talk to USB video devices through libusb:
// `hilcap devices` lists them, `hilcap capture` runs a scenario on one (the
// short form of `hilcap run` on a "device": {"usb": ...} scenario,
// capture_command.cpp). They plug into the CLI next to run, validate and test.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "cli/cli_context.h"

namespace hilcap::sim {

struct CaptureArguments {
  CLI::App* command = nullptr;
  std::string device;  // [VID:PID][@BUS:ADDRESS][#SERIAL]
  std::string format;
  std::string size;  // WxH
  double fps = 0;
  double duration_s = 0;
  std::uint64_t frames = 0;
  std::filesystem::path scenario;  // empty: the default scenario's clients
  std::filesystem::path report;
  std::filesystem::path trace;
  std::filesystem::path html;
  std::filesystem::path record_timing;
  unsigned transfers = 0;  // 0: the source's default
  bool no_wall_time = false;
};

struct UsbCommandArguments {
  CLI::App* devices = nullptr;
  bool json = false;
  CaptureArguments capture;
};

void add_usb_commands(CLI::App& app, UsbCommandArguments& arguments);

// The exit status of the USB command that was parsed; nothing when none was.
std::optional<int> run_usb_command(const UsbCommandArguments& arguments, CliContext& context);

// `hilcap capture` (capture_command.cpp).
void add_capture_command(CLI::App& app, CaptureArguments& arguments);
int capture_command(const CaptureArguments& arguments, CliContext& context);

}  // namespace hilcap::sim
