// libFuzzer: the Ansible Vault envelope parser (header, hex-in-hex body, parts).
// The whole-text parse and the incremental parser fed in pieces (sizes taken from the first
// input byte) must agree: the same envelope, or the same error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "vault/ansible.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {
using mctl::vault::ansible::Envelope;

std::string outcome(const Envelope& env) { return env.version + ";" + env.label + ";" + env.salt + env.hmac + std::string(env.ciphertext.view()); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 97;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string whole, pieces;
  try {
    const auto env = mctl::vault::ansible::parse(text);
    // A parsed envelope must be internally consistent.
    if (env.hmac.size() != 32 || env.ciphertext.empty() || env.ciphertext.size() % 16 != 0) __builtin_trap();
    if (env.version != "1.1" && env.version != "1.2") __builtin_trap();
    whole = outcome(env);
  } catch (const mctl::Error& e) {
    whole = std::string("error: ") + e.what();
  }
  try {
    mctl::vault::ansible::Parser parser;
    for (std::size_t i = 0; i < text.size(); i += piece) parser.feed(text.substr(i, piece));
    pieces = outcome(parser.finish());
  } catch (const mctl::Error& e) {
    pieces = std::string("error: ") + e.what();
  }
  if (whole != pieces) __builtin_trap();
  return 0;
}
