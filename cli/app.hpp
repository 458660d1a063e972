#pragma once
// The in-process entry point: builds the command tree, parses, runs, and is the one place
// that turns an Error into a message and an exit code.
namespace mctl::cli {

int run(int argc, char** argv);

}  // namespace mctl::cli
