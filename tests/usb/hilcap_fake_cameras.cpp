// hilcap-fake-cameras: the hilcap command line with fake USB cameras plugged
// in, for trying `hilcap devices`, `hilcap capture` and `hilcap run` on a
// scenario whose device is {"usb": "cafe:4011"} without hardware. The
// cameras live in this process (umockdev's ioctl handler), so it must run
// under umockdev-wrapper:
//
//   umockdev-wrapper hilcap-fake-cameras [--scenario FILE]... [--model bulk|iso]...
//                                        [--real DIR] -- run camera.json
//
// --scenario plugs the scenario's device model as a UVC camera, the one
// `hilcap serve` serves over usbredir (ModelCamera, made by
// sim/src/serve/scenario_camera.h): its format, size and frame rate, its
// timing and faults, presented as its "device.uvc" says (bulk or
// isochronous, MJPEG or uncompressed, UVC version, speed, ids and serial,
// UVC-level faults), frames paced on the wall clock. Frame numbers and times
// count from each stream's start. The scenario given to `hilcap run` names
// the camera: "device": {"usb": "cafe:4011"} (device.uvc's "id", by
// default cafe:4011). --model plugs the device model as a fixed UVC camera
// (160x120 YUY2 at 30 fps, frames paced in real time): bulk as cafe:4011,
// isochronous as cafe:4012.
// --real plugs every descriptor set of an esp-usb folder (descriptors only:
// they enumerate but do not stream). Cameras take addresses 2, 3... on bus
// 1 in the order given: --scenario, then --model.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string_view>

#include "cli/cli.h"
#include "cli/scenario_runner.h"
#include "mock_testbed.h"
#include "model_uvc_device.h"
#include "real_cameras.h"
#include "runner/interrupt_signal.h"
#include "scenario/scenario_loader.h"
#include "serve/scenario_camera.h"

namespace {

using namespace hilcap;

hilcap::device::DeviceConfig model_config() {
  hilcap::device::DeviceConfig c;
  c.format = {hilcap::device::PixelFormat::kYuy2, 160, 120};
  c.timing.cadence = hilcap::device::FrameRate{30, 1};
  return c;
}

// Plugs `file`'s device model as a camera at 1:address; false after saying why on stderr.
bool plug_scenario(hilcap::testing::MockTestbed& testbed, const std::string& file, int address,
                   std::vector<std::unique_ptr<hilcap::testing::ModelUvcDevice>>& cameras) {
  sim::LoadedScenario loaded = sim::load_scenario(file);
  if (!loaded.scenario) {
    for (const sim::ScenarioError& e : loaded.errors)
      std::cerr << e.to_string() << "\n";
    return false;
  }
  if (loaded.scenario->camera) {
    std::cerr << file
              << ": at /device/usb: expected a simulated device (--scenario plugs the device "
                 "model as a camera), found a camera to stream: \""
              << loaded.scenario->camera->usb << "\"\n";
    return false;
  }
  sim::ScenarioCamera made = sim::make_scenario_camera(*loaded.scenario);
  if (!made.camera) {
    for (const std::string& e : made.errors)
      std::cerr << e << "\n";
    return false;
  }
  const device::uvc::UvcPresentation shown = made.camera->presentation();
  const testing::UsbBusAddress at{1, address};
  cameras.push_back(std::make_unique<testing::ModelUvcDevice>(testbed, std::move(made.camera), at));
  std::string error;
  if (!cameras.back()->usb().plug(error)) {
    std::cerr << "plug: " << error << "\n";
    return false;
  }
  std::cerr << fmt::format("hilcap-fake-cameras: {} plugged as {:04x}:{:04x}{}{} at {}:{} ({}{})\n",
                           file, shown.vendor_id, shown.product_id, shown.serial.empty() ? "" : "#",
                           shown.serial, at.bus, at.device, shown.bulk ? "bulk" : "isochronous",
                           shown.mjpeg ? ", MJPEG" : "");
  return true;
}

int fake_cameras_main(int argc, char** argv) {
  std::vector<std::string> scenarios;
  std::vector<std::string> models;
  std::string real;
  std::vector<std::string> hilcap_args;
  CLI::App app{
      "The hilcap command line with fake USB cameras plugged in (run it under "
      "umockdev-wrapper)",
      "hilcap-fake-cameras"};
  app.add_option("--scenario", scenarios,
                 "Plug the device model of this scenario as the UVC camera its device section "
                 "and device.uvc describe")
      ->check(CLI::ExistingFile);
  app.add_option("--model", models, "Plug the device model as a UVC camera: bulk or iso")
      ->check(CLI::IsMember({"bulk", "iso"}));
  app.add_option("--real", real, "Plug every real descriptor set of this esp-usb folder");
  app.footer("Everything after -- is the hilcap command line.");
  // Split at "--" ourselves: CLI11 would read hilcap's own options as ours.
  int ours = 1;
  while (ours < argc && std::string_view(argv[ours]) != "--")
    ++ours;
  for (int i = ours + 1; i < argc; ++i)
    hilcap_args.emplace_back(argv[i]);
  if (hilcap_args.empty()) {
    std::cerr << "hilcap-fake-cameras: give the hilcap command line after --\n";
    return 2;
  }
  CLI11_PARSE(app, ours, argv);

  testing::MockTestbed testbed;
  if (!testbed.in_mock_environment()) {
    std::cerr << "hilcap-fake-cameras: run it under umockdev-wrapper\n";
    return 2;
  }
  std::vector<std::unique_ptr<testing::ModelUvcDevice>> cameras;
  int address = 2;
  for (const std::string& file : scenarios) {
    if (!plug_scenario(testbed, file, address++, cameras)) return 2;
  }
  for (const std::string& kind : models) {
    device::uvc::UvcPresentation shown;
    shown.bulk = kind == "bulk";
    shown.product_id = shown.bulk ? 0x4011 : 0x4012;
    shown.serial = "MODEL-" + kind;
    auto created = testing::ModelUvcDevice::create(
        testbed, model_config(), shown, {device::uvc::Pacing::kRealTime}, {1, address++});
    if (!created.ok()) {
      std::cerr << created.errors()[0].message() << "\n";
      return 2;
    }
    std::string error;
    if (!created.value()->usb().plug(error)) {
      std::cerr << "plug: " << error << "\n";
      return 2;
    }
    cameras.push_back(std::move(created.value()));
  }
  testing::RealCameraRig rig;
  if (!real.empty()) {
    std::vector<testing::RealCamera> found = testing::load_real_cameras(real);
    // After the model cameras: the rig numbers its devices from address 2 on a bus of its own.
    std::string error;
    if (!rig.plug(testbed, found, error, 2)) {
      std::cerr << "plug: " << error << "\n";
      return 2;
    }
  }

  std::vector<const char*> args{"hilcap"};
  for (const std::string& a : hilcap_args)
    args.push_back(a.c_str());
  const auto runner = sim::make_scenario_runner();
  sim::CliContext context = sim::process_cli_context(runner.get());
  return sim::run_cli(static_cast<int>(args.size()), args.data(), context);
}

}  // namespace

int main(int argc, char** argv) {
  int status = 0;
  {
    // Plugging the cameras takes milliseconds before the command's own
    // guard exists; a SIGINT then ended the process with no report (the
    // interrupt suite's 0 ms moment). Caught from the start, it stops the
    // command as soon as it begins, its report written.
    const sim::InterruptSignal from_the_start;
    status = fake_cameras_main(argc, argv);
  }
  // As hilcap's main(): an interrupted command ends by its signal.
  return sim::end_process(status);
}
