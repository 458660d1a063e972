#pragma once
// Fast hex and base64 codecs for the armor around ciphertext (public data, so table lookups
// and data-dependent branches are fine; secrets never go through these). SSSE3/SSE2 where the
// CPU has it, checked at run time, else scalar. The callers handle line ends and padding.
#include <array>
#include <cstddef>
#include <cstdint>

namespace mctl::vault::codec {

namespace detail {
constexpr std::array<std::int8_t, 256> make_hex_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(i);
  for (std::size_t i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<std::int8_t>(10 + i);
    t['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return t;
}
inline constexpr std::array<std::int8_t, 256> k_hex_value = make_hex_table();
}  // namespace detail

// The value of the hex digit `c` (either case), -1 for any other character: the one table
// of hex digits, for these codecs and Ansible Vault's parser (one lookup a character).
inline int hex_value(unsigned char c) {
  return detail::k_hex_value[c];
}
inline int hex_value(char c) {
  return hex_value(static_cast<unsigned char>(c));
}

// Base64 (RFC 4648, "+/") of `n` bytes, n a multiple of 3: n / 3 * 4 characters at `out`.
void base64_encode(const unsigned char* in, std::size_t n, char* out);

// Armor lines: `lines` * 57 bytes -> for each 57, 76 base64 characters and "\n" (77 each).
void base64_encode_lines(const unsigned char* in, std::size_t lines, char* out);

// Decodes whole 4-character groups of base64 alphabet characters from `in` (n characters)
// until the first group holding anything else ("=", "\n", ...). Writes 3 bytes per group;
// `out` needs n / 4 * 3 + 4 bytes of room. Returns the number of characters consumed.
std::size_t base64_decode(const char* in, std::size_t n, unsigned char* out);

// Decodes whole armor lines, each exactly 76 base64 alphabet characters and "\n" (as the
// native writer wraps), while `out` has `room` for 57 more bytes plus 4 of slack; stops at
// the first line that is anything else. Returns the characters consumed (77 per line).
std::size_t base64_decode_lines(const char* in, std::size_t n, unsigned char* out, std::size_t room);

// Decodes whole pairs of hex digits (either case) until the first pair that is not one.
// Writes n / 2 bytes at most. Returns the number of characters consumed.
std::size_t hex_decode(const char* in, std::size_t n, char* out);

// Ansible Vault's outer layer: decodes whole lines of exactly 80 hex digits and "\n" while
// `room` has space for their 40 bytes. Returns the characters consumed (a multiple of 81); stops
// before the first line of another shape, which the caller handles.
std::size_t hex_decode_lines(const char* in, std::size_t n, char* out, std::size_t room);

}  // namespace mctl::vault::codec
