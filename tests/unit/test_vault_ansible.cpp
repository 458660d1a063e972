#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "test_vault_vectors.hpp"
#include "vault/ansible.hpp"

using namespace mctl::vault;

namespace {
using test_vectors::k_dir;
std::string vector_file(const std::string& name) { return mctl::core::read_file(k_dir + name); }
std::string password() { return vector_file("password.txt"); }
}  // namespace

TEST_CASE("ansible-vault 1.1 vectors decrypt to their plaintext") {
  // A pair, not a structured binding: CAPTURE's lambda cannot capture one before clang 16.
  for (const auto& names : {std::pair{"secrets.v11.yml", "plain-secrets.yml"},
                            std::pair{"empty.v11.txt", "plain-empty.txt"}}) {
    const std::string vault = names.first, plain = names.second;
    CAPTURE(vault);
    const auto env = ansible::parse(vector_file(vault));
    CHECK(env.version == "1.1");
    CHECK(env.label.empty());
    CHECK(env.salt.size() == 32);
    const auto out = ansible::decrypt(env, password());
    REQUIRE(out.has_value());
    CHECK(out->view() == vector_file(plain));
  }
}

TEST_CASE("ansible-vault 1.2 vector carries its vault-id label") {
  const auto env = ansible::parse(vector_file("prod.v12.yml"));
  CHECK(env.version == "1.2");
  CHECK(env.label == "prod");
  const auto out = ansible::decrypt(env, password());
  REQUIRE(out.has_value());
  CHECK(out->view() == "token: xyz\n");
}

TEST_CASE("a wrong password does not open a vault") {
  const auto env = ansible::parse(vector_file("secrets.v11.yml"));
  CHECK_FALSE(ansible::decrypt(env, "correct horse battery stapler").has_value());
}

TEST_CASE("encrypting with a fixed salt reproduces ansible-vault's bytes exactly") {
  // Re-encrypt the vector's plaintext with the vector's own salt: same key, same counter,
  // so the output must equal the file ansible-vault wrote, byte for byte.
  const auto original = vector_file("secrets.v11.yml");
  const auto env = ansible::parse(original);
  CHECK(ansible::encrypt(vector_file("plain-secrets.yml"), password(), "", env.salt) == original);
  const auto v12 = vector_file("prod.v12.yml");
  CHECK(ansible::encrypt("token: xyz\n", password(), "prod", ansible::parse(v12).salt) == v12);
}

TEST_CASE("round trip of binary, CRLF, unicode and block-sized plaintexts") {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  for (const std::string& plain : {std::string("a\r\nb\r\n"), std::string("h\xC3\xA9llo \xE2\x9C\x93"), binary,
                                   std::string(16, 'x'), std::string(1000, 'y')}) {
    const auto text = ansible::encrypt(plain, "pw", "default");
    CHECK(text.rfind("$ANSIBLE_VAULT;1.1;AES256\n", 0) == 0);
    const auto out = ansible::decrypt(ansible::parse(text), "pw");
    REQUIRE(out.has_value());
    CHECK(out->view() == plain);
  }
}

TEST_CASE("lines are 80 columns and the envelope ends with a newline") {
  const auto text = ansible::encrypt(std::string(500, 'z'), "pw", "");
  std::size_t pos = text.find('\n') + 1;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    CHECK(nl - pos <= 80);
    if (text.find('\n', nl + 1) != std::string::npos) CHECK(nl - pos == 80);
    pos = nl + 1;
  }
  CHECK(text.back() == '\n');
}

TEST_CASE("a modified ciphertext fails the HMAC, a truncated file does not parse") {
  auto text = vector_file("secrets.v11.yml");
  auto tampered = text;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == '3' ? '4' : '3';
  CHECK_FALSE(ansible::decrypt(ansible::parse(tampered), password()).has_value());
  CHECK_THROWS_AS(ansible::parse(text.substr(0, text.size() - 20)), mctl::Error);
  CHECK_THROWS_WITH(ansible::parse("$ANSIBLE_VAULT;1.1;AES256\nzz\n"),
                    doctest::Contains("malformed Ansible vault data"));
  CHECK_THROWS_WITH(ansible::parse("$ANSIBLE_VAULT;1.0;AES\nab\n"), doctest::Contains("unsupported"));
}

