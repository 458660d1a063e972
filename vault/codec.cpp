#include "vault/codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define MCTL_CODEC_X86 1
#endif

namespace mctl::vault::codec {
namespace {

constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::uint8_t, 256> k_b64_value = [] {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (unsigned i = 0; i < 64; ++i) t[static_cast<unsigned char>(k_b64[i])] = static_cast<std::uint8_t>(i);
  return t;
}();

void base64_encode_scalar(const unsigned char* in, std::size_t n, char* out) {
  for (; n >= 3; n -= 3, in += 3, out += 4) {
    const std::uint32_t v = static_cast<std::uint32_t>(in[0]) << 16 | static_cast<std::uint32_t>(in[1]) << 8 | in[2];
    out[0] = k_b64[v >> 18];
    out[1] = k_b64[v >> 12 & 63];
    out[2] = k_b64[v >> 6 & 63];
    out[3] = k_b64[v & 63];
  }
}

std::size_t base64_decode_scalar(const char* in, std::size_t n, unsigned char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  std::size_t done = 0;
  for (; n - done >= 4; done += 4, p += 4, out += 3) {
    const std::uint32_t a = k_b64_value[p[0]], b = k_b64_value[p[1]], c = k_b64_value[p[2]], d = k_b64_value[p[3]];
    if (((a | b | c | d) & 0xC0) != 0) break;
    const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
    out[0] = static_cast<unsigned char>(v >> 16);
    out[1] = static_cast<unsigned char>(v >> 8);
    out[2] = static_cast<unsigned char>(v);
  }
  return done;
}

std::size_t hex_decode_scalar(const char* in, std::size_t n, char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  std::size_t done = 0;
  for (; n - done >= 2; done += 2, p += 2) {
    const int hi = hex_value(p[0]), lo = hex_value(p[1]);
    if ((hi | lo) < 0) break;
    *out++ = static_cast<char>(hi << 4 | lo);
  }
  return done;
}

#if MCTL_CODEC_X86
// The SIMD versions follow Wojciech Muła's published base64 algorithms (pshufb lookups,
// multiply-shift packing); each loop handles whole 16-character blocks and leaves the rest,
// or a block with anything unexpected, to the scalar code.

// 12 bytes (of the 16 read at `in`) -> 16 characters.
__attribute__((target("ssse3"))) inline void base64_encode_step(const unsigned char* in, char* out) {
  const __m128i shuffle = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m128i shift = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
    v = _mm_shuffle_epi8(v, shuffle);
    const __m128i t0 = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)), _mm_set1_epi32(0x04000040));
    const __m128i t1 = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)), _mm_set1_epi32(0x01000010));
    const __m128i sextets = _mm_or_si128(t0, t1);
    // 0..25 -> 13, 26..51 -> 0, 52..61 -> 1..10, 62 -> 11, 63 -> 12: an index into `shift`.
    __m128i index = _mm_subs_epu8(sextets, _mm_set1_epi8(51));
    index = _mm_or_si128(index, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), sextets), _mm_set1_epi8(13)));
    const __m128i chars = _mm_add_epi8(sextets, _mm_shuffle_epi8(shift, index));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), chars);
  }
}

// Whole steps while 16 bytes can be read, then steps over copies of the last bytes (so as
// not to read past the end), the final one overlapping the previous output with the same
// characters. Needs n >= 12, n a multiple of 3.
__attribute__((target("ssse3"))) void base64_encode_ssse3(const unsigned char* in, std::size_t n, char* out) {
  std::size_t done = 0;
  for (; n - done >= 16; done += 12) base64_encode_step(in + done, out + done / 3 * 4);
  while (done < n) {
    const std::size_t start = std::min(done, n - 12);
    unsigned char last[16] = {};
    std::memcpy(last, in + start, 12);
    base64_encode_step(last, out + start / 3 * 4);
    done = start + 12;
  }
}

