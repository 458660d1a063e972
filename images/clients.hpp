#pragma once
// The Docker Engine and registry clients of the image commands, built from the configuration,
// and a push that says which credentials the registry refused.
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/http.hpp"
#include "images/docker.hpp"
#include "images/reference.hpp"
#include "images/registry.hpp"

namespace mctl::images {

// The `registry` setting; Error (usage) when none is configured.
std::string registry_setting(const core::Config& config);

// The engine at docker_host, with the configured HTTP settings.
std::unique_ptr<DockerClient> docker(const core::Config& config);

// The registry client with the HTTP client it borrows.
struct Registry {
  std::string host;
  std::unique_ptr<core::http::HttpClient> http;
  std::unique_ptr<RegistryClient> client;
};
Registry connect_registry(const core::Config& config);

// <registry host>/<repository>[:tag] for a local name or reference (APP names are image names);
// the digest dropped.
ImageRef registry_target(const core::Config& config, const std::string& name);

// Pushes `ref` with the credentials found for its registry; a refusal (Exit::auth) names the
// user and where the credentials came from, or says none were found.
void push_image(DockerClient& engine, const core::Config& config, const ImageRef& ref, const StreamHandler& on_event);

}  // namespace mctl::images
