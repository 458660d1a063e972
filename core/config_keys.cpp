// The table of every configuration key mctl knows: its name, type, default, environment
// variables, where its value goes in the typed Settings (core/settings.hpp) and its help text.
// Add a row here for a new setting and document it in README.md ("Configuration").
#include <fmt/format.h>

#include "core/config.hpp"
#include "core/duration.hpp"

namespace mctl::core {
namespace {

using nlohmann::json;

template <class T>
void stamp(Value<T>& field, const std::string& key, const Setting& s) {
  field.key = key;
  field.origin = s.origin;
}

// One overload per field type: the value was checked against the key's Kind when it was read.
void assign(Value<Text>& f, const std::string& key, const Setting& s, const BindContext&) {
  stamp(f, key, s);
  f.value = s.value.is_string() ? Text(s.value.get<std::string>())
            : s.value.is_null() ? Text()
                                : Text(s.value.dump());
}
void assign(Value<std::string>& f, const std::string& key, const Setting& s, const BindContext& c) {
  Value<Text> t;
  assign(t, key, s, c);
  stamp(f, key, s);
  f.value = t.value.value_or("");
}
void assign(Value<Path>& f, const std::string& key, const Setting& s, const BindContext& c) {
  Value<Text> t;
  assign(t, key, s, c);
  stamp(f, key, s);
  f.value = t.value ? Path(resolve_path(*t.value, s.origin, c)) : Path();
}
void assign(Value<bool>& f, const std::string& key, const Setting& s, const BindContext&) {
  stamp(f, key, s);
  f.value = s.value.is_boolean() && s.value.get<bool>();
}
void assign(Value<int>& f, const std::string& key, const Setting& s, const BindContext&) {
  stamp(f, key, s);
  f.value = s.value.is_number_integer() ? static_cast<int>(s.value.get<long long>()) : 0;
}
void assign(Value<Millis>& f, const std::string& key, const Setting& s, const BindContext&) {
  stamp(f, key, s);
  const std::string text = s.value.is_string() ? s.value.get<std::string>() : s.value.dump();
  f.value = parse_duration(text, s.origin.text(), key);
}
void assign(Value<Strings>& f, const std::string& key, const Setting& s, const BindContext&) {
  stamp(f, key, s);
  f.value.clear();
  if (s.value.is_string()) f.value.push_back(s.value.get<std::string>());
  if (!s.value.is_array()) return;
  for (const auto& item : s.value)
    f.value.push_back(item.is_string() ? item.get<std::string>() : item.dump());
}

// images.tag_length: "full" or 7..40, checked when read (config.cpp, checked()).
void assign_tag_length(Settings& t, const std::string& key, const Setting& s, const BindContext&) {
  stamp(t.images.tag_length, key, s);
  const std::string text = s.value.is_string() ? s.value.get<std::string>() : s.value.dump();
  t.images.tag_length.value = text == "full" ? 40 : static_cast<std::size_t>(std::stoul(text));
}

void assign_vault_ids(Settings& t, const std::string& key, const Setting& s, const BindContext& c) {
  assign(t.vault.ids, key, s, c);
  t.vault.ids_base = s.origin.kind == OriginKind::file ? c.project_dir : std::filesystem::path();
}

}  // namespace

// A binder that stores a key's value into Settings::<field>.
#define MCTL_TO(field)                                                            \
  [](Settings& t, const std::string& k, const Setting& s, const BindContext& c) { \
    assign(t.field, k, s, c);                                                     \
  }

// One row per key reads as a table.
// clang-format off
const std::vector<KeySpec>& key_table() {
  static const std::vector<KeySpec> table = {
      {"project", Kind::string, nullptr, {}, MCTL_TO(project.name), "project name", false},
      {"default_env", Kind::string, nullptr, {}, MCTL_TO(project.default_env), "environment used when -e is not given", false},
      {"marathon.urls", Kind::list, json::array(), {"MCTL_MARATHON_URL"}, MCTL_TO(marathon.urls), "Marathon URLs, tried in order"},
      {"marathon.credentials.user", Kind::string, nullptr, {"MCTL_MARATHON_USER"}, MCTL_TO(marathon.credentials.user), "basic-auth user name"},
      {"marathon.credentials.password_file", Kind::string, nullptr, {"MCTL_MARATHON_PASSWORD_FILE"}, MCTL_TO(marathon.credentials.password_file), "file holding the basic-auth password"},
      {"marathon.credentials.password_env", Kind::string, nullptr, {"MCTL_MARATHON_PASSWORD_ENV"}, MCTL_TO(marathon.credentials.password_env), "environment variable holding the basic-auth password"},
      {"marathon.credentials.token_file", Kind::string, nullptr, {"MCTL_MARATHON_TOKEN_FILE"}, MCTL_TO(marathon.credentials.token_file), "file holding a DC/OS token (Authorization: token=...)"},
      {"marathon.credentials.token_env", Kind::string, nullptr, {"MCTL_MARATHON_TOKEN_ENV"}, MCTL_TO(marathon.credentials.token_env), "environment variable holding a DC/OS token"},
      {"marathon.ca_file", Kind::string, nullptr, {"MCTL_MARATHON_CA_FILE"}, MCTL_TO(marathon.tls.ca_file), "CA bundle for Marathon's TLS certificate"},
      {"marathon.insecure", Kind::boolean, false, {"MCTL_MARATHON_INSECURE"}, MCTL_TO(marathon.tls.insecure), "skip TLS verification (testing only)"},
      {"mesos.master_urls", Kind::list, json::array(), {"MCTL_MESOS_URL"}, MCTL_TO(mesos.master_urls), "Mesos master URLs; the leader is found among them"},
      {"mesos.credentials.user", Kind::string, nullptr, {"MCTL_MESOS_USER"}, MCTL_TO(mesos.credentials.user), "Mesos basic-auth user name (master and agents)"},
      {"mesos.credentials.password_file", Kind::string, nullptr, {"MCTL_MESOS_PASSWORD_FILE"}, MCTL_TO(mesos.credentials.password_file), "file holding the Mesos basic-auth password"},
      {"mesos.credentials.password_env", Kind::string, nullptr, {"MCTL_MESOS_PASSWORD_ENV"}, MCTL_TO(mesos.credentials.password_env), "environment variable holding the Mesos password"},
      {"mesos.credentials.token_file", Kind::string, nullptr, {"MCTL_MESOS_TOKEN_FILE"}, MCTL_TO(mesos.credentials.token_file), "file holding a DC/OS token for Mesos"},
      {"mesos.credentials.token_env", Kind::string, nullptr, {"MCTL_MESOS_TOKEN_ENV"}, MCTL_TO(mesos.credentials.token_env), "environment variable holding a DC/OS token for Mesos"},
      {"mesos.ca_file", Kind::string, nullptr, {"MCTL_MESOS_CA_FILE"}, MCTL_TO(mesos.tls.ca_file), "CA bundle for the Mesos masters' and agents' TLS certificates"},
      {"mesos.insecure", Kind::boolean, false, {"MCTL_MESOS_INSECURE"}, MCTL_TO(mesos.tls.insecure), "skip TLS verification of Mesos (testing only)"},
      {"mesos.parallel", Kind::integer, 8, {"MCTL_MESOS_PARALLEL"}, MCTL_TO(mesos.parallel), "agents asked at once"},
      {"mesos_dns", Kind::string, nullptr, {"MCTL_MESOS_DNS"}, MCTL_TO(dns.server), "Mesos-DNS server host[:port] (port 53 by default)"},
      {"mesos_dns_http", Kind::string, nullptr, {"MCTL_MESOS_DNS_HTTP"}, MCTL_TO(dns.http_url), "Mesos-DNS HTTP API URL"},
      {"registry", Kind::string, nullptr, {"MCTL_REGISTRY"}, MCTL_TO(registry.host), "Docker registry host[:port] (or URL)"},
      {"registry_credentials.user", Kind::string, nullptr, {"MCTL_REGISTRY_USER"}, MCTL_TO(registry.credentials.user), "registry user name"},
      {"registry_credentials.password_file", Kind::string, nullptr, {"MCTL_REGISTRY_PASSWORD_FILE"}, MCTL_TO(registry.credentials.password_file), "file holding the registry password"},
      {"registry_credentials.password_env", Kind::string, nullptr, {"MCTL_REGISTRY_PASSWORD_ENV"}, MCTL_TO(registry.credentials.password_env), "environment variable holding the registry password"},
      {"registry_ca_file", Kind::string, nullptr, {"MCTL_REGISTRY_CA_FILE"}, MCTL_TO(registry.tls.ca_file), "CA bundle for the registry's TLS certificate"},
      {"docker_host", Kind::string, "unix:///var/run/docker.sock", {"MCTL_DOCKER_HOST", "DOCKER_HOST"}, MCTL_TO(project.docker_host), "Docker Engine address"},
      {"apps_dir", Kind::string, "apps", {"MCTL_APPS_DIR"}, MCTL_TO(project.apps_dir), "directory of app specs, relative to mctl.yaml"},
      {"vault.file", Kind::string, nullptr, {"MCTL_VAULT_FILE"}, MCTL_TO(vault.file), "vault file with the environment's secrets"},
      {"vault.format", Kind::string, "mctl", {"MCTL_VAULT_FORMAT"}, MCTL_TO(vault.format), "format for new vault files: mctl or ansible"},
      {"vault.password_file", Kind::string, nullptr, {"MCTL_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"}, MCTL_TO(vault.password_file), "vault password file or script"},
      {"vault.id", Kind::list, json::array(), {"MCTL_VAULT_IDS"}, assign_vault_ids, "vault ids as label@source"},
      {"deploy.timeout", Kind::duration, "10m", {"MCTL_TIMEOUT"}, MCTL_TO(deploy.timeout), "deadline for a deployment to be done"},
      {"deploy.parallel", Kind::integer, 4, {"MCTL_PARALLEL"}, MCTL_TO(deploy.parallel), "apps deployed at once"},
      {"deploy.rollback", Kind::boolean, true, {"MCTL_ROLLBACK"}, MCTL_TO(deploy.rollback), "roll back when a deployment fails"},
      {"images.keep", Kind::integer, 10, {"MCTL_IMAGES_KEEP"}, MCTL_TO(images.keep), "newest tags kept per repository by gc"},
      {"images.keep_versions", Kind::integer, 5, {"MCTL_IMAGES_KEEP_VERSIONS"}, MCTL_TO(images.keep_versions), "Marathon app versions whose images gc protects"},
      {"images.keep_list", Kind::list, json::array(), {"MCTL_IMAGES_KEEP_LIST"}, MCTL_TO(images.keep_list), "image names or globs gc never deletes"},
      {"images.tag_length", Kind::string, "12", {"MCTL_TAG_LENGTH"}, assign_tag_length, "git sha length in tags (or 'full')"},
      {"http.connect_timeout", Kind::duration, "5s", {"MCTL_CONNECT_TIMEOUT"}, MCTL_TO(http.connect_timeout), "HTTP connect timeout"},
      {"http.timeout", Kind::duration, "30s", {"MCTL_HTTP_TIMEOUT"}, MCTL_TO(http.timeout), "HTTP request timeout"},
      {"http.retries", Kind::integer, 3, {"MCTL_HTTP_RETRIES"}, MCTL_TO(http.retries), "retries of idempotent HTTP requests"},
  };
  return table;
}
// clang-format on

#undef MCTL_TO

namespace {

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::string:
      return "string";
    case Kind::boolean:
      return "boolean";
    case Kind::integer:
      return "integer";
    case Kind::duration:
      return "duration";
    case Kind::list:
      return "list";
    case Kind::map:
      return "map";
  }
  return "";
}

std::string default_text(const json& value) {
  if (value.is_null() || (value.is_array() && value.empty())) return "none";
  return fmt::format("`{}`", value.is_string() ? value.get<std::string>() : value.dump());
}

std::string env_text(const KeySpec& spec) {
  std::string out;
  for (const auto& name : spec.env_vars) out += (out.empty() ? "`" : ", `") + name + "`";
  if (spec.kind == Kind::list && !out.empty()) out += " (comma-separated)";
  return out;
}

}  // namespace

std::string keys_markdown() {
  std::string out =
      "| key | type | default | environment variable | meaning |\n|---|---|---|---|---|\n";
  for (const auto& spec : key_table()) {
    out += fmt::format("| `{}` | {} | {} | {} | {}{} |\n", spec.key, kind_name(spec.kind),
                       default_text(spec.fallback), env_text(spec), spec.help,
                       spec.per_environment ? "" : " (top level only)");
  }
  out += "| `vars.*` | any | none | | variables for app specs (`{{ name }}`) |\n";
  return out;
}

}  // namespace mctl::core
