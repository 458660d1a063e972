#include <doctest/doctest.h>

#include <sstream>

#include "core/error.hpp"
#include "vault/native.hpp"

using namespace mctl::vault;

namespace {
const unsigned char k_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
const unsigned char k_salt[16] = {9};

// Encrypts with a fixed key (no KDF: fast) and a small chunk size.
std::string seal(const std::string& plain, std::uint32_t chunk = 100, const std::string& label = "default") {
  std::ostringstream out;
  native::Params p;
  p.chunk = chunk;
  native::Writer w(out, k_key, label, p, k_salt);
  w.write(plain);
  w.finish();
  return out.str();
}

SecretString open(const std::string& text) {
  std::istringstream in(text);
  native::Reader r(in);
  REQUIRE(r.unlock_with_key(k_key));
  SecretString out;
  while (r.next(out)) {
  }
  return out;
}
}  // namespace

TEST_CASE("native round trip across chunk boundaries") {
  for (std::size_t n : {0, 1, 99, 100, 101, 200, 1234}) {
    CAPTURE(n);
    std::string plain(n, '\0');
    for (std::size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 7);
    CHECK(open(seal(plain)).view() == plain);
  }
}

TEST_CASE("native armor: header line, 76-column base64 lines") {
  const auto text = seal(std::string(1000, 'a'), 100, "prod");
  CHECK(text.rfind("$MCTL_VAULT;1;ARGON2ID-XCHACHA20POLY1305;prod\n", 0) == 0);
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) CHECK(line.size() <= 76);
  std::istringstream in2(text);
  native::Reader r(in2);
  CHECK(r.header().label == "prod");
  CHECK(r.header().params.chunk == 100);
  CHECK(r.header().params.ops == 2);
}

TEST_CASE("a changed header line or label is detected (header authenticated)") {
  auto text = seal("secret");
  auto relabeled = text;
  relabeled.replace(text.find("default"), 7, "prodxyz");
  std::istringstream in(relabeled);
  native::Reader r(in);
  CHECK_FALSE(r.unlock_with_key(k_key));
}

TEST_CASE("truncation at a chunk boundary is detected") {
  const auto text = seal(std::string(300, 'b'), 57);  // chunk+17 = 74 bytes, lines hold 57
  // Drop the last base64 lines: the final chunk goes missing.
  auto cut = text.substr(0, text.rfind('\n', text.size() - 2) + 1);
  cut = cut.substr(0, cut.rfind('\n', cut.size() - 2) + 1);
  std::istringstream in(cut);
  native::Reader r(in);
  REQUIRE(r.unlock_with_key(k_key));
  SecretString out;
  CHECK_THROWS_WITH_AS(
      [&] {
        while (r.next(out)) {
        }
      }(),
      doctest::Contains("truncated or modified"), mctl::Error);
}

TEST_CASE("a flipped byte in a later chunk is detected") {
  auto text = seal(std::string(1000, 'c'));
  const auto pos = text.size() - 40;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  std::istringstream in(text);
  native::Reader r(in);
  REQUIRE(r.unlock_with_key(k_key));
  SecretString out;
  CHECK_THROWS_AS(
      [&] {
        while (r.next(out)) {
        }
      }(),
      mctl::Error);
}

TEST_CASE("the password path uses Argon2id and rejects weak parameters") {
  const auto text = native::encrypt("hello\n", "pw", "default");
  CHECK(native::decrypt(text, "pw")->view() == "hello\n");
  CHECK_FALSE(native::decrypt(text, "wrong").has_value());
  native::Params weak;
  weak.ops = 1;
  CHECK_THROWS_WITH_AS(native::encrypt("x", "pw", "default", weak), doctest::Contains("passes"), mctl::Error);
}

TEST_CASE("not-a-vault input is malformed") {
  std::istringstream in("hello\n");
  CHECK_THROWS_WITH_AS(native::Reader{in}, doctest::Contains("malformed mctl vault data"), mctl::Error);
}

TEST_CASE("large data streams through every chunk and armor path") {
  std::string plain(300000, '\0');
  for (std::size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i * 131 + i / 7);
  const auto text = seal(plain, 65536);
  CHECK(open(text).view() == plain);
}

TEST_CASE("the reader accepts other line widths and CRLF, and rejects padding inside the text") {
  const std::string plain(1000, 'r');
  const auto text = seal(plain);
  const auto header_end = text.find('\n') + 1;
  std::string b64;
  for (std::size_t i = header_end; i < text.size(); ++i) {
    if (text[i] != '\n') b64 += text[i];
  }
  std::string rewrapped = text.substr(0, header_end - 1) + "\r\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) rewrapped += b64.substr(i, 64) + "\r\n";
  CHECK(open(rewrapped).view() == plain);

  auto padded = text;  // "=" before the end: not what a writer produces
  padded[header_end + 100] = '=';
  std::istringstream in(padded);
  CHECK_THROWS_WITH_AS(
      [&] {
        native::Reader r(in);
        (void)r.unlock_with_key(k_key);
        SecretString out;
        while (r.next(out)) {
        }
      }(),
      doctest::Contains("malformed mctl vault data"), mctl::Error);
}
