// The native format's streaming writer: chunks -> secretstream -> base64 armor lines.
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
      if (take > 0) std::memcpy(pending + pending_n, data, take);
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
    if (n > 0) std::memcpy(pending + pending_n, data, n);  // data may be null when n is 0
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
      m->push(m->plain.view(), crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
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
  m->push(m->plain.view(), crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  m->plain.wipe();
  m->finished = true;
  m->out.flush();
}

}  // namespace mctl::vault::native
