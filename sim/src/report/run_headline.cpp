#include "report/run_headline.h"

#include <fmt/format.h>

#include <filesystem>

#include "scenario/expectations.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

std::optional<std::uint64_t> count_at(const Json& report, std::string_view path) {
  const Json* figure = find_report_figure(report, path);
  if (figure == nullptr || !figure->is_number_integer()) return std::nullopt;
  return figure->get<std::uint64_t>();
}

std::optional<double> number_at(const Json& report, std::string_view path) {
  const Json* figure = find_report_figure(report, path);
  if (figure == nullptr || !figure->is_number()) return std::nullopt;
  return figure->get<double>();
}

std::string milliseconds(double ms) {
  return fmt::format("{:.3f} ms", ms);
}

}  // namespace

RunHeadline make_headline(const Json& report, const Json& expect, const RunIdentity& identity) {
  RunHeadline h;
  h.identity = identity;
  h.scenario = std::filesystem::path(identity.file).stem().string();
  h.duration_s = identity.clock == "wall" ? number_at(report, "realtime.elapsed_s")
                                          : number_at(report, "virtual_time_s");
  if (!h.duration_s) h.duration_s = number_at(report, "realtime.elapsed_s");
  h.seed = count_at(report, "seed");
  h.frames_due = count_at(report, "frames.due");
  h.frames_delivered = count_at(report, "frames.delivered");
  h.frames_received = count_at(report, "frames.received");
  h.frames_dropped = count_at(report, "frames.dropped.total");
  if (const Json* reasons = find_report_figure(report, "frames.dropped.by_reason");
      reasons != nullptr && reasons->is_object()) {
    for (const auto& item : reasons->items()) {
      if (item.value().is_number_integer() && item.value().get<std::uint64_t>() > 0)
        h.dropped_by_reason.emplace_back(item.key(), item.value().get<std::uint64_t>());
    }
  }
  const auto immediate = count_at(report, "requests.immediate");
  const auto pended = count_at(report, "requests.pended");
  if (immediate && pended) {
    h.allocs_immediate = *immediate;
    h.allocs_pended = *pended;
    h.allocs = *immediate + *pended + count_at(report, "requests.refused").value_or(0);
  }
  if (const auto max_us = number_at(report, "pending_latency_us.max"))
    h.worst_wait_ms = *max_us / 1000;
  if (const auto p99_us = number_at(report, "pending_latency_us.p99"))
    h.p99_wait_ms = *p99_us / 1000;

  for (const ExpectationCheck& check : check_each_expectation(report, expect)) {
    ++h.expectations_total;
    if (check.met) ++h.expectations_met;
  }
  const std::uint64_t steps = count_at(report, "script.expectations_checked").value_or(0);
  const std::uint64_t steps_failed = count_at(report, "script.expectations_failed").value_or(0);
  h.expectations_total += steps;
  h.expectations_met += steps - std::min(steps, steps_failed);
  return h;
}

std::string headline_text(const RunHeadline& h) {
  std::string first = h.scenario.empty() ? std::string("scenario") : h.scenario;
  if (!h.identity.file.empty()) first += fmt::format(" ({})", h.identity.file);
  std::vector<std::string> facts;
  if (!h.identity.clock.empty()) facts.push_back(h.identity.clock + " clock");
  if (h.duration_s) facts.push_back(fmt::format("{:.3f} s", *h.duration_s));
  if (h.seed) facts.push_back(fmt::format("seed {}", *h.seed));
  if (!h.identity.stopped_by.empty() && h.identity.stopped_by != "end")
    facts.push_back("stopped by " + h.identity.stopped_by);
  std::string out = first;
  for (std::size_t i = 0; i < facts.size(); ++i)
    out += (i == 0 ? ": " : ", ") + facts[i];
  out += "\n";

  std::vector<std::string> frames;
  if (h.frames_due) frames.push_back(fmt::format("{} due", *h.frames_due));
  if (h.frames_delivered) frames.push_back(fmt::format("{} delivered", *h.frames_delivered));
  if (h.frames_received) frames.push_back(fmt::format("{} received", *h.frames_received));
  if (h.frames_dropped) {
    std::string dropped = fmt::format("{} dropped", *h.frames_dropped);
    if (!h.dropped_by_reason.empty()) {
      dropped += " (";
      for (std::size_t i = 0; i < h.dropped_by_reason.size(); ++i) {
        dropped += fmt::format("{}{} {}", i == 0 ? "" : ", ", h.dropped_by_reason[i].first,
                               h.dropped_by_reason[i].second);
      }
      dropped += ")";
    }
    frames.push_back(std::move(dropped));
  }
  if (!frames.empty()) {
    out += "  frames        ";
    for (std::size_t i = 0; i < frames.size(); ++i)
      out += (i == 0 ? "" : ", ") + frames[i];
    out += "\n";
  }
  if (h.allocs) {
    out += fmt::format("  requests      {} ALLOCs: {} at once, {} pended", *h.allocs,
                       h.allocs_immediate, h.allocs_pended);
    if (h.worst_wait_ms) {
      out += "; worst pending wait " + milliseconds(*h.worst_wait_ms);
      if (h.p99_wait_ms) out += " (p99 " + milliseconds(*h.p99_wait_ms) + ")";
    }
    out += "\n";
  }
  if (h.expectations_total == 0) {
    out += "  expectations  none\n";
  } else {
    out += fmt::format("  expectations  {}/{} met\n", h.expectations_met, h.expectations_total);
  }
  return out;
}

Json headline_json(const RunHeadline& h) {
  const auto optional = [](const auto& value) { return value ? Json(*value) : Json(); };
  Json reasons = Json::object();
  for (const auto& [reason, count] : h.dropped_by_reason)
    reasons[reason] = count;
  return {
      {"scenario", h.scenario},
      {"file", h.identity.file},
      {"clock", h.identity.clock},
      {"duration_s", optional(h.duration_s)},
      {"seed", optional(h.seed)},
      {"stopped_by", h.identity.stopped_by.empty() ? "end" : h.identity.stopped_by},
      {"frames",
       {{"due", optional(h.frames_due)},
        {"delivered", optional(h.frames_delivered)},
        {"received", optional(h.frames_received)},
        {"dropped", optional(h.frames_dropped)},
        {"dropped_by_reason", reasons}}},
      {"requests",
       {{"allocs", optional(h.allocs)},
        {"immediate", h.allocs ? Json(h.allocs_immediate) : Json()},
        {"pended", h.allocs ? Json(h.allocs_pended) : Json()},
        {"worst_pending_wait_ms", optional(h.worst_wait_ms)},
        {"p99_pending_wait_ms", optional(h.p99_wait_ms)}}},
      {"expectations", {{"met", h.expectations_met}, {"total", h.expectations_total}}},
  };
}

}  // namespace hilcap::sim
