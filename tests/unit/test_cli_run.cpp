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
#include <string>
#include <vector>

#include "cli/app.hpp"

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
  Sandbox() {
    fs::create_directories(dir);
    std::ofstream(dir / "pw") << "right-password";
    std::ofstream(dir / "plain.yml") << "a: 1\n";
    std::ofstream(dir / "mctl.yaml") << "# a project with nothing configured\n";
    for (const char* name : {"MCTL_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE", "MCTL_VAULT_IDS",
                             "MCTL_OUTPUT", "MCTL_MARATHON_URL", "MCTL_ENV", "MCTL_CONFIG"}) {
      ::unsetenv(name);
    }
  }
  ~Sandbox() { fs::remove_all(dir); }
  std::string at(const std::string& name) const { return (dir / name).string(); }

  Outcome run(std::vector<std::string> args) const {
    args.insert(args.begin(), "mctl");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    Outcome o;
    std::fflush(stdout);
    std::fflush(stderr);
    {
      const Redirect in_out(STDOUT_FILENO, dir / "out");
      const Redirect in_err(STDERR_FILENO, dir / "err");
      o.code = mctl::cli::run(static_cast<int>(args.size()), argv.data());
      std::cout.flush();
      std::cerr.flush();
      std::fflush(stdout);
      std::fflush(stderr);
    }
    o.out = slurp(dir / "out");
    o.err = slurp(dir / "err");
    return o;
  }
};

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
