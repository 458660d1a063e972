#include "templates/scaffold.hpp"

#include <fmt/format.h>

#include <cctype>
#include <regex>
#include <set>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/strings.hpp"

namespace mctl::templates {
namespace fs = std::filesystem;

namespace {

constexpr const char* k_config =
    R"(# mctl project file (written by mctl init). Secrets never go here, only references to them.
# Every key and its MCTL_* variable: README.md "Configuration"; what is in effect: mctl config show
project: {project}
# Images named without a registry host (image: {app}) are pushed to and pulled from this one.
registry: registry.example.com:5000
default_env: staging
vault:
  format: mctl              # new vault files: mctl (Argon2id) or ansible (ansible-vault compatible)
vars:                       # {{{{ variables }}}} of every app spec; an environment's vars override them
  instances: 1

environments:
  staging:
    marathon:
      urls: [http://127.0.0.1:8080]
    # Secrets of this environment, as {{{{ secrets.NAME }}}} in specs. Create the file with
    #   mctl vault create secrets/staging.vault.yaml
    # and keep the password outside the repository (a file, a script, or a prompt):
    # vault:
    #   file: secrets/staging.vault.yaml
    #   password_file: /etc/mctl/staging.pass     # or MCTL_VAULT_PASSWORD_FILE
  prod:
    marathon:
      urls: [http://marathon.prod.example.com:8080]
      # credentials: {{user: deployer, password_env: MARATHON_PASSWORD}}
    vars:
      instances: 2
)";

constexpr const char* k_app =
    R"(# {app}: a Marathon app definition in YAML (keys exactly as in marathon.json) plus mctl's
# image: shorthand and {{{{ variables }}}}; the language is in mctl's templates/SPEC.md.
#   mctl render {app} -e staging      mctl diff {app} -e prod      mctl deploy {app} -e prod
# Per-environment changes go in apps/{app}.ENV.yaml (deep-merged over this file).
# Editor checks: mctl schema > .mctl-spec.schema.json, then put this first line in a spec:
#   # yaml-language-server: $schema=../.mctl-spec.schema.json
id: /{{{{ env.name }}}}/{app}
image: {app}                       # -> <registry>/{app}:<git commit>
instances: "{{{{ instances }}}}"       # a placeholder alone keeps the variable's type (a number)
cpus: 0.1
mem: 128
networks:
  - mode: container/bridge
container:
  portMappings:
    - containerPort: 8080
      hostPort: 0
      name: http
env:
  APP_ENV: "{{{{ env.name }}}}"
  # DATABASE_PASSWORD: "{{{{ secrets.db_password }}}}"   # needs the environment's vault file
healthChecks:
  - protocol: MESOS_HTTP
    portIndex: 0
    path: /health
    gracePeriodSeconds: 30
    intervalSeconds: 10
    timeoutSeconds: 5
    maxConsecutiveFailures: 3
upgradeStrategy:
  minimumHealthCapacity: 1
  maximumOverCapacity: 0.5
)";

constexpr const char* k_gitignore =
    R"(# mctl: plaintext of vault files (decrypt with --output NAME.decrypted.yaml) and passwords
*.decrypted
*.decrypted.*
.vault-password
*.vault-pass
# mctl: temporary files of an interrupted write (.NAME.mctl-tmp.PID.XXXXXX)
.*.mctl-tmp.*
)";

constexpr const char* k_gitattributes = R"(# mctl: vault files diffed as plaintext, once per clone:
#   git config diff.mctl-vault.textconv "mctl vault view"
# (never set diff.mctl-vault.cachetextconv: it would store the plaintext in git)
secrets/** diff=mctl-vault
*.vault.yaml diff=mctl-vault
*.vault.yml diff=mctl-vault
)";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto& line : core::split(text, '\n')) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The lines of `wanted` that `existing` lacks (comments only with the lines they explain).
std::string missing_lines(const std::string& existing, const std::string& wanted) {
  const auto have = lines_of(existing);
  const std::set<std::string> present(have.begin(), have.end());
  std::string out, comments;
  for (const auto& line : lines_of(wanted)) {
    if (core::starts_with(line, "#")) {
      comments += line + "\n";
    } else {
      if (!present.count(line)) out += comments + line + "\n";
      comments.clear();
    }
  }
  return out;
}

}  // namespace

std::vector<ScaffoldFile> project_files(const std::string& project, const std::string& app) {
  static const std::regex name_re("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  if (!std::regex_match(app, name_re)) {
    throw Error(
        fmt::format(
            "init: app name '{}' is not a Marathon id segment (lowercase letters, digits and "
            "inner dashes, e.g. web or shop-api)",
            app),
        Exit::usage);
  }
  return {
      {"mctl.yaml", fmt::format(k_config, fmt::arg("project", project), fmt::arg("app", app)),
       false},
      {fs::path("apps") / (app + ".yaml"), fmt::format(k_app, fmt::arg("app", app)), false},
      {".gitignore", k_gitignore, true},
      {".gitattributes", k_gitattributes, true},
  };
}

std::string name_from_directory(const fs::path& dir) {
  std::error_code ec;
  const auto absolute = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  std::string name;
  for (char c : absolute.filename().string()) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool ok = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
    if (ok)
      name += lower;
    else if (!name.empty() && name.back() != '-')
      name += '-';
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "app" : name;
}

std::vector<Written> write_project(const fs::path& dir, const std::vector<ScaffoldFile>& files) {
  for (const auto& f : files) {
    const fs::path target = dir / f.path;
    std::error_code ec;
    if (!f.lines && fs::symlink_status(target, ec).type() != fs::file_type::not_found) {
      throw Error(
          fmt::format(
              "init: {} already exists; nothing was written (mctl init never overwrites a file)",
              target.string()),
          Exit::usage);
    }
  }
  std::vector<Written> done;
  for (const auto& f : files) {
    const fs::path target = dir / f.path;
    fs::create_directories(target.parent_path());
    std::error_code ec;
    if (f.lines && fs::exists(target, ec)) {
      const std::string existing = core::read_file(target);
      const std::string add = missing_lines(existing, f.text);
      if (add.empty()) {
        done.push_back({target, "unchanged"});
        continue;
      }
      std::string text = existing;
      if (!text.empty() && text.back() != '\n') text += '\n';
      text += add;
      core::write_file_atomic(target, text, 0644);
      done.push_back({target, "appended"});
    } else {
      core::write_file_atomic(target, f.text, 0644);
      done.push_back({target, "created"});
    }
  }
  return done;
}

}  // namespace mctl::templates
