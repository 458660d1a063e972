#include "core/service_http.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace mctl::core {

http::ClientOptions service_http_options(const Config& config, const ServiceTlsKeys& tls) {
  http::ClientOptions o;
  o.connect_timeout = config.get_duration("http.connect_timeout");
  o.total_timeout = config.get_duration("http.timeout");
  o.max_retries = static_cast<int>(config.get_int("http.retries"));
  if (!tls.ca_file.empty()) {
    if (auto ca = config.get_path(tls.ca_file)) o.ca_file = ca->string();
  }
  if (!tls.insecure.empty()) o.insecure = config.get_bool(tls.insecure);
  return o;
}

namespace {

using Secret = std::optional<std::pair<std::string, std::string>>;  // value, where it came from

Secret secret_from(const Config& config, const std::string& prefix, const std::string& service,
                   const std::string& what) {
  const std::string file_key = prefix + ".credentials." + what + "_file";
  const std::string env_key = prefix + ".credentials." + what + "_env";
  if (auto path = config.get_path(file_key)) {
    std::string value;
    try {
      value = read_file(*path);
    } catch (const Error& e) {
      throw Error(fmt::format("reading the {} {} ({} = {}): {}", service, what, file_key, path->string(), e.what()),
                  Exit::usage);
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return std::pair{value, fmt::format("{} from file {}", what, path->string())};
  }
  if (auto var = config.get_optional(env_key)) {
    auto value = config.environ(*var);
    if (!value) {
      throw Error(fmt::format("the {} {} should be in environment variable {} ({}), which is not set", service, what,
                              *var, env_key),
                  Exit::usage);
    }
    return std::pair{*value, fmt::format("{} from environment variable {}", what, *var)};
  }
  return std::nullopt;
}

}  // namespace

ServiceCredentials service_credentials(const Config& config, const std::string& prefix, const std::string& service) {
  ServiceCredentials c;
  if (auto token = secret_from(config, prefix, service, "token")) {
    c.token = token->first;
    c.source = token->second;
    return c;
  }
  if (auto user = config.get_optional(prefix + ".credentials.user")) {
    auto password = secret_from(config, prefix, service, "password");
    if (!password) {
      throw Error(fmt::format("{0}.credentials.user is set ({1}) but no password source: set "
                              "{0}.credentials.password_file or password_env",
                              prefix, *user),
                  Exit::usage);
    }
    c.basic = http::BasicAuth{*user, password->first};
    c.source = fmt::format("basic auth as user '{}', {}", *user, password->second);
  }
  return c;
}

void apply_credentials(http::ClientOptions& options, const ServiceCredentials& credentials) {
  options.basic_auth = credentials.basic;
  if (credentials.token) options.authorization = "token=" + *credentials.token;
}

}  // namespace mctl::core
