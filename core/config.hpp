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

#include "core/settings.hpp"

namespace mctl::core {

enum class Kind { string, boolean, integer, duration, list, map };

struct Setting {
  nlohmann::json value;  // null when unset
  Origin origin;
};

// What a key's binder needs besides the value: the directories relative paths resolve against
// (the project directory for values from mctl.yaml, the working directory for the others).
struct BindContext {
  std::filesystem::path project_dir;
  std::filesystem::path cwd;
};
// The one rule for relative paths in settings: against the project directory (mctl.yaml's) when
// the value came from mctl.yaml or is the built-in default (apps_dir: "apps"), against the
// working directory when it came from the environment or a flag.
std::filesystem::path resolve_path(const std::filesystem::path& path, const Origin& origin, const BindContext& dirs);

// Stores one layered value (already checked against its Kind) into its typed field.
using Bind = void (*)(Settings&, const std::string& key, const Setting&, const BindContext&);

// One known configuration key. The table lives in config_keys.cpp; a module that needs a new
// setting adds a row there (and its documentation in README.md).
struct KeySpec {
  std::string key;       // dotted path as written in mctl.yaml, e.g. "marathon.urls"
  Kind kind;
  nlohmann::json fallback;  // built-in default (null: unset)
  std::vector<std::string> env_vars;  // MCTL_* names, first wins (e.g. MCTL_MARATHON_URL)
  Bind bind;               // where the value goes in Settings
  std::string help;
  bool per_environment = true;  // may appear inside environments.<name>
};
const std::vector<KeySpec>& key_table();
// The key table as README's Markdown table (key, type, default, environment variables, meaning).
std::string keys_markdown();

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
  // The directory the user's relative paths are taken from (LoadOptions::cwd, made absolute).
  const std::filesystem::path& cwd() const { return m_cwd; }

  // The typed configuration, one struct per area (core/settings.hpp).
  const Settings& settings() const { return m_typed; }

  // One key's layered value and origin as read (untyped), and every key, for `config show`.
  const Setting& setting(const std::string& key) const;
  const std::map<std::string, Setting>& entries() const { return m_settings; }

  // A variable of the process environment as read at load time.
  std::optional<std::string> environ(const std::string& name) const;
  const Environ& environ_map() const { return m_environ; }

  // Applies a command's own flag after loading (e.g. deploy --timeout).
  void override(const FlagOverride& flag);

 private:
  void bind(const std::string& key);

  std::map<std::string, Setting> m_settings;
  Settings m_typed;
  std::map<std::string, std::string> m_environ;
  std::vector<std::string> m_environments;
  std::optional<std::filesystem::path> m_file;
  std::filesystem::path m_project_dir;
  std::filesystem::path m_cwd;
  std::string m_env;
};

}  // namespace mctl::core
