#pragma once
// Buffers for key material, passwords and plaintext: wiped (sodium_memzero) when freed or
// reallocated, and locked in memory (mlock) where the OS allows, so they do not reach swap or
// core dumps. What is and is not protected: vault/FORMAT.md, "Secrets in memory".
#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace mctl::vault {

// Initialises libsodium once (thread-safe, idempotent). Throws Error when it cannot.
void init_sodium();

namespace detail {
void* secure_allocate(std::size_t bytes);
void secure_deallocate(void* p, std::size_t bytes) noexcept;
void wipe_bytes(void* p, std::size_t bytes) noexcept;                              // sodium_memzero
bool equal_bytes(const void* a, const void* b, std::size_t bytes) noexcept;       // constant time
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
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

// Passwords and plaintext. Owns its buffer (composition, not a std::string): not copyable
// (copy() makes an explicit one), movable (the moved-from object is empty), no implicit
// conversion to std::string or std::string_view (view() is explicit). Every byte it ever held
// is wiped: the buffer before it is released, on growth and on destruction, whatever path
// (return or exception) ends its life. Contents never live in the object itself: the first
// write allocates at least k_min_capacity bytes, so the small-string buffer is never used.
// `Alloc` is a parameter only so tests can observe the buffer at release (tests/unit).
template <typename Alloc>
class BasicSecretString {
 public:
  using Buffer = std::basic_string<char, std::char_traits<char>, Alloc>;
  static constexpr std::size_t k_min_capacity = 32;

  BasicSecretString() noexcept = default;
  explicit BasicSecretString(std::string_view s) { append(s); }
  BasicSecretString(const BasicSecretString&) = delete;
  BasicSecretString& operator=(const BasicSecretString&) = delete;
  BasicSecretString(BasicSecretString&& other) noexcept { m_buf.swap(other.m_buf); }
  BasicSecretString& operator=(BasicSecretString&& other) noexcept {
    if (this != &other) {
      wipe();
      BasicSecretString released;  // takes our (wiped) buffer and frees it
      released.m_buf.swap(m_buf);
      m_buf.swap(other.m_buf);
    }
    return *this;
  }
  ~BasicSecretString() { wipe(); }

  BasicSecretString copy() const { return BasicSecretString(view()); }

  std::string_view view() const noexcept { return {m_buf.data(), m_buf.size()}; }
  const char* data() const noexcept { return m_buf.data(); }
  char* data() noexcept { return m_buf.data(); }
  std::size_t size() const noexcept { return m_buf.size(); }
  bool empty() const noexcept { return m_buf.empty(); }
  std::size_t capacity() const noexcept { return m_buf.capacity(); }
  char& operator[](std::size_t i) noexcept { return m_buf[i]; }
  const char& operator[](std::size_t i) const noexcept { return m_buf[i]; }
  char back() const noexcept { return m_buf.back(); }

  // Constant-time comparison of equal-length contents (passwords).
  bool equals(const BasicSecretString& other) const noexcept {
    return size() == other.size() && detail::equal_bytes(data(), other.data(), size());
  }

  void reserve(std::size_t n) {
    if (n > m_buf.capacity() || (n > 0 && uses_inline_buffer())) grow(n);
  }
  void append(std::string_view s) {
    reserve(size() + s.size());
    m_buf.append(s.data(), s.size());
  }
  void append(const char* p, std::size_t n) { append(std::string_view(p, n)); }
  void push_back(char c) { append(std::string_view(&c, 1)); }
  void resize(std::size_t n) {
    reserve(n);
    if (n < size()) detail::wipe_bytes(m_buf.data() + n, size() - n);
    m_buf.resize(n);
  }
  void pop_back() noexcept { resize_down(size() - 1); }
  // Drops the first `n` bytes (wiping what moved out of the end of the contents).
  void erase_front(std::size_t n) noexcept {
    n = std::min(n, size());
    std::char_traits<char>::move(m_buf.data(), m_buf.data() + n, size() - n);
    resize_down(size() - n);
  }
  // Overwrites the whole buffer (its capacity and the terminator, not only its size) with
  // zeros and empties it.
  void wipe() noexcept {
    detail::wipe_bytes(m_buf.data(), m_buf.capacity() + 1);
    m_buf.clear();
  }
  // Empties the string, wiping its bytes, and keeps the buffer for reuse.
  void clear() noexcept { resize_down(0); }

 private:
  bool uses_inline_buffer() const noexcept {
    const auto* object = reinterpret_cast<const char*>(&m_buf);
    const std::less<const char*> before;
    return !before(m_buf.data(), object) && before(m_buf.data(), object + sizeof(m_buf));
  }
  void resize_down(std::size_t n) noexcept {
    detail::wipe_bytes(m_buf.data() + n, size() - n);
    m_buf.resize(n);  // shrinking never reallocates
  }
  // Moves the contents to a bigger buffer, wiping the old one before it is released.
  void grow(std::size_t n) {
    Buffer next;
    next.reserve(std::max({n, 2 * m_buf.capacity(), k_min_capacity}));
    next.append(m_buf.data(), m_buf.size());
    wipe();
    m_buf.swap(next);  // `next` now holds the wiped old buffer and frees it
  }

  Buffer m_buf;
};

using SecretString = BasicSecretString<WipingAllocator<char>>;

// Copies a secret that arrived in a std::string (a file read, a prompt, a script's output)
// into a SecretString and wipes the string, also when the copy throws.
SecretString adopt_secret(std::string& s);

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

// Wipes a std::string that held a secret (prefer adopt_secret or WipeGuard).
void wipe(std::string& s) noexcept;

// Wipes a std::string when the scope ends, however it ends.
class WipeGuard {
 public:
  explicit WipeGuard(std::string& s) noexcept : m_s(s) {}
  ~WipeGuard() { wipe(m_s); }
  WipeGuard(const WipeGuard&) = delete;
  WipeGuard& operator=(const WipeGuard&) = delete;

 private:
  std::string& m_s;
};

}  // namespace mctl::vault