TEST_CASE("CRLF line endings in the envelope are accepted") {
  auto text = vector_file("prod.v12.yml");
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto out = ansible::decrypt(ansible::parse(crlf), password());
  REQUIRE(out.has_value());
  CHECK(out->view() == "token: xyz\n");
}

TEST_CASE("the incremental parser gives the same envelope whatever pieces it is fed") {
  const auto text = ansible::encrypt(std::string(5000, 'p'), "pw", "prod");
  const auto whole = ansible::parse(text);
  for (const std::size_t piece : {1, 2, 3, 7, 80, 81, 4096}) {
    CAPTURE(piece);
    ansible::Parser parser;
    for (std::size_t i = 0; i < text.size(); i += piece) parser.feed(std::string_view(text).substr(i, piece));
    const auto env = parser.finish();
    CHECK(env.label == "prod");
    CHECK(env.salt == whole.salt);
    CHECK(env.hmac == whole.hmac);
    CHECK(env.ciphertext.view() == whole.ciphertext.view());
  }
  CHECK(ansible::decrypt(whole, "pw")->view() == std::string(5000, 'p'));
}

TEST_CASE("the parser rejects hex split by blanks inside a line, and odd or empty bodies") {
  auto text = vector_file("secrets.v11.yml");
  const auto body = text.find('\n') + 1;
  auto inner_space = text;
  inner_space.insert(body + 10, " ");
  CHECK_THROWS_WITH(ansible::parse(inner_space), doctest::Contains("the body is not hex"));
  auto padded_lines = text;  // blanks at both ends of a line are fine (indented !vault blocks)
  padded_lines.insert(body, "  ");
  CHECK(ansible::decrypt(ansible::parse(padded_lines), password()).has_value());
  CHECK_THROWS_WITH(ansible::parse("$ANSIBLE_VAULT;1.1;AES256\n"), doctest::Contains("the body is not hex"));
  CHECK_THROWS_WITH(ansible::parse("$ANSIBLE_VAULT;1.1;AES256\n616\n"), doctest::Contains("the body is not hex"));
  CHECK_THROWS_WITH(ansible::parse("$ANSIBLE_VAULT;1.1;AES256\n61620a63\n"),
                    doctest::Contains("no salt/HMAC/ciphertext"));
}

TEST_CASE("the same error is reported whether the text is parsed whole or in pieces") {
  // Found by fuzz_vault_ansible: a bad inner part, then a bad outer character further on.
  const std::string text = "$ANSIBLE_VAULT;1.1;AES256\n" + ansible::to_hex("61\n62\nzz00") + "q\n";
  std::string whole, pieces;
  try {
    (void)ansible::parse(text);
  } catch (const mctl::Error& e) {
    whole = e.what();
  }
  try {
    ansible::Parser parser;
    for (std::size_t i = 0; i < text.size(); i += 8) parser.feed(std::string_view(text).substr(i, 8));
    (void)parser.finish();
  } catch (const mctl::Error& e) {
    pieces = e.what();
  }
  CHECK(whole == pieces);
  CHECK(whole.find("a body part is not hex") != std::string::npos);
}

TEST_CASE("decrypt_in_place leaves the envelope intact for a wrong password, then opens it with the right one") {
  auto env = ansible::parse(vector_file("secrets.v11.yml"));
  const auto ciphertext = std::string(env.ciphertext.view());
  CHECK_FALSE(ansible::decrypt_in_place(env, "correct horse battery stapler").has_value());
  CHECK(env.ciphertext.view() == ciphertext);
  const auto out = ansible::decrypt_in_place(env, password());
  REQUIRE(out.has_value());
  CHECK(out->view() == vector_file("plain-secrets.yml"));
}
