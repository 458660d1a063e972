#pragma once
// Ctrl-C while a command waits on something remote (deploy and the operating commands, logs
// -f, top, up): the first one sets a flag the command polls, a second one ends the process.
#include <atomic>

namespace mctl::cli::deploying {

// The first Ctrl-C sets the returned flag (followers stop, Marathon is left alone); a second
// one ends the process at once.
const std::atomic<bool>& catch_interrupts();
// Puts back the SIGINT action catch_interrupts replaced and clears the flag (cli::run calls
// it when a command ends, so the process is left as it was found).
void restore_interrupts();

}  // namespace mctl::cli::deploying
