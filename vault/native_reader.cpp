// The native format's streaming reader: armor -> header -> authenticated chunks.
#include "vault/native.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <istream>
#include <ostream>
#include <vector>

#include "core/error.hpp"
#include "vault/codec.hpp"
#include "vault/native_detail.hpp"

namespace mctl::vault::native {
using namespace detail;


constexpr unsigned char k_b64_skip = 0x40;     // "\n" and "\r": line structure, ignored
constexpr unsigned char k_b64_pad = 0x41;      // "="
constexpr unsigned char k_b64_invalid = 0xFF;
constexpr std::array<unsigned char, 256> k_b64_value = [] {
  std::array<unsigned char, 256> t{};
  for (auto& v : t) v = k_b64_invalid;
  for (unsigned i = 0; i < 64; ++i) t[static_cast<unsigned char>(k_b64[i])] = static_cast<unsigned char>(i);
  t['\n'] = t['\r'] = k_b64_skip;
  t['='] = k_b64_pad;
  return t;
}();


struct Reader::State {
  std::istream& in;
  Header header;
  std::vector<char> text;  // armored text read, [text_pos, text_end) not yet decoded
  std::size_t text_pos = 0, text_end = 0;
  bool text_eof = false;
  std::vector<unsigned char> bin;  // decoded bytes, [bin_pos, bin_end) not yet consumed
  std::size_t bin_pos = 0, bin_end = 0;
  std::uint32_t group = 0;  // base64 decoding: sextets of the current group
  int group_sextets = 0;
  int group_pads = 0;
  bool padded = false;  // a padded group ended the base64 data
  Stream stream{};
  SecretString first;  // plaintext of the first chunk, kept from unlock() until next()
  bool has_first = false;
  bool first_final = false;
  bool unlocked = false;
  bool done = false;

  State(std::istream& i, std::string_view already_read) : in(i), text(std::max(k_first_block, already_read.size())) {
    if (!already_read.empty()) std::memcpy(text.data(), already_read.data(), already_read.size());
    text_end = already_read.size();
  }
  ~State() { sodium_memzero(&stream, sizeof stream); }

  // Moves the undecoded text to the front and reads more after it.
  void fill_text() {
    if (text_pos > 0) {
      std::memmove(text.data(), text.data() + text_pos, text_end - text_pos);
      text_end -= text_pos;
      text_pos = 0;
    }
    const auto space = text.size() - text_end;
    in.read(text.data() + text_end, static_cast<std::streamsize>(space));
    const auto n = static_cast<std::size_t>(in.gcount());
    text_end += n;
    if (n == 0) text_eof = true;
    if (n == space && text.size() < k_io_block) text.resize(text.size() * 2);
  }

  // The first line (without "\n" or "\r"), at most k_max_header_line characters.
  std::string read_header_line() {
    while (true) {
      const char* begin = text.data() + text_pos;
      const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', text_end - text_pos));
      std::size_t len = nl != nullptr ? static_cast<std::size_t>(nl - begin) : text_end - text_pos;
      if (nl == nullptr && !text_eof && len <= k_max_header_line) {
        fill_text();
        continue;
      }
      if ((nl == nullptr && len == 0) || len > k_max_header_line) throw malformed("no header line");
      text_pos += len + (nl != nullptr ? 1 : 0);
      if (len > 0 && begin[len - 1] == '\r') --len;
      return {begin, len};
    }
  }

  std::size_t available() const { return bin_end - bin_pos; }

  // Decodes base64 text into `bin` until `n` bytes are available (a few more at most, so
  // moving the rest to the front costs nothing) or the input ends.
  void need(std::size_t n) {
    if (available() >= n) return;
    if (bin_pos > 0) {
      std::memmove(bin.data(), bin.data() + bin_pos, available());
      bin_end -= bin_pos;
      bin_pos = 0;
    }
    if (bin.size() < n + 3) bin.resize(n + 3);
    while (available() < n) {
      if (text_pos == text_end) {
        if (text_eof) break;
        fill_text();
        continue;
      }
      decode(n);
    }
    if (text_eof && text_pos == text_end && group_sextets + group_pads != 0) {
      throw malformed("the base64 text ends inside a group");
    }
  }

