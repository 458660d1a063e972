#pragma once
// Buffers for key material and plaintext: wiped (sodium_memzero) when freed or reallocated,
// and locked in memory (mlock) where the OS allows, so they do not reach swap or core dumps.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mctl::vault {

// Initialises libsodium once (thread-safe, idempotent). Throws Error when it cannot.
void init_sodium();

namespace detail {
void* secure_allocate(std::size_t bytes);
void secure_deallocate(void* p, std::size_t bytes) noexcept;
}  // namespace detail

// A std::allocator replacement that locks its pages and wipes memory before freeing it.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(detail::secure_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { detail::secure_deallocate(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

// Plaintext and passwords. Small strings live inline (SSO); SecretString wipes those too.
class SecretString : public std::basic_string<char, std::char_traits<char>, WipingAllocator<char>> {
 public:
  using Base = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
  using Base::Base;
  SecretString() = default;
  SecretString(std::string_view s) : Base(s.data(), s.size()) {}  // NOLINT(google-explicit-constructor)
  SecretString(const SecretString&) = default;
  SecretString(SecretString&& other) noexcept : Base(std::move(other)) { other.wipe(); }
  SecretString& operator=(const SecretString&) = default;
  SecretString& operator=(SecretString&& other) noexcept {
    Base::operator=(std::move(other));
    other.wipe();
    return *this;
  }
  ~SecretString() { wipe(); }
  std::string_view view() const noexcept { return {data(), size()}; }
  operator std::string_view() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  // Overwrites the current contents (including an inline small-string buffer) with zeros.
  void wipe() noexcept;
};

// Raw key bytes of a fixed size; wiped on destruction, not copyable.
template <std::size_t N>
class Key {
 public:
  Key() : m_bytes(static_cast<unsigned char*>(detail::secure_allocate(N))) {}
  ~Key() { detail::secure_deallocate(m_bytes, N); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  unsigned char* data() noexcept { return m_bytes; }
  const unsigned char* data() const noexcept { return m_bytes; }
  static constexpr std::size_t size() noexcept { return N; }

 private:
  unsigned char* m_bytes;
};

// Wipes a std::string that held a secret (e.g. a password read into a plain string).
void wipe(std::string& s) noexcept;

}  // namespace mctl::vault
