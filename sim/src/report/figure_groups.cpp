#include "report/figure_groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

enum class Part : std::uint8_t { kRun, kDevice, kHost, kClient, kScript, kUsb, kRealtime, kOther };

// A figure's place: the path itself, or with a final '.' every path under it.
struct Rule {
  std::string_view pattern;
  Part part;
};

// In the order the figures are shown; the first matching rule places a figure.
constexpr std::array kRules = {
    Rule{"seed", Part::kRun},
    Rule{"virtual_time_s", Part::kRun},
    Rule{"events", Part::kRun},
    Rule{"wall_time_s", Part::kRun},

    Rule{"frames.due", Part::kDevice},
    Rule{"frames.produced", Part::kDevice},
    Rule{"frames.offered", Part::kDevice},
    Rule{"frames.sent", Part::kDevice},
    Rule{"frames.cut_off", Part::kDevice},
    Rule{"frames.dropped.total", Part::kDevice},
    Rule{"frames.dropped.by_reason.starvation", Part::kDevice},
    Rule{"frames.dropped.by_reason.buffer_rejected", Part::kDevice},
    Rule{"frames.dropped.by_reason.scheduled", Part::kDevice},
    Rule{"frames.dropped.by_reason.random", Part::kDevice},
    Rule{"frames.dropped.by_reason.stall", Part::kDevice},
    Rule{"frames.dropped.by_reason.completion_ring_full", Part::kDevice},
    Rule{"frames.dropped.by_reason.aborted", Part::kDevice},
    Rule{"frames.dropped.", Part::kDevice},
    Rule{"frames.in_flight_at_end", Part::kDevice},
    Rule{"frames.lateness_us", Part::kDevice},
    Rule{"device.interrupts", Part::kDevice},
    Rule{"device.interrupts_coalesced", Part::kDevice},
    Rule{"device.faults.", Part::kDevice},
    Rule{"device.connected_at_end", Part::kDevice},
    Rule{"device.state_at_end", Part::kDevice},
    Rule{"device.", Part::kDevice},
    Rule{"arrival.frames", Part::kDevice},
    Rule{"arrival.interval_us", Part::kDevice},
    Rule{"arrival.jitter_us", Part::kDevice},
    Rule{"arrival.latency_us", Part::kDevice},
    Rule{"arrival.", Part::kDevice},

    Rule{"host.interrupts_serviced", Part::kHost},
    Rule{"host.completions", Part::kHost},
    Rule{"host.buffers_posted", Part::kHost},
    Rule{"host.buffers_rejected", Part::kHost},
    Rule{"host.", Part::kHost},
    Rule{"frames.delivered", Part::kHost},
    Rule{"frames.ok", Part::kHost},
    Rule{"frames.short", Part::kHost},
    Rule{"frames.error", Part::kHost},
    Rule{"frames.corrupt", Part::kHost},
    Rule{"frames.damaged.", Part::kHost},
    Rule{"frames.returned_unfilled", Part::kHost},
    Rule{"frames.received", Part::kHost},
    Rule{"allocator.frames", Part::kHost},
    Rule{"allocator.frame_size", Part::kHost},
    Rule{"allocator.high_water", Part::kHost},
    Rule{"allocator.held_at_end", Part::kHost},
    Rule{"allocator.ready_at_end", Part::kHost},
    Rule{"allocator.invalid_frees", Part::kHost},
    Rule{"allocator.open_at_end", Part::kHost},
    Rule{"allocator.", Part::kHost},
    Rule{"requests.immediate", Part::kHost},
    Rule{"requests.pended", Part::kHost},
    Rule{"requests.completed", Part::kHost},
    Rule{"requests.cancelled", Part::kHost},
    Rule{"requests.failed", Part::kHost},
    Rule{"requests.refused", Part::kHost},
    Rule{"requests.pending_at_end", Part::kHost},
    Rule{"requests.", Part::kHost},
    Rule{"pending_latency_us", Part::kHost},

    Rule{"clients.", Part::kClient},

    Rule{"script.steps_run", Part::kScript},
    Rule{"script.expectations_checked", Part::kScript},
    Rule{"script.expectations_failed", Part::kScript},
    Rule{"script.", Part::kScript},

    Rule{"usb.", Part::kUsb},
    Rule{"uvc.", Part::kUsb},

    Rule{"realtime.elapsed_s", Part::kRealtime},
    Rule{"realtime.stopped_by", Part::kRealtime},
    Rule{"realtime.frame_lateness_us", Part::kRealtime},
    Rule{"realtime.pending_completion_latency_us", Part::kRealtime},
    Rule{"realtime.cancelled_at_stop", Part::kRealtime},
    Rule{"realtime.pending_after_stop", Part::kRealtime},
    Rule{"realtime.", Part::kRealtime},

    Rule{"frames.", Part::kDevice},
};

// A client's figures in the order of its requests' life.
constexpr std::array<std::string_view, 13> kClientFigures = {
    "frames",
    "immediate",
    "pended",
    "completed",
    "cancelled",
    "failed",
    "refused",
    "frees",
    "invalid_frees",
    "cancels",
    "discontinuities",
    "error_frames",
    "header_reads_failed",
};

