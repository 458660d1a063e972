// The command layer in-process: cli::run called as main() calls it, its output captured.
// README's exit-code table for errors that need no server (usage, missing input files), and
// that one process can run several commands (no state left behind by an earlier run).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/mesos_tasks.hpp"
#include "cli/sink.hpp"

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Points fd `fd` at `file` until destroyed.
class Redirect {
 public:
  Redirect(int fd, const fs::path& file) : m_fd(fd), m_saved(::dup(fd)) {
    const int to = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(to >= 0);
    ::dup2(to, fd);
    ::close(to);
  }
  ~Redirect() {
    ::dup2(m_saved, m_fd);
    ::close(m_saved);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  int m_fd;
  int m_saved;
};

struct Sandbox {
  fs::path dir = fs::temp_directory_path() / ("mctl-unit-cli-run-" + std::to_string(::getpid()));
  std::map<std::string, std::string> env{{"PATH", "/usr/bin:/bin"}, {"HOME", dir.string()}};
  Sandbox() {
    fs::create_directories(dir);
    std::ofstream(dir / "pw") << "right-password";
    std::ofstream(dir / "plain.yml") << "a: 1\n";
    std::ofstream(dir / "mctl.yaml") << "# a project with nothing configured\n";
  }
  ~Sandbox() { fs::remove_all(dir); }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  std::string at(const std::string& name) const { return (dir / name).string(); }

  // cli::run with string sinks; the process's own stdout and stderr must see nothing of it.
  Outcome run(std::vector<std::string> args) const { return run_with_input("", std::move(args)); }

  // The same with `input` as the command's stdin.
  Outcome run_with_input(const std::string& input, std::vector<std::string> args) const {
    args.insert(args.begin(), "mctl");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    Outcome o;
    mctl::cli::StringSource in(input);
    mctl::cli::StringSink out, err;
    REQUIRE(std::fflush(stdout) == 0);
    REQUIRE(std::fflush(stderr) == 0);
    {
      const Redirect in_out(STDOUT_FILENO, dir / "fd1");
      const Redirect in_err(STDERR_FILENO, dir / "fd2");
      o.code = mctl::cli::run(static_cast<int>(args.size()), argv.data(), env, in, out, err);
      std::cout.flush();
      std::cerr.flush();
      REQUIRE(std::fflush(stdout) == 0);  // what run() left in stdio's buffers lands in fd1/fd2
      REQUIRE(std::fflush(stderr) == 0);
    }
    CHECK_MESSAGE(slurp(dir / "fd1").empty(), "bytes written around the out sink: " << slurp(dir / "fd1"));
    CHECK_MESSAGE(slurp(dir / "fd2").empty(), "bytes written around the err sink: " << slurp(dir / "fd2"));
    o.out = out.text();
    o.err = err.text();
    return o;
  }
};

// An app spec that renders without git or a vault (init's uses the commit for its tag).
void write_spec(const fs::path& file, const std::string& id) {
  std::ofstream(file) << "id: " << id << "\ninstances: 1\ncpus: 0.1\nmem: 64\ncontainer:\n  type: DOCKER\n"
                      << "  docker:\n    image: registry.example.com/web:v1\n";
}

// README: one 'mctl: error:' line on stderr, nothing on stdout, the table's code.
void expect_error(const Sandbox& s, int code, const std::vector<std::string>& args) {
  std::string shown;
  for (const auto& a : args) shown += " " + a;
  CAPTURE(shown);
  const auto o = s.run(args);
  CAPTURE(o.err);
  CHECK(o.code == code);
  CHECK(o.out.empty());
  CHECK(o.err.rfind("mctl: error: ", 0) == 0);
  CHECK(o.err.find('\n') == o.err.size() - 1);
}

}  // namespace

TEST_CASE("usage errors are exit 2 with one error line") {
  const Sandbox s;
  expect_error(s, 2, {"frobnicate"});
  expect_error(s, 2, {"vault"});
  expect_error(s, 2, {"vault", "view"});
  expect_error(s, 2, {"vault", "view", s.at("plain.yml"), "--no-such-option"});
}

