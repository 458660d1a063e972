#include "vault/passwords.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "core/terminal.hpp"
#include "vault/secure.hpp"

namespace mctl::vault {

namespace {

void strip_one_newline(SecretString& s) {
  if (!s.empty() && s.back() == '\n') {
    s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
  }
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

SecretString run_script(const std::string& label, const std::string& path) {
  std::vector<std::string> argv{path.find('/') == std::string::npos ? "./" + path : path};
  const auto stem = std::filesystem::path(path).stem().string();
  if (stem.size() >= 7 && stem.compare(stem.size() - 7, 7, "-client") == 0) {
    argv.insert(argv.end(), {"--vault-id", label});
  }
  core::ProcessOptions options;
  options.capture_stderr = false;  // a script may talk to the user (gpg, pass)
  auto result = core::run_process(argv, options);
  auto password = adopt_secret(result.out);
  if (result.exit_code != 0) {
    throw Error(fmt::format("vault password script {} failed with exit code {}", path, result.exit_code),
                Exit::usage);
  }
  return password;
}

SecretString prompt_secret(const PromptFn& prompt, const std::string& question) {
  std::string answer = prompt(question);
  return adopt_secret(answer);
}

SecretString ask(const std::string& label, const PromptFn& prompt, bool confirm) {
  const std::string question = label == "default" ? "Vault password: " : fmt::format("Vault password ({}): ", label);
  SecretString first = prompt_secret(prompt, question);
  if (confirm) {
    const SecretString second = prompt_secret(
        prompt, label == "default" ? "Confirm vault password: " : fmt::format("Confirm vault password ({}): ", label));
    if (!first.equals(second)) throw Error("vault passwords entered at the prompt do not match", Exit::usage);
  }
  return first;
}

}  // namespace

std::pair<std::string, std::string> split_vault_id(const std::string& vault_id) {
  const auto at = vault_id.find('@');
  if (at == std::string::npos) return {"default", vault_id};
  return {at == 0 ? "default" : vault_id.substr(0, at), vault_id.substr(at + 1)};
}

VaultPassword read_password(const std::string& label, const std::string& source, const PromptFn& prompt,
                            bool confirm) {
  if (label.empty() || label.find_first_of("; \t\r\n") != std::string::npos) {
    throw Error(fmt::format("invalid vault id label '{}' (no spaces or ';')", label), Exit::usage);
  }
  SecretString password;
  std::string description;
  if (source == "prompt") {
    password = ask(label, prompt, confirm);
    description = "prompt";
  } else if (source.empty()) {
    throw Error(fmt::format("vault id '{}' has no password source (use label@FILE or label@prompt)", label),
                Exit::usage);
  } else if (is_executable_file(source)) {
    password = run_script(label, source);
    description = "script " + source;
  } else {
    try {
      std::string text = core::read_file(source);
      password = adopt_secret(text);
    } catch (const Error& e) {
      throw Error(fmt::format("vault password file: {}", e.what()), Exit::usage);
    }
    description = "file " + source;
  }
  strip_one_newline(password);
  if (password.empty()) throw Error(fmt::format("vault password from {} is empty", description), Exit::usage);
  return VaultPassword(label, std::move(password), std::move(description));
}

std::vector<VaultPassword> collect_passwords(const PasswordRequest& request, const core::VaultSettings& settings,
                                             bool allow_prompt, const PromptFn& prompt, bool confirm) {
  std::vector<VaultPassword> out;
  for (const auto& id : request.vault_ids) {
    const auto [label, source] = split_vault_id(id);
    out.push_back(read_password(label, source, prompt, confirm));
  }
  for (const auto& file : request.password_files) out.push_back(read_password("default", file, prompt, confirm));
  if (request.ask) out.push_back(read_password("default", "prompt", prompt, confirm));
  if (!out.empty()) return out;

  for (const auto& id : *settings.ids) {
    auto [label, source] = split_vault_id(id);
    if (source != "prompt" && !settings.ids_base.empty() && std::filesystem::path(source).is_relative()) {
      source = (settings.ids_base / source).string();
    }
    out.push_back(read_password(label, source, prompt, confirm));
  }
  if (const auto& file = *settings.password_file) {
    out.push_back(read_password("default", file->string(), prompt, confirm));
  }
  if (out.empty() && allow_prompt) out.push_back(read_password("default", "prompt", prompt, confirm));
  if (out.empty()) {
    throw Error("no vault password: use --vault-password-file, --vault-id or --ask-vault-password, or set "
                "vault.password_file (MCTL_VAULT_PASSWORD_FILE)",
                Exit::usage);
  }
  return out;
}

std::vector<VaultPassword> passwords_from_config(const core::VaultSettings& settings, bool allow_prompt) {
  return collect_passwords({}, settings, allow_prompt, core::prompt_hidden);
}

std::string describe_passwords(const std::vector<VaultPassword>& passwords) {
  std::string out;
  for (const auto& p : passwords) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", p.label, p.source);
  }
  return out;
}

VaultPassword rekey_password(PasswordRequest request, const core::VaultSettings& settings, const PromptFn& prompt,
                             const std::vector<VaultPassword>& old) {
  if (request.password_files.size() + request.vault_ids.size() > 1) {
    throw Error("rekey takes one new password source", Exit::usage);
  }
  request.ask = request.password_files.empty() && request.vault_ids.empty();
  auto got = collect_passwords(request, settings, true, prompt, true);
  VaultPassword fresh = std::move(got.front());
  for (const auto& previous : old) {
    const bool same_source = previous.source == fresh.source && previous.source != "prompt";
    if (same_source || previous.password.equals(fresh.password)) {
      throw Error(fmt::format("rekey: the new password ({}) is the same as the old one ({}); nothing was changed",
                              fresh.source, previous.source),
                  Exit::usage);
    }
  }
  return fresh;
}

}  // namespace mctl::vault