// 57 bytes -> 76 characters: four steps and a fifth over the last 12 bytes (overlapping, same
// characters); that one reads 4 bytes past the line, so the last line goes through a copy.
__attribute__((target("ssse3"))) void base64_encode_lines_ssse3(const unsigned char* in, std::size_t lines,
                                                                 char* out) {
  for (std::size_t i = 0; i < lines; ++i, in += 57, out += 77) {
    base64_encode_step(in, out);
    base64_encode_step(in + 12, out + 16);
    base64_encode_step(in + 24, out + 32);
    base64_encode_step(in + 36, out + 48);
    if (i + 1 < lines) {
      base64_encode_step(in + 45, out + 60);
    } else {
      unsigned char last[16] = {};
      std::memcpy(last, in + 45, 12);
      base64_encode_step(last, out + 60);
    }
    out[76] = '\n';
  }
}

// 16 characters -> 12 bytes (16 written); false when one is not in the alphabet.
__attribute__((target("ssse3"))) inline bool base64_decode_step(const char* in, unsigned char* out) {
  const __m128i lower = _mm_setr_epi8(1, 1, 0x2b, 0x30, 0x41, 0x50, 0x61, 0x70, 1, 1, 1, 1, 1, 1, 1, 1);
  const __m128i upper = _mm_setr_epi8(0, 0, 0x2b, 0x39, 0x4f, 0x5a, 0x6f, 0x7a, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m128i shift = _mm_setr_epi8(0, 0, 0x3e - 0x2b, 0x34 - 0x30, 0x00 - 0x41, 0x0f - 0x50, 0x1a - 0x61,
                                      0x29 - 0x70, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m128i pack = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
    const __m128i hi = _mm_and_si128(_mm_srli_epi32(v, 4), _mm_set1_epi8(0x0f));
    const __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x2f));
    const __m128i outside = _mm_andnot_si128(slash, _mm_or_si128(_mm_cmplt_epi8(v, _mm_shuffle_epi8(lower, hi)),
                                                                 _mm_cmpgt_epi8(v, _mm_shuffle_epi8(upper, hi))));
    if (_mm_movemask_epi8(outside) != 0) return false;
    __m128i sextets = _mm_add_epi8(v, _mm_shuffle_epi8(shift, hi));
    sextets = _mm_add_epi8(sextets, _mm_and_si128(slash, _mm_set1_epi8(-3)));
    const __m128i pairs = _mm_maddubs_epi16(sextets, _mm_set1_epi32(0x01400140));
    const __m128i triples = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(triples, pack));
  }
  return true;
}

// Whole 16-character steps, then one last step over the final 16 characters when the rest
// is whole groups (overlapping output, same bytes). `out` needs 4 bytes of slack.
__attribute__((target("ssse3"))) std::size_t base64_decode_ssse3(const char* in, std::size_t n, unsigned char* out) {
  std::size_t done = 0;
  for (; n - done >= 16; done += 16) {
    if (!base64_decode_step(in + done, out + done / 4 * 3)) return done;
  }
  if (done < n && n >= 16 && n % 4 == 0 && base64_decode_step(in + n - 16, out + (n - 16) / 4 * 3)) return n;
  return done;
}

// 76 characters = four steps and a fifth over the last 16 (overlapping, same bytes).
__attribute__((target("ssse3"))) std::size_t base64_decode_lines_ssse3(const char* in, std::size_t n,
                                                                        unsigned char* out, std::size_t room) {
  std::size_t done = 0;
  for (; n - done >= 77 && room >= 61; done += 77, out += 57, room -= 57) {
    const char* line = in + done;
    if (line[76] != '\n' || !base64_decode_step(line, out) || !base64_decode_step(line + 16, out + 12) ||
        !base64_decode_step(line + 32, out + 24) || !base64_decode_step(line + 48, out + 36) ||
        !base64_decode_step(line + 60, out + 45)) {
      break;
    }
  }
  return done;
}