TEST_CASE("a missing input file is exit 2 for every command that reads one") {
  const Sandbox s;
  const std::string pw = s.at("pw");
  expect_error(s, 2, {"vault", "encrypt", s.at("missing.yml"), "--vault-password-file", pw});
  expect_error(s, 2, {"vault", "decrypt", s.at("missing.yml"), "--vault-password-file", pw});
  expect_error(s, 2, {"vault", "view", s.at("missing.yml"), "--vault-password-file", pw});
  expect_error(s, 2, {"vault", "edit", s.at("missing.yml"), "--vault-password-file", pw});
  expect_error(s, 2, {"vault", "view", s.at("plain.yml"), "--vault-password-file", s.at("missing.pass")});
  expect_error(s, 2, {"vault", "encrypt-string", "--vault-password-file", s.at("missing.pass"), "--name", "x", "v"});
  expect_error(s, 2, {"render", s.at("missing.yaml")});
  expect_error(s, 2, {"lint", s.at("missing.yaml")});
  expect_error(s, 2, {"deploy", s.at("missing.json"), "--marathon", "http://127.0.0.1:1"});
  expect_error(s, 2, {"diff", s.at("missing.json"), "--marathon", "http://127.0.0.1:1"});
  expect_error(s, 2, {"dns", "lookup", "--batch", s.at("missing.txt"), "--server", "127.0.0.1:1"});
}

TEST_CASE("one process runs several commands: nothing is left over from an earlier run") {
  const Sandbox s;
  const auto first = s.run({"version"});
  CHECK(first.code == 0);
  CHECK_FALSE(first.out.empty());
  // lint's options were static: the apps of an earlier run were linted again by the next one.
  expect_error(s, 2, {"lint", s.at("missing.yaml")});
  const auto all = s.run({"lint", "--config", s.at("mctl.yaml")});
  CAPTURE(all.err);
  CHECK(all.err.find("missing.yaml") == std::string::npos);
  const auto again = s.run({"version"});
  CHECK(again.code == 0);
  CHECK(again.out == first.out);
}

TEST_CASE("a usage error lists every command, also when a command's name was an option's value") {
  const Sandbox s;
  // -C takes "version" as its folder: no command is given. Only 'version' was built for the
  // parse; the error comes from the whole tree.
  const auto o = s.run({"-C", "version"});
  CHECK(o.code == 2);
  CHECK(o.err.find("'mctl' needs a command: vault, init, render, lint") != std::string::npos);
  CHECK(o.err.find("completion, man;") != std::string::npos);
}

namespace {

nlohmann::json parsed(const std::string& text) {
  INFO(text);
  return nlohmann::json::parse(text);
}

}  // namespace

