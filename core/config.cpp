#include "core/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/http.hpp"
#include "core/strings.hpp"
#include "core/yaml.hpp"

namespace mctl::core {
namespace {

using nlohmann::json;

const KeySpec* find_spec(const std::string& key) {
  for (const auto& spec : key_table()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// Names that may follow `prefix` (the next path component), for suggestions and recursion.
std::vector<std::string> children_of(const std::string& prefix, bool in_env) {
  std::set<std::string> names;
  for (const auto& spec : key_table()) {
    if (in_env && !spec.per_environment) continue;
    if (!prefix.empty() && !starts_with(spec.key, prefix + ".")) continue;
    const auto rest = prefix.empty() ? spec.key : spec.key.substr(prefix.size() + 1);
    names.insert(rest.substr(0, rest.find('.')));
  }
  if (prefix.empty()) {
    names.insert("vars");
    if (!in_env) names.insert("environments");
  }
  return {names.begin(), names.end()};
}

bool parse_bool_text(const std::string& text, bool& out) {
  static const std::set<std::string> yes = {"1", "true", "yes", "on", "True", "TRUE"};
  static const std::set<std::string> no = {"0", "false", "no", "off", "False", "FALSE", ""};
  if (yes.count(text)) out = true;
  else if (no.count(text)) out = false;
  else return false;
  return true;
}

bool valid_tag_length(const std::string& value) {
  if (value == "full") return true;
  if (value.empty() || value.size() > 2 || value.find_first_not_of("0123456789") != std::string::npos) return false;
  return std::stoi(value) >= 7 && std::stoi(value) <= 40;
}

// Service URLs (Marathon, Mesos masters, Mesos-DNS's HTTP API) are http or https, with a port
// a TCP port can be; without a scheme, http (as curl reads "host:8080").
void check_service_url(const std::string& url, const std::string& key, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return Error(fmt::format("{}: {}: '{}' {}", where, key, printable(http::redact_url(url)), why), Exit::usage);
  };
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    const std::string name = to_lower(rest.substr(0, scheme));
    if (name != "http" && name != "https") throw bad("is not an http:// or https:// URL");
    rest.remove_prefix(scheme + 3);
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  const std::string_view host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  const auto close = host_port.rfind(']');
  const auto colon = host_port.rfind(':');
  if (host_port.empty() || host_port.front() == ':') throw bad("has no host");
  if ((host_port.front() == '[') != (close != std::string_view::npos)) throw bad("has an unclosed '[' in its host");
  if (colon == std::string_view::npos || (close != std::string_view::npos && colon < close)) return;
  const std::string_view port = host_port.substr(colon + 1);
  int number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
    throw bad("has no valid port (1 to 65535)");
  }
}

// The one check of a value's content against its key, after conversion to the key's type.
// `where` is the value's origin as `config show` prints it ("env MCTL_TIMEOUT",
// "mctl.yaml:12:3", "flag --timeout"); every error starts with it.
json checked(const KeySpec& spec, json value, const std::string& where) {
  if (spec.kind == Kind::duration && value.is_string()) parse_duration(value.get<std::string>(), where, spec.key);
  if (spec.kind == Kind::integer && value.is_number_integer()) {
    // Every integer key is a count (settings hold an int: a larger number wrapped, and
    // images.keep 4294967296 kept no tag at all); the `parallel` ones need at least one.
    const long long least = spec.key.ends_with(".parallel") ? 1 : 0;
    constexpr long long k_most = 1'000'000;
    const bool huge = value.is_number_unsigned() && value.get<unsigned long long>() > k_most;
    const long long v = huge ? k_most + 1 : value.get<long long>();
    if (v < least || v > k_most) {
      throw Error(fmt::format("{}: {} must be a whole number from {} to {}, got {}", where, spec.key, least, k_most,
                              value.dump()),
                  Exit::usage);
    }
  }
  if (spec.key == "marathon.urls" || spec.key == "mesos.master_urls" || spec.key == "mesos_dns_http") {
    for (const auto& url : value.is_array() ? value : json::array({value})) {
      if (url.is_string()) check_service_url(url.get<std::string>(), spec.key, where);
    }
  }
  if (spec.key == "images.tag_length" && value.is_string() && !valid_tag_length(value.get<std::string>())) {
    throw Error(fmt::format("{}: {} must be a number from 7 to 40 or 'full', got '{}'", where, spec.key,
                            value.get<std::string>()),
                Exit::usage);
  }
  return value;
}

// Converts text (from the environment or a flag) to a value of `kind`; throws with `where` on
// mismatch.
json from_text(const KeySpec& spec, const std::string& text, const std::string& where) {
  auto bad = [&](const char* expected) {
    return Error(fmt::format("{}: {} must be {}, got '{}'", where, spec.key, expected, text), Exit::usage);
  };
  if (find_invalid_utf8(text) != std::string::npos) {
    throw Error(fmt::format("{}: {} is not valid UTF-8", where, spec.key), Exit::usage);
  }
  switch (spec.kind) {
    case Kind::boolean: {
      bool b = false;
      if (!parse_bool_text(text, b)) throw bad("true or false");
      return b;
    }
    case Kind::integer:
      try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used != text.size()) throw bad("an integer");
        return checked(spec, v, where);
      } catch (const std::logic_error&) {
        throw bad("an integer");
      }
    case Kind::duration:
      return checked(spec, text, where);
    case Kind::list: {
      auto arr = json::array();
      for (const auto& part : split(text, ',')) {
        if (!trim(part).empty()) arr.push_back(trim(part));
      }
      return checked(spec, std::move(arr), where);
    }
    case Kind::map:
      throw bad("a map");
    case Kind::string:
      return checked(spec, text, where);
  }
  return text;
}

