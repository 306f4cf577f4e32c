#include "runner/interrupt_signal.h"

#include <atomic>
#include <csignal>

namespace hilcap::sim {
namespace {

// Lock-free, so async-signal-safe to store from the handler.
std::atomic<bool> g_raised{false};
std::atomic<bool> g_catching{false};
struct sigaction g_previous {};
struct sigaction g_previous_term {};

static_assert(std::atomic<bool>::is_always_lock_free);

void on_sigint(int /*signal*/) {
  g_raised.store(true, std::memory_order_relaxed);
}

}  // namespace

InterruptSignal::InterruptSignal() {
  g_raised.store(false, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  // A second Ctrl-C ends the process at once (the run may be stuck).
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGINT, &action, &g_previous);
  sigaction(SIGTERM, &action, &g_previous_term);
  g_catching.store(true, std::memory_order_release);
}

InterruptSignal::~InterruptSignal() {
  g_catching.store(false, std::memory_order_release);
  sigaction(SIGINT, &g_previous, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool InterruptSignal::raised() const {
  return g_raised.load(std::memory_order_relaxed);
}

const std::atomic<bool>* InterruptSignal::flag() const {
  return &g_raised;
}

bool InterruptSignal::catching() {
  return g_catching.load(std::memory_order_acquire);
}

}  // namespace hilcap::sim
