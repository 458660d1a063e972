// Plaintext between streams and a JSON result, in wiping buffers (vault/plaintext_io.hpp).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "vault/plaintext_io.hpp"

using namespace mctl::vault;

TEST_CASE("read_secret reads the whole stream, beyond one buffer, binary bytes included") {
  std::string text(10000, 'x');
  text[5000] = '\0';
  text.back() = '\n';
  std::istringstream in(text);
  const auto secret = read_secret(in);
  CHECK(secret.view() == text);
  std::istringstream empty;
  CHECK(read_secret(empty).empty());
}

TEST_CASE("capture collects what is written to the stream") {
  const auto got = capture([](std::ostream& out) { out << "line 1\n" << 42 << 'c'; });
  CHECK(got.view() == "line 1\n42c");
}

TEST_CASE("append_json_string escapes as JSON does and refuses text that is not UTF-8") {
  SecretString out;
  const std::string text = "quote \" back \\ nl \n tab \t cr \r bell \x07 é";
  append_json_string(out, text);
  CHECK(nlohmann::json::parse(out.view()) == text);
  CHECK(out.view().find("\\u0007") != std::string::npos);
  SecretString bad;
  try {
    append_json_string(bad, "\xff\xfe");
    FAIL("no error for invalid UTF-8");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
  }
}

TEST_CASE("plaintext_document is the JSON result the vault commands print") {
  std::vector<std::pair<std::string, SecretString>> items;
  items.emplace_back("a.yml", SecretString("a: 1\n"));
  items.emplace_back("b \"x\".yml", SecretString("b: 2"));
  const auto doc = nlohmann::json::parse(plaintext_document("view", items).view());
  CHECK(doc["action"] == "view");
  REQUIRE(doc["files"].size() == 2);
  CHECK(doc["files"][0]["file"] == "a.yml");
  CHECK(doc["files"][0]["plaintext"] == "a: 1\n");
  CHECK(doc["files"][1]["file"] == "b \"x\".yml");
  CHECK(nlohmann::json::parse(plaintext_document("view", {}).view())["files"].empty());
}
