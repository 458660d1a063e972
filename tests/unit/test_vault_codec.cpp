#include <doctest/doctest.h>
#include <sodium.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "vault/ansible.hpp"
#include "vault/codec.hpp"

using namespace mctl::vault;

namespace {
std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

std::string sodium_base64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}
}  // namespace

TEST_CASE("base64 encoding matches libsodium for every length, SIMD steps and tail alike") {
  for (std::size_t n = 0; n <= 300; n += 3) {
    CAPTURE(n);
    const auto bytes = random_bytes(n, static_cast<unsigned>(n));
    std::string out(n / 3 * 4, '?');
    codec::base64_encode(reinterpret_cast<const unsigned char*>(bytes.data()), n, out.data());
    CHECK(out == sodium_base64(bytes));
  }
}

TEST_CASE("base64 decoding round-trips and stops at the first group that is not plain alphabet") {
  for (std::size_t n = 0; n <= 300; n += 3) {
    CAPTURE(n);
    const auto bytes = random_bytes(n, static_cast<unsigned>(n) + 1000);
    const auto text = sodium_base64(bytes);
    std::vector<unsigned char> out(n + 4);
    REQUIRE(codec::base64_decode(text.data(), text.size(), out.data()) == text.size());
    CHECK(std::string(reinterpret_cast<const char*>(out.data()), n) == bytes);
  }
  const auto text = sodium_base64(random_bytes(120, 7));  // 160 characters
  for (std::size_t bad = 0; bad < text.size(); bad += 5) {
    CAPTURE(bad);
    for (const char c : {'\n', '=', '-', '\x80', '\0'}) {
      auto broken = text;
      broken[bad] = c;
      std::vector<unsigned char> out(124);
      CHECK(codec::base64_decode(broken.data(), broken.size(), out.data()) == bad / 4 * 4);
    }
  }
}

TEST_CASE("hex decoding accepts both cases and stops at the first pair that is not hex") {
  const auto bytes = random_bytes(200, 3);
  auto hex = ansible::to_hex(bytes);
  for (std::size_t i = 0; i < hex.size(); i += 3) hex[i] = static_cast<char>(std::toupper(hex[i]));
  std::string out(bytes.size(), '\0');
  REQUIRE(codec::hex_decode(hex.data(), hex.size(), out.data()) == hex.size());
  CHECK(out == bytes);
  for (std::size_t bad = 0; bad < 100; ++bad) {
    CAPTURE(bad);
    for (const char c : {'g', 'G', '/', ':', '@', '`', '\n', '\xff'}) {
      auto broken = hex;
      broken[bad] = c;
      CHECK(codec::hex_decode(broken.data(), broken.size(), out.data()) == bad / 2 * 2);
    }
  }
}

TEST_CASE("a hex digit's value is its number in either case; every other byte is -1") {
  const std::string digits = "0123456789abcdef";
  for (int b = 0; b < 256; ++b) {
    CAPTURE(b);
    const auto c = static_cast<char>(b);
    const auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = digits.find(lower);
    CHECK(codec::hex_value(c) == (at == std::string::npos ? -1 : static_cast<int>(at)));
  }
}

TEST_CASE("whole armor lines decode in bulk; anything else stops the bulk path at that line") {
  const auto bytes = random_bytes(std::size_t{57} * 5, 11);
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 57) text += sodium_base64(bytes.substr(i, 57)) + "\n";
  std::vector<unsigned char> out(bytes.size() + 4);
  REQUIRE(codec::base64_decode_lines(text.data(), text.size(), out.data(), out.size()) == text.size());
  CHECK(std::string(reinterpret_cast<const char*>(out.data()), bytes.size()) == bytes);
  CHECK(codec::base64_decode_lines(text.data(), text.size(), out.data(), 57 * 2 + 4) == 77 * 2);  // room
  for (const std::size_t bad : {0, 15, 16, 59, 60, 75}) {
    CAPTURE(bad);
    auto broken = text;
    broken[std::size_t{77} * 3 + bad] = '=';
    CHECK(codec::base64_decode_lines(broken.data(), broken.size(), out.data(), out.size()) == 77 * 3);
  }
  auto crlf = text;
  crlf.replace(77 * 2 - 1, 1, "\r\n");
  CHECK(codec::base64_decode_lines(crlf.data(), crlf.size(), out.data(), out.size()) == 77);
}

TEST_CASE("armor lines encode in bulk exactly as line by line") {
  for (const std::size_t lines : {1, 2, 7}) {
    CAPTURE(lines);
    const auto bytes = random_bytes(57 * lines, static_cast<unsigned>(lines) + 50);
    std::string expected;
    for (std::size_t i = 0; i < bytes.size(); i += 57) expected += sodium_base64(bytes.substr(i, 57)) + "\n";
    std::string out(77 * lines, '?');
    codec::base64_encode_lines(reinterpret_cast<const unsigned char*>(bytes.data()), lines, out.data());
    CHECK(out == expected);
  }
}

TEST_CASE("Ansible's 80-digit lines decode in bulk; a line of another shape or with a non-digit stops the bulk path") {
  const auto bytes = random_bytes(std::size_t{40} * 50, 11);
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 40) text += ansible::to_hex(bytes.substr(i, 40)) + "\n";
  std::vector<char> out(bytes.size());
  REQUIRE(codec::hex_decode_lines(text.data(), text.size(), out.data(), out.size()) == text.size());
  CHECK(std::string(out.data(), out.size()) == bytes);

  // Room for 10 lines: exactly 10 are decoded.
  CHECK(codec::hex_decode_lines(text.data(), text.size(), out.data(), 10 * 40 + 39) == 10 * 81);
  for (const std::size_t at : {std::size_t{0}, std::size_t{47}, std::size_t{63}, std::size_t{64}, std::size_t{79}}) {
    CAPTURE(at);
    auto broken = text;
    broken[std::size_t{3} * 81 + at] = 'g';  // line 3 is not all digits
    CHECK(codec::hex_decode_lines(broken.data(), broken.size(), out.data(), out.size()) == 3 * 81);
    CHECK(std::string(out.data(), std::size_t{3} * 40) == bytes.substr(0, std::size_t{3} * 40));
  }
  auto short_line = text;
  short_line.erase(5 * 81 + 10, 2);  // line 5 has 78 digits
  CHECK(codec::hex_decode_lines(short_line.data(), short_line.size(), out.data(), out.size()) == 5 * 81);
  CHECK(codec::hex_decode_lines(text.data(), 80, out.data(), out.size()) == 0);  // no newline yet
}