TEST_CASE("-C DIR: paths are taken from DIR as if started there, and the process stays where it is") {
  const Sandbox s;
  const fs::path cwd = fs::current_path();
  const auto init = s.run({"init", s.at("proj"), "--app", "web"});
  REQUIRE_MESSAGE(init.code == 0, init.err);
  write_spec(s.dir / "proj" / "apps" / "web.yaml", "/web");
  std::ofstream(s.dir / "proj" / "pw") << "proj-password";
  std::ofstream(s.dir / "proj" / "secrets.yml") << "token: abc\n";
  const std::string proj = s.at("proj");

  const auto rendered = s.run({"-C", proj, "render", "web"});
  CHECK_MESSAGE(rendered.code == 0, rendered.err);
  CHECK(parsed(rendered.out)["id"].get<std::string>().find("web") != std::string::npos);
  CHECK(fs::current_path() == cwd);

  const auto by_file = s.run({"-C", proj, "render", "apps/web.yaml", "-o", "out.json"});
  CHECK_MESSAGE(by_file.code == 0, by_file.err);
  CHECK(fs::is_regular_file(s.dir / "proj" / "out.json"));  // where git -C would put it
  CHECK_FALSE(fs::exists(cwd / "out.json"));

  const auto encrypted = s.run({"-C", proj, "vault", "encrypt", "secrets.yml", "--vault-password-file", "pw"});
  CHECK_MESSAGE(encrypted.code == 0, encrypted.err);
  CHECK(slurp(s.dir / "proj" / "secrets.yml").find("token: abc") == std::string::npos);  // encrypted in proj/
  const auto viewed = s.run({"-C", proj, "vault", "view", "secrets.yml", "--vault-password-file", "pw"});
  CHECK_MESSAGE(viewed.code == 0, viewed.err);
  CHECK(viewed.out == "token: abc\n");
  // The same options after the command (global options may follow it).
  const auto after = s.run({"vault", "view", "secrets.yml", "--vault-id", "default@pw", "-C", proj});
  CHECK_MESSAGE(after.code == 0, after.err);
  CHECK(after.out == "token: abc\n");

  const auto shown = s.run({"-C", proj, "--json", "config", "show"});
  CHECK_MESSAGE(shown.code == 0, shown.err);
  CHECK(shown.out.find((s.dir / "proj" / "mctl.yaml").string()) != std::string::npos);
  CHECK(fs::current_path() == cwd);
}

TEST_CASE("-C with a directory that does not exist is a usage error, JSON when asked") {
  const Sandbox s;
  const fs::path cwd = fs::current_path();
  expect_error(s, 2, {"-C", s.at("nowhere"), "config", "show"});
  CHECK(s.run({"-C", s.at("nowhere"), "config", "show"}).err.find("nowhere") != std::string::npos);
  expect_error(s, 2, {"-C", s.at("plain.yml"), "render", "web"});  // a file, not a directory
  const auto json = s.run({"-C", s.at("nowhere"), "config", "show", "--json"});
  CHECK(json.code == 2);
  CHECK(parsed(json.out)["error"]["exit_code"] == 2);
  CHECK(fs::current_path() == cwd);
}

TEST_CASE("MCTL_OUTPUT=json comes from the environment given to run, not the process's") {
  Sandbox s;
  s.env["MCTL_OUTPUT"] = "json";
  const auto o = s.run({"-C", s.at("nowhere"), "config", "show"});
  CHECK(o.code == 2);
  CHECK(parsed(o.out)["error"]["exit_code"] == 2);
  s.env["MCTL_OUTPUT"] = "yaml";
  expect_error(s, 2, {"version"});
}

TEST_CASE("the removed global --output is a usage error that names --json") {
  const Sandbox s;
  const auto o = s.run({"config", "show", "--output", "json"});
  CHECK(o.code == 2);
  CHECK(o.err.find("'--json'") != std::string::npos);
  CHECK(o.out.empty());
}

TEST_CASE("--version and 'mctl version' agree; --help goes to the out sink") {
  const Sandbox s;
  const auto flag = s.run({"--version"});
  CHECK(flag.code == 0);
  CHECK(flag.out.rfind("mctl ", 0) == 0);
  const auto cmd = s.run({"version"});
  CHECK(cmd.code == 0);
  CHECK(cmd.out.substr(0, cmd.out.find('\n') + 1) == flag.out);
  const auto json = s.run({"version", "--json"});
  CHECK(json.code == 0);
  CHECK(parsed(json.out).contains("version"));
}

