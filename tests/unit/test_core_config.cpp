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
  CHECK(defaults_only.setting("http.timeout").origin.text() == "default");
  CHECK(*defaults_only.settings().http.timeout == std::chrono::seconds(30));

  auto staging = p.load();  // default_env picks staging
  CHECK(staging.env_name() == "staging");
  CHECK(staging.setting("env").origin.text() == "../../mctl.yaml:2");
  CHECK(*staging.settings().marathon.urls == std::vector<std::string>{"http://s1:8080"});
  CHECK(staging.setting("marathon.urls").origin.text() == "../../mctl.yaml:10");
  CHECK(*staging.settings().deploy.timeout == std::chrono::minutes(5));
  CHECK(staging.setting("deploy.timeout").origin.text() == "../../mctl.yaml:4");

  auto prod = p.load("prod");
  CHECK(prod.setting("env").origin.text() == "flag --env");
  CHECK(staging.settings().marathon.urls->size() == 1);
  CHECK(prod.settings().marathon.urls->size() == 2);
  CHECK(*prod.settings().deploy.timeout == std::chrono::minutes(15));
  CHECK(prod.setting("deploy.timeout").origin.text() == "../../mctl.yaml:17");
  CHECK(prod.settings().vars["team"] == "core");

  auto env = p.load("prod", {{"MCTL_TIMEOUT", "20m"}, {"MCTL_MARATHON_URL", "http://e1:1,http://e2:2"}});
  CHECK(*env.settings().deploy.timeout == std::chrono::minutes(20));
  CHECK(env.setting("deploy.timeout").origin.text() == "env MCTL_TIMEOUT");
  CHECK(*env.settings().marathon.urls == std::vector<std::string>{"http://e1:1", "http://e2:2"});

  auto flag = p.load("prod", {{"MCTL_TIMEOUT", "20m"}}, {{"deploy.timeout", "30m", "--timeout"}});
  CHECK(*flag.settings().deploy.timeout == std::chrono::minutes(30));
  CHECK(flag.setting("deploy.timeout").origin.text() == "flag --timeout");
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

TEST_CASE("integer settings are counts in range: a huge number is refused, not wrapped to another") {
  // images.keep 4294967296 was read into an int as 0: gc kept no tag.
  Project huge("images:\n  keep: 4294967296\n");
  CHECK_THROWS_WITH_AS(huge.load(), "../../mctl.yaml:2:3: images.keep must be a whole number from 0 to 1000000, got 4294967296",
                       mctl::Error);
  Project negative("images:\n  keep_versions: -1\n");
  CHECK_THROWS_WITH_AS(negative.load(), doctest::Contains("images.keep_versions must be a whole number from 0"), mctl::Error);
  Project none("mesos:\n  parallel: 0\n");
  CHECK_THROWS_WITH_AS(none.load(), doctest::Contains("mesos.parallel must be a whole number from 1"), mctl::Error);
  Project env_var(k_yaml);
  CHECK_THROWS_WITH_AS(env_var.load(std::nullopt, {{"MCTL_PARALLEL", "0"}}),
                       "env MCTL_PARALLEL: deploy.parallel must be a whole number from 1 to 1000000, got 0", mctl::Error);
  CHECK_THROWS_WITH_AS(env_var.load(std::nullopt, {{"MCTL_HTTP_RETRIES", "99999999999"}}),
                       doctest::Contains("http.retries must be a whole number from 0 to 1000000"), mctl::Error);
  try {
    env_var.load(std::nullopt, {{"MCTL_IMAGES_KEEP", "4294967296"}});
    FAIL("accepted");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
  }
  // The ends of the range are values like any other.
  Project fine("images:\n  keep: 0\n  keep_versions: 1000000\ndeploy:\n  parallel: 1\n");
  CHECK(*fine.load().settings().images.keep == 0);
  CHECK(*fine.load().settings().images.keep_versions == 1000000);
}

