#pragma once
// The in-process entry point: builds the command tree, parses, runs, and is the one place
// that turns an Error into a message and an exit code.
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/context.hpp"

namespace mctl::cli {

// The whole command tree (global options, every command), bound to ctx; parses nothing.
std::unique_ptr<CLI::App> build_app(Context& ctx);

int run(int argc, char** argv);

}  // namespace mctl::cli