TEST_CASE("mctl help CMD is CMD --help, with examples") {
  const Sandbox s;
  const auto help = s.run({"deploy", "--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("Examples:") != std::string::npos);
  CHECK(help.out.find("mctl deploy web -e prod") != std::string::npos);
  const auto via_help = s.run({"help", "deploy"});
  CHECK(via_help.code == 0);
  CHECK(via_help.out == help.out);
  const auto nested = s.run({"help", "images", "gc", "registry"});
  CHECK(nested.code == 0);
  CHECK(nested.out.find("mctl images gc registry") != std::string::npos);
  CHECK(nested.out.find("--keep") != std::string::npos);
  const auto top = s.run({"help"});
  CHECK(top.code == 0);
  CHECK(top.out.find("Exit codes:") != std::string::npos);
  const auto typo = s.run({"help", "deplyo"});
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean 'deploy'?") != std::string::npos);
}

TEST_CASE("a mistyped command or option: did you mean, and the command's own help") {
  const Sandbox s;
  CHECK(s.run({"deplyo", "web"}).err ==
        "mctl: error: 'deplyo' is not a command of 'mctl' (did you mean 'deploy'?); see 'mctl --help'\n");
  CHECK(s.run({"vault", "decrpyt", "s.yml"}).err.find("(did you mean 'decrypt'?); see 'mctl vault --help'") !=
        std::string::npos);
  CHECK(s.run({"deploy", "web", "--dry-rn"}).err ==
        "mctl: error: unknown option '--dry-rn' for 'mctl deploy' (did you mean '--dry-run'?); see 'mctl deploy "
        "--help'\n");
  const auto gc = s.run({"images", "gc"});
  CHECK(gc.code == 2);
  CHECK(gc.err.find("'mctl images gc' needs a command: local, registry") != std::string::npos);
}

TEST_CASE("a number out of range reads as a range; -q with -v is a usage error") {
  const Sandbox s;
  const auto scale = s.run({"scale", "worker", "-1"});
  CHECK(scale.code == 2);
  CHECK(scale.err.find("must be a whole number >= 0, not '-1'") != std::string::npos);
  CHECK(scale.err.find("see 'mctl scale --help'") != std::string::npos);
  CHECK(scale.err.find("e+308") == std::string::npos);
  const auto parallel = s.run({"deploy", "web", "--parallel", "0"});
  CHECK(parallel.code == 2);
  CHECK(parallel.err.find("must be a whole number >= 1, not '0'") != std::string::npos);
  const auto qv = s.run({"-q", "-v", "config", "show"});
  CHECK(qv.code == 2);
  CHECK(qv.err.find("--quiet") != std::string::npos);
  CHECK(qv.err.find("see 'mctl --help'") != std::string::npos);
}

TEST_CASE("a parse error is JSON on stdout too when JSON is asked for") {
  Sandbox s;
  const auto typo = s.run({"deplyo", "--json"});
  CHECK(typo.code == 2);
  CHECK(parsed(typo.out)["error"]["exit_code"] == 2);
  CHECK(parsed(typo.out)["error"]["message"].get<std::string>().find("did you mean 'deploy'?") != std::string::npos);
  s.env["MCTL_OUTPUT"] = "json";
  const auto range = s.run({"scale", "worker", "-1"});
  CHECK(range.code == 2);
  CHECK(parsed(range.out)["error"]["message"].get<std::string>().find(">= 0") != std::string::npos);
}

TEST_CASE("warnings and -v diagnostics go to the err sink") {
  const Sandbox s;
  const auto o = s.run({"-v", "version"});
  CHECK(o.code == 0);
  CHECK(o.err.find("took ") != std::string::npos);  // core::log::info, through the run's sink
}

TEST_CASE("schema and render of a fixture project, in process") {
  const Sandbox s;
  REQUIRE(s.run({"init", s.at("p"), "--app", "api"}).code == 0);
  write_spec(s.dir / "p" / "apps" / "api.yaml", "/api");
  const auto schema = s.run({"schema"});
  CHECK_MESSAGE(schema.code == 0, schema.err);
  CHECK(parsed(schema.out).is_object());
  const auto all = s.run({"--config", s.at("p/mctl.yaml"), "render", "--all"});
  CHECK_MESSAGE(all.code == 0, all.err);
  CHECK(parsed(all.out).is_array());
  expect_error(s, 2, {"--config", s.at("p/mctl.yaml"), "render", "apu"});
  CHECK(s.run({"--config", s.at("p/mctl.yaml"), "render", "apu"}).err.find("did you mean 'api'") != std::string::npos);
}

TEST_CASE("--config FILE that does not exist is exit 2 for every command that reads the configuration") {
  const Sandbox s;
  const std::vector<std::vector<std::string>> commands = {
      {"config", "show"}, {"render", "web"}, {"lint"}, {"deploy", "web"}, {"diff", "web"}, {"deployments"},
      {"cancel", "web"}, {"status", "web"}, {"apps"}, {"versions", "web"}, {"rollback", "web"},
      {"restart", "web"}, {"scale", "web", "1"}, {"stop", "web"}, {"destroy", "web", "--yes"},
      {"dns", "lookup", "x.mesos"}, {"dns", "app", "/web"}, {"image", "exists", "web:v1"},
      {"images", "gc", "local"}, {"images", "gc", "registry"}, {"vault", "view", "plain.yml"}};
  for (auto args : commands) {
    args.insert(args.begin(), {"--config", s.at("missing.yaml")});
    expect_error(s, 2, args);
  }
}

TEST_CASE("a path the file system refuses (name too long, not a directory, a symlink loop) is exit 2 naming it") {
  const Sandbox s;
  const std::string long_name(300, 'a');                           // one component over NAME_MAX
  const std::string long_path = s.at(std::string(5000, 'b'));      // over PATH_MAX
  fs::create_directories(s.dir / "apps");
  fs::create_symlink("loop.yaml", s.dir / "apps" / "loop.yaml");  // points at itself
  const std::string config = s.at("mctl.yaml");
  for (const auto& [args, why] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--config", config, "render", long_name}, "File name too long"},
           {{"--config", config, "render", long_path}, "File name too long"},
           {{"--config", config, "lint", long_name}, "File name too long"},
           {{"--config", config, "deploy", long_name, "--marathon", "http://127.0.0.1:1"}, "File name too long"},
           {{"--config", config, "diff", long_path, "--marathon", "http://127.0.0.1:1"}, "File name too long"},
           {{"--config", config, "status", long_name, "--marathon", "http://127.0.0.1:1"}, "File name too long"},
           {{"--config", long_path, "config", "show"}, "File name too long"},
           {{"init", "/dev/null"}, "Not a directory"},
           {{"init", s.at("apps/loop.yaml")}, "apps/loop.yaml"},
       }) {
    expect_error(s, 2, args);
    const auto o = s.run(args);
    CHECK_MESSAGE(o.err.find(why) != std::string::npos, o.err);
    CHECK_MESSAGE(o.err.find("internal error") == std::string::npos, o.err);
  }
}

TEST_CASE("an error quoting input with a NUL byte is one whole line, the byte written \\x00") {
  const Sandbox s;
  std::ofstream(s.dir / "nul.yaml") << "id: \"/x\\u0000y\"\ninstances: 1\ncmd: sleep 1\n";
  expect_error(s, 2, {"--config", s.at("mctl.yaml"), "render", s.at("nul.yaml")});
  const auto o = s.run({"--config", s.at("mctl.yaml"), "render", s.at("nul.yaml")});
  CHECK_MESSAGE(o.err.find("'/x\\x00y'") != std::string::npos, o.err);
  CHECK(o.err.find('\0') == std::string::npos);
}

TEST_CASE("top --interval under 100ms is a usage error before any request") {
  const Sandbox s;
  for (const char* interval : {"0s", "50ms"}) {
    expect_error(s, 2, {"--config", s.at("mctl.yaml"), "--mesos", "http://127.0.0.1:1", "--marathon",
                        "http://127.0.0.1:1", "top", "--all", "--watch", "--interval", interval});
  }
}

TEST_CASE("the other missing inputs: rekey, a build context") {
  const Sandbox s;
  std::ofstream(s.dir / "pw2") << "other-password";
  expect_error(s, 2, {"vault", "rekey", s.at("missing.yml"), "--vault-password-file", s.at("pw"),
                      "--new-vault-password-file", s.at("pw2")});
  expect_error(s, 2, {"--config", s.at("mctl.yaml"), "image", "build", "web", "--context", s.at("missing-dir")});
}

TEST_CASE("the vault's piped commands read the run's input, not the process's stdin") {
  const Sandbox s;
  const std::string pw = s.at("pw");
  const auto encrypted = s.run_with_input("s3cret value", {"vault", "encrypt-string", "--vault-password-file", pw});
  CAPTURE(encrypted.err);
  REQUIRE(encrypted.code == 0);
  CHECK(encrypted.out.rfind("!vault |", 0) == 0);

  const auto decrypted = s.run_with_input(encrypted.out, {"vault", "decrypt-string", "--vault-password-file", pw});
  CAPTURE(decrypted.err);
  CHECK(decrypted.code == 0);
  CHECK(decrypted.out == "s3cret value");

  const auto as_json =
      s.run_with_input(encrypted.out, {"--json", "vault", "decrypt-string", "--vault-password-file", pw});
  REQUIRE(as_json.code == 0);
  const auto doc = nlohmann::json::parse(as_json.out);
  CHECK(doc["files"][0]["plaintext"] == "s3cret value");

  // encrypt with no file: the input to the out sink, and back through decrypt.
  const auto file = s.run_with_input("a: 1\n", {"vault", "encrypt", "--vault-password-file", pw});
  REQUIRE(file.code == 0);
  const auto plain = s.run_with_input(file.out, {"vault", "decrypt", "--vault-password-file", pw});
  CAPTURE(plain.err);
  CHECK(plain.code == 0);
  CHECK(plain.out == "a: 1\n");
}

TEST_CASE("decrypt-string with a wrong password is exit 5 and shows no plaintext") {
  const Sandbox s;
  const auto encrypted = s.run_with_input("s3cret value", {"vault", "encrypt-string", "--vault-password-file", s.at("pw")});
  REQUIRE(encrypted.code == 0);
  std::ofstream(s.dir / "wrong") << "wrong-password";
  const auto o = s.run_with_input(encrypted.out, {"vault", "decrypt-string", "--vault-password-file", s.at("wrong")});
  CHECK(o.code == 5);
  CHECK(o.out.empty());
  CHECK(o.err.find("s3cret") == std::string::npos);
}

TEST_CASE("dns lookup --batch - reads the run's input") {
  const Sandbox s;
  // The names are checked before any server is asked: a bad line is a usage error naming stdin.
  const auto o = s.run_with_input("web.marathon.mesos\n/not/a/name\n",
                                  {"dns", "lookup", "--batch", "-", "--server", "127.0.0.1:1"});
  CAPTURE(o.err);
  CHECK(o.code == 2);
  CHECK(o.err.find("stdin:2:") != std::string::npos);
}

TEST_CASE("a program's output is written as is to a pipe and escaped on a terminal") {
  const std::string line = "title \x1b]0;pwned\x07 \x1b[2J bad \xff end\r";
  const mctl::cli::StringSink pipe(false);
  const mctl::cli::StringSink terminal(true);
  CHECK(mctl::cli::program_output(pipe, line) == line);
  CHECK(mctl::cli::program_output(terminal, line) ==
        "title \\x1b]0;pwned\\x07 \\x1b[2J bad \\xff end");
  CHECK(mctl::cli::program_output(terminal, "tab\there, caf\xc3\xa9") == "tab\there, caf\xc3\xa9");
}

TEST_CASE("Marathon's task fields for logs and top: printable, and a field of another type is empty") {
  const auto app = nlohmann::json::parse(R"({"id": "/web", "tasks": [
    {"id": "web.1", "host": "\u001b]0;owned\u0007agent-1", "slaveId": "S1"},
    {"id": 5, "host": ["x"], "slaveId": null}, "not a task"]})");
  const auto tasks = mctl::cli::marathon_tasks(app);
  REQUIRE(tasks.size() == 1);  // the task without a string id is left out
  CHECK(tasks[0].id == "web.1");
  CHECK(tasks[0].app_id == "/web");
  CHECK(tasks[0].host == "\\x1b]0;owned\\x07agent-1");
}