// Converts a YAML node to a value of `kind`.
json from_yaml(const KeySpec& spec, const YAML::Node& node, const std::string& where) {
  auto bad = [&](const char* expected) {
    return Error(fmt::format("{}: {} must be {}", where, spec.key, expected), Exit::usage);
  };
  if (spec.kind == Kind::list) {
    if (node.IsScalar()) return checked(spec, json::array({node.Scalar()}), where);
    if (!node.IsSequence()) throw bad("a list");
    auto arr = json::array();
    for (const auto& item : node) {
      if (!item.IsScalar()) throw bad("a list of strings");
      arr.push_back(item.Scalar());
    }
    return checked(spec, std::move(arr), where);
  }
  if (spec.kind == Kind::map) {
    if (!node.IsMap()) throw bad("a map");
    return yaml_to_json(node);
  }
  if (node.IsNull()) return nullptr;
  if (!node.IsScalar()) throw bad("a single value");
  json typed = yaml_scalar_to_json(node);  // not const: returned by move
  switch (spec.kind) {
    case Kind::boolean:
      if (!typed.is_boolean()) throw bad("true or false");
      return typed;
    case Kind::integer:
      if (!typed.is_number_integer()) throw bad("an integer");
      return checked(spec, std::move(typed), where);
    case Kind::duration:
      if (typed.is_number_integer()) return fmt::format("{}s", typed.get<long long>());
      return checked(spec, node.Scalar(), where);
    default:
      return checked(spec, node.Scalar(), where);
  }
}

class FileReader {
 public:
  FileReader(std::string display, std::map<std::string, Setting>& settings)
      : m_display(std::move(display)), m_settings(settings) {}

