#pragma once
// The in-process entry point: builds the command tree, parses, runs, and is the one place
// that turns an Error into a message and an exit code.
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <span>
#include <string>

#include "cli/context.hpp"
#include "cli/sink.hpp"

namespace mctl::cli {

// The whole command tree (global options, every command), bound to ctx; parses nothing.
std::unique_ptr<CLI::App> build_app(Context& ctx);

// Only the top-level commands a word of args (argv without argv[0]) names, or the whole tree
// when none is named or one needs it (help, completion, man). Parses the same as the whole
// tree; only a usage error's list of commands may be shorter.
std::unique_ptr<CLI::App> build_app_for(Context& ctx, std::span<const char* const> args);


// Runs one command line: `env` is its environment, `in` its input (main: stdin), `out` and
// `err` take every byte it prints. Re-entrant: the process is left as it was found (no
// working directory change, signal actions and log settings restored), so tests call it many
// times in one process. One run at a time: the log level, colour and sink it sets for its
// duration are the process's (core/log), so two threads must not call it at once.
int run(int argc, char** argv, const std::map<std::string, std::string>& env, Source& in, Sink& out, Sink& err);
// The same with no input (an empty, non-terminal one).
int run(int argc, char** argv, const std::map<std::string, std::string>& env, Sink& out, Sink& err);

}  // namespace mctl::cli
