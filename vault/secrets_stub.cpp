// Temporary: replaced by the vault module's implementation (issue #3).
#include <sodium.h>

#include "core/error.hpp"
#include "vault/secrets.hpp"

namespace mctl::vault {

VaultPassword::VaultPassword(std::string l, std::string p, std::string s)
    : label(std::move(l)), password(std::move(p)), source(std::move(s)) {}
VaultPassword::~VaultPassword() { sodium_memzero(password.data(), password.size()); }

std::vector<VaultPassword> passwords_from_config(const core::Config&, bool) {
  throw Error("vault passwords are not implemented yet (issue #3)", Exit::usage);
}

nlohmann::json load_secrets(const std::filesystem::path&, const std::vector<VaultPassword>&) {
  throw Error("vault secrets are not implemented yet (issue #3)", Exit::usage);
}

}  // namespace mctl::vault