  void read_block(const YAML::Node& node, const std::string& prefix, bool in_env) {
    if (!node.IsMap()) {
      throw Error(fmt::format("{}: expected a map of settings", yaml_position(m_display, node)), Exit::usage);
    }
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      const std::string path = prefix.empty() ? name : fmt::format("{}.{}", prefix, name);
      const std::string where = yaml_position(m_display, kv.first);
      if (path == "environments" && !in_env) continue;  // read by the caller
      if (path == "vars") {
        read_vars(kv.second, where);
        continue;
      }
      if (name == "password" || name == "token") {
        throw Error(fmt::format("{}: literal secret '{}' is not allowed in mctl.yaml; use {}_file or {}_env",
                                where, path, name, name),
                    Exit::usage);
      }
      const KeySpec* spec = find_spec(path);
      if (spec && (!in_env || spec->per_environment)) {
        m_settings[path] = {from_yaml(*spec, kv.second, where), origin(kv.first)};
        continue;
      }
      const auto children = children_of(prefix, in_env);
      const bool is_group = std::find(children.begin(), children.end(), name) != children.end();
      if (is_group && kv.second.IsMap()) {
        read_block(kv.second, path, in_env);
        continue;
      }
      if (is_group) throw Error(fmt::format("{}: '{}' must be a map", where, path), Exit::usage);
      throw Error(fmt::format("{}: unknown key '{}'{}", where, path, suggestion_suffix(name, children)),
                  Exit::usage);
    }
  }

 private:
  void read_vars(const YAML::Node& node, const std::string& where) {
    if (node.IsNull()) return;
    if (!node.IsMap()) throw Error(fmt::format("{}: vars must be a map", where), Exit::usage);
    for (const auto& kv : node) {
      m_settings["vars." + kv.first.Scalar()] = {yaml_to_json(kv.second), origin(kv.first)};
    }
  }

  Origin origin(const YAML::Node& node) const { return {OriginKind::file, m_display, node.Mark().line + 1}; }

  std::string m_display;
  std::map<std::string, Setting>& m_settings;
};

std::string display_path(const std::filesystem::path& file, const std::filesystem::path& cwd) {
  std::error_code ec;
  auto rel = std::filesystem::relative(file, std::filesystem::absolute(cwd, ec), ec);
  if (ec || rel.empty()) return file.string();
  return rel.string();
}

}  // namespace

Config Config::load(const LoadOptions& options) {
  Config config;
  config.m_environ = options.environ;
  config.m_cwd = std::filesystem::absolute(options.cwd).lexically_normal();
  if (config.m_cwd.has_filename() == false && config.m_cwd.has_parent_path()) config.m_cwd = config.m_cwd.parent_path();
  config.m_project_dir = config.m_cwd;
  for (const auto& spec : key_table()) {
    config.m_settings[spec.key] = {spec.fallback, {}};
  }
  config.m_settings["env"] = {nullptr, {}};

  // 1. mctl.yaml: top level, then the selected environment's block.
  if (options.config_file) {
    auto path = options.config_file->is_absolute() ? *options.config_file : config.m_cwd / *options.config_file;
    if (!std::filesystem::is_regular_file(path)) {
      throw Error(fmt::format("cannot read config {}: no such file", options.config_file->string()), Exit::usage);
    }
    config.m_file = std::filesystem::weakly_canonical(path);
  } else {
    config.m_file = find_upward(config.m_cwd, "mctl.yaml");
  }
  YAML::Node root;  // yaml-cpp nodes are references: keep the root, look children up when needed
  std::string display;
  if (config.m_file) {
    config.m_project_dir = config.m_file->parent_path();
    display = display_path(*config.m_file, config.m_cwd);
    root = parse_yaml(read_file(*config.m_file), display);
    if (!root.IsNull()) {
      FileReader reader(display, config.m_settings);
      reader.read_block(root, "", false);
      const YAML::Node environments = root["environments"];
      if (environments && !environments.IsNull()) {
        if (!environments.IsMap()) {
          throw Error(fmt::format("{}: environments must be a map of name: settings",
                                  yaml_position(display, environments)), Exit::usage);
        }
        for (const auto& kv : environments) config.m_environments.push_back(kv.first.Scalar());
      }
    }
  }

  // 2. Which environment: -e > MCTL_ENV > default_env > the only one defined.
  Setting env = {nullptr, {}};
  if (options.env_name) {
    env = {*options.env_name, {OriginKind::flag, "--env"}};
  } else if (auto it = options.environ.find("MCTL_ENV"); it != options.environ.end() && !it->second.empty()) {
    env = {it->second, {OriginKind::env, "MCTL_ENV"}};
  } else if (!config.m_settings["default_env"].value.is_null()) {
    env = config.m_settings["default_env"];
  } else if (config.m_environments.size() == 1) {
    env = {config.m_environments.front(), {OriginKind::inferred, display}};
  }
  config.m_settings["env"] = env;
  if (env.value.is_string()) {
    config.m_env = env.value.get<std::string>();
    const auto& names = config.m_environments;
    if (std::find(names.begin(), names.end(), config.m_env) == names.end()) {
      if (!config.m_file) {
        throw Error(fmt::format("unknown environment '{}': no mctl.yaml found from {} upward (use --config)",
                                config.m_env, config.m_cwd.string()), Exit::usage);
      }
      throw Error(fmt::format("unknown environment '{}' in {}{}", config.m_env, display,
                              names.empty() ? std::string(" (it defines no environments)")
                                            : suggestion_suffix(config.m_env, names)),
                  Exit::usage);
    }
    FileReader reader(display, config.m_settings);
    const YAML::Node block = root["environments"][config.m_env];
    if (!block.IsNull()) reader.read_block(block, "", true);
  }

  // 3. MCTL_* environment variables.
  for (const auto& spec : key_table()) {
    for (const auto& name : spec.env_vars) {
      auto it = options.environ.find(name);
      if (it == options.environ.end() || it->second.empty()) continue;
      const Origin origin{OriginKind::env, name};
      config.m_settings[spec.key] = {from_text(spec, it->second, origin.text()), origin};
      break;
    }
  }

  // 4. Flags.
  for (const auto& flag : options.flags) config.override(flag);
  for (const auto& spec : key_table()) config.bind(spec.key);
  for (const auto& [key, s] : config.m_settings) {
    if (starts_with(key, "vars.")) config.m_typed.vars[key.substr(5)] = s.value;
  }
  // The shared http.* settings, copied into every service that uses them.
  auto& t = config.m_typed;
  t.marathon.http = t.mesos.http = t.registry.http = t.dns.http = t.http;
  return config;
}

