// Rendering app specs: variables, typed placeholders, filters, overlays, conveniences, output.
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

const char* k_project = R"(project: shop
registry: registry.example.com:5000
vars:
  team: web
  replicas: 2
  flags: [a, b]
  db: {host: db.local, port: 5432}
environments:
  staging:
    vars:
      replicas: 1
  prod:
    vars:
      replicas: 3
)";

json render(const TempProject& p, const std::string& env = "",
            const t::RenderOptions& o = options_with_git()) {
  return t::render_app(p.config(env), "web", o).definition;
}

std::string error_of(const TempProject& p, const std::string& env = "",
                     const t::RenderOptions& o = options_with_git()) {
  try {
    t::render_app(p.config(env), "web", o);
  } catch (const Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    return e.what();
  }
  FAIL("rendering succeeded");
  return {};
}

}  // namespace

TEST_CASE("variables from built-ins, vars and the environment are interpolated") {
  TempProject p(k_project);
  p.write("apps/web.yaml", R"(id: /{{ env.name }}/{{ app.name }}
cmd: "serve --team {{ team }} --db {{ db.host }}:{{ db.port }}"
instances: "{{ replicas }}"
labels:
  registry: "{{ registry }}"
)");
  const json app = render(p, "prod");
  CHECK(app["id"] == "/prod/web");
  CHECK(app["cmd"] == "serve --team web --db db.local:5432");
  CHECK(app["instances"] == 3);
  CHECK(app["instances"].is_number_integer());
  CHECK(app["labels"]["registry"] == "registry.example.com:5000");
  CHECK(render(p, "staging")["instances"] == 1);
}

TEST_CASE("a value that is exactly one placeholder keeps the variable's type") {
  TempProject p(k_project);
  p.write("apps/web.yaml", R"(cmd: x
instances: "{{ replicas }}"
requirePorts: "{{ strict }}"
acceptedResourceRoles: "{{ flags }}"
labels: "{{ tags }}"
)");
  t::RenderOptions o = options_with_git();
  o.sets = {"strict=true", "tags={a: b}"};
  const json app = t::render_app(p.config(), "web", o).definition;
  CHECK(app["instances"] == 2);
  CHECK(app["requirePorts"] == true);
  CHECK(app["acceptedResourceRoles"] == json::array({"a", "b"}));
  CHECK(app["labels"] == json{{"a", "b"}});
}

TEST_CASE("--set is typed as YAML and beats vars") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: \"run {{ team }}\"\ninstances: \"{{ replicas }}\"\n");
  t::RenderOptions o = options_with_git();
  o.sets = {"replicas=7", "team=ops"};
  const json app = t::render_app(p.config("prod"), "web", o).definition;
  CHECK(app["instances"] == 7);
  CHECK(app["cmd"] == "run ops");
  o.sets = {"nonsense"};
  CHECK_THROWS_WITH_AS(t::render_app(p.config(), "web", o), "--set 'nonsense': expected name=value (name like 'a' or 'a.b')",
                       Error);
}

TEST_CASE("filters: default, lower, upper, b64encode, json") {
  TempProject p(k_project);
  p.write("apps/web.yaml", R"(cmd: x
env:
  A: "{{ missing | default('fallback') }}"
  B: "{{ team | upper }}"
  C: "{{ 'MiXeD' | lower }}"
  D: "{{ team | b64encode }}"
  E: "{{ db | json }}"
  F: "port={{ db.port }}"
  G: "{{ missing | default(8080) | json }}"
)");
  const json env = render(p)["env"];
  CHECK(env["A"] == "fallback");
  CHECK(env["B"] == "WEB");
  CHECK(env["C"] == "mixed");
  CHECK(env["D"] == "d2Vi");
  CHECK(env["E"] == R"({"host":"db.local","port":5432})");
  CHECK(env["F"] == "port=5432");
  CHECK(env["G"] == "8080");
}

TEST_CASE("an undefined variable is an error with its file:line:col and a suggestion") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: x\nlabels:\n  image: {{ registy }}/web\n");
  // Unquoted {{ starts a YAML flow map: the YAML error points at it.
  CHECK(error_of(p).find("apps/web.yaml:3:") == 0);
  p.write("apps/web.yaml", "cmd: x\nlabels:\n  image: \"x {{ registy }}/web\"\n  team: \"{{ db.hots }}\"\n");
  CHECK(error_of(p) ==
        "apps/web.yaml:3:13: undefined variable 'registy' (did you mean 'registry'?)\n"
        "apps/web.yaml:4:10: undefined variable 'db.hots' (did you mean 'db.host'?)");
}

TEST_CASE("unknown filters and unclosed placeholders are errors") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: \"{{ team | uper }}\"\n");
  CHECK(error_of(p) == "apps/web.yaml:1:7: unknown filter 'uper' (did you mean 'upper'?); filters are default, "
                       "lower, upper, b64encode, json");
  p.write("apps/web.yaml", "cmd: \"run {{ team\"\n");
  CHECK(error_of(p) == "apps/web.yaml:1:11: unclosed '{{' (a placeholder is written {{ name }})");
  p.write("apps/web.yaml", "cmd: \"{{ db }} x\"\n");
  CHECK(error_of(p) == "apps/web.yaml:1:7: 'db' is a map; use '| json' to put it inside a string");
}