TEST_CASE("service URLs are http or https with a real port, from the file, the environment and flags") {
  Project file("marathon:\n  urls: [http://m1:8080, 'ftp://m2']\n");
  CHECK_THROWS_WITH_AS(file.load(), "../../mctl.yaml:2:3: marathon.urls: 'ftp://m2' is not an http:// or https:// URL",
                       mctl::Error);
  Project p(k_yaml);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {{"MCTL_MESOS_URL", "file:///etc/passwd"}}),
                       "env MCTL_MESOS_URL: mesos.master_urls: 'file:///etc/passwd' is not an http:// or https:// URL",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(p.load(std::nullopt, {}, {{"marathon.urls", nlohmann::json::array({"gopher://x"}), "--marathon"}}),
                       doctest::Contains("flag --marathon: marathon.urls: 'gopher://x' is not"), mctl::Error);
  for (const char* url : {"http://m:0", "http://m:65536", "http://m:80a", "http://", "http://[::1", "https://:443"}) {
    CAPTURE(url);
    try {
      p.load(std::nullopt, {{"MCTL_MARATHON_URL", url}});
      FAIL("accepted");
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::usage);
    }
  }
  // A password in the URL is not repeated in the message.
  try {
    p.load(std::nullopt, {{"MCTL_MARATHON_URL", "https://deployer:hunter2@m:99999"}});
    FAIL("accepted");
  } catch (const mctl::Error& e) {
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
  for (const char* url : {"http://m:8080", "HTTPS://m", "m:8080", "http://[::1]:8080/marathon", "https://u:p@m:1/x?y#z"}) {
    CAPTURE(url);
    CHECK(p.load(std::nullopt, {{"MCTL_MARATHON_URL", url}}).settings().marathon.urls->front() == url);
  }
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
  CHECK(p.load(std::nullopt, {{"MCTL_TAG_LENGTH", "full"}}).setting("images.tag_length").value == "full");
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
  CHECK(c.settings().vault.file->value() == p.dir / "secrets/prod.yml");
}

// The typed layer: every area's struct carries its values with key and origin.

TEST_CASE("typed settings keep the origin of the layer that won: flag over env over file") {
  Project p(k_yaml);
  const auto file = p.load("prod");
  const auto& t = file.settings().deploy.timeout;
  CHECK(*t == std::chrono::minutes(15));
  CHECK(t.key == "deploy.timeout");
  CHECK(t.origin == Origin{OriginKind::file, "../../mctl.yaml", 17});
  CHECK(t.describe() == "deploy.timeout (../../mctl.yaml:17)");

  const auto env = p.load("prod", {{"MCTL_TIMEOUT", "20m"}});
  CHECK(*env.settings().deploy.timeout == std::chrono::minutes(20));
  CHECK(env.settings().deploy.timeout.origin == Origin{OriginKind::env, "MCTL_TIMEOUT"});

  const auto flag = p.load("prod", {{"MCTL_TIMEOUT", "20m"}}, {{"deploy.timeout", "30m", "--timeout"}});
  CHECK(*flag.settings().deploy.timeout == std::chrono::minutes(30));
  CHECK(flag.settings().deploy.timeout.origin == Origin{OriginKind::flag, "--timeout"});

  const auto defaults = p.load("prod");
  CHECK(*defaults.settings().deploy.parallel == 4);
  CHECK(defaults.settings().deploy.parallel.origin.kind == OriginKind::builtin);
}

TEST_CASE("the environment's block overrides the top level in the typed settings") {
  Project p(k_yaml);
  const auto staging = p.load("staging");
  const auto prod = p.load("prod");
  CHECK(*staging.settings().deploy.timeout == std::chrono::minutes(5));
  CHECK(staging.settings().deploy.timeout.origin.line == 4);
  CHECK(*prod.settings().marathon.urls == std::vector<std::string>{"http://p1:8080", "http://p2:8080"});
  CHECK(prod.settings().marathon.urls.origin == Origin{OriginKind::file, "../../mctl.yaml", 13});
  CHECK(prod.settings().vars == nlohmann::json{{"team", "core"}});
  CHECK(staging.settings().vars == nlohmann::json{{"team", "web"}});
  CHECK(*staging.settings().project.name == "web");
}

TEST_CASE("a flag applied after loading updates the typed settings") {
  Project p(k_yaml);
  auto c = p.load("prod");
  c.override({"mesos_dns", "127.0.0.1:5353", "--server"});
  c.override({"http.timeout", "7s", "--http-timeout"});
  CHECK(*c.settings().dns.server == "127.0.0.1:5353");
  CHECK(c.settings().dns.server.origin == Origin{OriginKind::flag, "--server"});
  // http.* reaches every service that uses it.
  CHECK(*c.settings().marathon.http.timeout == std::chrono::seconds(7));
  CHECK(*c.settings().dns.http.timeout == std::chrono::seconds(7));
  CHECK(c.settings().mesos.http.timeout.origin == Origin{OriginKind::flag, "--http-timeout"});
}