// SSE2 is part of x86-64: 32 hex digits -> 16 bytes per step; an even-length run of 32 or
// more digits is decoded entirely with SIMD.
std::size_t hex_decode_sse2(const char* in, std::size_t n, char* out) {
  std::size_t done = 0;
  const auto values = [](__m128i c, int& valid) {
    const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
    const __m128i l = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i is_d = _mm_and_si128(_mm_cmpgt_epi8(d, _mm_set1_epi8(-1)), _mm_cmplt_epi8(d, _mm_set1_epi8(10)));
    const __m128i is_l = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8(-1)), _mm_cmplt_epi8(l, _mm_set1_epi8(6)));
    valid &= _mm_movemask_epi8(_mm_or_si128(is_d, is_l));
    const __m128i v = _mm_or_si128(_mm_and_si128(is_d, d), _mm_and_si128(is_l, _mm_add_epi8(l, _mm_set1_epi8(10))));
    // Little-endian 16-bit lanes: low byte the high nibble, high byte the low nibble.
    return _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00FF)), 4), _mm_srli_epi16(v, 8));
  };
  const auto step = [&values](const char* from, char* to) {
    int valid = 0xFFFF;
    const __m128i a = values(_mm_loadu_si128(reinterpret_cast<const __m128i*>(from)), valid);
    const __m128i b = values(_mm_loadu_si128(reinterpret_cast<const __m128i*>(from + 16)), valid);
    if (valid != 0xFFFF) return false;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm_packus_epi16(a, b));
    return true;
  };
  for (; n - done >= 32; done += 32) {
    if (!step(in + done, out + done / 2)) return done;
  }
  // The rest as one last step over the final 32 digits (same bytes where they overlap).
  if (done < n && n >= 32 && n % 2 == 0 && step(in + n - 32, out + (n - 32) / 2)) return n;
  return done;
}

bool have_ssse3() {
  static const bool yes = __builtin_cpu_supports("ssse3");
  return yes;
}

bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

// The same digit test and packing as hex_decode_sse2, 32 characters per register.
__attribute__((target("avx2"))) inline __m256i hex_pairs_avx2(__m256i c, std::uint32_t& valid) {
  const __m256i d = _mm256_sub_epi8(c, _mm256_set1_epi8('0'));
  const __m256i l = _mm256_sub_epi8(_mm256_or_si256(c, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
  const __m256i is_d =
      _mm256_and_si256(_mm256_cmpgt_epi8(d, _mm256_set1_epi8(-1)), _mm256_cmpgt_epi8(_mm256_set1_epi8(10), d));
  const __m256i is_l =
      _mm256_and_si256(_mm256_cmpgt_epi8(l, _mm256_set1_epi8(-1)), _mm256_cmpgt_epi8(_mm256_set1_epi8(6), l));
  valid &= static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(is_d, is_l)));
  const __m256i v = _mm256_or_si256(_mm256_and_si256(is_d, d),
                                    _mm256_and_si256(is_l, _mm256_add_epi8(l, _mm256_set1_epi8(10))));
  return _mm256_or_si256(_mm256_slli_epi16(_mm256_and_si256(v, _mm256_set1_epi16(0x00FF)), 4),
                         _mm256_srli_epi16(v, 8));
}

// 64 hex digits -> 32 bytes; false (and `to` unspecified) when any of them is not a digit.
__attribute__((target("avx2"))) inline bool hex_step64_avx2(const char* from, char* to) {
  std::uint32_t valid = 0xFFFFFFFFu;
  const __m256i a = hex_pairs_avx2(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from)), valid);
  const __m256i b = hex_pairs_avx2(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + 32)), valid);
  if (valid != 0xFFFFFFFFu) return false;
  // packus works within 128-bit lanes: a.lo b.lo a.hi b.hi -> a.lo a.hi b.lo b.hi.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), packed);
  return true;
}

// 32 hex digits -> 16 bytes, in AVX2 code (calling the SSE2 version from here would mix
// VEX and legacy SSE encodings, which costs far more than the work).
__attribute__((target("avx2"))) inline bool hex_step32_avx2(const char* from, char* to) {
  std::uint32_t valid = 0xFFFFFFFFu;
  const __m256i a = hex_pairs_avx2(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from)), valid);
  if (valid != 0xFFFFFFFFu) return false;
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(a, a), 0xD8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm256_castsi256_si128(packed));
  return true;
}

