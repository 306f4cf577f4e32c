#include "serve/serve_command.h"

#include <fmt/format.h>

#include <variant>

#include "cli/argument_checks.h"
#include "cli/cli.h"
#include "cli/output_files.h"
#include "html/html_page.h"
#include "html/run_page.h"
#include "report/figure_groups.h"
#include "report/run_headline.h"
#include "runner/interrupt_signal.h"
#include "scenario/scenario_loader.h"
#include "serve/serve_run.h"

namespace hilcap::sim {

void add_serve_command(CLI::App& app, ServeArguments& a) {
  a.command = app.add_subcommand(
      "serve",
      "Serve the scenario's device as a USB Video Class camera over usbredir (QEMU's usb-redir "
      "device, libvirt's <redirdev>), in real time, with its timing and faults; report what the "
      "host did");
  a.command
      ->add_option("SCENARIO", a.scenario,
                   "Scenario file: its device section (format, size, fps, timing, faults) "
                   "and device.uvc (transport, UVC version, speed, UVC faults)")
      ->type_name("")
      ->required();
  auto* listen = a.command->add_option(
      "--listen", a.listen,
      "unix:PATH or tcp:HOST:PORT to listen on; the peer connects (QEMU: -chardev "
      "socket,id=cam,path=PATH -device usb-redir,chardev=cam)");
  auto* connect = a.command->add_option(
      "--connect", a.connect,
      "unix:PATH or tcp:HOST:PORT of a listening peer (QEMU: -chardev socket,...,server=on)");
  listen->type_name("ADDRESS")->excludes(connect);
  connect->type_name("ADDRESS");
  a.command
      ->add_option("--duration", a.duration_s,
                   "Seconds to serve once connected (default: until the peer closes the "
                   "connection or Ctrl-C)")
      ->check(positive_number(kMaxDurationSeconds, "seconds"));
  a.command->add_option("--report", a.report, "Write the report as JSON to FILE")
      ->type_name("FILE");
  a.command
      ->add_option("--trace", a.trace,
                   "Write a Chrome trace of the bus and the frames (ui.perfetto.dev) to FILE")
      ->type_name("FILE");
  a.command
      ->add_option("--html", a.html,
                   "Write a self-contained HTML report to FILE: the headline, the figures "
                   "by part, the histograms and the scenario (no time series yet for serve)")
      ->type_name("FILE");
  a.command->add_flag("--no-wall-time", a.no_wall_time, "Leave wall_time_s out of the report file");
  a.command->footer(std::string(kExitStatusHelp));
}

std::optional<int> run_serve_command(const ServeArguments& a, CliContext& context) {
  if (a.command == nullptr || !a.command->parsed()) return std::nullopt;
  std::ostream& out = *context.out;
  std::ostream& err = *context.err;
  if (a.listen.empty() == a.connect.empty()) {
    err << "hilcap serve: give one of --listen ADDRESS or --connect ADDRESS\n";
    return kExitUsage;
  }
  const bool listen = !a.listen.empty();
  auto address = bus::SocketAddress::parse(listen ? a.listen : a.connect);
  if (const auto* problem = std::get_if<std::string>(&address)) {
    err << fmt::format("hilcap serve: {}: {}\n", listen ? "--listen" : "--connect", *problem);
    return kExitUsage;
  }
  if (!outputs_writable("serve", {{"--report", a.report}, {"--trace", a.trace}, {"--html", a.html}},
                        context)) {
    return kExitUsage;
  }
  // From here to the last file written, SIGINT / SIGTERM stop in order.
  const InterruptSignal interrupt;
  LoadedScenario loaded = load_scenario(a.scenario);
  if (!loaded.scenario) {
    for (const ScenarioError& e : loaded.errors)
      err << e.to_string() << "\n";
    return command_status(kExitFailed, interrupt);
  }

  // What the headline and the page say of the run.
  ScenarioOutcome shown;
  shown.scenario_file = a.scenario.string();
  shown.scenario_text = loaded.scenario->source_text;
  shown.clock = "wall";
  for (const ClientSpec& spec : loaded.scenario->clients)
    shown.client_names.push_back(spec.name);
  ServeSettings settings{std::move(*loaded.scenario), std::get<bus::SocketAddress>(address)};
  settings.listen = listen;
  if (a.duration_s > 0) settings.duration_ns = static_cast<TimeNs>(a.duration_s * 1e9);
  settings.trace = a.trace;
  settings.progress = context.progress;
  settings.interrupted = &interrupt.flag();
  settings.log = &err;
  if (!a.html.empty()) settings.timeline_buckets = kRunPageBuckets;

  const double start = context.wall_seconds();
  ServeOutcome outcome = run_serve(settings);
  if (!outcome.report) {
    // Nothing was served: the scenario's camera, the address or the trace.
    for (const std::string& e : outcome.errors)
      err << "hilcap serve: " << e << "\n";
    return command_status(outcome.scenario_invalid ? kExitFailed : kExitUsage, interrupt);
  }
  outcome.report->set_wall_time_s(context.wall_seconds() - start);
  const nlohmann::json figures = outcome.report->to_json(WallTime::kInclude);
  const RunHeadline headline = make_headline(figures, nullptr, {shown.scenario_file, "wall", ""});
  out << headline_text(headline) << grouped_table(group_figures(figures, shown.client_names));
  out << "serve ended: " << outcome.ended << "\n";
  int status = kExitOk;
  for (const std::string& p : outcome.problems) {
    err << "hilcap serve: " << p << "\n";
    status = kExitFailed;
  }
  if (!a.html.empty()) {
    shown.report = std::move(*outcome.report);
    shown.timeline = outcome.timeline;
    const nlohmann::json page = runs_page_data(
        fmt::format("hilcap serve: {}", headline.scenario),
        fmt::format("wall clock, {}; serve ended: {}", shown.scenario_file, outcome.ended),
        {run_section(shown, status == kExitOk ? RunVerdict::kPassed : RunVerdict::kFailed,
                     outcome.problems, 0)},
        false);
    outcome.report = std::move(shown.report);
    if (const auto problem = write_output_file(a.html, html_page(page))) {
      err << fmt::format("hilcap serve: --html {}: cannot write the HTML report: {}\n",
                         a.html.string(), *problem);
      status = kExitUsage;
    }
  }
  if (!a.report.empty()) {
    const std::string text =
        outcome.report->to_json_text(a.no_wall_time ? WallTime::kOmit : WallTime::kInclude);
    if (const auto problem = write_output_file(a.report, text)) {
      err << fmt::format("hilcap serve: --report {}: cannot write the report: {}\n",
                         a.report.string(), *problem);
      status = kExitUsage;
    }
  }
  for (const std::string& e : outcome.output_errors) {
    err << "hilcap serve: " << e << "\n";
    status = kExitUsage;
  }
  return command_status(status, interrupt);
}

}  // namespace hilcap::sim