bool matches(std::string_view pattern, std::string_view path) {
  if (pattern.ends_with('.')) return path.starts_with(pattern);
  return path == pattern;
}

std::size_t rule_of(std::string_view path) {
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    if (matches(kRules[i].pattern, path)) return i;
  }
  return kRules.size();  // other
}

// A distribution as the JSON report renders it.
bool is_distribution(const Json& node) {
  return node.is_object() && node.contains("count") && node.contains("p50") && node.contains("max");
}

void flatten(const Json& node, const std::string& prefix, std::vector<FigureView>& out) {
  if (!node.is_object() || is_distribution(node)) {
    out.push_back({prefix, node, is_distribution(node)});
    return;
  }
  for (const auto& item : node.items())
    flatten(item.value(), prefix.empty() ? item.key() : prefix + "." + item.key(), out);
}

// "clients.<name>.<figure>": the name (which may not contain a dot: names
// are report path segments) and the figure.
std::pair<std::string, std::string> client_parts(const std::string& path) {
  const std::string rest = path.substr(std::string_view("clients.").size());
  const std::size_t dot = rest.find('.');
  if (dot == std::string::npos) return {rest, ""};
  return {rest.substr(0, dot), rest.substr(dot + 1)};
}

std::size_t client_figure_rank(const std::string& figure) {
  const auto* it = std::find(kClientFigures.begin(), kClientFigures.end(), figure);
  return static_cast<std::size_t>(it - kClientFigures.begin());
}

const char* part_title(Part part) {
  switch (part) {
    case Part::kRun:
      return "run";
    case Part::kDevice:
      return "device";
    case Part::kHost:
      return "host";
    case Part::kClient:
      return "client";
    case Part::kScript:
      return "script";
    case Part::kUsb:
      return "USB";
    case Part::kRealtime:
      return "real time";
    case Part::kOther:
      return "other";
  }
  return "other";
}

}  // namespace

std::vector<FigureGroup> group_figures(const Json& report,
                                       const std::vector<std::string>& client_order) {
  std::vector<FigureView> all;
  flatten(report, "", all);

  // Sort key: part, then (clients) the client's place, then the rule, then
  // (clients) the figure's place, then the path.
  struct Placed {
    Part part;
    std::size_t client = 0;
    std::size_t rule = 0;
    std::size_t within = 0;
    std::string client_name;
    FigureView figure;
  };
  std::vector<Placed> placed;
  for (FigureView& figure : all) {
    Placed p;
    p.rule = rule_of(figure.path);
    p.part = p.rule < kRules.size() ? kRules[p.rule].part : Part::kOther;
    if (p.part == Part::kClient) {
      auto [name, rest] = client_parts(figure.path);
      const auto it = std::find(client_order.begin(), client_order.end(), name);
      p.client = static_cast<std::size_t>(it - client_order.begin());
      p.within = client_figure_rank(rest);
      p.client_name = std::move(name);
    }
    p.figure = std::move(figure);
    placed.push_back(std::move(p));
  }
  std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return std::tie(a.part, a.client, a.client_name, a.rule, a.within, a.figure.path) <
           std::tie(b.part, b.client, b.client_name, b.rule, b.within, b.figure.path);
  });

  std::vector<FigureGroup> groups;
  for (Placed& p : placed) {
    const std::string title =
        p.part == Part::kClient ? "client " + p.client_name : std::string(part_title(p.part));
    if (groups.empty() || groups.back().title != title) groups.push_back({title, {}});
    groups.back().figures.push_back(std::move(p.figure));
  }
  return groups;
}

std::string figure_text(const FigureView& figure) {
  const Json& v = figure.value;
  if (!figure.distribution) return v.is_string() ? v.get<std::string>() : v.dump();
  const auto count = v.at("count").get<std::uint64_t>();
  std::string text = fmt::format("n={}", count);
  if (count > 0) {
    for (const char* key : {"min", "mean", "p50", "p99", "p99.9", "max"})
      text += fmt::format("  {} {}", key, v.at(key).dump());
  }
  return text;
}

std::string grouped_table(const std::vector<FigureGroup>& groups) {
  std::size_t name_width = 6;
  std::size_t value_width = 5;
  for (const FigureGroup& group : groups) {
    for (const FigureView& figure : group.figures) {
      name_width = std::max(name_width, figure.path.size());
      if (!figure.distribution) value_width = std::max(value_width, figure_text(figure).size());
    }
  }
  std::string out;
  for (const FigureGroup& group : groups) {
    out += fmt::format("\n{}\n", group.title);
    for (const FigureView& figure : group.figures) {
      const std::string value = figure_text(figure);
      out += figure.distribution
                 ? fmt::format("  {:<{}}  {}\n", figure.path, name_width, value)
                 : fmt::format("  {:<{}}  {:>{}}\n", figure.path, name_width, value, value_width);
    }
  }
  return out;
}

}  // namespace hilcap::sim
