#pragma once
// Which images `mctl images gc` must keep because Marathon runs them or may roll back to them,
// asked of every selected environment's Marathon (each Marathon once).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"

namespace mctl::deploy {

struct ProtectedImages {
  // Image references as the app definitions write them, with the reason shown in the plan
  // ("/prod/web current (prod)"), in the order found (an image may be listed more than once).
  std::vector<std::pair<std::string, std::string>> images;
  std::vector<std::string> consulted;  // the environments asked ("default": none selected)
};

// The configuration of one environment (nullopt: none selected).
using ConfigFor = std::function<core::Config(const std::optional<std::string>&)>;

// Asks the Marathon of each of `envs` (none: the configuration without an environment) for
// images_in_use(keep_versions), a Marathon listed by two environments once. Environments
// without marathon.urls are left out; Error (usage) when none has one, and Error (remote) when
// a Marathon cannot be read: gc must not guess.
ProtectedImages marathon_protection(const std::vector<std::string>& envs, const ConfigFor& config_for, int keep_versions);

}  // namespace mctl::deploy
