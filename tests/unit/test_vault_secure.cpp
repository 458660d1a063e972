// SecretString: one owning, wiping, move-only buffer for passwords and plaintext.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "vault/secrets.hpp"
#include "vault/secure.hpp"

using namespace mctl::vault;

namespace {

// Records, for every buffer released, whether all its bytes were zero at that moment
// (checked before the memory is freed, so the test reads only memory it owns).
struct Releases {
  std::vector<std::size_t> sizes;
  std::size_t dirty = 0;
};
Releases g_releases;

template <typename T>
struct ProbeAllocator {
  using value_type = T;
  ProbeAllocator() noexcept = default;
  template <typename U>
  ProbeAllocator(const ProbeAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    void* p = std::malloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0x5a, n * sizeof(T));  // a released buffer must not still read 0x5a
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    g_releases.sizes.push_back(n);
    if (std::any_of(bytes, bytes + n * sizeof(T), [](unsigned char c) { return c != 0; })) ++g_releases.dirty;
    std::free(p);
  }
  template <typename U>
  bool operator==(const ProbeAllocator<U>&) const noexcept {
    return true;
  }
};
using Probed = BasicSecretString<ProbeAllocator<char>>;

bool all_zero(const std::string& s) {
  return std::all_of(s.data(), s.data() + s.capacity(), [](char c) { return c == 0; });
}

}  // namespace

TEST_CASE("a secret cannot be copied or converted to a string by accident") {
  static_assert(!std::is_copy_constructible_v<SecretString>);
  static_assert(!std::is_copy_assignable_v<SecretString>);
  static_assert(std::is_nothrow_move_constructible_v<SecretString>);
  static_assert(!std::is_convertible_v<const SecretString&, std::string_view>);
  static_assert(!std::is_convertible_v<const SecretString&, std::string>);
  static_assert(!std::is_convertible_v<std::string_view, SecretString>);
  static_assert(!std::is_copy_constructible_v<VaultPassword>);
  static_assert(std::is_same_v<decltype(VaultPassword::password), SecretString>);
  const SecretString s("pw");
  const auto copy = s.copy();  // the one explicit way
  CHECK(copy.view() == "pw");
  CHECK(s.view() == "pw");
}

TEST_CASE("a moved-from secret is empty, the target holds the bytes") {
  SecretString a("correct horse battery staple");
  SecretString b(std::move(a));
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the state after a move is the contract
  CHECK(b.view() == "correct horse battery staple");
  SecretString c("old");
  c = std::move(b);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(c.view() == "correct horse battery staple");
  VaultPassword p("default", std::move(c), "prompt");
  CHECK(c.empty());  // NOLINT(bugprone-use-after-move)
  const VaultPassword q(std::move(p));
  CHECK(p.password.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(q.password.view() == "correct horse battery staple");
}

TEST_CASE("every buffer a secret held is zero when it is released: destruction, growth, move-assignment") {
  g_releases = {};
  {
    Probed small("pw");  // short: would fit the small-string buffer, must not live there
    const auto* object = reinterpret_cast<const char*>(&small);
    CHECK_FALSE((small.data() >= object && small.data() < object + sizeof(small)));
    Probed big("s3cret");
    for (int i = 0; i < 200; ++i) big.append("more secret text ");  // several reallocations
    big.resize(10);
    big.pop_back();
    Probed target("replaced");
    target = std::move(big);
    CHECK(target.view() == "s3cretmor");
  }
  CHECK(g_releases.sizes.size() >= 5);  // small, big's growth steps, target's first buffer, target
  CHECK(g_releases.dirty == 0);
}

TEST_CASE("clear, pop_back and erase_front keep the bytes that remain and drop the rest") {
  SecretString s("password\n");
  s.pop_back();
  CHECK(s.view() == "password");
  s.erase_front(4);
  CHECK(s.view() == "word");
  CHECK(std::all_of(s.data() + s.size(), s.data() + 8, [](char c) { return c == 0; }));
  s.clear();
  CHECK(s.empty());
  CHECK(std::all_of(s.data(), s.data() + 8, [](char c) { return c == 0; }));
  CHECK(SecretString("abc").equals(SecretString("abc")));
  CHECK_FALSE(SecretString("abc").equals(SecretString("abd")));
  CHECK_FALSE(SecretString("abc").equals(SecretString("abcd")));
}

TEST_CASE("a secret that arrived in a std::string is wiped from it, also when the scope throws") {
  std::string read = "from-a-file-" + std::string(40, 'x');
  const auto secret = adopt_secret(read);
  CHECK(secret.view() == "from-a-file-" + std::string(40, 'x'));
  CHECK(read.empty());
  CHECK(all_zero(read));

  std::string prompt = "typed at the prompt, longer than the small buffer";
  try {
    const WipeGuard guard(prompt);
    throw std::runtime_error("passwords do not match");
  } catch (const std::runtime_error&) {
  }
  CHECK(prompt.empty());
  CHECK(all_zero(prompt));
}
