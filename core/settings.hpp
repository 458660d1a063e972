#pragma once
// The configuration as typed structs, one per area, built by Config::load from the key table
// (core/config_keys.cpp). Every value keeps its key and origin, for messages that name where a
// value came from. Modules take the area they need, not the whole Config.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mctl::core {

// Where a value came from. `where` is the file as displayed (file, inferred), the variable's
// name (env) or the flag with its dashes (flag).
enum class OriginKind { builtin, file, env, flag, inferred };
struct Origin {
  OriginKind kind = OriginKind::builtin;
  std::string where;
  int line = 0;  // file: 1-based

  // As `config show` prints it: "default", "mctl.yaml:12", "env MCTL_TIMEOUT", "flag --timeout",
  // "only environment in mctl.yaml".
  std::string text() const;
  bool operator==(const Origin&) const = default;
};

template <class T>
struct Value {
  T value{};
  std::string key;  // e.g. "deploy.timeout"
  Origin origin;

  const T& operator*() const { return value; }
  const T* operator->() const { return &value; }
  // "deploy.timeout (mctl.yaml:4)": a value named in a message.
  std::string describe() const { return key + " (" + origin.text() + ")"; }
};

using Text = std::optional<std::string>;                 // unset: nullopt
using Path = std::optional<std::filesystem::path>;       // resolved: see Config::load
using Strings = std::vector<std::string>;
using Millis = std::chrono::milliseconds;
using Environ = std::map<std::string, std::string>;  // the process environment, read once

struct HttpSettings {
  Value<Millis> connect_timeout;
  Value<Millis> timeout;
  Value<int> retries;
};

struct TlsSettings {
  Value<Path> ca_file;
  Value<bool> insecure;
};

// `<service>.credentials.*`: references to secrets, never the secrets.
struct CredentialSettings {
  std::string prefix;  // "marathon.credentials", for messages
  Value<Text> user;
  Value<Path> password_file;
  Value<Text> password_env;
  Value<Path> token_file;
  Value<Text> token_env;
};

struct MarathonSettings {
  Value<Strings> urls;
  CredentialSettings credentials{"marathon.credentials"};
  TlsSettings tls;
  HttpSettings http;
};

struct MesosSettings {
  Value<Strings> master_urls;
  CredentialSettings credentials{"mesos.credentials"};
  TlsSettings tls;
  Value<int> parallel;
  HttpSettings http;
};

struct RegistrySettings {
  Value<Text> host;  // registry: host[:port] or URL
  CredentialSettings credentials{"registry_credentials"};
  TlsSettings tls;   // registry_ca_file; no insecure key
  HttpSettings http;
};

struct DnsSettings {
  Value<Text> server;    // mesos_dns
  Value<Text> http_url;  // mesos_dns_http
  HttpSettings http;
};

struct VaultSettings {
  Value<Path> file;
  Value<std::string> format;
  Value<Path> password_file;
  Value<Strings> ids;  // label@source
  // Directory relative sources in `ids` are resolved against: the project directory when the
  // ids came from mctl.yaml, empty (the working directory) otherwise.
  std::filesystem::path ids_base;
};

struct DeploySettings {
  Value<Millis> timeout;
  Value<int> parallel;
  Value<bool> rollback;
};

struct ImagesSettings {
  Value<int> keep;
  Value<int> keep_versions;
  Value<Strings> keep_list;
  Value<std::size_t> tag_length;  // 7..40; "full" is 40
};

struct ProjectSettings {
  Value<Text> name;         // project
  Value<Text> default_env;  // default_env
  Value<Path> apps_dir;
  Value<std::string> docker_host;
};

struct Settings {
  ProjectSettings project;
  MarathonSettings marathon;
  MesosSettings mesos;
  DnsSettings dns;
  RegistrySettings registry;
  VaultSettings vault;
  DeploySettings deploy;
  ImagesSettings images;
  HttpSettings http;
  nlohmann::json vars = nlohmann::json::object();  // vars.* merged
};

}  // namespace mctl::core
