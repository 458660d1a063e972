#pragma once
// What every command gets: the global options, the layered config (loaded on first use),
// and the output helpers. Only cli/ writes to stdout and stderr.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace mctl::cli {

struct GlobalOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> env;
  int verbosity = 0;
  bool quiet = false;
  bool json = false;  // --json
  bool no_color = false;
  std::optional<std::string> chdir;
  std::vector<std::string> marathon;
  std::optional<std::string> mesos_dns;
  std::optional<std::string> registry;
};

class Context {
 public:
  explicit Context(std::map<std::string, std::string> environ) : m_environ(std::move(environ)) {}

  GlobalOptions globals;

  // Applies -C, log level and colour. Called before every command body.
  void begin();
  // The layered configuration, loaded once (after begin()).
  core::Config& config();
  // Adds a command's flag to the configuration (the highest layer).
  void set_flag(const std::string& key, const nlohmann::json& value, const std::string& flag);

  // --json, or MCTL_OUTPUT=json in the environment.
  bool json() const { return globals.json || environ("MCTL_OUTPUT").value_or("") == "json"; }
  bool color() const { return m_color; }
  bool stdin_is_tty() const { return m_stdin_tty; }
  std::optional<std::string> environ(const std::string& name) const;
  const std::map<std::string, std::string>& environ_map() const { return m_environ; }

  // Results to stdout.
  void print(const std::string& text) const;
  void print_json(const nlohmann::json& value) const;

 private:
  std::map<std::string, std::string> m_environ;
  std::optional<core::Config> m_config;
  std::vector<core::FlagOverride> m_pending_flags;
  bool m_color = false;
  bool m_stdin_tty = false;
};

}  // namespace mctl::cli
