#pragma once
// A service's HTTP client options from its typed settings, so every service client honours the
// same settings: http.connect_timeout, http.timeout, http.retries, and the service's own CA
// bundle / "insecure" keys when it has them.
#include <optional>
#include <string>

#include "core/http.hpp"
#include "core/settings.hpp"

namespace mctl::core {

// `tls` defaults to none (no CA bundle, verification on).
http::ClientOptions service_http_options(const HttpSettings& http, const TlsSettings& tls = {});

// How a service's requests authenticate, and where the secret came from (for 401/403
// messages; never the secret itself).
struct ServiceCredentials {
  std::optional<http::BasicAuth> basic;
  std::optional<std::string> token;  // DC/OS: "Authorization: token=<token>"
  std::string source = "no credentials configured";
};

// Reads the secret a service's credentials refer to (user, password_file/password_env,
// token_file/token_env) from the named file or from `environ`, a token before a user.
// `service` names the service in messages ("Marathon"). Throws Error(Exit::usage) naming the
// file or variable when it cannot be read.
ServiceCredentials service_credentials(const CredentialSettings& settings, const Environ& environ,
                                       const std::string& service);

// Options with the credentials applied (basic auth or "Authorization: token=...").
void apply_credentials(http::ClientOptions& options, const ServiceCredentials& credentials);

}  // namespace mctl::core
