#include "vault/operations.hpp"

#include <fmt/format.h>

#include <fstream>
#include <istream>
#include <sstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "vault/edit.hpp"
#include "vault/files.hpp"
#include "vault/inline_yaml.hpp"
#include "vault/passwords.hpp"

namespace mctl::vault {
namespace fs = std::filesystem;
namespace {

void require_readable(const std::string& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw Error(fmt::format("{}: {}", file, fs::exists(file, ec) ? "not a regular file" : "no such file"), Exit::usage);
  }
}

std::string encrypt_label_for(const VaultPassword& pw) { return pw.label; }

}  // namespace

void encrypt_files(const std::vector<std::string>& files, const Settings& s, std::istream& in, std::ostream& out) {
  const auto& pw = encryption_password(s.passwords, s.encrypt_label);
  if (files.empty() || (files.size() == 1 && files[0] == "-")) {
    encrypt_stream(in, out, s.format, pw, encrypt_label_for(pw), s.params);
    return;
  }
  for (const auto& f : files) {
    require_readable(f);
    if (detect_file_format(f)) {
      throw Error(fmt::format("{}: already encrypted; nothing was changed", f), Exit::usage);
    }
  }
  std::vector<std::unique_ptr<AtomicFile>> staged;
  for (const auto& f : files) {
    std::ifstream file(f, std::ios::binary);
    staged.push_back(std::make_unique<AtomicFile>(f));
    encrypt_stream(file, staged.back()->stream(), s.format, pw, encrypt_label_for(pw), s.params);
  }
  commit_all(staged);
}

void decrypt_files(const std::vector<std::string>& files, const Settings& s, const std::optional<std::string>& output,
                   std::istream& in, std::ostream& out) {
  if (files.empty() || (files.size() == 1 && files[0] == "-")) {
    if (output && *output != "-") {
      AtomicFile target(*output);
      decrypt_stream(in, "stdin", s.passwords, target.stream());
      target.commit();
    } else {
      decrypt_stream(in, "stdin", s.passwords, out);
    }
    return;
  }
  if (output && *output != "-" && files.size() > 1) {
    throw Error("--output FILE takes one input file (use --output - to print several)", Exit::usage);
  }
  for (const auto& f : files) {
    require_readable(f);
    if (classify_file(f) == Content::plain) {
      throw Error(fmt::format("{}: not a vault (no $ANSIBLE_VAULT or $MCTL_VAULT header and no !vault values); "
                              "nothing was changed", f),
                  Exit::usage);
    }
  }
  if (output && *output == "-") {
    for (const auto& f : files) decrypt_file(f, f, s.passwords, out);
    return;
  }
  std::vector<std::unique_ptr<AtomicFile>> staged;
  for (const auto& f : files) {
    staged.push_back(std::make_unique<AtomicFile>(output ? fs::path(*output) : fs::path(f)));
    decrypt_file(f, f, s.passwords, staged.back()->stream());
  }
  commit_all(staged);
}

void view_files(const std::vector<std::string>& files, const Settings& s, std::ostream& out) {
  for (const auto& f : files) require_readable(f);
  for (const auto& f : files) decrypt_file(f, f, s.passwords, out);
  out.flush();
}

bool edit_file(const std::string& file, const Settings& s) {
  require_readable(file);
  const auto text = core::read_file(file);
  const auto content = classify(text);
  const auto name = fs::path(file).filename().string();
  if (content == Content::plain) {
    throw Error(fmt::format("{}: not a vault (no $ANSIBLE_VAULT or $MCTL_VAULT header and no !vault values)", file),
                Exit::usage);
  }
  AtomicFile target(file);  // before the editor: a target that cannot be replaced is refused now
  if (content == Content::inline_yaml) {
    const auto decoded = inline_yaml::decrypt_values(text, s.passwords, file);
    const auto buffer = inline_yaml::render(text, decoded, true, true);
    const auto edited = edit_plaintext(buffer.view(), s.editor, s.workspace_dirs, name);
    if (!edited) return false;
    const auto& pw = decoded.empty() ? encryption_password(s.passwords, s.encrypt_label)
                                     : s.passwords.at(decoded[0].password_index);
    const auto index = static_cast<std::size_t>(&pw - s.passwords.data());
    const auto tagged = inline_yaml::tag_new_values(edited->view(), text, s.plain_keys, file);
    const auto out = inline_yaml::reencrypt(tagged.view(), decoded, s.passwords, index, pw.label, file);
    if (out == text) return false;
    target.write(out);
    target.commit();
    return true;
  }
  auto d = decrypt_envelope(text, s.passwords, file);
  const auto edited = edit_plaintext(d.plaintext.view(), s.editor, s.workspace_dirs, name);
  if (!edited) return false;
  const auto format = s.format_given ? s.format : d.format;
  target.write(encrypt_envelope(edited->view(), format, s.passwords.at(d.password_index).password.view(), d.label, s.params));
  target.commit();
  return true;
}

