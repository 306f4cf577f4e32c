#include "timeline/run_timeline.h"

#include <algorithm>
#include <cmath>

namespace hilcap::sim {
namespace {
using Json = nlohmann::json;
}  // namespace
namespace {

double seconds(TimeNs t) {
  // Microsecond resolution is what a chart of a run can show.
  return std::round(static_cast<double>(t) / 1e3) / 1e6;
}

}  // namespace

RunTimeline::Settings RunTimeline::settings_for(TimeNs duration, std::size_t buckets) {
  Settings settings;
  settings.buckets = std::max<std::size_t>(buckets, 2);
  // An unknown length starts at 1 ms buckets, doubling as the run goes.
  settings.first_bucket_ns =
      duration > 0 ? std::max<TimeNs>(1, (duration + static_cast<TimeNs>(settings.buckets) - 1) /
                                             static_cast<TimeNs>(settings.buckets))
                   : 1'000'000;
  return settings;
}

RunTimeline::RunTimeline(const Settings& settings)
    : settings_(settings),
      series_(settings.first_bucket_ns, settings.buckets),
      at_device_(owner_series("at_device")),
      ready_(owner_series("ready")),
      held_(owner_series("held")),
      pending_(owner_series("pending")),
      due_(series_.add("due", BucketedSeries::Kind::kCount)),
      lateness_(series_.add("lateness_us", BucketedSeries::Kind::kSample)),
      window_end_(settings.client_window_ns) {}

std::size_t RunTimeline::owner_series(const char* name) {
  return settings_.frame_owners ? series_.add(name, BucketedSeries::Kind::kGauge)
                                : BucketedSeries::npos;
}

void RunTimeline::owners(TimeNs now, const Owners& owners) {
  if (!settings_.frame_owners) return;
  series_.gauge(at_device_, now, owners.at_device);
  series_.gauge(ready_, now, owners.ready);
  series_.gauge(held_, now, owners.held);
  series_.gauge(pending_, now, owners.pending);
}

void RunTimeline::frame_due(TimeNs now) {
  series_.count(due_, now);
}

void RunTimeline::frame_dropped(TimeNs now, std::string_view reason) {
  const std::string name = "dropped." + std::string(reason);
  std::size_t series = series_.find(name);
  if (series == BucketedSeries::npos) series = series_.add(name, BucketedSeries::Kind::kCount);
  series_.count(series, now);
}

void RunTimeline::frame_lateness(TimeNs now, TimeNs late) {
  series_.sample(lateness_, now, std::max<TimeNs>(late, 0));
}

RunTimeline::ClientRow* RunTimeline::row(std::string_view client) {
  for (ClientRow& r : rows_) {
    if (r.name == client) return &r;
  }
  if (rows_.size() >= settings_.clients_shown) {
    if (std::find(not_shown_names_.begin(), not_shown_names_.end(), client) ==
        not_shown_names_.end()) {
      not_shown_names_.emplace_back(client);
    }
    return nullptr;
  }
  rows_.push_back({std::string(client), {}, {}});
  return &rows_.back();
}

void RunTimeline::add_interval(std::vector<std::pair<TimeNs, TimeNs>>& to, TimeNs from,
                               TimeNs until) {
  if (from >= window_end_) return;
  to.emplace_back(from, until);
  // A full row ends the window for every row: each shows all of it.
  if (to.size() >= settings_.intervals_per_client) window_end_ = std::min(window_end_, from + 1);
}

void RunTimeline::request_pended(std::string_view client, std::uint64_t serial, TimeNs now) {
  if (now >= window_end_ || row(client) == nullptr) return;
  open_requests_.emplace(std::make_pair(std::string(client), serial), now);
}

void RunTimeline::request_ended(std::string_view client, std::uint64_t serial, TimeNs now) {
  if (open_requests_.empty()) return;
  const auto it = open_requests_.find(std::make_pair(std::string(client), serial));
  if (it == open_requests_.end()) return;
  if (ClientRow* r = row(client)) add_interval(r->pending, it->second, now);
  open_requests_.erase(it);
}

void RunTimeline::frame_held(std::string_view client, TimeNs since, TimeNs until) {
  if (since >= window_end_) return;
  if (ClientRow* r = row(client)) add_interval(r->holding, since, until);
}

void RunTimeline::finish(TimeNs end) {
  end_ = end;
  for (const auto& [key, issued] : open_requests_) {
    if (ClientRow* r = row(key.first)) add_interval(r->pending, issued, end);
  }
  open_requests_.clear();
  series_.finish(end);
}

nlohmann::json RunTimeline::to_json() const {
  Json all = series_.to_json(1000.0);  // lateness in us
  all["end_s"] = seconds(end_);
  const TimeNs window = std::min(window_end_, end_ > 0 ? end_ : window_end_);
  Json rows = Json::array();
  const auto intervals = [window](const std::vector<std::pair<TimeNs, TimeNs>>& list) {
    Json out = Json::array();
    for (const auto& [from, until] : list) {
      if (from >= window) continue;
      out.push_back({seconds(from), seconds(std::min(until, window))});
    }
    return out;
  };
  for (const ClientRow& r : rows_)
    rows.push_back(
        {{"name", r.name}, {"pending", intervals(r.pending)}, {"holding", intervals(r.holding)}});
  all["clients"] = {
      {"window_s", seconds(window)}, {"rows", rows}, {"not_shown", not_shown_names_.size()}};
  return all;
}

}  // namespace hilcap::sim
