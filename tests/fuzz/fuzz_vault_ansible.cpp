// libFuzzer: the Ansible Vault envelope parser (header, hex-in-hex body, parts).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vault/ansible.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto env = mctl::vault::ansible::parse(text);
    // A parsed envelope must be internally consistent.
    if (env.hmac.size() != 32 || env.ciphertext.empty() || env.ciphertext.size() % 16 != 0) __builtin_trap();
    if (env.version != "1.1" && env.version != "1.2") __builtin_trap();
  } catch (const mctl::Error&) {
  }
  return 0;
}
