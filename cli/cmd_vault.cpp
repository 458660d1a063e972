#include "cli/commands.hpp"

namespace mctl::cli {
void add_vault_command(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "vault", "Encrypt, decrypt, view and edit secrets (Ansible Vault compatible)", "#3");
}
}  // namespace mctl::cli
