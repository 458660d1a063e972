#include "vault/envelope.hpp"

#include <fmt/format.h>

#include <sstream>

#include "core/error.hpp"
#include "vault/ansible.hpp"
#include "vault/passwords.hpp"

namespace mctl::vault {

std::optional<Format> detect_format(std::string_view text) {
  if (ansible::looks_like(text)) return Format::ansible;
  if (native::looks_like(text)) return Format::mctl;
  return std::nullopt;
}


Format parse_format(const std::string& name) {
  if (name == "ansible") return Format::ansible;
  if (name == "mctl") return Format::mctl;
  throw Error(fmt::format("unknown vault format '{}' (use ansible or mctl)", name), Exit::usage);
}

std::vector<std::size_t> try_order(const std::vector<VaultPassword>& passwords, const std::string& label) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < passwords.size(); ++i) {
    if (passwords[i].label == label) order.push_back(i);
  }
  for (std::size_t i = 0; i < passwords.size(); ++i) {
    if (passwords[i].label != label) order.push_back(i);
  }
  return order;
}

Error wrong_password(const std::string& name, const std::vector<VaultPassword>& passwords) {
  return Error(fmt::format("{}: wrong password or modified file (tried vault ids: {})", name,
                           describe_passwords(passwords)),
               Exit::auth);
}

Decrypted decrypt_envelope(std::string_view text, const std::vector<VaultPassword>& passwords,
                           const std::string& name) {
  const auto format = detect_format(text);
  if (!format) {
    throw Error(fmt::format("{}: not a vault (no $ANSIBLE_VAULT or $MCTL_VAULT header)", name), Exit::usage);
  }
  if (passwords.empty()) throw Error(fmt::format("{}: no vault password given", name), Exit::usage);
  if (*format == Format::ansible) {
    std::optional<ansible::Envelope> envelope;
    try {
      envelope = ansible::parse(text);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", name, e.what()), e.exit_code());
    }
    return decrypt_parsed(std::move(*envelope), passwords, name);
  }
  Decrypted result;
  result.format = *format;
  try {
    std::istringstream in{std::string(text)};
    native::Reader reader(in);
    result.label = reader.header().label;
    for (const auto i : try_order(passwords, result.label)) {
      if (reader.unlock(passwords[i].password.view())) {
        while (reader.next(result.plaintext)) {
        }
        result.password_index = i;
        return result;
      }
    }
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", name, e.what()), e.exit_code());
  }
  throw wrong_password(name, passwords);
}

Decrypted decrypt_parsed(ansible::Envelope&& envelope, const std::vector<VaultPassword>& passwords,
                         const std::string& name) {
  if (passwords.empty()) throw Error(fmt::format("{}: no vault password given", name), Exit::usage);
  Decrypted result;
  result.format = Format::ansible;
  result.label = envelope.label.empty() ? "default" : envelope.label;
  for (const auto i : try_order(passwords, result.label)) {
    std::optional<SecretString> plain;
    try {
      plain = ansible::decrypt_in_place(envelope, passwords[i].password.view());
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", name, e.what()), e.exit_code());
    }
    if (plain) {
      result.plaintext = std::move(*plain);
      result.password_index = i;
      return result;
    }
  }
  throw wrong_password(name, passwords);
}

std::string encrypt_envelope(std::string_view plaintext, Format format, std::string_view password,
                             std::string_view label, const native::Params& params) {
  if (format == Format::ansible) return ansible::encrypt(plaintext, password, label);
  return native::encrypt(plaintext, password, label, params);
}

}  // namespace mctl::vault
