#pragma once
// Registry credentials: the project config (registry_credentials.*) first, then Docker's own
// config.json (`auths`, `credHelpers`, `credsStore`), as `docker login` leaves them.
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "images/registry.hpp"

namespace mctl::images {

std::string base64_encode(std::string_view data);
// Throws Error when `text` is not base64.
std::string base64_decode(std::string_view text);

// Credentials for `host` ("registry:5000") in the text of a Docker config.json. `origin`
// names the file in messages. Credential helpers are run as `docker-credential-NAME get`.
// Throws Error(Exit::usage) for an unreadable file or entry.
std::optional<Credentials> docker_config_credentials(const std::string& text, const std::string& host,
                                                     const std::string& origin);

// Credentials for `host`: registry_credentials.user with password_file / password_env, else
// $DOCKER_CONFIG/config.json or ~/.docker/config.json. nullopt when none are configured.
std::optional<Credentials> find_credentials(const core::RegistrySettings& settings, const core::Environ& environ,
                                            const std::string& host);
std::optional<Credentials> find_credentials(const core::Config& config, const std::string& host);

// HTTP settings for the registry and Docker engine clients: the http.* timeouts and retries, and
// registry_ca_file.
core::http::ClientOptions http_options(const core::RegistrySettings& settings);
core::http::ClientOptions http_options(const core::Config& config);

// The X-Registry-Auth header value the Docker Engine expects for a push (base64url JSON).
std::string engine_auth_header(const std::optional<Credentials>& credentials, const std::string& host);

}  // namespace mctl::images
