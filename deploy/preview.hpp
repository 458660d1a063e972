#pragma once
// What a deploy would change, app by app, without changing anything (deploy --dry-run, mctl
// diff): one GET per app, the same comparison a deploy makes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deploy/deployer.hpp"
#include "deploy/diff.hpp"

namespace mctl::deploy {

class MarathonClient;

struct AppPreview {
  std::string id;
  bool exists = false;
  std::vector<FieldChange> changes;  // empty: up to date
  json desired;                      // what a deploy would send (not redacted: print redacted)
};

std::vector<AppPreview> preview_apps(MarathonClient& client, const std::vector<AppJob>& jobs,
                                     const DeployOptions& options);

// One preview as JSON: {app, exists, up_to_date, changes: [{path, before, after}]}, where the
// values of env variables with secret-looking names are "(hidden)". With a `request_url`, also
// the request a deploy would send ({method, url, body}), its body redacted the same way.
json preview_json(const AppPreview& preview, const std::string& request_url = "");

// The URL a deploy PUTs an app's definition to, on Marathon at `base`.
std::string app_put_url(const std::string& base, const std::string& id);

}  // namespace mctl::deploy