void Config::override(const FlagOverride& flag) {
  const KeySpec* spec = find_spec(flag.key);
  json value = flag.value;
  const Origin origin{OriginKind::flag, flag.flag};
  if (spec && value.is_string()) value = from_text(*spec, value.get<std::string>(), origin.text());
  else if (spec) value = checked(*spec, std::move(value), origin.text());  // repeated flags: a list
  m_settings[flag.key] = {value, origin};
  bind(flag.key);
  if (starts_with(flag.key, "http.")) m_typed.marathon.http = m_typed.mesos.http = m_typed.registry.http = m_typed.dns.http = m_typed.http;
}

void Config::bind(const std::string& key) {
  const KeySpec* spec = find_spec(key);
  if (spec && spec->bind) spec->bind(m_typed, key, m_settings.at(key), {m_project_dir, m_cwd});
}

std::filesystem::path resolve_path(const std::filesystem::path& path, const Origin& origin, const BindContext& dirs) {
  if (path.is_absolute()) return path;
  const bool project = origin.kind == OriginKind::file || origin.kind == OriginKind::builtin;
  return (project ? dirs.project_dir : dirs.cwd) / path;
}

std::string Origin::text() const {
  switch (kind) {
    case OriginKind::builtin:
      return "default";
    case OriginKind::file:
      return fmt::format("{}:{}", where, line);
    case OriginKind::env:
      return "env " + where;
    case OriginKind::flag:
      return "flag " + where;
    case OriginKind::inferred:
      return "only environment in " + where;
  }
  return where;
}

const Setting& Config::setting(const std::string& key) const {
  auto it = m_settings.find(key);
  if (it == m_settings.end()) throw Error(fmt::format("internal: unknown config key '{}'", key));
  return it->second;
}

std::optional<std::string> Config::environ(const std::string& name) const {
  auto it = m_environ.find(name);
  if (it == m_environ.end()) return std::nullopt;
  return it->second;
}

}  // namespace mctl::core
