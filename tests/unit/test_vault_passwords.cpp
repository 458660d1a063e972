#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "vault/passwords.hpp"
#include "temp_dir.hpp"

using namespace mctl::vault;
namespace fs = std::filesystem;

namespace {
using mctl::test::TempDir;
std::string no_prompt(const std::string&) {
  FAIL("unexpected prompt");
  return "";
}
mctl::core::Config config_with(std::map<std::string, std::string> env, const fs::path& cwd) {
  mctl::core::LoadOptions o;
  o.cwd = cwd;
  o.environ = std::move(env);
  return mctl::core::Config::load(o);
}
}  // namespace

TEST_CASE("a password file loses exactly one trailing newline") {
  TempDir t;
  mctl::core::write_file_atomic(t.path / "pw", "s3cret \n\n");
  CHECK(read_password("default", (t.path / "pw").string(), no_prompt).password.view() == "s3cret \n");
  mctl::core::write_file_atomic(t.path / "crlf", "abc\r\n");
  CHECK(read_password("default", (t.path / "crlf").string(), no_prompt).password.view() == "abc");
}

TEST_CASE("an executable password file is run; -client scripts get --vault-id") {
  TempDir t;
  mctl::core::write_file_atomic(t.path / "pw.sh", "#!/bin/sh\necho from-script\n", 0700);
  const auto p = read_password("default", (t.path / "pw.sh").string(), no_prompt);
  CHECK(p.password.view() == "from-script");
  CHECK(p.source == "script " + (t.path / "pw.sh").string());
  mctl::core::write_file_atomic(t.path / "vault-client.sh", "#!/bin/sh\necho \"$1=$2\"\n", 0700);
  CHECK(read_password("prod", (t.path / "vault-client.sh").string(), no_prompt).password.view() == "--vault-id=prod");
  mctl::core::write_file_atomic(t.path / "fail.sh", "#!/bin/sh\nexit 3\n", 0700);
  CHECK_THROWS_WITH(read_password("default", (t.path / "fail.sh").string(), no_prompt),
                    doctest::Contains("failed with exit code 3"));
}

TEST_CASE("empty and missing password sources are errors") {
  TempDir t;
  mctl::core::write_file_atomic(t.path / "empty", "\n");
  CHECK_THROWS_WITH(read_password("default", (t.path / "empty").string(), no_prompt), doctest::Contains("is empty"));
  CHECK_THROWS_WITH(read_password("default", (t.path / "missing").string(), no_prompt),
                    doctest::Contains("vault password file: cannot read"));
}

TEST_CASE("vault ids: label@source, prompt with confirmation") {
  CHECK(split_vault_id("prod@file.txt") == std::pair<std::string, std::string>{"prod", "file.txt"});
  CHECK(split_vault_id("file.txt") == std::pair<std::string, std::string>{"default", "file.txt"});
  int asked = 0;
  auto prompt = [&](const std::string& q) {
    ++asked;
    CHECK(q.find("(dev)") != std::string::npos);
    return std::string("pw");
  };
  CHECK(read_password("dev", "prompt", prompt, true).password.view() == "pw");
  CHECK(asked == 2);
  int n = 0;
  auto mismatch = [&](const std::string&) { return std::string(n++ == 0 ? "a" : "b"); };
  CHECK_THROWS_WITH(read_password("dev", "prompt", mismatch, true), doctest::Contains("do not match"));
}

TEST_CASE("flags win over config; config reads MCTL_ and ANSIBLE_VAULT_PASSWORD_FILE") {
  TempDir t;
  mctl::core::write_file_atomic(t.path / "a", "from-a");
  mctl::core::write_file_atomic(t.path / "b", "from-b");
  const auto config = config_with({{"ANSIBLE_VAULT_PASSWORD_FILE", (t.path / "a").string()}}, t.path);
  auto got = collect_passwords({}, config.settings().vault, false, no_prompt);
  REQUIRE(got.size() == 1);
  CHECK(got[0].password.view() == "from-a");
  PasswordRequest flags;
  flags.vault_ids = {"prod@" + (t.path / "b").string()};
  got = collect_passwords(flags, config.settings().vault, false, no_prompt);
  REQUIRE(got.size() == 1);
  CHECK(got[0].label == "prod");
  CHECK(got[0].password.view() == "from-b");
  const auto nothing = config_with({}, t.path);
  CHECK_THROWS_WITH_AS(collect_passwords({}, nothing.settings().vault, false, no_prompt), doctest::Contains("no vault password"),
                       mctl::Error);
}

TEST_CASE("vault.id sources in mctl.yaml resolve against its directory, wherever that is") {
  // The config file lives in a directory whose name starts with "env": its origin
  // ("envs/mctl.yaml:2") once read as "from the environment" and the source stayed relative to
  // the working directory.
  TempDir t;
  fs::create_directories(t.path / "envs");
  mctl::core::write_file_atomic(t.path / "envs" / "mctl.yaml", "vault:\n  id: [dev@dev.pass]\n");
  mctl::core::write_file_atomic(t.path / "envs" / "dev.pass", "from-envs\n");
  mctl::core::LoadOptions o;
  o.cwd = t.path;
  o.config_file = "envs/mctl.yaml";
  const auto config = mctl::core::Config::load(o);
  auto got = collect_passwords({}, config.settings().vault, false, no_prompt);
  REQUIRE(got.size() == 1);
  CHECK(got[0].label == "dev");
  CHECK(got[0].password.view() == "from-envs");
}

TEST_CASE("rekey_password: one new source, never the old password") {
  TempDir t;
  mctl::core::write_file_atomic(t.path / "old", "old-secret\n");
  mctl::core::write_file_atomic(t.path / "new", "new-secret\n");
  mctl::core::write_file_atomic(t.path / "copy", "old-secret\n");
  const auto config = config_with({}, t.path);
  const auto& settings = config.settings().vault;
  std::vector<VaultPassword> old;
  old.push_back(read_password("default", (t.path / "old").string(), no_prompt));
  const auto file = [&](const char* name) {
    PasswordRequest r;
    r.password_files = {(t.path / name).string()};
    return r;
  };

  CHECK(rekey_password(file("new"), settings, no_prompt, old).password.view() == "new-secret");
  // The same file, and the same text from another file: refused, naming both sources.
  CHECK_THROWS_WITH(rekey_password(file("old"), settings, no_prompt, old), doctest::Contains("is the same as the old one"));
  CHECK_THROWS_WITH(rekey_password(file("copy"), settings, no_prompt, old), doctest::Contains("is the same as the old one"));
  PasswordRequest two = file("new");
  two.vault_ids = {"prod@" + (t.path / "copy").string()};
  CHECK_THROWS_WITH(rekey_password(two, settings, no_prompt, old), doctest::Contains("one new password source"));
  // No source: a prompt, asked twice.
  int asked = 0;
  const auto prompt = [&](const std::string&) {
    ++asked;
    return std::string("typed-secret");
  };
  CHECK(rekey_password({}, settings, prompt, old).password.view() == "typed-secret");
  CHECK(asked == 2);
}
