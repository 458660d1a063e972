#include "vault/secure.hpp"

#include <sodium.h>
#include <sys/mman.h>

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
namespace {

constexpr std::size_t k_lock_limit = 1u << 20;  // up to here: malloc + mlock (best effort)

// Big buffers (a whole decrypted file) get their own mapping: asked for huge pages and filled
// in one call rather than one page fault per 4 KiB (a 5 MB decrypt took ~1,300 faults, a fifth
// of its time on this VM), and left out of core dumps. Whatever the kernel does not support is
// skipped: the pages then arrive on first touch as with malloc.
void* map_big(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
#ifdef MADV_DONTDUMP
  ::madvise(p, bytes, MADV_DONTDUMP);
#endif
#ifdef MADV_POPULATE_WRITE
  ::madvise(p, bytes, MADV_POPULATE_WRITE);
#endif
  return p;
}

}  // namespace

void* secure_allocate(std::size_t bytes) {
  if (bytes > k_lock_limit) return map_big(bytes);
  void* p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  if (bytes > 0) sodium_mlock(p, bytes);
  return p;
}

void secure_deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes > k_lock_limit) {
    sodium_memzero(p, bytes);
    ::munmap(p, bytes);
    return;
  }
  if (bytes > 0) sodium_munlock(p, bytes);  // also wipes
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
