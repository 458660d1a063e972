// libFuzzer: the native format reader (armor, binary header, chunk stream).
// Input byte 0 selects the mode:
//   'R' + text: parse and decrypt arbitrary text with a fixed key (must never crash);
//   'E' + u16 position + plaintext: encrypt with the fixed key, flip one byte of the armored
//       text at `position` (0xFFFF: none), decrypt: the untouched text must round-trip exactly,
//       a flipped one must either fail or (flip in ignorable whitespace) still round-trip.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "vault/native.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {
const unsigned char k_key[32] = {7};
const unsigned char k_salt[16] = {3};

bool open(const std::string& text, std::string* plain) {
  std::istringstream in(text);
  mctl::vault::native::Reader reader(in);
  if (!reader.unlock_with_key(k_key)) return false;
  mctl::vault::SecretString out;
  while (reader.next(out)) {
  }
  plain->assign(out.data(), out.size());
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string plain;
  if (data[0] == 'E' && input.size() >= 2) {
    const auto position = static_cast<std::size_t>(static_cast<unsigned char>(input[0]) << 8 |
                                                   static_cast<unsigned char>(input[1]));
    const std::string message = input.substr(2);
    std::ostringstream sealed;
    mctl::vault::native::Params params;
    params.chunk = 1 + static_cast<std::uint32_t>(message.size() % 97);
    mctl::vault::native::Writer writer(sealed, k_key, "fuzz", params, k_salt);
    writer.write(message);
    writer.finish();
    std::string text = sealed.str();
    const bool flipped = position != 0xFFFF && position < text.size();
    if (flipped) text[position] = static_cast<char>(text[position] ^ 0x01);
    try {
      const bool ok = open(text, &plain);
      if (!flipped && (!ok || plain != message)) __builtin_trap();
      if (flipped && ok && plain != message) __builtin_trap();  // a forgery got through
    } catch (const mctl::Error&) {
      if (!flipped) __builtin_trap();
    }
    return 0;
  }
  try {
    open(input, &plain);
  } catch (const mctl::Error&) {
  }
  return 0;
}
