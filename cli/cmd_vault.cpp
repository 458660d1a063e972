// mctl vault: create, encrypt, decrypt, view, edit, rekey, encrypt-string, decrypt-string.
// Wiring only: options, passwords, then vault/operations.hpp.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/terminal.hpp"
#include "vault/edit.hpp"
#include "vault/files.hpp"
#include "vault/operations.hpp"
#include "vault/passwords.hpp"
#include "vault/plaintext_io.hpp"

namespace mctl::cli {
namespace {

struct VaultFlags {
  std::vector<std::string> files;
  vault::PasswordRequest passwords;
  std::optional<std::string> encrypt_vault_id;
  std::optional<std::string> format;
  std::optional<std::string> output;
  std::vector<std::string> new_password_files;
  std::optional<std::string> new_vault_id;
  std::optional<std::string> name;
  std::optional<std::string> stdin_name;
  std::optional<std::string> value;
  std::vector<std::string> plain_keys;
  std::uint32_t argon2_ops = 0;
  std::uint32_t argon2_mem_mib = 0;
};

// Where the FILE of "label@FILE" (or of a bare FILE) starts; npos for label@prompt.
std::size_t vault_id_file_start(const std::string& vault_id) {
  const auto at = vault_id.find('@');
  const std::size_t start = at == std::string::npos ? 0 : at + 1;
  return vault_id.compare(start, std::string::npos, "prompt") == 0 || start == vault_id.size() ? std::string::npos
                                                                                              : start;
}

void add_password_options(CLI::App* sub, VaultFlags& f) {
  sub->add_option("--vault-password-file,--vault-pass-file", f.passwords.password_files,
                  "File holding the vault password; an executable file is run (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--vault-id", f.passwords.vault_ids, "label@FILE or label@prompt (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--ask-vault-password,--ask-vault-pass,-J", f.passwords.ask, "Prompt for the vault password");
}

void add_writer_options(CLI::App* sub, VaultFlags& f) {
  sub->add_option("--encrypt-vault-id", f.encrypt_vault_id, "Vault id (label) whose password encrypts");
  sub->add_option("--format", f.format, "Format of new ciphertext (default: vault.format)")
      ->check(CLI::IsMember({"ansible", "mctl"}));
  sub->add_option("--argon2-ops", f.argon2_ops, "Argon2id passes for mctl format (min 2)");
  sub->add_option("--argon2-memory", f.argon2_mem_mib, "Argon2id memory in MiB for mctl format (min 64)");
}

vault::Settings settings(Context& ctx, const VaultFlags& f, bool confirm) {
  auto& config = ctx.config();
  vault::Settings s;
  s.passwords = vault::collect_passwords(f.passwords, config.settings().vault, true, core::prompt_hidden, confirm);
  s.encrypt_label = f.encrypt_vault_id;
  s.format_given = f.format.has_value();
  const auto& format = *config.settings().vault.format;
  s.format = vault::parse_format(f.format.value_or(format.empty() ? "mctl" : format));
  if (f.argon2_ops) s.params.ops = f.argon2_ops;
  if (f.argon2_mem_mib) s.params.mem_kib = f.argon2_mem_mib * 1024;
  if (s.format == vault::Format::mctl) vault::native::check_params_for_writing(s.params);
  s.editor = ctx.environ("VISUAL").value_or(ctx.environ("EDITOR").value_or("vi"));
  s.workspace_dirs = vault::workspace_candidates(ctx.environ("XDG_RUNTIME_DIR"), std::filesystem::temp_directory_path());
  s.plain_keys = f.plain_keys;
  return s;
}

void status(Context& ctx, const std::string& line) {
  if (!ctx.globals.quiet) ctx.print_err(line);
}

vault::VaultPassword new_password(Context& ctx, const VaultFlags& f, const vault::Settings& s) {
  vault::PasswordRequest request;
  request.password_files = f.new_password_files;
  if (f.new_vault_id) {
    std::string id = *f.new_vault_id;
    if (const auto at = vault_id_file_start(id); at != std::string::npos) id = id.substr(0, at) + ctx.path(id.substr(at)).string();
    request.vault_ids = {id};
  }
  return vault::rekey_password(std::move(request), ctx.config().settings().vault, core::prompt_hidden, s.passwords);
}

// The JSON result of a command that shows plaintext, built in a wiped buffer.
void print_plaintexts(Context& ctx, const std::string& action,
                      const std::vector<std::pair<std::string, vault::SecretString>>& items) {
  ctx.print_json_text(vault::plaintext_document(action, items).view());
}

nlohmann::json file_list(const std::vector<std::string>& files) { return nlohmann::json(files); }

}  // namespace

void add_vault_command(CLI::App& app, Context& ctx) {
  auto* vault_cmd = app.add_subcommand("vault", "Encrypt, decrypt, view and edit secrets (Ansible Vault compatible)");
  vault_cmd->require_subcommand(1);
  auto f = std::make_shared<VaultFlags>();

  auto* create = vault_cmd->add_subcommand("create", "Create a new vault file in $EDITOR");
  create->add_option("file", f->files, "File to create")->required()->expected(1);
  auto* encrypt = vault_cmd->add_subcommand("encrypt", "Encrypt files in place (- or none: stdin to stdout)");
  encrypt->add_option("files", f->files, "Files to encrypt");
  auto* decrypt = vault_cmd->add_subcommand("decrypt", "Decrypt files in place or to --output");
  decrypt->add_option("files", f->files, "Files to decrypt");
  decrypt->add_option("--output", f->output, "Write the plaintext here (- for stdout)");
  auto* view = vault_cmd->add_subcommand("view", "Print decrypted files");
  view->add_option("files", f->files, "Files to view")->required();
  auto* edit = vault_cmd->add_subcommand("edit", "Edit a vault file (or its !vault values) in $EDITOR");
  edit->add_option("file", f->files, "File to edit")->required()->expected(1);
  edit->add_option("--plain", f->plain_keys,
                   "In a YAML file with !vault values, keep the new value of KEY (dotted path, e.g. db.host; "
                   "covers everything below it) in plaintext (repeatable)")
      ->allow_extra_args(false);
  edit->footer(
      "YAML files with inline !vault values: values shown as `key: !vault \"text\"` are re-encrypted when they\n"
      "change. A value added under a key that held no plain value before is encrypted too (it is saved as a\n"
      "!vault value, so it becomes a string), unless --plain KEY names it. Values that were plain stay plain.");
  auto* rekey = vault_cmd->add_subcommand("rekey", "Re-encrypt files with a new password");
  rekey->add_option("files", f->files, "Files to rekey")->required();
  rekey->add_option("--new-vault-password-file", f->new_password_files, "File or script with the new password")
      ->allow_extra_args(false);
  rekey->add_option("--new-vault-id", f->new_vault_id, "New label@FILE or label@prompt");
  auto* enc_str = vault_cmd->add_subcommand("encrypt-string", "Encrypt one value as a YAML !vault block");
  enc_str->alias("encrypt_string");
  enc_str->add_option("value", f->value, "Value (visible in ps; prefer stdin)");
  enc_str->add_option("--name,-n", f->name, "YAML key to print before the value");
  enc_str->add_option("--stdin-name", f->stdin_name, "Read the value from stdin and use this key");
  auto* dec_str = vault_cmd->add_subcommand("decrypt-string", "Decrypt a !vault block or vault text from stdin");

  for (auto* sub : {create, encrypt, decrypt, view, edit, rekey, enc_str, dec_str}) add_password_options(sub, *f);
  for (auto* paths : {&f->files, &f->passwords.password_files, &f->new_password_files}) ctx.path_option(*paths);
  ctx.path_option(f->output);
  ctx.path_option(f->passwords.vault_ids, vault_id_file_start);
  for (auto* sub : {create, encrypt, edit, rekey, enc_str}) add_writer_options(sub, *f);

  create->callback(command(ctx, [&ctx, f] {
    const auto s = settings(ctx, *f, true);
    const bool created = vault::create_file(f->files[0], s);
    if (created) status(ctx, fmt::format("created {}", f->files[0]));
    else status(ctx, fmt::format("{}: empty, not created", f->files[0]));
    if (ctx.json()) ctx.print_json({{"action", "create"}, {"file", f->files[0]}, {"created", created}});
  }));
  encrypt->callback(command(ctx, [&ctx, f] {
    const bool piped = f->files.empty() || f->files[0] == "-";
    if (ctx.json()) {
      std::ostringstream ciphertext;  // not secret
      vault::encrypt_files(f->files, settings(ctx, *f, true), ctx.in(), ciphertext);
      nlohmann::json out = {{"action", "encrypt"}, {"files", piped ? nlohmann::json::array() : file_list(f->files)}};
      if (piped) out["ciphertext"] = ciphertext.str();
      ctx.print_json(out);
      return;
    }
    SinkStream out(ctx.out());
    vault::encrypt_files(f->files, settings(ctx, *f, true), ctx.in(), out);
    if (!piped) status(ctx, "Encryption successful");
  }));
  decrypt->callback(command(ctx, [&ctx, f] {
    const bool piped = f->files.empty() || f->files[0] == "-";
    if (ctx.json() && (piped || f->output.value_or("") == "-")) {
      const auto s = settings(ctx, *f, false);
      auto plain = vault::capture([&](std::ostream& out) { vault::decrypt_files(f->files, s, f->output, ctx.in(), out); });
      std::vector<std::pair<std::string, vault::SecretString>> items;
      items.emplace_back(piped ? "-" : fmt::format("{}", fmt::join(f->files, ",")), std::move(plain));
      print_plaintexts(ctx, "decrypt", items);
      return;
    }
    SinkStream out(ctx.out());
    vault::decrypt_files(f->files, settings(ctx, *f, false), f->output, ctx.in(), out);
    if (ctx.json()) {
      ctx.print_json({{"action", "decrypt"}, {"files", file_list(f->files)},
                      {"output", f->output ? nlohmann::json(*f->output) : nlohmann::json()}});
    }
    if (!f->files.empty() && f->files[0] != "-" && f->output.value_or("") != "-") status(ctx, "Decryption successful");
  }));
  view->callback(command(ctx, [&ctx, f] {
    const auto s = settings(ctx, *f, false);
    if (!ctx.json()) {
      SinkStream out(ctx.out());
      return vault::view_files(f->files, s, out);
    }
    std::vector<std::pair<std::string, vault::SecretString>> items;
    for (const auto& file : f->files) {
      items.emplace_back(file, vault::capture([&](std::ostream& out) { vault::view_files({file}, s, out); }));
    }
    print_plaintexts(ctx, "view", items);
  }));
  edit->callback(command(ctx, [&ctx, f] {
    const bool changed = vault::edit_file(f->files[0], settings(ctx, *f, false));
    if (!changed) status(ctx, fmt::format("{}: unchanged", f->files[0]));
    if (ctx.json()) ctx.print_json({{"action", "edit"}, {"file", f->files[0]}, {"changed", changed}});
  }));
  rekey->callback(command(ctx, [&ctx, f] {
    const auto s = settings(ctx, *f, false);
    vault::rekey_files(f->files, s, new_password(ctx, *f, s));
    status(ctx, "Rekey successful");
    if (ctx.json()) ctx.print_json({{"action", "rekey"}, {"files", file_list(f->files)}});
  }));
  enc_str->callback(command(ctx, [&ctx, f] {
    auto flags = *f;
    if (!flags.format) flags.format = "ansible";  // !vault values are for Ansible-readable YAML
    const auto s = settings(ctx, flags, false);
    vault::SecretString value;  // wiped on every path, including the errors encrypt_string throws
    if (f->value) {
      if (f->stdin_name) throw Error("encrypt-string: give a value or --stdin-name, not both", Exit::usage);
      status(ctx, "warning: a value on the command line is visible to other users (ps); prefer stdin");
      value = vault::SecretString(*f->value);
    } else {
      if (ctx.stdin_is_tty()) status(ctx, "Reading plaintext from stdin (Ctrl-D to end)");
      value = vault::read_secret(ctx.in());
    }
    const std::string name = f->stdin_name.value_or(f->name.value_or(""));
    const std::string yaml = vault::encrypt_string(value.view(), name, s);
    if (!ctx.json()) return ctx.print(yaml);
    ctx.print_json({{"action", "encrypt-string"}, {"name", name.empty() ? nlohmann::json() : nlohmann::json(name)},
                    {"yaml", yaml}});
  }));
  dec_str->callback(command(ctx, [&ctx, f] {
    const auto text = vault::read_secret(ctx.in());  // ciphertext, but read one way
    auto plain = vault::decrypt_string(text.view(), settings(ctx, *f, false));
    if (ctx.json()) {
      std::vector<std::pair<std::string, vault::SecretString>> items;
      items.emplace_back("-", std::move(plain));
      return print_plaintexts(ctx, "decrypt-string", items);
    }
    ctx.out().write(plain.view());
  }));
}

}  // namespace mctl::cli
