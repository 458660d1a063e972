#include "core/service_http.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace mctl::core {

http::ClientOptions service_http_options(const HttpSettings& http, const TlsSettings& tls) {
  http::ClientOptions o;
  o.connect_timeout = *http.connect_timeout;
  o.total_timeout = *http.timeout;
  o.max_retries = *http.retries;
  if (*tls.ca_file) o.ca_file = tls.ca_file->value().string();
  o.insecure = *tls.insecure;
  return o;
}

namespace {

using Secret = std::optional<std::pair<std::string, std::string>>;  // value, where it came from

Secret secret_from(const Value<Path>& file, const Value<Text>& var, const Environ& environ,
                   const std::string& service, const std::string& what) {
  if (const auto& path = *file) {
    std::string value;
    try {
      value = read_file(*path);
    } catch (const Error& e) {
      throw Error(fmt::format("reading the {} {} ({} = {}): {}", service, what, file.key,
                              path->string(), e.what()),
                  Exit::usage);
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return std::pair{value, fmt::format("{} from file {}", what, path->string())};
  }
  if (const auto& name = *var) {
    auto it = environ.find(*name);
    if (it == environ.end()) {
      throw Error(
          fmt::format("the {} {} should be in environment variable {} ({}), which is not set",
                      service, what, *name, var.key),
          Exit::usage);
    }
    return std::pair{it->second, fmt::format("{} from environment variable {}", what, *name)};
  }
  return std::nullopt;
}

}  // namespace

ServiceCredentials service_credentials(const CredentialSettings& settings, const Environ& environ,
                                       const std::string& service) {
  ServiceCredentials c;
  if (auto token =
          secret_from(settings.token_file, settings.token_env, environ, service, "token")) {
    c.token = token->first;
    c.source = token->second;
    return c;
  }
  if (const auto& user = *settings.user) {
    auto password =
        secret_from(settings.password_file, settings.password_env, environ, service, "password");
    if (!password) {
      throw Error(fmt::format("{0}.user is set ({1}) but no password source: set "
                              "{0}.password_file or password_env",
                              settings.prefix, *user),
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
