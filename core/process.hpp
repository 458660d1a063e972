#pragma once
// Running other programs (git, vault password scripts, $EDITOR): argv only, never a shell.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mctl::core {

struct ProcessResult {
  int exit_code = -1;  // exit status, or 128+signal when killed by a signal
  std::string out;     // captured stdout
  std::string err;     // captured stderr
};

struct ProcessOptions {
  std::optional<std::string> input;                  // written to stdin, then stdin is closed
  std::optional<std::filesystem::path> cwd;          // working directory for the child
  std::optional<std::chrono::milliseconds> timeout;  // child is killed (SIGKILL) after this
  bool capture_stderr = true;                        // false: stderr goes to ours
};

// Runs argv[0] (searched in PATH) with the given arguments and captures its output.
// Throws Error when the program cannot be started or times out; a non-zero exit is
// returned, not thrown, because callers decide what it means.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs a program attached to our terminal (for $EDITOR) and returns its exit code.
int run_interactive(const std::vector<std::string>& argv);

}  // namespace mctl::core
