#pragma once
// The ansible-vault vectors in tests/fixtures/vault/ansible-vault/ and their password.
#include <string>
#include <vector>

#include "core/fs.hpp"
#include "vault/secrets.hpp"

namespace test_vectors {
inline const std::string k_dir = std::string(MCTL_FIXTURES) + "/vault/ansible-vault/";
inline std::vector<mctl::vault::VaultPassword> passwords() {
  return {mctl::vault::VaultPassword("default", mctl::core::read_file(k_dir + "password.txt"), "file password.txt")};
}
}  // namespace test_vectors
