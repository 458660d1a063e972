#include "vault/plaintext_io.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <streambuf>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/yaml.hpp"

namespace mctl::vault {
namespace {

// A stream buffer that appends everything to a SecretString.
class SecretBuffer final : public std::streambuf {
 public:
  SecretString text;

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) text.push_back(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize n) override {
    text.append(data, static_cast<std::size_t>(n));
    return n;
  }
};

// A JSON escape for one byte of UTF-8 text, or nullptr when it stands for itself.
const char* json_escape(char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    default: return nullptr;
  }
}

}  // namespace

SecretString read_secret(std::istream& in) {
  SecretString out;
  std::array<char, 4096> buf{};
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    out.append(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  ::explicit_bzero(buf.data(), buf.size());
  return out;
}

SecretString capture(const std::function<void(std::ostream&)>& write) {
  SecretBuffer buffer;
  std::ostream out(&buffer);
  write(out);
  out.flush();
  return std::move(buffer.text);
}

void append_json_string(SecretString& out, std::string_view text) {
  if (core::find_invalid_utf8(text) != std::string::npos) {
    throw Error("the plaintext is not UTF-8 text and cannot be a JSON string; use decrypt --output FILE", Exit::usage);
  }
  out.push_back('"');
  for (const char c : text) {
    if (const char* escaped = json_escape(c)) {
      out.append(escaped);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.append(fmt::format("\\u{:04x}", static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

SecretString plaintext_document(const std::string& action,
                                const std::vector<std::pair<std::string, SecretString>>& items) {
  SecretString doc;
  doc.append(fmt::format("{{\n  \"action\": \"{}\",\n  \"files\": [", action));
  for (std::size_t i = 0; i < items.size(); ++i) {
    doc.append(i ? ",\n    {\"file\": " : "\n    {\"file\": ");
    doc.append(nlohmann::json(items[i].first).dump());
    doc.append(", \"plaintext\": ");
    append_json_string(doc, items[i].second.view());
    doc.append("}");
  }
  doc.append(items.empty() ? "]\n}" : "\n  ]\n}");
  return doc;
}

}  // namespace mctl::vault