  // Decodes text into bin until it holds at least `limit` bytes (bin has 2 spare). Whole 4-character groups take the fast path; line
  // ends, padding and errors the slow one.
  void decode(std::size_t limit) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + text_pos;
    const auto* const end = reinterpret_cast<const unsigned char*>(text.data()) + text_end;
    unsigned char* out = bin.data() + bin_end;
    unsigned char* const out_end = bin.data() + limit;
    while (p < end && out < out_end) {
      if (group_sextets == 0 && !padded && end - p >= 77) {  // the writer's own lines, in bulk
        const auto used = codec::base64_decode_lines(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p),
                                                     out, static_cast<std::size_t>(out_end - out));
        p += used;
        out += used / 77 * 57;
        if (used > 0) continue;
      }
      if (group_sextets == 0 && !padded && end - p >= 4 && out_end - out >= 7) {
        // Whole groups up to the line end, leaving room for the decoder's 4-byte overrun.
        const auto* nl = static_cast<const unsigned char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        auto line_end = nl != nullptr ? nl : end;
        if (line_end > p && line_end[-1] == '\r') --line_end;
        const auto groups = std::min(static_cast<std::size_t>(line_end - p) / 4,
                                     static_cast<std::size_t>(out_end - out - 4) / 3);
        const auto used = codec::base64_decode(reinterpret_cast<const char*>(p), groups * 4, out);
        p += used;
        out += used / 4 * 3;
        if (used > 0) continue;
      }
      const unsigned char v = k_b64_value[*p++];
      if (v == k_b64_skip) continue;
      if (v == k_b64_invalid) throw malformed("the armor is not base64");
      if (padded || (v == k_b64_pad ? group_sextets < 2 : group_pads > 0)) {
        throw malformed("base64 padding inside the text");
      }
      if (v == k_b64_pad) {
        ++group_pads;
      } else {
        group = group << 6 | v;
        ++group_sextets;
      }
      if (group_sextets + group_pads < 4) continue;
      // A full group: 3, 2 or 1 bytes; bits beyond the last byte must be zero.
      const std::uint32_t bits = group << (6 * group_pads);
      const int bytes = 3 - group_pads;
      if ((bits & ((1u << (8 * group_pads)) - 1)) != 0) throw malformed("the armor is not canonical base64");
      for (int i = 0; i < bytes; ++i) *out++ = static_cast<unsigned char>(bits >> (16 - 8 * i));
      padded = group_pads > 0;
      group = 0;
      group_sextets = group_pads = 0;
    }
    text_pos = static_cast<std::size_t>(reinterpret_cast<const char*>(p) - text.data());
    bin_end = static_cast<std::size_t>(out - bin.data());
  }

  void parse_header() {
    const std::string first_line = read_header_line();
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const auto semi = first_line.find(';', start);
      parts.push_back(first_line.substr(start, semi == std::string::npos ? semi : semi - start));
      if (semi == std::string::npos) break;
      start = semi + 1;
    }
    if (parts.size() != 4 || parts[0] != k_marker) throw malformed("the header is not '$MCTL_VAULT;1;...'");
    if (parts[1] != "1") throw Error(fmt::format("unsupported mctl vault version '{}' (this mctl reads 1)", parts[1]), Exit::usage);
    if (parts[2] != "ARGON2ID-XCHACHA20POLY1305") throw malformed("unknown algorithm '" + parts[2] + "'");
    if (parts[3].empty()) throw malformed("empty vault id label");
    header.label = parts[3];
    need(k_binary_header);
    if (available() < k_binary_header) throw malformed("the binary header is short");
    const unsigned char* b = bin.data() + bin_pos;
    if (std::memcmp(b, k_magic, 4) != 0 || b[4] != 1 || b[5] != crypto_pwhash_ALG_ARGON2ID13 || b[6] != 0 || b[7] != 0) {
      throw malformed("bad binary header");
    }
    header.params = {get_u32(b + 8), get_u32(b + 12), get_u32(b + 32)};
    const auto& p = header.params;
    if (p.ops < crypto_pwhash_OPSLIMIT_MIN || p.ops > k_max_ops || p.mem_kib < 8 || p.mem_kib > k_max_mem_kib ||
        p.chunk == 0 || p.chunk > k_max_chunk) {
      throw malformed("Argon2id or chunk parameters out of range");
    }
    std::memcpy(header.salt, b + 16, k_salt_bytes);
    std::memcpy(header.stream_header, b + 36, k_stream_header_bytes);
    header.authenticated = first_line + "\n" + std::string(reinterpret_cast<const char*>(b), k_binary_header);
    bin_pos += k_binary_header;
  }

  // Decrypts the next message into `out` and sets its tag; false when it does not authenticate.
  bool pull(SecretString& out, bool with_ad, unsigned char& tag) {
    const std::size_t full = header.params.chunk + k_abytes;
    need(full);
    const std::size_t n = std::min(full, available());
    if (n < k_abytes) throw malformed("the stream ends before its final chunk");
    const auto old = out.size();
    out.resize(old + n - k_abytes);
    unsigned long long len = 0;
    const auto* ad = reinterpret_cast<const unsigned char*>(header.authenticated.data());
    if (crypto_secretstream_xchacha20poly1305_pull(&stream, reinterpret_cast<unsigned char*>(out.data()) + old, &len,
                                                   &tag, bin.data() + bin_pos, n, with_ad ? ad : nullptr,
                                                   with_ad ? header.authenticated.size() : 0) != 0) {
      out.resize(old);
      return false;
    }
    bin_pos += n;
    out.resize(old + len);
    if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL && n < full) {
      throw malformed("the stream ends before its final chunk");
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      need(1);
      if (available() > 0) throw malformed("data after the final chunk");
    }
    return true;
  }
};

Reader::Reader(std::istream& in, std::string_view already_read) : m(std::make_unique<State>(in, already_read)) {
  init_sodium();
  m->parse_header();
}
Reader::~Reader() = default;
const Header& Reader::header() const { return m->header; }

bool Reader::unlock(std::string_view password) {
  Key<k_key_bytes> key;
  derive_key(key, password, m->header);
  return unlock_with_key(key.data());
}

bool Reader::unlock_with_key(const unsigned char* key) {
  if (m->unlocked) return true;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&m->stream, m->header.stream_header, key) != 0) return false;
  unsigned char tag = 0;
  if (!m->pull(m->first, true, tag)) return false;
  m->first_final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  m->has_first = true;
  m->unlocked = true;
  return true;
}

bool Reader::next(SecretString& out) {
  if (!m->unlocked) throw Error("mctl vault: reading before unlock");
  if (m->has_first) {
    out.append(m->first.view());
    m->first.wipe();
    m->has_first = false;
    m->done = m->first_final;
    return true;
  }
  if (m->done) return false;
  unsigned char tag = 0;
  if (!m->pull(out, false, tag)) throw malformed("a chunk failed authentication");
  m->done = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  return true;
}

}  // namespace mctl::vault::native
