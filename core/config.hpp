#pragma once
// Layered configuration: built-in defaults < mctl.yaml (top level, then the selected
// environment's block) < MCTL_* environment variables < command-line flags.
// Every effective value remembers where it came from, for `mctl config show`.
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mctl::core {

enum class Kind { string, boolean, integer, duration, list, map };

// One known configuration key. The table lives in config_keys.cpp; a module that needs a new
// setting adds a row there (and its documentation in README.md).
struct KeySpec {
  std::string key;       // dotted path as written in mctl.yaml, e.g. "marathon.urls"
  Kind kind;
  nlohmann::json fallback;  // built-in default (null: unset)
  std::vector<std::string> env_vars;  // MCTL_* names, first wins (e.g. MCTL_MARATHON_URL)
  std::string help;
  bool per_environment = true;  // may appear inside environments.<name>
};
const std::vector<KeySpec>& key_table();

struct Setting {
  nlohmann::json value;  // null when unset
  std::string origin;    // "default", "mctl.yaml:12", "env MCTL_MARATHON_URL", "flag --marathon"
};

// A value given on the command line, applied last.
struct FlagOverride {
  std::string key;
  nlohmann::json value;
  std::string flag;  // e.g. "--marathon"
};

struct LoadOptions {
  std::filesystem::path cwd = ".";
  std::optional<std::filesystem::path> config_file;  // --config; else found upward from cwd
  std::optional<std::string> env_name;                // -e/--env
  std::map<std::string, std::string> environ;         // the process environment, read once
  std::vector<FlagOverride> flags;
};

class Config {
 public:
  // Reads and layers everything. Throws Error(Exit::usage) with file:line:col for unknown
  // keys (with a suggestion), wrong types, literal secrets, or an unknown environment.
  static Config load(const LoadOptions& options);

  // Selected environment name ("" when none).
  const std::string& env_name() const { return m_env; }
  // Environments defined in mctl.yaml, in file order.
  const std::vector<std::string>& environments() const { return m_environments; }
  // The mctl.yaml used, if any, and the directory relative paths are resolved against.
  const std::optional<std::filesystem::path>& file() const { return m_file; }
  const std::filesystem::path& project_dir() const { return m_project_dir; }

  const Setting& setting(const std::string& key) const;
  const std::map<std::string, Setting>& settings() const { return m_settings; }
  bool has(const std::string& key) const;

  std::string get_string(const std::string& key) const;  // "" when unset
  std::optional<std::string> get_optional(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  long long get_int(const std::string& key) const;
  std::chrono::milliseconds get_duration(const std::string& key) const;
  std::vector<std::string> get_list(const std::string& key) const;
  // A path setting resolved against the project dir (file values) or cwd (others).
  std::optional<std::filesystem::path> get_path(const std::string& key) const;
  // Variables (vars.*) merged as one JSON object.
  nlohmann::json vars() const;
  // A variable of the process environment as read at load time.
  std::optional<std::string> environ(const std::string& name) const;

  // Applies a command's own flag after loading (e.g. deploy --timeout).
  void override(const FlagOverride& flag);

 private:
  std::map<std::string, Setting> m_settings;
  std::map<std::string, std::string> m_environ;
  std::vector<std::string> m_environments;
  std::optional<std::filesystem::path> m_file;
  std::filesystem::path m_project_dir;
  std::filesystem::path m_cwd;
  std::string m_env;
};

}  // namespace mctl::core
