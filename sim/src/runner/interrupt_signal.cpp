#include "runner/interrupt_signal.h"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace hilcap::sim {
namespace {

// Lock-free, so async-signal-safe to store from the handler.
std::atomic<bool> g_raised{false};
std::atomic<int> g_first{0};
std::atomic<bool> g_catching{false};
// Guards alive. The outermost is the command's, on the main thread; it
// outlives the guards the runs of a sweep's worker threads hold, which only
// count themselves in and out.
std::atomic<int> g_depth{0};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};
// An interrupted command's guard ended with the handler left in place: the
// dispositions to restore are still those in g_previous_*.
bool g_left_in_place = false;

static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int signal) {
  int none = 0;
  g_first.compare_exchange_strong(none, signal, std::memory_order_relaxed);
  g_raised.store(true, std::memory_order_relaxed);
}

sigset_t stop_signals() {
  sigset_t both;
  sigemptyset(&both);
  sigaddset(&both, SIGINT);
  sigaddset(&both, SIGTERM);
  return both;
}

void flush_output() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
}

}  // namespace

InterruptSignal::InterruptSignal() {
  if (g_depth.fetch_add(1, std::memory_order_acq_rel) > 0) return;
  g_raised.store(false, std::memory_order_relaxed);
  g_first.store(0, std::memory_order_relaxed);
  // Both held while the handler goes in, so that neither can arrive with
  // one caught and the other still at its default action (which ends the
  // process, no report). SIGTERM goes in first: whoever waits for "SIGINT
  // caught" (/proc/PID/status SigCgt, as tests and scripts do) and then
  // sends SIGTERM at once found it still at the default (CI, issue 12).
  sigset_t both = stop_signals();
  pthread_sigmask(SIG_BLOCK, &both, nullptr);
  struct sigaction action {};
  action.sa_handler = on_signal;
  // While the handler runs, the other signal waits (they only set the flag).
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  // Not SA_RESETHAND: every later signal is absorbed the same way.
  action.sa_flags = SA_RESTART;
  struct sigaction previous_term {
  }, previous_int{};
  sigaction(SIGTERM, &action, &previous_term);
  sigaction(SIGINT, &action, &previous_int);
  if (!g_left_in_place) {
    g_previous_term = previous_term;
    g_previous_int = previous_int;
  }
  g_left_in_place = false;
  // Caught from here on (those sent while installing arrive now).
  pthread_sigmask(SIG_UNBLOCK, &both, nullptr);
  g_catching.store(true, std::memory_order_release);
}

InterruptSignal::~InterruptSignal() {
  if (g_depth.fetch_sub(1, std::memory_order_acq_rel) > 1) return;
  // What the command printed goes out now: a signal after this point ends
  // the process by its default action, which does not flush stdio buffers
  // (stdout to a file or a pipe is fully buffered) as exit() would.
  flush_output();
  g_catching.store(false, std::memory_order_release);
  if (g_first.load(std::memory_order_relaxed) != 0) {
    // Interrupted: the handler stays, absorbing later signals on every
    // thread, until end_process() ends the process by the first one. (This
    // thread's mask once held them instead: a storm's SIGTERM went to a
    // camera's libusb thread at its default action and ended a capture that
    // SIGINT had stopped, exit 143 under a report saying SIGINT.)
    g_left_in_place = true;
    return;
  }
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool InterruptSignal::raised() const {
  return g_raised.load(std::memory_order_relaxed);
}

int InterruptSignal::signal() const {
  return g_first.load(std::memory_order_relaxed);
}

const std::atomic<bool>& InterruptSignal::flag() const {
  return g_raised;
}

bool InterruptSignal::catching() {
  return g_catching.load(std::memory_order_acquire);
}

int InterruptSignal::last_caught() {
  return g_first.load(std::memory_order_relaxed);
}

const char* signal_name(int signal) {
  return signal == SIGTERM ? "SIGTERM" : "SIGINT";
}

int interrupted_status(int signal) {
  return 128 + signal;
}

int end_process(int status) {
  const int signal = InterruptSignal::last_caught();
  if (signal == 0 || InterruptSignal::catching() || status != interrupted_status(signal))
    return status;
  flush_output();
  // The default action ends the process: reset the disposition, then make
  // sure the signal is not blocked while it is raised.
  std::signal(signal, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, signal);
  pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  std::raise(signal);
  return status;  // not reached: the default action of SIGINT and SIGTERM ends the process
}

}  // namespace hilcap::sim
