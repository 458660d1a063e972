#pragma once
// Moving plaintext between streams and a JSON result without a copy outside a wiping buffer:
// what the vault commands use to read a piped secret and to print decrypted text as JSON.
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vault/secure.hpp"

namespace mctl::vault {

// All of `in` (a piped secret) read straight into a wiping buffer.
SecretString read_secret(std::istream& in);

// What `write` writes to the stream it is given, collected in a wiping buffer.
SecretString capture(const std::function<void(std::ostream&)>& write);

// `"text"` appended to `out` as a JSON string (nlohmann's serializer would keep copies);
// Error (usage) when `text` is not UTF-8.
void append_json_string(SecretString& out, std::string_view text);

// The JSON result of a command that shows plaintext, 2-space indented:
// {"action": ACTION, "files": [{"file": NAME, "plaintext": TEXT}, ...]}.
SecretString plaintext_document(const std::string& action,
                                const std::vector<std::pair<std::string, SecretString>>& items);

}  // namespace mctl::vault