bool create_file(const std::string& file, const Settings& s) {
  std::error_code ec;
  if (fs::exists(file, ec)) throw Error(fmt::format("{}: already exists (use 'mctl vault edit')", file), Exit::usage);
  const auto& pw = encryption_password(s.passwords, s.encrypt_label);
  AtomicFile target(file, 0600);  // before the editor: a target that cannot be written is refused now
  const auto edited = edit_plaintext("", s.editor, s.workspace_dirs, fs::path(file).filename().string());
  if (!edited || edited->empty()) return false;
  target.write(encrypt_envelope(edited->view(), s.format, pw.password.view(), pw.label, s.params));
  target.commit();
  return true;
}

void rekey_files(const std::vector<std::string>& files, const Settings& s, const VaultPassword& new_password) {
  for (const auto& f : files) require_readable(f);
  std::vector<std::unique_ptr<AtomicFile>> staged;
  for (const auto& f : files) {
    const auto text = core::read_file(f);
    const auto content = classify(text);
    if (content == Content::plain) throw Error(fmt::format("{}: not a vault; nothing was changed", f), Exit::usage);
    staged.push_back(std::make_unique<AtomicFile>(f));
    auto& out = *staged.back();
    if (content == Content::inline_yaml) {
      // Every value re-encrypted with the new password.
      const auto decoded = inline_yaml::decrypt_values(text, s.passwords, f);
      std::size_t pos = 0;
      for (const auto& d : decoded) {
        out.write(std::string_view(text).substr(pos, d.value.begin - pos));
        const auto label = new_password.label != "default" ? new_password.label : d.label;
        out.write(inline_yaml::block(encrypt_envelope(d.plaintext.view(), Format::ansible, new_password.password.view(), label),
                                     d.value.key_col + 10, d.value.newline));
        pos = d.value.end;
      }
      out.write(std::string_view(text).substr(pos));
      continue;
    }
    auto d = decrypt_envelope(text, s.passwords, f);
    const auto format = s.format_given ? s.format : d.format;
    const auto label = new_password.label != "default" ? new_password.label : d.label;
    out.write(encrypt_envelope(d.plaintext.view(), format, new_password.password.view(), label, s.params));
  }
  commit_all(staged);
}

std::string encrypt_string(std::string_view value, const std::string& name, const Settings& s) {
  if (value.empty()) {
    throw Error("encrypt-string: the value is empty (empty stdin or argument); nothing was encrypted", Exit::usage);
  }
  const auto& pw = encryption_password(s.passwords, s.encrypt_label);
  const auto envelope = encrypt_envelope(value, s.format, pw.password.view(), pw.label, s.params);
  return (name.empty() ? "" : name + ": ") + inline_yaml::block(envelope, 10);
}

SecretString decrypt_string(std::string_view text, const Settings& s) {
  const auto values = inline_yaml::find(text, "stdin");
  if (!values.empty()) return decrypt_envelope(values.front().scalar, s.passwords, "stdin").plaintext;
  // A bare envelope, possibly indented as copied from a YAML file.
  std::string dedented;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos) dedented.append(line.substr(first)).push_back('\n');
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return decrypt_envelope(dedented, s.passwords, "stdin").plaintext;
}

}  // namespace mctl::vault
