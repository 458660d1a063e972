#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"

using namespace mctl::core;
namespace fs = std::filesystem;

namespace {

struct Project {
  fs::path dir;
  explicit Project(const std::string& yaml) {
    std::string tmpl = (fs::temp_directory_path() / "mctl-config-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    std::ofstream(dir / "mctl.yaml") << yaml;
    fs::create_directories(dir / "sub" / "dir");
  }
  ~Project() { fs::remove_all(dir); }
  Config load(std::optional<std::string> env = std::nullopt, std::map<std::string, std::string> environ = {},
              std::vector<FlagOverride> flags = {}) const {
    LoadOptions o;
    o.cwd = dir / "sub" / "dir";
    o.env_name = std::move(env);
    o.environ = std::move(environ);
    o.flags = std::move(flags);
    return Config::load(o);
  }
};

const char* k_yaml = R"(project: web
default_env: staging
deploy:
  timeout: 5m
vars:
  team: web
environments:
  staging:
    marathon:
      urls: [http://s1:8080]
  prod:
    marathon:
      urls:
        - http://p1:8080
        - http://p2:8080
    deploy:
      timeout: 15m
    vars:
      team: core
)";

}  // namespace

TEST_CASE("each layer overrides the one below and records its origin") {
  Project p(k_yaml);
  auto defaults_only = p.load();
  CHECK(defaults_only.setting("http.timeout").origin == "default");
  CHECK(defaults_only.get_string("http.timeout") == "30s");

  auto staging = p.load();  // default_env picks staging
  CHECK(staging.env_name() == "staging");
  CHECK(staging.setting("env").origin == "../../mctl.yaml:2");
  CHECK(staging.get_list("marathon.urls") == std::vector<std::string>{"http://s1:8080"});
  CHECK(staging.setting("marathon.urls").origin == "../../mctl.yaml:10");
  CHECK(staging.get_duration("deploy.timeout") == std::chrono::minutes(5));
  CHECK(staging.setting("deploy.timeout").origin == "../../mctl.yaml:4");

  auto prod = p.load("prod");
  CHECK(prod.setting("env").origin == "flag --env");
  CHECK(prod.get_list("marathon.urls").size() == 2);
  CHECK(prod.get_duration("deploy.timeout") == std::chrono::minutes(15));
  CHECK(prod.setting("deploy.timeout").origin == "../../mctl.yaml:17");
  CHECK(prod.vars()["team"] == "core");

  auto env = p.load("prod", {{"MCTL_TIMEOUT", "20m"}, {"MCTL_MARATHON_URL", "http://e1:1,http://e2:2"}});
  CHECK(env.get_duration("deploy.timeout") == std::chrono::minutes(20));
  CHECK(env.setting("deploy.timeout").origin == "env MCTL_TIMEOUT");
  CHECK(env.get_list("marathon.urls") == std::vector<std::string>{"http://e1:1", "http://e2:2"});

  auto flag = p.load("prod", {{"MCTL_TIMEOUT", "20m"}}, {{"deploy.timeout", "30m", "--timeout"}});
  CHECK(flag.get_duration("deploy.timeout") == std::chrono::minutes(30));
  CHECK(flag.setting("deploy.timeout").origin == "flag --timeout");
}

TEST_CASE("MCTL_ENV selects the environment below -e") {
  Project p(k_yaml);
  CHECK(p.load(std::nullopt, {{"MCTL_ENV", "prod"}}).env_name() == "prod");
  CHECK(p.load("staging", {{"MCTL_ENV", "prod"}}).env_name() == "staging");
}

TEST_CASE("an unknown key is an error with file:line:col and a suggestion") {
  Project p("deploy:\n  timout: 5m\n");
  CHECK_THROWS_WITH_AS(p.load(), "../../mctl.yaml:2:3: unknown key 'deploy.timout' (did you mean 'timeout'?)",
                       mctl::Error);
  Project top("regsitry: r:5000\n");
  CHECK_THROWS_WITH_AS(top.load(), "../../mctl.yaml:1:1: unknown key 'regsitry' (did you mean 'registry'?)",
                       mctl::Error);
  Project in_env("environments:\n  prod:\n    marathn:\n      urls: [x]\n");
  CHECK_THROWS_WITH_AS(in_env.load("prod"),
                       "../../mctl.yaml:3:5: unknown key 'marathn' (did you mean 'marathon'?)", mctl::Error);
}

TEST_CASE("literal secrets are refused") {
  Project p("marathon:\n  credentials:\n    user: u\n    password: hunter2\n");
  try {
    p.load();
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    const std::string msg = e.what();
    CHECK(msg == "../../mctl.yaml:4:5: literal secret 'marathon.credentials.password' is not allowed in "
                 "mctl.yaml; use password_file or password_env");
    CHECK(msg.find("hunter2") == std::string::npos);
    CHECK(e.exit_code() == mctl::Exit::usage);
  }
}

TEST_CASE("an unknown environment is an error with a suggestion") {
  Project p(k_yaml);
  CHECK_THROWS_WITH_AS(p.load("prd"), "unknown environment 'prd' in ../../mctl.yaml (did you mean 'prod'?)",
                       mctl::Error);
}

TEST_CASE("wrong types are errors with positions") {
  Project p("deploy:\n  parallel: many\n");
  CHECK_THROWS_WITH_AS(p.load(), "../../mctl.yaml:2:3: deploy.parallel must be an integer", mctl::Error);
  Project d("deploy:\n  timeout: soon\n");
  CHECK_THROWS_AS(d.load(), mctl::Error);
  Project env_var(k_yaml);
  CHECK_THROWS_WITH_AS(env_var.load(std::nullopt, {{"MCTL_PARALLEL", "x"}}),
                       "env MCTL_PARALLEL: deploy.parallel must be an integer, got 'x'", mctl::Error);
}

TEST_CASE("every bad value names its origin the way config show does") {
  Project p(k_yaml);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {{"MCTL_TIMEOUT", "10 minutes"}}),
                       doctest::Contains("env MCTL_TIMEOUT: deploy.timeout: invalid duration '10 minutes'"),
                       mctl::Error);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {}, {{"deploy.timeout", "soon", "--timeout"}}),
                       doctest::Contains("flag --timeout: deploy.timeout: invalid duration 'soon'"), mctl::Error);
  Project file("deploy:\n  timeout: soon\n");
  CHECK_THROWS_WITH_AS(file.load(), doctest::Contains("../../mctl.yaml:2:3: deploy.timeout: invalid duration 'soon'"),
                       mctl::Error);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {{"MCTL_TAG_LENGTH", "long"}}),
                       "env MCTL_TAG_LENGTH: images.tag_length must be a number from 7 to 40 or 'full', got 'long'",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {{"MCTL_REGISTRY", "r\xff"}}),
                       "env MCTL_REGISTRY: registry is not valid UTF-8", mctl::Error);
  CHECK(p.load(std::nullopt, {{"MCTL_TAG_LENGTH", "full"}}).get_string("images.tag_length") == "full");
}

TEST_CASE("duplicate keys in mctl.yaml are refused with both positions") {
  Project top("project: p\nproject: q\n");
  CHECK_THROWS_WITH_AS(top.load(), "../../mctl.yaml:2:1: duplicate key 'project' (first at line 1 column 1)",
                       mctl::Error);
  Project env("environments:\n  prod:\n    registry: a\n  prod:\n    apps_dir: b\n");
  CHECK_THROWS_WITH_AS(env.load("prod"), "../../mctl.yaml:4:3: duplicate key 'prod' (first at line 2 column 3)",
                       mctl::Error);
}

TEST_CASE("invalid YAML is reported with its position") {
  Project p("deploy: [unclosed\n");
  try {
    p.load();
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(std::string(e.what()).rfind("../../mctl.yaml:", 0) == 0);
    CHECK(std::string(e.what()).find("invalid YAML") != std::string::npos);
  }
}

TEST_CASE("paths from the file resolve against the project directory") {
  Project p("vault:\n  file: secrets/prod.yml\n");
  auto c = p.load();
  CHECK(c.get_path("vault.file") == p.dir / "secrets/prod.yml");
}
