#include <doctest/doctest.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "test_vault_vectors.hpp"
#include "vault/native.hpp"
#include "vault/secrets.hpp"

using namespace mctl::vault;

using test_vectors::k_dir;
using test_vectors::password;
using test_vectors::password_list;
using test_vectors::passwords;

TEST_CASE("load_secrets reads a whole-file Ansible vault as JSON") {
  const auto j = load_secrets(k_dir + "secrets.v11.yml", passwords());
  CHECK(j == nlohmann::json{{"db_password", "s3cret"}, {"api_key", "abc:def"}, {"list", {1, "two"}}});
}

TEST_CASE("load_secrets reads a 1.2 vault with a labelled password listed second") {
  auto pws = password_list(password("dev", "other", "prompt"), std::move(passwords()[0]));
  pws[1].label = "prod";
  CHECK(load_secrets(k_dir + "prod.v12.yml", pws) == nlohmann::json{{"token", "xyz"}});
}

TEST_CASE("load_secrets decrypts inline !vault values, always as strings") {
  CHECK(load_secrets(k_dir + "inline-vars.yml", passwords()) ==
        nlohmann::json{{"user", "admin"}, {"db_password", "p@ss w0rd!"}, {"port", 5432}});
}

TEST_CASE("load_secrets reads a native vault; an empty one is an empty object") {
  const auto dir = std::filesystem::temp_directory_path() / "mctl-unit-vault";
  std::filesystem::create_directories(dir);
  mctl::core::write_file_atomic(dir / "n.yml", native::encrypt("a: {b: [1]}\n", "pw", "default"));
  CHECK(load_secrets(dir / "n.yml", password_list(password("default", "pw", "x"))) == nlohmann::json{{"a", {{"b", {1}}}}});
  CHECK(load_secrets(k_dir + "empty.v11.txt", passwords()) == nlohmann::json::object());
  std::filesystem::remove_all(dir);
}

TEST_CASE("load_secrets with the wrong password fails with Exit::auth naming file and ids") {
  const auto wrong = password_list(password("default", "x", "file .pw"));
  try {
    load_secrets(k_dir + "secrets.v11.yml", wrong);
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::auth);
    CHECK(std::string(e.what()) == k_dir + "secrets.v11.yml: wrong password or modified file (tried vault ids: default (file .pw))");
  }
}
