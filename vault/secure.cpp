#include "vault/secure.hpp"

#include <sodium.h>

#include <cstdlib>
#include <new>

#include "core/error.hpp"

namespace mctl::vault {

void init_sodium() {
  static const int result = sodium_init();
  if (result < 0) throw Error("cannot initialise libsodium");
}

namespace detail {

// Locking is best effort: RLIMIT_MEMLOCK is often small, and a failed mlock is not an error.
void* secure_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  if (bytes > 0 && bytes <= (1u << 20)) sodium_mlock(p, bytes);
  return p;
}

void secure_deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes > 0 && bytes <= (1u << 20)) {
    sodium_munlock(p, bytes);  // also wipes
  } else {
    sodium_memzero(p, bytes);
  }
  std::free(p);
}

void wipe_bytes(void* p, std::size_t bytes) noexcept {
  if (bytes > 0) sodium_memzero(p, bytes);
}

bool equal_bytes(const void* a, const void* b, std::size_t bytes) noexcept {
  return bytes == 0 || sodium_memcmp(a, b, bytes) == 0;
}

}  // namespace detail

SecretString adopt_secret(std::string& s) {
  const WipeGuard guard(s);
  return SecretString(std::string_view(s));
}

void wipe(std::string& s) noexcept {
  if (s.capacity() > 0) sodium_memzero(s.data(), s.capacity());
  s.clear();
}

}  // namespace mctl::vault
