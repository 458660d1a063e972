#pragma once
// The one error type of mctl: thrown where the context is known, caught once in cli::run.
#include <stdexcept>
#include <string>

namespace mctl {

// Process exit codes. Documented in README.md ("Exit codes"); keep both in sync.
enum class Exit : int {
  ok = 0,
  failure = 1,         // the operation failed (generic)
  usage = 2,           // bad command line, bad input file, not implemented
  remote = 3,          // a remote service (Marathon, registry, Docker, DNS) answered with an error
  timeout = 4,         // a deadline passed
  auth = 5,            // wrong password / modified vault file, or 401/403 from a service
  rolled_back = 6,     // deploy failed and the previous version was restored
  rollback_failed = 7, // deploy failed and restoring the previous version failed too
  no_records = 8,      // a lookup succeeded but found nothing (e.g. DNS NXDOMAIN)
  interrupted = 130,   // SIGINT
};

namespace detail {
// what() is a C string: a NUL byte in a message (quoted from input that held one) is written
// \x00, as core::printable writes other control bytes, so the text after it is not lost.
inline std::string without_nul(std::string text) {
  for (auto at = text.find('\0'); at != std::string::npos; at = text.find('\0', at + 4)) text.replace(at, 1, "\\x00");
  return text;
}
}  // namespace detail

// what() is user-facing: what was being done, on what, and why. Never a secret.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, Exit exit = Exit::failure)
      : std::runtime_error(detail::without_nul(message)), m_exit(exit) {}
  Exit exit_code() const noexcept { return m_exit; }

 private:
  Exit m_exit;
};

}  // namespace mctl
