#pragma once
// Contract used by image cleanup: which Docker images Marathon runs or may roll back to.
// Implemented by the deploy module (issue #5).
#include <map>
#include <set>
#include <string>

#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

// Image references (container.docker.image, as written in the app definitions) of every
// app's current version and of its first `keep_versions` rollback targets (deploy::
// rollback_targets: config versions, scale-only versions not counted), in the config's
// Marathon `client` talks to, mapped to a reason such as "/prod/web current" or "/prod/web version
// 2026-11-30T06:00:00.000Z". Throws Error(Exit::remote) when Marathon cannot be read: image
// cleanup must not guess.
std::map<std::string, std::string> images_in_use(MarathonClient& client, int keep_versions);

}  // namespace mctl::deploy
