#include "vault/files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>
#include <sstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "vault/ansible.hpp"
#include "vault/inline_yaml.hpp"
#include "vault/passwords.hpp"

namespace mctl::vault {
namespace fs = std::filesystem;

Content classify(std::string_view text) {
  if (const auto f = detect_format(text)) return *f == Format::ansible ? Content::ansible : Content::mctl;
  return inline_yaml::find(text, "").empty() ? Content::plain : Content::inline_yaml;
}

namespace {

// The head of a file: enough to see a vault header after some leading blank lines.
constexpr std::size_t k_head = 512;
constexpr std::size_t k_io_block = 1 << 20;

std::ifstream open_for_reading(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)), Exit::usage);
  return in;
}

std::string read_head(std::istream& in) {
  std::string head(k_head, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

// Whether `in` contains "!vault", read in blocks (bounded memory, no parsing).
bool mentions_vault_tag(std::istream& in, std::string carry) {
  constexpr std::string_view tag = "!vault";
  std::string block(k_io_block, '\0');
  while (true) {
    if (carry.find(tag) != std::string::npos) return true;
    if (!in) return false;
    carry.erase(0, carry.size() > tag.size() ? carry.size() - tag.size() : 0);
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    if (in.gcount() == 0) return false;
    carry.append(block, 0, static_cast<std::size_t>(in.gcount()));
  }
}

}  // namespace

std::optional<Format> detect_file_format(const fs::path& file) {
  auto in = open_for_reading(file);
  return detect_format(read_head(in));
}

// Reads the head; the whole file only when it mentions the !vault tag (YAML, small).
Content classify_file(const fs::path& file) {
  auto in = open_for_reading(file);
  auto head = read_head(in);
  if (const auto f = detect_format(head)) return *f == Format::ansible ? Content::ansible : Content::mctl;
  if (!mentions_vault_tag(in, std::move(head))) return Content::plain;
  try {
    return classify(core::read_file(file));
  } catch (const Error&) {
    return Content::plain;  // an unparsable !vault line: treated as not a vault here
  }
}

void commit_all(std::vector<std::unique_ptr<AtomicFile>>& files) {
  for (auto& f : files) f->commit();
}

namespace {

// Plaintext goes out in blocks of about k_io_block: few writes, one buffer wiped at the end.
void stream_native(std::istream& in, std::string_view head, const std::string& name,
                   const std::vector<VaultPassword>& passwords, std::ostream& out, Opened& opened) {
  native::Reader reader(in, head);
  opened.content = Content::mctl;
  opened.format = Format::mctl;
  opened.label = reader.header().label;
  bool unlocked = false;
  for (const auto i : try_order(passwords, opened.label)) {
    if (reader.unlock(passwords[i].password.view())) {
      opened.password_index = i;
      unlocked = true;
      break;
    }
  }
  if (!unlocked) throw wrong_password(name, passwords);
  SecretString buffer;
  buffer.reserve(k_io_block + reader.header().params.chunk);
  bool more = true;
  while (more) {
    more = reader.next(buffer);
    if (buffer.size() >= k_io_block || !more) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();  // reused; wiped when it goes out of scope
    }
  }
}

// The Ansible envelope parsed as it is read: memory for the ciphertext, not the text.
Decrypted stream_ansible(std::istream& in, std::string_view head, const std::string& name,
                         const std::vector<VaultPassword>& passwords, std::size_t size_hint) {
  std::optional<ansible::Envelope> envelope;
  try {
    ansible::Parser parser(size_hint);
    parser.feed(head);
    // Sized by the file when known: a small vault must not pay for zeroing a 1 MiB block.
    std::string block(size_hint > 0 ? std::min(k_io_block, size_hint + 1) : k_io_block, '\0');
    while (in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      parser.feed(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
    }
    envelope = parser.finish();
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", name, e.what()), e.exit_code());
  }
  return decrypt_parsed(std::move(*envelope), passwords, name);
}

}  // namespace

Opened decrypt_stream(std::istream& in, const std::string& name, const std::vector<VaultPassword>& passwords,
                      std::ostream& out, std::size_t size_hint) {
  Opened opened;
  const auto head = read_head(in);
  if (native::looks_like(head)) {
    try {
      stream_native(in, head, name, passwords, out, opened);
    } catch (const Error& e) {
      if (std::string_view(e.what()).rfind(name + ":", 0) == 0) throw;
      throw Error(fmt::format("{}: {}", name, e.what()), e.exit_code());
    }
    if (!out) throw Error(fmt::format("{}: cannot write the decrypted output", name));
    return opened;
  }
  if (ansible::looks_like(head)) {
    const auto d = stream_ansible(in, head, name, passwords, size_hint);
    opened = {Content::ansible, Format::ansible, d.label, d.password_index};
    out.write(d.plaintext.data(), static_cast<std::streamsize>(d.plaintext.size()));
    if (!out) throw Error(fmt::format("{}: cannot write the decrypted output", name));
    return opened;
  }
  std::ostringstream rest;
  rest << in.rdbuf();
  std::string text = head + std::move(rest).str();
  if (ansible::looks_like(text)) {
    auto d = decrypt_envelope(text, passwords, name);
    opened = {Content::ansible, Format::ansible, d.label, d.password_index};
    out.write(d.plaintext.data(), static_cast<std::streamsize>(d.plaintext.size()));
  } else {
    const auto decoded = inline_yaml::decrypt_values(text, passwords, name);
    if (decoded.empty()) {
      throw Error(fmt::format("{}: not a vault (no $ANSIBLE_VAULT or $MCTL_VAULT header and no !vault values)", name),
                  Exit::usage);
    }
    opened = {Content::inline_yaml, Format::ansible, decoded[0].label, decoded[0].password_index};
    const auto rendered = inline_yaml::render(text, decoded, false, false);
    out.write(rendered.data(), static_cast<std::streamsize>(rendered.size()));
  }
  if (!out) throw Error(fmt::format("{}: cannot write the decrypted output", name));
  return opened;
}

Opened decrypt_file(const fs::path& file, const std::string& name, const std::vector<VaultPassword>& passwords,
                    std::ostream& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read {}: {}", name, std::strerror(errno)), Exit::usage);
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  return decrypt_stream(in, name, passwords, out, ec ? 0 : static_cast<std::size_t>(size));
}

void encrypt_stream(std::istream& in, std::ostream& out, Format format, const VaultPassword& password,
                    const std::string& label, const native::Params& params) {
  if (format == Format::ansible) {
    SecretString plain;  // read straight into the wiping buffer, no std::string copy of the plaintext
    std::array<char, 1 << 16> block{};
    while (in.read(block.data(), block.size()) || in.gcount() > 0) {
      plain.append(block.data(), static_cast<std::size_t>(in.gcount()));
    }
    detail::wipe_bytes(block.data(), block.size());
    out << ansible::encrypt(plain.view(), password.password.view(), label);
  } else {
    native::Writer writer(out, password.password.view(), label, params);
    std::vector<char> buf(1 << 20);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      writer.write(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    sodium_memzero(buf.data(), buf.size());
    writer.finish();
  }
  if (!out) throw Error("cannot write the encrypted output");
}

const VaultPassword& encryption_password(const std::vector<VaultPassword>& passwords,
                                         const std::optional<std::string>& label) {
  if (passwords.empty()) throw Error("no vault password given", Exit::usage);
  if (!label && passwords.size() > 1) {
    throw Error(fmt::format("{} vault passwords are available to encrypt ({}): choose one with --encrypt-vault-id "
                            "LABEL; nothing was changed",
                            passwords.size(), describe_passwords(passwords)),
                Exit::usage);
  }
  if (!label) return passwords.front();
  for (const auto& p : passwords) {
    if (p.label == *label) return p;
  }
  throw Error(fmt::format("--encrypt-vault-id {}: no password with that vault id was given (have: {})", *label,
                          describe_passwords(passwords)),
              Exit::usage);
}

}  // namespace mctl::vault
