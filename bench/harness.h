// A small benchmark harness that measures a subject and its baseline side by
// side in one process, the way ../shared/reference/perf-limits.md measured the
// machine: every repeat runs each variant once, in an order that rotates from
// repeat to repeat, and the ratio subject/baseline is taken within each repeat
// (absolute figures drift on a shared host; ratios taken in the same repeat do
// not). Reports the median and [min-max] over repeats of each figure and of
// each ratio, as a Markdown table.
#pragma once

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace hilcap::bench {

// Keeps `value` (and the work that produced it) from being optimised away.
template <typename T>
inline void keep(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}
inline void clobber_memory() {
  asm volatile("" : : : "memory");
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Pins the calling thread to one CPU (no-op where that fails, e.g. 1 CPU).
inline void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

inline std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Nearest-rank percentile (0 < p <= 100) of `sorted` (ascending, not empty).
inline double percentile(const std::vector<double>& sorted, double p) {
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Spread {
  double median = 0, min = 0, max = 0;
};

inline Spread spread_of(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

// What one variant measures each repeat: one figure (e.g. "ns per ALLOC+FREE
// pair") or several (e.g. latency p50, p99, p99.9, max of one sample set).
struct Variant {
  std::string name;
  std::function<std::vector<double>()> measure;  // runs the workload once
  std::vector<std::vector<double>> samples;      // [figure][repeat]
};

// A ratio to report: subject / baseline of one figure (per repeat), with the
// issue's target.
struct Ratio {
  std::string subject;
  std::string baseline;
  double target = 0;    // 0: no target
  bool at_most = true;  // target is an upper bound (costs) or a lower bound (rates)
  std::size_t figure = 0;
};

class Suite {
 public:
  // One figure per variant, in `unit`.
  Suite(std::string title, std::string unit, int repeats)
      : Suite(std::move(title), std::vector<std::string>{std::move(unit)}, repeats) {}
  // Several figures per variant, named by `figures` (with their unit).
  Suite(std::string title, std::vector<std::string> figures, int repeats)
      : title_(std::move(title)), figures_(std::move(figures)), repeats_(repeats) {}

  void add(std::string name, std::function<double()> measure) {
    add_figures(std::move(name),
                [measure = std::move(measure)] { return std::vector<double>{measure()}; });
  }
  // `measure` returns one value per figure, in the order the suite names them.
  void add_figures(std::string name, std::function<std::vector<double>()> measure) {
    variants_.push_back({std::move(name), std::move(measure), {}});
  }
  void compare(Ratio ratio) { ratios_.push_back(std::move(ratio)); }

  // Runs every variant `repeats` times, rotating the order each repeat.
  void run() {
    const std::size_t n = variants_.size();
    for (Variant& v : variants_)
      v.samples.assign(figures_.size(), {});
    for (int r = 0; r < repeats_; ++r) {
      for (std::size_t i = 0; i < n; ++i) {
        Variant& v = variants_[(i + static_cast<std::size_t>(r)) % n];
        const std::vector<double> figures = v.measure();
        for (std::size_t f = 0; f < figures_.size() && f < figures.size(); ++f)
          v.samples[f].push_back(figures[f]);
      }
    }
  }

  // Table on stdout; returns false when a ratio misses its target.
  bool print() const {
    bool all_met = true;
    std::printf("\n## %s (%d repeats)\n\n| variant |", title_.c_str(), repeats_);
    for (const std::string& figure : figures_)
      std::printf(" %s: median [min - max] |", figure.c_str());
    std::printf("\n|---|");
    for (std::size_t f = 0; f < figures_.size(); ++f)
      std::printf("---|");
    std::printf("\n");
    for (const Variant& v : variants_) {
      std::printf("| %s |", v.name.c_str());
      for (const std::vector<double>& figure : v.samples) {
        const Spread s = spread_of(figure);
        std::printf(" %.3f [%.3f - %.3f] |", s.median, s.min, s.max);
      }
      std::printf("\n");
    }
    if (!ratios_.empty()) {
      std::printf(
          "\n| ratio (per repeat) | median | [min - max] | target | met |\n"
          "|---|---|---|---|---|\n");
    }
    for (const Ratio& ratio : ratios_) {
      const Spread s = spread_of(ratio_samples(ratio));
      std::string target = "-";
      bool met = true;
      if (ratio.target > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s %.2f", ratio.at_most ? "<=" : ">=", ratio.target);
        target = buf;
        met = ratio.at_most ? s.median <= ratio.target : s.median >= ratio.target;
        all_met = all_met && met;
      }
      const std::string figure =
          figures_.size() > 1 ? " (" + figures_[ratio.figure] + ")" : std::string();
      std::printf("| %s / %s%s | %.3f | [%.3f - %.3f] | %s | %s |\n", ratio.subject.c_str(),
                  ratio.baseline.c_str(), figure.c_str(), s.median, s.min, s.max, target.c_str(),
                  ratio.target > 0 ? (met ? "yes" : "NO") : "-");
    }
    std::fflush(stdout);
    return all_met;
  }

  std::vector<double> ratio_samples(const Ratio& ratio) const {
    const Variant* a = find(ratio.subject);
    const Variant* b = find(ratio.baseline);
    std::vector<double> out;
    if (!a || !b || ratio.figure >= figures_.size()) return out;
    const std::vector<double>& x = a->samples[ratio.figure];
    const std::vector<double>& y = b->samples[ratio.figure];
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
      out.push_back(x[i] / y[i]);
    return out;
  }

 private:
  const Variant* find(const std::string& name) const {
    for (const Variant& v : variants_)
      if (v.name == name) return &v;
    return nullptr;
  }

  std::string title_;
  std::vector<std::string> figures_;
  int repeats_;
  std::vector<Variant> variants_;
  std::vector<Ratio> ratios_;
};

}  // namespace hilcap::bench
