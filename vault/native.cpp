#include "vault/native.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <istream>
#include <ostream>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "vault/codec.hpp"

namespace mctl::vault::native {
namespace {

using Stream = crypto_secretstream_xchacha20poly1305_state;
constexpr std::size_t k_abytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t k_binary_header = 60;
constexpr std::size_t k_line_bytes = 57;  // 76 base64 characters per line
constexpr unsigned char k_magic[4] = {'M', 'C', 'T', 'V'};
constexpr std::uint32_t k_max_ops = 1000;
constexpr std::uint32_t k_max_mem_kib = 4u * 1024 * 1024;  // 4 GiB
constexpr std::uint32_t k_max_chunk = 16u * 1024 * 1024;
constexpr std::size_t k_max_header_line = 512;

static_assert(k_binary_header == 4 + 1 + 1 + 2 + 4 + 4 + k_salt_bytes + 4 + k_stream_header_bytes);
static_assert(k_stream_header_bytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(k_salt_bytes == crypto_pwhash_SALTBYTES);

Error malformed(const std::string& why) {
  return Error(fmt::format("malformed mctl vault data: {} (truncated or modified file)", why), Exit::auth);
}

void put_u32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint32_t get_u32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::string header_line(std::string_view label) {
  return fmt::format("{};1;ARGON2ID-XCHACHA20POLY1305;{}", k_marker, label.empty() ? "default" : label);
}

void derive_key(Key<k_key_bytes>& key, std::string_view password, const Header& h) {
  const auto start = std::chrono::steady_clock::now();
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), h.salt, h.params.ops,
                    static_cast<std::size_t>(h.params.mem_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(fmt::format("mctl vault: Argon2id key derivation failed (out of memory for {} MiB?)",
                            h.params.mem_kib / 1024));
  }
  // libsodium has unmapped the Argon2id memory by now; bench/vault.sh samples RSS after this line.
  core::log::debug("vault: Argon2id key derivation ({} passes, {} MiB) took {:.1f} ms", h.params.ops,
                   h.params.mem_kib / 1024,
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

void check_params_for_writing(const Params& p) {
  if (p.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || p.ops > k_max_ops) {
    throw Error(fmt::format("Argon2id passes must be between {} and {}", crypto_pwhash_OPSLIMIT_INTERACTIVE, k_max_ops),
                Exit::usage);
  }
  if (p.mem_kib < crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024 || p.mem_kib > k_max_mem_kib) {
    throw Error(fmt::format("Argon2id memory must be between {} MiB and {} MiB",
                            crypto_pwhash_MEMLIMIT_INTERACTIVE / (1024 * 1024), k_max_mem_kib / 1024),
                Exit::usage);
  }
  if (p.chunk == 0 || p.chunk > k_max_chunk) throw Error("mctl vault chunk size must be 1 B to 16 MiB", Exit::usage);
}

bool looks_like(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  return text.substr(0, k_marker.size() + 1) == "$MCTL_VAULT;";
}

// ---- Reader ---------------------------------------------------------------------------

// Base64 (RFC 4648, "+/", "=" padding) by table. The armor carries ciphertext only, which is
// public, so a table lookup is fine here (libsodium's constant-time codec is 3-4x slower).
constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

// Text is read and written in blocks growing from k_first_block to k_io_block: few system
// calls for big files, little memory for small values.
constexpr std::size_t k_first_block = 1 << 14;
constexpr std::size_t k_io_block = 1 << 20;

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
    out.append(m->first);
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

// ---- Writer ---------------------------------------------------------------------------

struct Writer::State {
  std::ostream& out;
  Params params;
  std::string authenticated;
  Stream stream{};
  SecretString plain;  // buffered plaintext, up to one chunk
  std::vector<unsigned char> cipher;
  unsigned char pending[k_line_bytes] = {};  // bytes of an incomplete armor line
  std::size_t pending_n = 0;
  std::vector<char> armored;  // output buffer, written out in blocks of up to k_io_block
  std::size_t armored_n = 0;
  bool first = true;
  bool finished = false;

  State(std::ostream& o, const Params& p)
      : out(o), params(p), cipher(p.chunk + k_abytes), armored(k_first_block) {
    plain.reserve(p.chunk);
  }
  ~State() { sodium_memzero(&stream, sizeof stream); }

  void flush() {
    out.write(armored.data(), static_cast<std::streamsize>(armored_n));
    armored_n = 0;
    if (!out) throw Error("mctl vault: cannot write the encrypted output");
  }

  // One armor line: base64 of `n` <= 57 bytes (padded) and "\n".
  void line(const unsigned char* p, std::size_t n) {
    if (armored_n + k_line_bytes / 3 * 4 + 1 > armored.size()) {
      if (armored.size() < k_io_block) armored.resize(armored.size() * 2);
      else flush();
    }
    char* o = armored.data() + armored_n;
    const std::size_t whole = n / 3 * 3;
    codec::base64_encode(p, whole, o);
    o += whole / 3 * 4;
    p += whole;
    n -= whole;
    if (n > 0) {
      const std::uint32_t v = static_cast<std::uint32_t>(p[0]) << 16 | (n > 1 ? static_cast<std::uint32_t>(p[1]) << 8 : 0);
      o[0] = k_b64[v >> 18];
      o[1] = k_b64[v >> 12 & 63];
      o[2] = n > 1 ? k_b64[v >> 6 & 63] : '=';
      o[3] = '=';
      o += 4;
    }
    *o++ = '\n';
    armored_n = static_cast<std::size_t>(o - armored.data());
  }

  // Armors `data`: every complete 57-byte line; `all`: the rest too (the last, shorter line).
  void emit(const unsigned char* data, std::size_t n, bool all) {
    if (pending_n > 0) {
      const std::size_t take = std::min(k_line_bytes - pending_n, n);
      std::memcpy(pending + pending_n, data, take);
      pending_n += take;
      data += take;
      n -= take;
      if (pending_n == k_line_bytes) {
        line(pending, k_line_bytes);
        pending_n = 0;
      }
    }
    constexpr std::size_t line_chars = k_line_bytes / 3 * 4 + 1;
    while (n >= k_line_bytes) {  // whole lines in bulk, as many as the output buffer holds
      if (armored.size() - armored_n < line_chars) {
        if (armored.size() < k_io_block) armored.resize(armored.size() * 2);
        else flush();
      }
      const std::size_t lines = std::min(n / k_line_bytes, (armored.size() - armored_n) / line_chars);
      codec::base64_encode_lines(data, lines, armored.data() + armored_n);
      armored_n += lines * line_chars;
      data += lines * k_line_bytes;
      n -= lines * k_line_bytes;
    }
    std::memcpy(pending + pending_n, data, n);
    pending_n += n;
    if (all && pending_n > 0) {
      line(pending, pending_n);
      pending_n = 0;
    }
    if (all) flush();
  }

  void push(std::string_view chunk, unsigned char tag) {
    unsigned long long len = 0;
    const auto* ad = reinterpret_cast<const unsigned char*>(authenticated.data());
    crypto_secretstream_xchacha20poly1305_push(&stream, cipher.data(), &len,
                                               reinterpret_cast<const unsigned char*>(chunk.data()), chunk.size(),
                                               first ? ad : nullptr, first ? authenticated.size() : 0, tag);
    first = false;
    emit(cipher.data(), static_cast<std::size_t>(len), tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  }

  void start(const unsigned char* key, std::string_view label, const unsigned char* salt) {
    unsigned char bin[k_binary_header] = {};
    std::memcpy(bin, k_magic, 4);
    bin[4] = 1;
    bin[5] = crypto_pwhash_ALG_ARGON2ID13;
    put_u32(bin + 8, params.ops);
    put_u32(bin + 12, params.mem_kib);
    std::memcpy(bin + 16, salt, k_salt_bytes);
    put_u32(bin + 32, params.chunk);
    crypto_secretstream_xchacha20poly1305_init_push(&stream, bin + 36, key);
    const auto header = header_line(label);
    authenticated = header + "\n" + std::string(reinterpret_cast<const char*>(bin), k_binary_header);
    const auto text = header + "\n";
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    emit(bin, k_binary_header, false);
  }
};

namespace {
void check_label(std::string_view label) {
  if (label.find_first_of("; \t\r\n") != std::string_view::npos) {
    throw Error(fmt::format("invalid vault id label '{}' (no spaces or ';')", label), Exit::usage);
  }
}
}  // namespace

Writer::Writer(std::ostream& out, std::string_view password, std::string_view label, const Params& params)
    : m(std::make_unique<State>(out, params)) {
  init_sodium();
  check_params_for_writing(params);
  check_label(label);
  Header h;
  h.params = params;
  randombytes_buf(h.salt, sizeof h.salt);
  Key<k_key_bytes> key;
  derive_key(key, password, h);
  m->start(key.data(), label, h.salt);
}

Writer::Writer(std::ostream& out, const unsigned char* key, std::string_view label, const Params& params,
               const unsigned char* salt)
    : m(std::make_unique<State>(out, params)) {
  init_sodium();
  check_label(label);
  m->start(key, label, salt);
}

Writer::~Writer() = default;

// A chunk is pushed as a non-final message only once more plaintext is known to follow.
void Writer::write(std::string_view plaintext) {
  const std::size_t chunk = m->params.chunk;
  while (!plaintext.empty()) {
    if (m->plain.size() == chunk) {
      m->push(m->plain, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      m->plain.clear();  // the buffer is reused, and wiped when the writer finishes
    }
    if (m->plain.empty() && plaintext.size() > chunk) {  // straight from the caller's buffer
      m->push(plaintext.substr(0, chunk), crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      plaintext.remove_prefix(chunk);
      continue;
    }
    const std::size_t take = std::min(chunk - m->plain.size(), plaintext.size());
    m->plain.append(plaintext.substr(0, take));
    plaintext.remove_prefix(take);
  }
}

void Writer::finish() {
  if (m->finished) return;
  m->push(m->plain, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  m->plain.wipe();
  m->finished = true;
  m->out.flush();
}

std::string encrypt(std::string_view plaintext, std::string_view password, std::string_view label,
                    const Params& params) {
  std::ostringstream out;
  Writer writer(out, password, label, params);
  writer.write(plaintext);
  writer.finish();
  return std::move(out).str();
}

std::optional<SecretString> decrypt(std::string_view text, std::string_view password) {
  std::istringstream in{std::string(text)};
  Reader reader(in);
  if (!reader.unlock(password)) return std::nullopt;
  SecretString out;
  while (reader.next(out)) {
  }
  return out;
}

}  // namespace mctl::vault::native
