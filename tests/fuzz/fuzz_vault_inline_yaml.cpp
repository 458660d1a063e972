// libFuzzer: the inline `!vault` YAML scanner and the renderer built on it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "vault/inline_yaml.hpp"
#include "tests/fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto values = mctl::vault::inline_yaml::find(text, "fuzz");
    std::vector<mctl::vault::inline_yaml::Decoded> decoded;
    std::size_t last_end = 0;
    for (auto& v : values) {
      // Values are ordered, non-overlapping, and inside the text.
      if (v.begin < last_end || v.end < v.begin || v.end > text.size()) __builtin_trap();
      if (text.substr(v.begin, 6) != "!vault") __builtin_trap();
      last_end = v.end;
      mctl::vault::inline_yaml::Decoded d;
      d.plaintext = mctl::vault::SecretString(std::string_view(v.scalar));
      d.value = v;
      decoded.push_back(std::move(d));
    }
    (void)mctl::vault::inline_yaml::render(text, decoded, true, false);
  } catch (const mctl::Error&) {
  }
  return 0;
}
