#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "test_vault_vectors.hpp"
#include "vault/ansible.hpp"
#include "vault/inline_yaml.hpp"

using namespace mctl::vault;

using test_vectors::k_dir;
using test_vectors::password;
using test_vectors::password_list;
using test_vectors::passwords;

TEST_CASE("finds the !vault block of encrypt_string output with its extent") {
  const auto text = mctl::core::read_file(k_dir + "inline-vars.yml");
  const auto values = inline_yaml::find(text, "inline-vars.yml");
  REQUIRE(values.size() == 1);
  CHECK(values[0].line == 2);
  CHECK(values[0].prefix == "db_password: ");
  CHECK(values[0].scalar.rfind("$ANSIBLE_VAULT;1.1;AES256\n", 0) == 0);
  CHECK(text.substr(values[0].end) == "port: 5432\n");
}

TEST_CASE("view renders the inline value in place, everything else untouched") {
  const auto text = mctl::core::read_file(k_dir + "inline-vars.yml");
  const auto decoded = inline_yaml::decrypt_values(text, passwords(), "inline-vars.yml");
  CHECK(inline_yaml::render(text, decoded, false, false).view() ==
        "user: admin\ndb_password: \"p@ss w0rd!\"\nport: 5432\n");
  CHECK(inline_yaml::render(text, decoded, true, true).view() ==
        "user: admin\ndb_password: !vault \"p@ss w0rd!\"\nport: 5432\n");
}

TEST_CASE("reencrypt keeps unchanged values byte-identical and encrypts changed ones") {
  const auto pw = passwords();
  const std::string text = "# top comment\na: 1\nsecret: " +
                           inline_yaml::block(ansible::encrypt("one", pw[0].password.view(), ""), 10) +
                           "nested:\n  - x\n  - key: " +
                           inline_yaml::block(ansible::encrypt("two", pw[0].password.view(), ""), 14) + "    other: 2\n";
  const auto decoded = inline_yaml::decrypt_values(text, pw, "f.yml");
  REQUIRE(decoded.size() == 2);
  CHECK(decoded[1].plaintext.view() == "two");
  const auto buffer = inline_yaml::render(text, decoded, true, true);
  CHECK(buffer.view() == "# top comment\na: 1\nsecret: !vault \"one\"\nnested:\n  - x\n  - key: !vault \"two\"\n    other: 2\n");

  // Unchanged: the original file comes back byte for byte.
  CHECK(inline_yaml::reencrypt(buffer.view(), decoded, pw, 0, "default", "f.yml") == text);

  // One value changed, one key added: only those are new ciphertext.
  std::string edited(buffer.view());
  edited.replace(edited.find("\"two\""), 5, "\"2\\nlines\"");
  edited += "added: !vault new value\n";
  const auto out = inline_yaml::reencrypt(edited, decoded, pw, 0, "default", "f.yml");
  CHECK(out.find(decoded[0].original) != std::string::npos);
  CHECK(out.find(decoded[1].original) == std::string::npos);
  const auto again = inline_yaml::decrypt_values(out, pw, "f.yml");
  REQUIRE(again.size() == 3);
  CHECK(again[1].plaintext.view() == "2\nlines");
  CHECK(again[2].plaintext.view() == "new value");
  CHECK(again[2].value.prefix == "added: ");
  CHECK(out.find("    other: 2\n") != std::string::npos);
}

TEST_CASE("a value no password opens names the file and line") {
  const auto text = mctl::core::read_file(k_dir + "inline-vars.yml");
  const auto wrong = password_list(password("default", "nope", "prompt"));
  CHECK_THROWS_WITH(inline_yaml::decrypt_values(text, wrong, "inline-vars.yml"),
                    "inline-vars.yml:2: wrong password or modified file (tried vault ids: default (prompt))");
}

TEST_CASE("a !vault inside a comment or a quoted string is not a value") {
  CHECK(inline_yaml::find("# key: !vault |\nx: 'a !vault b'\ny: a!vault\n", "f").empty());
}
