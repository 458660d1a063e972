#pragma once
// What every command gets: the global options, the layered config (loaded on first use),
// and the output helpers. Only cli/ writes to stdout and stderr, and only through the
// Context's two sinks (cli::run's `out` and `err`); it reads stdin only through its Source
// (cli::run's `in`).
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/terminal.hpp"
#include "cli/sink.hpp"

namespace mctl::cli {

struct GlobalOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> env;
  int verbosity = 0;
  bool quiet = false;
  bool json = false;  // --json
  bool no_color = false;       // --no-color: the same as --color never
  std::string color = "auto";  // --color auto|always|never
  std::optional<std::string> chdir;
  std::vector<std::string> marathon;
  std::optional<std::string> mesos_dns;
  std::optional<std::string> registry;
  std::vector<std::string> mesos;  // --mesos: Mesos master URLs
};

class Context {
 public:
  Context(std::map<std::string, std::string> environ, Source& in, Sink& out, Sink& err)
      : m_environ(std::move(environ)), m_in(&in), m_out(&out), m_err(&err) {}
  // No input, output kept in memory and dropped (for looking at the command tree only).
  explicit Context(std::map<std::string, std::string> environ);

  GlobalOptions globals;

  // Checks -C, applies log level and colour. Called before every command body.
  void begin();
  // A path the user gave (argument, option, config file): relative ones are taken from the
  // -C directory, as if mctl had been started there (the process never changes directory).
  std::filesystem::path path(const std::string& given) const;
  // The -C directory, or "." without -C.
  std::filesystem::path base_dir() const;
  // Declares an option's value a path the user gave: begin() resolves it with path(), so a
  // command body sees it as if mctl had been started in the -C directory.
  void path_option(std::string& value);
  void path_option(std::optional<std::string>& value);
  void path_option(std::vector<std::string>& values);
  // The same for a value that may hold a path after a prefix ("label@FILE"); `split` returns
  // where the path starts, or npos when the value holds none ("label@prompt").
  void path_option(std::vector<std::string>& values, std::size_t (*split)(const std::string&));
  // The layered configuration, loaded once (after begin()).
  core::Config& config();
  // The same layers for another environment (images gc asks every environment's Marathon);
  // loaded anew on every call.
  core::Config config_for(const std::string& env) const;
  // The same layers with no environment selected (which environments there are, default_env).
  core::Config config_without_env() const;
  // Adds a command's flag to the configuration (the highest layer).
  void set_flag(const std::string& key, const nlohmann::json& value, const std::string& flag);

  // --json, or MCTL_OUTPUT=json in the environment.
  bool json() const { return globals.json || environ("MCTL_OUTPUT").value_or("") == "json"; }
  bool color() const { return m_color; }
  // `text` in a style when stdout is coloured (core::paint; --color decides in begin()).
  std::string paint(core::Style style, std::string_view text) const { return core::paint(style, text, m_color); }
  bool stdout_is_tty() const { return m_out->terminal(); }
  bool stderr_is_tty() const { return m_err->terminal(); }
  bool stdin_is_tty() const { return m_in->terminal(); }
  // The command's input (stdin in main): "-" files, piped secrets, --batch -.
  std::istream& in() const { return m_in->stream(); }
  Sink& out() const { return *m_out; }
  Sink& err() const { return *m_err; }
  std::optional<std::string> environ(const std::string& name) const;
  const std::map<std::string, std::string>& environ_map() const { return m_environ; }

  // Results to stdout (a newline added when `text` has none).
  void print(const std::string& text) const;
  // A diagnostic line to stderr (a newline added when `text` has none).
  void print_err(const std::string& text) const;

  // The output contract (docs/output.md). With JSON output a command's result is ONE document,
  // an object, printed (2-space indented) by finish() once the command ended, with the error
  // object merged in when it failed. Streaming commands (deploy and the commands that follow a
  // deployment) print NDJSON instead: events as they happen, the result as the last line.
  void print_json(const nlohmann::json& result);          // the result document (once)
  // A result document already serialized (vault plaintext, built in a wiped buffer): now.
  void print_json_text(std::string_view document);
  void print_event(const nlohmann::json& event);          // one NDJSON line, now; makes this a stream
  void print_stream_result(const nlohmann::json& result); // a stream's last line (printed by finish)
  // An exit code the result itself explains, not an error (diff --exit-code: 1 = changes).
  void set_exit(Exit code) { m_exit = code; }
  // Ends the command: the error line on stderr (when `error` is set and has a message), the
  // pending result and/or error object on stdout; returns the process exit code.
  int finish(const Error* error);

 private:
  std::map<std::string, std::string> m_environ;
  std::unique_ptr<Source> m_own_in;            // the one-argument constructor's
  std::unique_ptr<Sink> m_own_out, m_own_err;  // the one-argument constructor's
  Source* m_in;
  Sink* m_out;
  Sink* m_err;
  core::LoadOptions load_options(const std::optional<std::string>& env) const;
  std::optional<core::Config> m_config;
  std::vector<core::FlagOverride> m_pending_flags;
  std::vector<std::function<void()>> m_path_options;  // run once by begin()
  bool m_begun = false;
  bool m_color = false;
  bool m_err_color = false;
  std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
  std::optional<nlohmann::json> m_result;
  bool m_stream = false;
  bool m_result_printed = false;
  Exit m_exit = Exit::ok;
};

}  // namespace mctl::cli
