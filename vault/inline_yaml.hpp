#pragma once
// YAML files with inline `!vault |` values (what encrypt-string produces). Found textually
// so that everything else in the file (keys, comments, order, spacing) stays byte-identical.
#include <string>
#include <string_view>
#include <vector>

#include "vault/native.hpp"
#include "vault/secrets.hpp"
#include "vault/secure.hpp"

namespace mctl::vault::inline_yaml {

// One `!vault`-tagged scalar in block context (`key: !vault |`, `- !vault |`, or a
// single-line `key: !vault "text"` as written in the edit buffer).
struct Value {
  std::size_t begin = 0;    // offset of "!vault"
  std::size_t end = 0;      // offset just past the value's last line (after its "\n" if any)
  std::size_t line = 0;     // 1-based line of the tag
  std::size_t key_col = 0;  // column of the key (or of "-") that owns the value
  bool newline = true;      // the value's last line ends with "\n"
  std::string prefix;       // the tag line before "!vault", e.g. "  db_password: "
  std::string scalar;       // the tagged scalar's content (a vault envelope, or plaintext); wiped
  Value() = default;
  Value(const Value&) = default;
  Value(Value&&) = default;
  Value& operator=(const Value&) = default;
  Value& operator=(Value&&) = default;
  ~Value() { wipe(scalar); }
};

// Finds every `!vault` value. Throws Error(Exit::usage) "<name>:<line>: ..." when one does
// not parse as a YAML scalar.
std::vector<Value> find(std::string_view text, const std::string& name);

// A found value with its plaintext and what was used to open it.
struct Decoded {
  Value value;
  SecretString plaintext;
  std::string original;  // text[begin, end) as it was: reused verbatim when unchanged
  std::string label;
  std::size_t password_index = 0;
};

// Decrypts every value whose scalar is a vault envelope (Error(Exit::auth) naming
// "<name>:<line>" and the vault ids tried when one does not open).
std::vector<Decoded> decrypt_values(std::string_view text, const std::vector<VaultPassword>& passwords,
                                    const std::string& name);

// The text with every decoded value replaced by its plaintext as a double-quoted YAML string:
// `key: "plain"` (for view/decrypt) or `key: !vault "plain"` when `keep_tag` (the edit buffer).
// `strict`: throws Error(Exit::usage) for a value that is not UTF-8 text instead of replacing.
SecretString render(std::string_view text, const std::vector<Decoded>& decoded, bool keep_tag, bool strict);

// Turns an edited buffer back into vault YAML: each `!vault` value whose plaintext equals an
// original one (same key line first) gets the original text back byte for byte; a changed or
// new one is encrypted in Ansible format with the password of the value it replaces (same key
// line), else with `passwords[default_index]` under `default_label`.
std::string reencrypt(std::string_view edited, const std::vector<Decoded>& old,
                      const std::vector<VaultPassword>& passwords, std::size_t default_index,
                      const std::string& default_label, const std::string& name);

// Marks the values of an edit buffer that must be encrypted although they were written
// without a tag: every non-null scalar in block style whose key path held no plain value in
// `original` (the file before the edit) gets "!vault " in front, so reencrypt() encrypts it.
// Values that were plain before stay plain, and so does everything at or below a dotted key
// path of `plain_keys` ("db.host" keeps db.host plain; "db" keeps db and all below it).
// Throws Error(Exit::usage) "<name>:<line>: ..." for a new value it cannot encrypt in place
// (inside a flow collection, a multi-line plain scalar).
SecretString tag_new_values(std::string_view edited, std::string_view original,
                            const std::vector<std::string>& plain_keys, const std::string& name);

// A new inline value as encrypt-string prints it: "!vault |\n" + envelope indented by `indent`.
std::string block(std::string_view envelope, std::size_t indent, bool final_newline = true);

}  // namespace mctl::vault::inline_yaml
