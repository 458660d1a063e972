#pragma once
// Internals shared by the native format's reader (native_reader.cpp), writer (native_writer.cpp)
// and native.cpp: layout constants and the header/key helpers. Not an interface for other modules.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "vault/native.hpp"
#include "vault/secure.hpp"

namespace mctl::vault::native::detail {

using Stream = crypto_secretstream_xchacha20poly1305_state;
inline constexpr std::size_t k_abytes = crypto_secretstream_xchacha20poly1305_ABYTES;
inline constexpr std::size_t k_binary_header = 60;
inline constexpr std::size_t k_line_bytes = 57;  // 76 base64 characters per line
inline constexpr unsigned char k_magic[4] = {'M', 'C', 'T', 'V'};
inline constexpr std::uint32_t k_max_ops = 1000;
inline constexpr std::uint32_t k_max_mem_kib = 4u * 1024 * 1024;  // 4 GiB
inline constexpr std::uint32_t k_max_chunk = 16u * 1024 * 1024;
inline constexpr std::size_t k_max_header_line = 512;

static_assert(k_binary_header == 4 + 1 + 1 + 2 + 4 + 4 + k_salt_bytes + 4 + k_stream_header_bytes);
static_assert(k_stream_header_bytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(k_salt_bytes == crypto_pwhash_SALTBYTES);

// Base64 (RFC 4648, "+/", "=" padding) by table. The armor carries ciphertext only, which is
// public, so a table lookup is fine here (libsodium's constant-time codec is 3-4x slower).
inline constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Text is read and written in blocks growing from k_first_block to k_io_block: few system
// calls for big files, little memory for small values.
inline constexpr std::size_t k_first_block = 1 << 14;
inline constexpr std::size_t k_io_block = 1 << 20;

Error malformed(const std::string& why);
void put_u32(unsigned char* p, std::uint32_t v);
std::uint32_t get_u32(const unsigned char* p);
// The armor's first line: "$MCTL_VAULT;1;ARGON2ID-XCHACHA20POLY1305;<label>".
std::string header_line(std::string_view label);
// Argon2id with the header's parameters; logs its time at -vv.
void derive_key(Key<k_key_bytes>& key, std::string_view password, const Header& h);

}  // namespace mctl::vault::native::detail