TEST_CASE("overlays: maps merge, lists and scalars replace, null deletes") {
  TempProject p(k_project);
  p.write("apps/web.yaml", R"(cmd: serve
mem: 128
labels: {a: "1", b: "2"}
constraints: [[hostname, UNIQUE]]
user: nobody
)");
  p.write("apps/web.prod.yaml", R"(mem: 512
labels: {b: "20", c: "3"}
constraints: [[rack, GROUP_BY]]
user: null
)");
  const json prod = render(p, "prod");
  CHECK(prod["mem"] == 512);
  CHECK(prod["labels"] == json{{"a", "1"}, {"b", "20"}, {"c", "3"}});
  CHECK(prod["constraints"] == json::array({json::array({"rack", "GROUP_BY"})}));
  CHECK_FALSE(prod.contains("user"));
  const json staging = render(p, "staging");
  CHECK(staging["mem"] == 128);
  CHECK(staging["user"] == "nobody");
  CHECK(t::list_apps(p.config()) == std::vector<std::string>{"web"});
}

TEST_CASE("an environments block in the spec is an overlay too") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: serve\nmem: 128\nenvironments:\n  prod:\n    mem: 1024\n");
  CHECK(render(p, "prod")["mem"] == 1024);
  CHECK(render(p, "staging")["mem"] == 128);
  CHECK_FALSE(render(p, "prod").contains("environments"));
  p.write("apps/web.yaml", "cmd: serve\nenvironments:\n  prdo:\n    mem: 1024\n");
  CHECK(error_of(p) == "apps/web.yaml:3:3: unknown environment 'prdo' (did you mean 'prod'?)");
}

TEST_CASE("image: expands to a Docker container with the registry and the git commit tag") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "image: web\ncontainer:\n  portMappings: [{containerPort: 80}]\nnetworks: [{mode: container/bridge}]\n");
  const json app = render(p);
  CHECK(app["id"] == "/web");
  CHECK(app["container"]["type"] == "DOCKER");
  CHECK(app["container"]["docker"]["image"] == "registry.example.com:5000/web:0123456789ab");
  CHECK(app["container"]["portMappings"][0]["containerPort"] == 80);
  CHECK_FALSE(app.contains("image"));
  p.write("apps/web.yaml", "image: docker.io/library/nginx:1.25\n");
  CHECK(render(p)["container"]["docker"]["image"] == "docker.io/library/nginx:1.25");
  p.write("apps/web.yaml", "cmd: \"{{ image }} {{ git.sha }} {{ git.branch }}\"\n");
  CHECK(render(p)["cmd"] == "registry.example.com:5000/web:0123456789ab 0123456789abcdef0123456789abcdef01234567 main");
}

TEST_CASE("git is read only when a spec needs it") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: serve\n");
  int calls = 0;
  t::RenderOptions o;
  o.git = [&calls] {
    ++calls;
    return mctl::test::fake_git();
  };
  t::render_app(p.config(), "web", o);
  CHECK(calls == 0);
  p.write("apps/web.yaml", "cmd: \"{{ git.short_sha }} {{ git.tag }}\"\n");
  CHECK(t::render_app(p.config(), "web", o).definition["cmd"] == "0123456789ab 0123456789ab");
  CHECK(calls == 1);
}

TEST_CASE("a missing app is an error with a suggestion") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: serve\n");
  CHECK_THROWS_WITH_AS(t::render_app(p.config(), "wbe", options_with_git()),
                       "render wbe: no app spec wbe.yaml in apps (did you mean 'web'?)", Error);
}

TEST_CASE("canonical JSON: sorted keys, 2-space indent, trailing newline, stable") {
  const json v = json::parse(R"({"b": 1, "a": {"d": [1, 2.5], "c": "é"}})");
  CHECK(t::canonical_json(v) == "{\n  \"a\": {\n    \"c\": \"é\",\n    \"d\": [\n      1,\n      2.5\n    ]\n  },\n  \"b\": 1\n}\n");
  CHECK(t::canonical_json(v) == t::canonical_json(json::parse(t::canonical_json(v))));
}

TEST_CASE("a quoted string expression writes a literal; list items are addressed by index") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "cmd: \"echo {{ '{{' }} x }} {{ flags.1 }}\"\n");
  CHECK(render(p)["cmd"] == "echo {{ x }} b");
}

TEST_CASE("a spec that is not a map is reported at its start") {
  TempProject p(k_project);
  p.write("apps/web.yaml", "- cmd: serve\n");
  CHECK(error_of(p) == "apps/web.yaml:1:1: an app spec must be a map of Marathon app fields");
}
