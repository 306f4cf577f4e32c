// A run over time, for the HTML report: recorded by the run's monitor as
// the run goes (only when a page is asked for: `--html`), bounded in memory
// whatever the run's length (BucketedSeries: min and max per bucket, so no
// spike is lost):
//   frames by owner   at the device (posted, being filled, or filled and not
//                     yet taken in by the host), ready in the allocator, held
//                     by clients: the allocator's own three-way split
//   pending           ALLOC requests waiting for a frame
//   due, dropped      frames due, and frames dropped by reason, per bucket
//   lateness          how late each frame started (the device on the wall
//                     clock) or arrived (a camera: arrival - its timestamp)
//   client timelines  for the first seconds of the run, each client's
//                     pending ALLOCs and held frames as intervals
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scheduler/scheduler.h"
#include "timeline/bucketed_series.h"

namespace hilcap::sim {

class RunTimeline {
 public:
  struct Settings {
    std::size_t buckets = 1000;
    TimeNs first_bucket_ns = 1'000'000;  // the run's expected length / buckets, when known
    TimeNs client_window_ns = 2'000'000'000;
    std::size_t intervals_per_client = 300;  // of each kind; the window ends where one fills
    std::size_t clients_shown = 12;
    // The frames' owners and the pending requests are series only where the
    // run sees them (a KS allocator): `hilcap serve`'s host is a guest
    // kernel whose buffers it never sees, so its page has no such chart.
    bool frame_owners = true;
  };
  // The settings for a run of `duration` (0: unknown, e.g. until N frames).
  static Settings settings_for(TimeNs duration, std::size_t buckets);

  explicit RunTimeline(const Settings& settings);

  struct Owners {
    std::uint32_t at_device = 0;
    std::uint32_t ready = 0;
    std::uint32_t held = 0;
    std::uint32_t pending = 0;  // ALLOC requests waiting
  };
  // Ignored when the settings say the run sees no frame owners.
  void owners(TimeNs now, const Owners& owners);
  void frame_due(TimeNs now);
  void frame_dropped(TimeNs now, std::string_view reason);
  void frame_lateness(TimeNs now, TimeNs late);

  // A client's ALLOC pended at `now`; it ended (completed, cancelled,
  // failed) at `now`.
  void request_pended(std::string_view client, std::uint64_t serial, TimeNs now);
  void request_ended(std::string_view client, std::uint64_t serial, TimeNs now);
  // A client held a frame from `since` to `until`.
  void frame_held(std::string_view client, TimeNs since, TimeNs until);

  // The run ended at `end`: requests still pending are shown up to it.
  void finish(TimeNs end);

  // {"end_s", "bucket_s", "buckets", "series": {"at_device", "ready",
  //  "held", "pending" (gauges, when frame_owners), "due" and
  //  "dropped.<reason>" (counts),
  //  "lateness_us" (samples)}, "clients": {"window_s", "rows": [{"name",
  //  "pending": [[from_s, to_s]...], "holding": [...]}], "not_shown"}}
  nlohmann::json to_json() const;

 private:
  struct ClientRow {
    std::string name;
    std::vector<std::pair<TimeNs, TimeNs>> pending;
    std::vector<std::pair<TimeNs, TimeNs>> holding;
  };
  // A gauge of the frames' owners, or npos when the run sees none.
  std::size_t owner_series(const char* name);
  // The client's row, or null when the client is not shown.
  ClientRow* row(std::string_view client);
  void add_interval(std::vector<std::pair<TimeNs, TimeNs>>& to, TimeNs from, TimeNs until);

  Settings settings_;
  BucketedSeries series_;
  std::size_t at_device_, ready_, held_, pending_, due_, lateness_;
  TimeNs end_ = 0;
  TimeNs window_end_;
  std::vector<ClientRow> rows_;
  std::vector<std::string> not_shown_names_;
  std::map<std::pair<std::string, std::uint64_t>, TimeNs> open_requests_;
};

}  // namespace hilcap::sim
