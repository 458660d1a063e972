// Validation before anything is printed: schema, Marathon's rules, safety rails, lint.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "templates/render.hpp"
#include "test_templates_helpers.hpp"

using mctl::Error;
using mctl::test::options_with_git;
using mctl::test::TempProject;
using nlohmann::json;
namespace t = mctl::templates;

namespace {

const char* k_minimal_project = "project: shop\nregistry: registry.example.com\nenvironments:\n  prod:\n    vars: {}\n";

std::string errors_of(const std::string& spec, const t::RenderOptions& o = options_with_git()) {
  TempProject p(k_minimal_project);
  p.write("apps/web.yaml", spec);
  try {
    t::render_app(p.config(), "web", o);
  } catch (const Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    return e.what();
  }
  return "(rendered)";
}

std::vector<std::string> warnings_of(const std::string& spec, t::RenderOptions o = options_with_git()) {
  TempProject p(k_minimal_project);
  p.write("apps/web.yaml", spec);
  o.lint = true;
  return t::render_app(p.config(), "web", o).warnings;
}

bool has(const std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list) {
    if (s == text) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("an unknown field points at the key and suggests the schema's name") {
  CHECK(errors_of("cmd: serve\ninstanses: 2\n") ==
        "apps/web.yaml:2:1: unknown field 'instanses' (did you mean 'instances'?)");
  CHECK(errors_of("cmd: serve\ncontainer:\n  type: DOCKER\n  docker:\n    imgae: nginx:1\n") ==
        "apps/web.yaml:5:5: unknown field 'imgae' in container.docker (did you mean 'image'?)\n"
        "apps/web.yaml:5:5: missing required field 'image' in container.docker");
  CHECK(errors_of("cmd: serve\ncontainer:\n  type: DOCKER\n") ==
        "apps/web.yaml:3:3: a DOCKER container needs docker.image (or write image: NAME)");
}

TEST_CASE("an unknown field that is no near-miss is a warning: Marathon ignores it") {
  TempProject p(k_minimal_project);
  p.write("apps/web.yaml", "cmd: serve\nlabels: {}\ncontainer:\n  type: DOCKER\n  docker:\n    image: web:1\n"
                           "    requirePorts: true\nfancyNewField: 1\n");
  const auto app = t::render_app(p.config(), "web", options_with_git());
  CHECK(app.definition["container"]["docker"]["requirePorts"] == true);
  REQUIRE(app.warnings.size() == 2);
  CHECK(app.warnings[0] == "apps/web.yaml:7:5: unknown field 'requirePorts' in container.docker: Marathon ignores it "
                           "('requirePorts' is a field of the app itself)");
  CHECK(app.warnings[1] == "apps/web.yaml:8:1: unknown field 'fancyNewField': Marathon ignores it");
}

TEST_CASE("newer Marathon fields missing from the old schema are accepted") {
  CHECK(errors_of("cmd: serve\ntty: true\nrole: web\ncheck: {tcp: {portIndex: 0}, intervalSeconds: 10}\n"
                  "resourceLimits: {cpus: unlimited, mem: 512}\n") == "(rendered)");
}

TEST_CASE("types, enums and ranges are checked with the value's position") {
  CHECK(errors_of("cmd: serve\ninstances: many\n") == "apps/web.yaml:2:12: 'instances' must be integer, not string");
  CHECK(errors_of("cmd: serve\ncpus: -1\n") == "apps/web.yaml:2:7: 'cpus' must be at least 0, not -1");
  CHECK(errors_of("cmd: serve\nenv:\n  PORT: 8080\n") ==
        "apps/web.yaml:3:9: 'env.PORT' must be map or string, not integer (quote it: \"8080\")");
  CHECK(errors_of("cmd: serve\nkillSelection: YOUNGEST\n") ==
        "apps/web.yaml:2:16: 'killSelection' must be one of YOUNGEST_FIRST or OLDEST_FIRST, not 'YOUNGEST'");
}

TEST_CASE("app id: Marathon's segment format and reserved names") {
  CHECK(errors_of("id: /Shop/web\ncmd: serve\n") ==
        "apps/web.yaml:1:5: app id '/Shop/web': segment 'Shop' may only hold lowercase letters, digits, '-' and "
        "'.', and must start and end with a letter or digit");
  CHECK(errors_of("id: /shop/tasks\ncmd: serve\n") ==
        "apps/web.yaml:1:5: app id '/shop/tasks' ends in 'tasks', a name Marathon reserves (restart, tasks, "
        "versions)");
  CHECK(errors_of("id: /\ncmd: serve\n") == "apps/web.yaml:1:5: app id '/' names the root group, not an app");
}

TEST_CASE("Marathon's rules: cmd xor args, a runnable app, networking, secret references") {
  CHECK(errors_of("cmd: serve\nargs: [serve]\n") ==
        "apps/web.yaml:2:7: set either 'cmd' (run by /bin/sh -c) or 'args' (exec form), not both");
  CHECK(errors_of("mem: 128\n") ==
        "apps/web.yaml:1:1: the app needs 'cmd', 'args' or a 'container' (for example image: NAME)");
  CHECK(errors_of("image: web:1\ncontainer:\n  portMappings: [{containerPort: 80}]\n") ==
        "apps/web.yaml:3:17: container.portMappings need bridge or container networking (networks: [{mode: "
        "container/bridge}]); with host networking use portDefinitions");
  CHECK(errors_of("cmd: serve\nenv:\n  DB: {secret: dbpass}\nsecrets:\n  db_pass: {source: /prod/db}\n") ==
        "apps/web.yaml:3:16: env DB references secret 'dbpass', which is not a key of 'secrets' (did you mean "
        "'db_pass'?)");
  CHECK(errors_of("cmd: serve\nreadinessChecks:\n  - {name: a, portName: http, intervalSeconds: 5, timeoutSeconds: 5}\n"
                  "portDefinitions: [{port: 0, name: web}]\n") ==
        "apps/web.yaml:3:25: readiness check portName 'http' names no port of the app\n"
        "apps/web.yaml:3:67: a readiness check's timeoutSeconds must be below intervalSeconds");
}

TEST_CASE("an env name a task's environment cannot hold is refused where it is written") {
  // Marathon's apps API takes it; on the agent "A=B": x would set A to 'B=x'.
  CHECK(errors_of("cmd: serve\nenv:\n  OK: fine\n  A=B: x\n") ==
        "apps/web.yaml:4:8: env 'A=B' cannot be a task's environment variable: its name has a '='");
  CHECK(errors_of("cmd: serve\nenv:\n  \"\": x\n") ==
        "apps/web.yaml:3:7: env '' cannot be a task's environment variable: its name is empty");
  CHECK(errors_of("cmd: serve\nenv:\n  A: \"x\\0y\"\n") ==
        "apps/web.yaml:3:6: env 'A' cannot be a task's environment variable: its value has a NUL byte");
}

TEST_CASE("vault ciphertext is never emitted") {
  CHECK(errors_of("cmd: serve\nenv:\n  DB: \"$ANSIBLE_VAULT;1.1;AES256\\n3132\"\n") ==
        "apps/web.yaml:3:7: refusing to emit 'env.DB': it still holds vault ciphertext; reference the secret as "
        "{{ secrets.NAME }} so mctl decrypts it");
  CHECK(errors_of("cmd: serve\nenv:\n  DB: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    3132\n") ==
        "apps/web.yaml:3:7: an encrypted !vault value cannot be used in an app spec; put it in the environment's "
        "vault file and write {{ secrets.NAME }}");
}

TEST_CASE("secrets are loaded only when used, and a secret in env is a warning") {
  int loads = 0;
  t::RenderOptions o = options_with_git();
  o.load_secrets = [&loads] {
    ++loads;
    return json{{"db_password", "s3cret"}, {"api", {{"token", "t0k"}}}};
  };
  CHECK(errors_of("cmd: serve\n", o) == "(rendered)");
  CHECK(loads == 0);
  TempProject p(k_minimal_project);
  p.write("apps/web.yaml", "cmd: serve\nenv:\n  DB_PASSWORD: \"{{ secrets.db_password }}\"\n"
                           "labels:\n  t: \"x{{ secrets.api.token }}\"\n");
  const auto app = t::render_app(p.config(), "web", o);
  CHECK(loads == 1);
  CHECK(app.definition["env"]["DB_PASSWORD"] == "s3cret");
  CHECK(app.definition["labels"]["t"] == "xt0k");
  REQUIRE(app.warnings.size() == 1);
  CHECK(app.warnings[0] ==
        "apps/web.yaml:3:16: env DB_PASSWORD holds secrets.db_password in plain text; Marathon shows env to anyone "
        "who can read apps. Prefer Marathon's secrets: env: {DB_PASSWORD: {secret: db_password}} with secrets: "
        "{db_password: {source: <secret store path>}}");
  CHECK(app.warnings[0].find("s3cret") == std::string::npos);
  CHECK(errors_of("cmd: \"{{ secrets.db_pasword }}\"\n", o) ==
        "apps/web.yaml:1:7: undefined secret 'secrets.db_pasword' (did you mean 'secrets.db_password'?)");
}

TEST_CASE("a spec using secrets without a vault says so") {
  CHECK(errors_of("cmd: \"{{ secrets.x }}\"\n") ==
        "apps/web.yaml:1:7: the spec uses {{ secrets.* }} but environment 'prod' has no vault file (vault.file)");
}

TEST_CASE("lint: the platform checklist") {
  const auto w = warnings_of("image: web:latest\ninstances: 3\n");
  CHECK(has(w, "apps/web.yaml:1:1: no healthChecks: Marathon cannot replace a hung task, and deployments count a "
               "task as healthy as soon as it runs"));
  CHECK(has(w, "apps/web.yaml:1:8: image 'registry.example.com/web:latest' uses the mutable tag 'latest': a "
               "restart may run different code; use an immutable tag (image: NAME without a tag renders the git "
               "commit)"));
  CHECK(has(w, "apps/web.yaml:1:1: 'cpus' is not set: Marathon reserves its default (1 CPU), which fits almost no "
               "app"));
  CHECK(has(w, "apps/web.yaml:2:12: 3 instances without a constraint such as [hostname, UNIQUE] or [hostname, "
               "MAX_PER, \"1\"]: they may all land on one agent"));
  CHECK(has(warnings_of("cmd: /usr/sbin/sshd -D\ncpus: 1\nmem: 64\n"),
            "apps/web.yaml:1:6: the app runs sshd: do not ship sshd in app containers; use docker exec or Mesos "
            "task exec to debug"));
  CHECK(has(warnings_of("cmd: serve\nfetch: [{uri: 'https://cfg.example.com/app.conf'}]\n"),
            "apps/web.yaml:2:15: configuration fetched as a file: pass configuration through env variables so each "
            "environment differs only in its vars"));
  const auto clean = warnings_of(R"(image: web
cpus: 0.5
mem: 256
instances: 2
constraints: [[hostname, UNIQUE]]
networks: [{mode: container/bridge}]
container: {portMappings: [{containerPort: 80, name: http}]}
healthChecks: [{protocol: MESOS_HTTP, path: /health, portIndex: 0}]
)");
  CHECK(clean.empty());
}
