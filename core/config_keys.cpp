// The table of every configuration key mctl knows. Add a row here for a new setting and
// document it in README.md ("Configuration").
#include "core/config.hpp"

namespace mctl::core {

const std::vector<KeySpec>& key_table() {
  using nlohmann::json;
  static const std::vector<KeySpec> table = {
      {"project", Kind::string, nullptr, {}, "project name", false},
      {"default_env", Kind::string, nullptr, {}, "environment used when -e is not given", false},
      {"marathon.urls", Kind::list, json::array(), {"MCTL_MARATHON_URL"}, "Marathon URLs, tried in order"},
      {"marathon.credentials.user", Kind::string, nullptr, {"MCTL_MARATHON_USER"}, "basic-auth user name"},
      {"marathon.credentials.password_file", Kind::string, nullptr, {"MCTL_MARATHON_PASSWORD_FILE"}, "file holding the basic-auth password"},
      {"marathon.credentials.password_env", Kind::string, nullptr, {"MCTL_MARATHON_PASSWORD_ENV"}, "environment variable holding the basic-auth password"},
      {"marathon.credentials.token_file", Kind::string, nullptr, {"MCTL_MARATHON_TOKEN_FILE"}, "file holding a DC/OS token (Authorization: token=...)"},
      {"marathon.credentials.token_env", Kind::string, nullptr, {"MCTL_MARATHON_TOKEN_ENV"}, "environment variable holding a DC/OS token"},
      {"marathon.ca_file", Kind::string, nullptr, {"MCTL_MARATHON_CA_FILE"}, "CA bundle for Marathon's TLS certificate"},
      {"marathon.insecure", Kind::boolean, false, {"MCTL_MARATHON_INSECURE"}, "skip TLS verification (testing only)"},
      {"mesos.master_urls", Kind::list, json::array(), {"MCTL_MESOS_URL"}, "Mesos master URLs; the leader is found among them"},
      {"mesos.credentials.user", Kind::string, nullptr, {"MCTL_MESOS_USER"}, "Mesos basic-auth user name (master and agents)"},
      {"mesos.credentials.password_file", Kind::string, nullptr, {"MCTL_MESOS_PASSWORD_FILE"}, "file holding the Mesos basic-auth password"},
      {"mesos.credentials.password_env", Kind::string, nullptr, {"MCTL_MESOS_PASSWORD_ENV"}, "environment variable holding the Mesos password"},
      {"mesos.credentials.token_file", Kind::string, nullptr, {"MCTL_MESOS_TOKEN_FILE"}, "file holding a DC/OS token for Mesos"},
      {"mesos.credentials.token_env", Kind::string, nullptr, {"MCTL_MESOS_TOKEN_ENV"}, "environment variable holding a DC/OS token for Mesos"},
      {"mesos.ca_file", Kind::string, nullptr, {"MCTL_MESOS_CA_FILE"}, "CA bundle for the Mesos masters' and agents' TLS certificates"},
      {"mesos.insecure", Kind::boolean, false, {"MCTL_MESOS_INSECURE"}, "skip TLS verification of Mesos (testing only)"},
      {"mesos.parallel", Kind::integer, 8, {"MCTL_MESOS_PARALLEL"}, "agents asked at once"},
      {"mesos_dns", Kind::string, nullptr, {"MCTL_MESOS_DNS"}, "Mesos-DNS server host[:port] (port 53 by default)"},
      {"mesos_dns_http", Kind::string, nullptr, {"MCTL_MESOS_DNS_HTTP"}, "Mesos-DNS HTTP API URL"},
      {"registry", Kind::string, nullptr, {"MCTL_REGISTRY"}, "Docker registry host[:port] (or URL)"},
      {"registry_credentials.user", Kind::string, nullptr, {"MCTL_REGISTRY_USER"}, "registry user name"},
      {"registry_credentials.password_file", Kind::string, nullptr, {"MCTL_REGISTRY_PASSWORD_FILE"}, "file holding the registry password"},
      {"registry_credentials.password_env", Kind::string, nullptr, {"MCTL_REGISTRY_PASSWORD_ENV"}, "environment variable holding the registry password"},
      {"registry_ca_file", Kind::string, nullptr, {"MCTL_REGISTRY_CA_FILE"}, "CA bundle for the registry's TLS certificate"},
      {"docker_host", Kind::string, "unix:///var/run/docker.sock", {"MCTL_DOCKER_HOST", "DOCKER_HOST"}, "Docker Engine address"},
      {"apps_dir", Kind::string, "apps", {"MCTL_APPS_DIR"}, "directory of app specs, relative to mctl.yaml"},
      {"vault.file", Kind::string, nullptr, {"MCTL_VAULT_FILE"}, "vault file with the environment's secrets"},
      {"vault.format", Kind::string, "mctl", {"MCTL_VAULT_FORMAT"}, "format for new vault files: mctl or ansible"},
      {"vault.password_file", Kind::string, nullptr, {"MCTL_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"}, "vault password file or script"},
      {"vault.id", Kind::list, json::array(), {"MCTL_VAULT_IDS"}, "vault ids as label@source"},
      {"deploy.timeout", Kind::duration, "10m", {"MCTL_TIMEOUT"}, "deadline for a deployment to be done"},
      {"deploy.parallel", Kind::integer, 4, {"MCTL_PARALLEL"}, "apps deployed at once"},
      {"deploy.rollback", Kind::boolean, true, {"MCTL_ROLLBACK"}, "roll back when a deployment fails"},
      {"images.keep", Kind::integer, 10, {"MCTL_IMAGES_KEEP"}, "newest tags kept per repository by gc"},
      {"images.keep_versions", Kind::integer, 5, {"MCTL_IMAGES_KEEP_VERSIONS"}, "Marathon app versions whose images gc protects"},
      {"images.keep_list", Kind::list, json::array(), {"MCTL_IMAGES_KEEP_LIST"}, "image names or globs gc never deletes"},
      {"images.tag_length", Kind::string, "12", {"MCTL_TAG_LENGTH"}, "git sha length in tags (or 'full')"},
      {"http.connect_timeout", Kind::duration, "5s", {"MCTL_CONNECT_TIMEOUT"}, "HTTP connect timeout"},
      {"http.timeout", Kind::duration, "30s", {"MCTL_HTTP_TIMEOUT"}, "HTTP request timeout"},
      {"http.retries", Kind::integer, 3, {"MCTL_HTTP_RETRIES"}, "retries of idempotent HTTP requests"},
  };
  return table;
}

}  // namespace mctl::core
