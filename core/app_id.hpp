#pragma once
// Marathon's rule for app ids (API.md section 6), used by the spec checks and by every
// request that names an app, so that an id Marathon can never hold is a usage error before
// anything is sent.
#include <optional>
#include <string>

namespace mctl::core {

// Why `id` cannot name a Marathon app ("app id '/Web': segment 'Web' may only hold ..."), or
// nullopt when it can. `relative`: the '.' and '..' segments of an id inside a definition are
// allowed; an id on the command line or in a URL must be a plain path.
std::optional<std::string> app_id_problem(const std::string& id, bool relative = false);

}  // namespace mctl::core
