#include "images/clients.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "images/credentials.hpp"

namespace mctl::images {

std::string registry_setting(const core::Config& config) {
  const auto& r = *config.settings().registry.host;
  if (!r || r->empty()) {
    throw Error("no registry configured: set 'registry' in mctl.yaml, MCTL_REGISTRY or --registry", Exit::usage);
  }
  return *r;
}

std::unique_ptr<DockerClient> docker(const core::Config& config) {
  return connect_docker(*config.settings().project.docker_host, http_options(config));
}

Registry connect_registry(const core::Config& config) {
  Registry r;
  const std::string setting = registry_setting(config);
  r.host = registry_host(setting);
  r.http = core::http::make_curl_client(http_options(config));
  r.client = std::make_unique<RegistryClient>(*r.http, registry_base_url(setting), find_credentials(config, r.host));
  return r;
}

ImageRef registry_target(const core::Config& config, const std::string& name) {
  ImageRef ref = parse_reference(name);
  ref.registry = registry_host(registry_setting(config));
  ref.digest.clear();
  return ref;
}

void push_image(DockerClient& engine, const core::Config& config, const ImageRef& ref, const StreamHandler& on_event) {
  const auto credentials = find_credentials(config, ref.registry);
  try {
    engine.push(ref.name(), ref.tag, engine_auth_header(credentials, ref.registry), on_event);
  } catch (const Error& e) {
    if (e.exit_code() != Exit::auth) throw;
    const std::string why = credentials ? fmt::format("the registry refused user '{}' from {}", credentials->user,
                                                      credentials->source)
                                        : std::string("no credentials found for this registry");
    throw Error(fmt::format("{} ({})", e.what(), why), Exit::auth);
  }
}

}  // namespace mctl::images
