#pragma once
// A service's HTTP client options from the configuration, so every service client honours the
// same settings: http.connect_timeout, http.timeout, http.retries, and the service's own CA
// bundle / "insecure" keys when it has them.
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/http.hpp"

namespace mctl::core {

// Config keys of one service's TLS settings; an empty key: the service has none.
struct ServiceTlsKeys {
  std::string ca_file;   // e.g. "marathon.ca_file", "registry_ca_file"
  std::string insecure;  // e.g. "marathon.insecure"
};

http::ClientOptions service_http_options(const Config& config, const ServiceTlsKeys& tls = {});

// How a service's requests authenticate, and where the secret came from (for 401/403
// messages; never the secret itself).
struct ServiceCredentials {
  std::optional<http::BasicAuth> basic;
  std::optional<std::string> token;  // DC/OS: "Authorization: token=<token>"
  std::string source = "no credentials configured";
};

// Reads `<prefix>.credentials.*` (user, password_file/password_env, token_file/token_env): the
// secret from the named file or environment variable, a token before a user. `service` names
// the service in messages ("Marathon"). Throws Error(Exit::usage) naming the file or variable
// when it cannot be read.
ServiceCredentials service_credentials(const Config& config, const std::string& prefix, const std::string& service);

// Options with the credentials applied (basic auth or "Authorization: token=...").
void apply_credentials(http::ClientOptions& options, const ServiceCredentials& credentials);

}  // namespace mctl::core