__attribute__((target("avx2"))) std::size_t hex_decode_avx2(const char* in, std::size_t n, char* out) {
  std::size_t done = 0;
  for (; n - done >= 64; done += 64) {
    if (!hex_step64_avx2(in + done, out + done / 2)) break;
  }
  return done;
}

__attribute__((target("avx2"))) std::size_t hex_decode_lines_avx2(const char* in, std::size_t n, char* out,
                                                                  std::size_t room) {
  std::size_t done = 0;
  for (; n - done >= 81 && room >= 40; done += 81, out += 40, room -= 40) {
    const char* line = in + done;
    // The last 16 digits as a 32-digit step over digits 48..79, overlapping bytes 24..31.
    if (line[80] != '\n' || !hex_step64_avx2(line, out) || !hex_step32_avx2(line + 48, out + 24)) break;
  }
  return done;
}
#endif

// The portable walk over whole lines: `Width` characters and '\n' each, decoded by
// `decode(line, out)` into `Bytes` bytes while `room` holds them plus `Slack`. Stops at the
// first line that is not whole or clean; returns the characters consumed.
template <std::size_t Width, std::size_t Bytes, std::size_t Slack, typename Out, typename Decode>
std::size_t whole_lines(const char* in, std::size_t n, Out* out, std::size_t room, Decode decode) {
  std::size_t done = 0;
  for (; n - done > Width && room >= Bytes + Slack; done += Width + 1, out += Bytes, room -= Bytes) {
    if (in[done + Width] != '\n' || !decode(in + done, out)) break;
  }
  return done;
}

}  // namespace

void base64_encode(const unsigned char* in, std::size_t n, char* out) {
#if MCTL_CODEC_X86
  if (n >= 12 && have_ssse3()) {
    base64_encode_ssse3(in, n, out);
    return;
  }
#endif
  base64_encode_scalar(in, n, out);
}

void base64_encode_lines(const unsigned char* in, std::size_t lines, char* out) {
#if MCTL_CODEC_X86
  if (have_ssse3()) {
    base64_encode_lines_ssse3(in, lines, out);
    return;
  }
#endif
  for (std::size_t i = 0; i < lines; ++i, in += 57, out += 77) {
    base64_encode_scalar(in, 57, out);
    out[76] = '\n';
  }
}

std::size_t base64_decode(const char* in, std::size_t n, unsigned char* out) {
  std::size_t done = 0;
#if MCTL_CODEC_X86
  if (have_ssse3()) done = base64_decode_ssse3(in, n, out);
#endif
  return done + base64_decode_scalar(in + done, n - done, out + done / 4 * 3);
}

std::size_t base64_decode_lines(const char* in, std::size_t n, unsigned char* out, std::size_t room) {
#if MCTL_CODEC_X86
  if (have_ssse3()) return base64_decode_lines_ssse3(in, n, out, room);
#endif
  return whole_lines<76, 57, 4>(in, n, out, room, [](const char* line, unsigned char* to) {
    return base64_decode_scalar(line, 76, to) == 76;
  });
}

std::size_t hex_decode(const char* in, std::size_t n, char* out) {
  std::size_t done = 0;
#if MCTL_CODEC_X86
  if (have_avx2()) done = hex_decode_avx2(in, n, out);
  done += hex_decode_sse2(in + done, n - done, out + done / 2);
#endif
  return done == n ? n : done + hex_decode_scalar(in + done, n - done, out + done / 2);
}

std::size_t hex_decode_lines(const char* in, std::size_t n, char* out, std::size_t room) {
#if MCTL_CODEC_X86
  if (have_avx2()) return hex_decode_lines_avx2(in, n, out, room);
#endif
  return whole_lines<80, 40, 0>(in, n, out, room,
                                [](const char* line, char* to) { return hex_decode(line, 80, to) == 80; });
}

}  // namespace mctl::vault::codec
