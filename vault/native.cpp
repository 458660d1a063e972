#include "vault/native.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <cstring>
#include <istream>
#include <ostream>
#include <sstream>
#include <vector>

#include "core/error.hpp"

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
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), h.salt, h.params.ops,
                    static_cast<std::size_t>(h.params.mem_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(fmt::format("mctl vault: Argon2id key derivation failed (out of memory for {} MiB?)",
                            h.params.mem_kib / 1024));
  }
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

struct Reader::State {
  std::istream& in;
  Header header;
  std::string text;        // raw armored text read but not yet decoded
  std::size_t text_pos = 0;
  bool text_eof = false;
  std::vector<unsigned char> bin;  // decoded bytes not yet consumed
  std::size_t bin_pos = 0;
  Stream stream{};
  SecretString first;  // plaintext of the first chunk, kept from unlock() until next()
  bool has_first = false;
  bool first_final = false;
  bool unlocked = false;
  bool done = false;

  explicit State(std::istream& i) : in(i) {}
  ~State() { sodium_memzero(&stream, sizeof stream); }

  void fill_text() {
    if (text_pos > 0 && text_pos * 2 >= text.size()) {
      text.erase(0, text_pos);
      text_pos = 0;
    }
    char buf[1 << 16];
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    text.append(buf, n);
    if (n == 0) text_eof = true;
  }

  // Reads one line of armored text (without "\n" or "\r"); false at the end of input.
  bool read_line(std::string_view& line) {
    while (true) {
      const auto nl = text.find('\n', text_pos);
      if (nl != std::string::npos) {
        line = std::string_view(text).substr(text_pos, nl - text_pos);
        text_pos = nl + 1;
        break;
      }
      if (text_eof) {
        if (text_pos >= text.size()) return false;
        line = std::string_view(text).substr(text_pos);
        text_pos = text.size();
        break;
      }
      fill_text();
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

  std::size_t available() const { return bin.size() - bin_pos; }

  // Decodes lines until `n` bytes are available or the input ends.
  void need(std::size_t n) {
    if (bin_pos > 0 && bin_pos * 2 >= bin.size()) {
      bin.erase(bin.begin(), bin.begin() + static_cast<std::ptrdiff_t>(bin_pos));
      bin_pos = 0;
    }
    std::string_view line;
    while (available() < n && read_line(line)) {
      if (line.empty()) continue;
      const auto old = bin.size();
      bin.resize(old + line.size() / 4 * 3 + 3);
      std::size_t len = 0;
      const char* end = nullptr;
      if (sodium_base642bin(bin.data() + old, bin.size() - old, line.data(), line.size(), nullptr, &len, &end,
                            sodium_base64_VARIANT_ORIGINAL) != 0 ||
          end != line.data() + line.size()) {
        bin.resize(old);
        throw malformed("a line is not base64");
      }
      bin.resize(old + len);
    }
  }

  void parse_header() {
    std::string_view line;
    if (!read_line(line) || line.size() > k_max_header_line) throw malformed("no header line");
    const std::string first_line(line);
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

Reader::Reader(std::istream& in) : m(std::make_unique<State>(in)) {
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
  SecretString plain;          // buffered plaintext, up to one chunk
  std::vector<unsigned char> cipher;
  std::vector<unsigned char> pending;  // encoded-not-yet bytes (< one line)
  std::string armored;
  bool first = true;
  bool finished = false;

  State(std::ostream& o, const Params& p) : out(o), params(p) {}
  ~State() { sodium_memzero(&stream, sizeof stream); }

  // Emits every complete 76-character line; `all`: the rest too (last line, padded).
  void emit(const unsigned char* data, std::size_t n, bool all) {
    pending.insert(pending.end(), data, data + n);
    armored.clear();
    std::size_t pos = 0;
    char line[k_line_bytes / 3 * 4 + 1];
    while (pending.size() - pos >= k_line_bytes || (all && pos < pending.size())) {
      const std::size_t len = std::min(k_line_bytes, pending.size() - pos);
      sodium_bin2base64(line, sizeof line, pending.data() + pos, len, sodium_base64_VARIANT_ORIGINAL);
      armored.append(line);
      armored += '\n';
      pos += len;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pos));
    out.write(armored.data(), static_cast<std::streamsize>(armored.size()));
    if (!out) throw Error("mctl vault: cannot write the encrypted output");
  }

  void push(std::string_view chunk, unsigned char tag) {
    cipher.resize(chunk.size() + k_abytes);
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
    const auto line = header_line(label);
    authenticated = line + "\n" + std::string(reinterpret_cast<const char*>(bin), k_binary_header);
    const auto text = line + "\n";
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

void Writer::write(std::string_view plaintext) {
  const std::size_t chunk = m->params.chunk;
  while (!plaintext.empty()) {
    if (m->plain.size() == chunk) {  // a full chunk with more to come: not the final one
      m->push(m->plain, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      m->plain.wipe();
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
