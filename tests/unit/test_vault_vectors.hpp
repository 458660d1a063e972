#pragma once
// The ansible-vault vectors in tests/fixtures/vault/ansible-vault/ and their password, and
// helpers to build password lists (VaultPassword is move-only, so no initializer lists).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fs.hpp"
#include "vault/secrets.hpp"

namespace test_vectors {
inline const std::string k_dir = std::string(MCTL_FIXTURES) + "/vault/ansible-vault/";

inline mctl::vault::VaultPassword password(std::string label, std::string_view secret, std::string source) {
  return {std::move(label), mctl::vault::SecretString(secret), std::move(source)};
}

template <typename... P>
std::vector<mctl::vault::VaultPassword> password_list(P&&... p) {
  std::vector<mctl::vault::VaultPassword> out;
  (out.push_back(std::forward<P>(p)), ...);
  return out;
}

inline std::vector<mctl::vault::VaultPassword> passwords() {
  return password_list(password("default", mctl::core::read_file(k_dir + "password.txt"), "file password.txt"));
}
}  // namespace test_vectors
