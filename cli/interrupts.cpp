#include "cli/interrupts.hpp"

#include <csignal>
#include <mutex>
#include <optional>

namespace mctl::cli::deploying {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }
std::mutex g_sigint_mutex;
std::optional<struct sigaction> g_previous_sigint;  // set while catch_interrupts' handler is installed

}  // namespace

const std::atomic<bool>& catch_interrupts() {
  std::lock_guard lock(g_sigint_mutex);
  if (!g_previous_sigint) {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
    struct sigaction previous {};
    sigaction(SIGINT, &sa, &previous);
    g_previous_sigint = previous;
  }
  return g_interrupted;
}

void restore_interrupts() {
  std::lock_guard lock(g_sigint_mutex);
  if (!g_previous_sigint) return;
  sigaction(SIGINT, &*g_previous_sigint, nullptr);
  g_previous_sigint.reset();
  g_interrupted = false;
}
}  // namespace mctl::cli::deploying