TEST_CASE("typed values are converted once: durations, integers, booleans, tag length, lists") {
  Project p("deploy:\n  timeout: 90\n  rollback: false\nimages:\n  tag_length: full\n  keep_list: web\n");
  const auto c = p.load();
  CHECK(*c.settings().deploy.timeout == std::chrono::seconds(90));
  CHECK(*c.settings().deploy.rollback == false);
  CHECK(*c.settings().images.tag_length == 40);
  CHECK(*c.settings().images.keep_list == std::vector<std::string>{"web"});
  CHECK(*p.load(std::nullopt, {{"MCTL_TAG_LENGTH", "9"}}).settings().images.tag_length == 9);
  CHECK(*p.load(std::nullopt, {{"MCTL_ROLLBACK", "yes"}}).settings().deploy.rollback == true);
}

TEST_CASE("a wrong type names the key and file:line:col of the value") {
  Project p("environments:\n  prod:\n    mesos:\n      parallel: [1, 2]\n");
  CHECK_THROWS_WITH_AS(p.load("prod"), "../../mctl.yaml:4:7: mesos.parallel must be a single value", mctl::Error);
  Project b("marathon:\n  insecure: maybe\n");
  CHECK_THROWS_WITH_AS(b.load(), "../../mctl.yaml:2:3: marathon.insecure must be true or false", mctl::Error);
}

TEST_CASE("an unknown key deep in a group is suggested from the key table") {
  Project p("marathon:\n  credentials:\n    usr: ops\n");
  CHECK_THROWS_WITH_AS(p.load(), "../../mctl.yaml:3:5: unknown key 'marathon.credentials.usr' (did you mean 'user'?)",
                       mctl::Error);
}

TEST_CASE("relative paths follow the origin's kind, not its spelling") {
  // mctl.yaml in a directory named "env x": its origin reads "env x/mctl.yaml:2", which the
  // old string test took for an environment variable (resolved against the working directory).
  Project p("project: p\n");
  fs::create_directories(p.dir / "env x");
  std::ofstream(p.dir / "env x" / "mctl.yaml") << "vault:\n  file: secrets.yml\n";
  LoadOptions o;
  o.cwd = p.dir;
  o.config_file = "env x/mctl.yaml";
  const auto c = Config::load(o);
  CHECK(c.settings().vault.file.origin == Origin{OriginKind::file, "env x/mctl.yaml", 2});
  CHECK(c.settings().vault.file->value() == p.dir / "env x" / "secrets.yml");
  o.environ = {{"MCTL_VAULT_FILE", "from-env.yml"}};
  CHECK(Config::load(o).settings().vault.file->value() == p.dir / "from-env.yml");
}

TEST_CASE("a default path is relative to the project, wherever mctl runs in it") {
  // Run from sub/dir: apps_dir's default "apps" once resolved against the working directory.
  Project p(k_yaml);
  const auto c = p.load();
  CHECK(c.settings().project.apps_dir.origin.kind == OriginKind::builtin);
  CHECK(c.settings().project.apps_dir->value() == p.dir / "apps");
  CHECK(p.load(std::nullopt, {{"MCTL_APPS_DIR", "specs"}}).settings().project.apps_dir->value() ==
        p.dir / "sub" / "dir" / "specs");
}

TEST_CASE("README's key list is the key table") {
  std::ifstream in(std::string(MCTL_FIXTURES) + "/../../README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string begin = "<!-- config keys: generated from core/config_keys.cpp -->\n";
  const std::string end = "<!-- end of config keys -->";
  const auto from = readme.find(begin);
  const auto to = readme.find(end, from);
  const bool same = from != std::string::npos && to != std::string::npos &&
                    readme.substr(from + begin.size(), to - from - begin.size()) == keys_markdown();
  if (!same) {  // leave the expected table where the developer can paste it from
    const auto expected = fs::temp_directory_path() / "mctl-readme-keys.md";
    std::ofstream(expected) << begin << keys_markdown() << end << "\n";
    FAIL("README.md's key list differs from core/config_keys.cpp; expected text: " << expected.string());
  }
}
