#include "vault/inline_yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "core/yaml.hpp"
#include "vault/envelope.hpp"

namespace mctl::vault::inline_yaml {
namespace {

constexpr std::string_view k_tag = "!vault";

std::size_t indentation(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

// Column of the key owning a value whose tag line starts with `before`: leading spaces and
// "- " sequence markers skipped; for a bare sequence item, the column of its "-".
std::size_t key_column(std::string_view before) {
  std::size_t col = indentation(before);
  std::size_t last_dash = col;
  while (col + 1 < before.size() && before[col] == '-' && (before[col + 1] == ' ' || before[col + 1] == '\t')) {
    last_dash = col;
    col += 2;
    while (col < before.size() && before[col] == ' ') ++col;
  }
  return col >= before.size() ? last_dash : col;
}

// Where the tag is on a line, if the line holds a `!vault` value in block context.
std::optional<std::size_t> tag_position(std::string_view line) {
  for (std::size_t pos = line.find(k_tag); pos != std::string_view::npos; pos = line.find(k_tag, pos + 1)) {
    const auto after = pos + k_tag.size();
    if (after < line.size() && line[after] != ' ' && line[after] != '\t' && line[after] != '\r') continue;
    auto before = line.substr(0, pos);
    if (before.find(" #") != std::string_view::npos || before.find('#') == indentation(before)) return std::nullopt;
    while (!before.empty() && (before.back() == ' ' || before.back() == '\t')) before.remove_suffix(1);
    if (pos > 0 && line[pos - 1] != ' ' && line[pos - 1] != '\t') continue;
    if (before.empty() || before.back() == ':' || before.back() == '-') return pos;
  }
  return std::nullopt;
}

std::string quote(std::string_view plain, bool strict, const std::string& where) {
  try {
    return nlohmann::json(std::string(plain))
        .dump(-1, ' ', false, strict ? nlohmann::json::error_handler_t::strict : nlohmann::json::error_handler_t::replace);
  } catch (const nlohmann::json::exception&) {
    throw Error(fmt::format("{}: the decrypted value is not UTF-8 text and cannot be edited as YAML", where),
                Exit::usage);
  }
}

}  // namespace

std::vector<Value> find(std::string_view text, const std::string& name) {
  std::vector<Value> out;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    const auto nl = text.find('\n', pos);
    const auto line_end = nl == std::string_view::npos ? text.size() : nl;
    const auto line = text.substr(pos, line_end - pos);
    const auto next = nl == std::string_view::npos ? text.size() : nl + 1;
    const auto tag = tag_position(line);
    if (!tag) {
      pos = next;
      continue;
    }
    Value v;
    v.begin = pos + *tag;
    v.line = line_no;
    v.prefix = std::string(line.substr(0, *tag));
    v.key_col = key_column(v.prefix);
    v.end = next;
    v.newline = nl != std::string_view::npos;
    std::string snippet = "v: " + std::string(line.substr(*tag)) + "\n";
    const auto rest = line.substr(*tag + k_tag.size());
    const auto first = rest.find_first_not_of(" \t");
    std::size_t scan = next, scan_line = line_no;
    if (first != std::string_view::npos && (rest[first] == '|' || rest[first] == '>')) {
      while (scan < text.size()) {  // block lines: blank, or indented deeper than the key
        const auto bnl = text.find('\n', scan);
        const auto bend = bnl == std::string_view::npos ? text.size() : bnl;
        const auto bline = text.substr(scan, bend - scan);
        if (!blank(bline) && indentation(bline) <= v.key_col) break;
        scan = bnl == std::string_view::npos ? text.size() : bnl + 1;
        ++scan_line;
        if (!blank(bline)) {
          snippet.append(text.substr(v.end, scan - v.end));
          v.end = scan;
          v.newline = bnl != std::string_view::npos;
          line_no = scan_line;
        }
      }
    }
    try {
      const auto node = YAML::Load(snippet)["v"];
      if (!node.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "not a scalar");
      v.scalar = node.Scalar();
    } catch (const YAML::Exception& e) {
      throw Error(fmt::format("{}:{}: cannot read the !vault value: {}", name, v.line, e.msg), Exit::usage);
    }
    pos = v.end > next ? v.end : next;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Decoded> decrypt_values(std::string_view text, const std::vector<VaultPassword>& passwords,
                                    const std::string& name) {
  std::vector<Decoded> out;
  core::parse_yaml(std::string(text), name);  // the one YAML loader's checks: UTF-8, bounds, duplicate keys
  for (auto& v : find(text, name)) {
    if (!detect_format(v.scalar)) continue;  // plaintext (only meaningful in an edit buffer)
    Decoded d;
    auto result = decrypt_envelope(v.scalar, passwords, fmt::format("{}:{}", name, v.line));
    d.plaintext = std::move(result.plaintext);
    d.label = result.label;
    d.password_index = result.password_index;
    d.original = std::string(text.substr(v.begin, v.end - v.begin));
    d.value = std::move(v);
    out.push_back(std::move(d));
  }
  return out;
}

SecretString render(std::string_view text, const std::vector<Decoded>& decoded, bool keep_tag, bool strict) {
  SecretString out;
  std::size_t pos = 0;
  for (const auto& d : decoded) {
    out.append(text.substr(pos, d.value.begin - pos));
    std::string quoted = quote(d.plaintext.view(), strict, fmt::format("line {}", d.value.line));
    const WipeGuard guard(quoted);
    if (keep_tag) out.append("!vault ");
    out.append(quoted);
    if (d.value.newline) out.push_back('\n');
    pos = d.value.end;
  }
  out.append(text.substr(pos));
  return out;
}

namespace {

// Where the plain values of a document are: "a.b" for a mapping value, "a.list[]=value" for a
// sequence item (items move when others are inserted, their value identifies them).
using Paths = std::set<std::string>;

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

bool is_vault(const YAML::Node& node) { return node.Tag() == std::string(k_tag); }

void collect_plain(const YAML::Node& node, const std::string& path, Paths& out) {
  if (node.IsMap()) {
    for (const auto& it : node) {
      if (it.first.IsScalar()) collect_plain(it.second, child(path, it.first.Scalar()), out);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar() && !is_vault(item)) out.insert(path + "[]=" + item.Scalar());
      else collect_plain(item, path + "[]", out);
    }
  } else if (node.IsScalar() && !is_vault(node)) {
    out.insert(path);
  }
}

bool kept_plain(const std::string& path, const std::vector<std::string>& plain_keys) {
  for (const auto& key : plain_keys) {
    if (path.rfind(key, 0) != 0) continue;
    if (path.size() == key.size() || path[key.size()] == '.' || path[key.size()] == '[') return true;
  }
  return false;
}

struct NewValue {
  std::size_t pos = 0;
  std::size_t line = 0;
  std::string path;
  std::string scalar;  // plaintext: wiped when the value goes, however the scope ends
  NewValue(std::size_t p, std::size_t l, std::string k, std::string v)
      : pos(p), line(l), path(std::move(k)), scalar(std::move(v)) {}
  NewValue(const NewValue&) = delete;
  NewValue(NewValue&&) = default;
  NewValue& operator=(const NewValue&) = delete;
  NewValue& operator=(NewValue&&) = default;
  ~NewValue() { wipe(scalar); }
};

struct NewValueFinder {
  const Paths& old;
  const std::vector<std::string>& plain_keys;
  const std::string& name;
  std::vector<NewValue> found;

  void walk(const YAML::Node& node, const std::string& path, const std::string& id, bool flow) {
    if (node.IsMap() || node.IsSequence()) {
      flow = flow || node.Style() == YAML::EmitterStyle::Flow;
      if (node.IsMap()) {
        for (const auto& it : node) {
          if (it.first.IsScalar()) walk(it.second, child(path, it.first.Scalar()), child(path, it.first.Scalar()), flow);
        }
      } else {
        for (const auto& item : node) walk(item, path + "[]", path + "[]=" + (item.IsScalar() ? item.Scalar() : ""), flow);
      }
      return;
    }
    if (!node.IsScalar() || is_vault(node) || path.empty() || old.count(id) || kept_plain(path, plain_keys)) return;
    const auto line = static_cast<std::size_t>(node.Mark().line) + 1;
    if (flow) {
      throw Error(fmt::format("{}:{}: the new value of {} is inside a flow collection ({{...}} or [...]) and cannot be "
                              "encrypted in place; write it in block style, or keep it plain with --plain {}",
                              name, line, path, path),
                  Exit::usage);
    }
    found.push_back({static_cast<std::size_t>(node.Mark().pos), line, path, node.Scalar()});
  }
};

YAML::Node parse(std::string_view text, const std::string& name) {
  // The one bounded loader: alias bombs, depth, invalid UTF-8 and duplicate keys are refused
  // with their position before anything walks the tree.
  return core::parse_yaml(std::string(text), name);
}

}  // namespace

SecretString tag_new_values(std::string_view edited, std::string_view original,
                            const std::vector<std::string>& plain_keys, const std::string& name) {
  Paths old;
  collect_plain(parse(original, name), "", old);
  NewValueFinder finder{old, plain_keys, name, {}};
  finder.walk(parse(edited, name + " (edited)"), "", "", false);
  SecretString out;
  std::size_t pos = 0;
  for (const auto& v : finder.found) {  // document order
    out.append(edited.substr(pos, v.pos - pos));
    out.append(k_tag);
    out.push_back(' ');
    pos = v.pos;
  }
  out.append(edited.substr(pos));
  // Each tagged value must read back as the same scalar (a multi-line plain scalar does not).
  const auto values = find(out.view(), name);
  for (std::size_t i = 0; i < finder.found.size(); ++i) {
    auto& v = finder.found[i];
    const auto begin = v.pos + i * (k_tag.size() + 1);
    const auto it = std::find_if(values.begin(), values.end(), [&](const Value& x) { return x.begin == begin; });
    if (it == values.end() || it->scalar != v.scalar) {
      throw Error(fmt::format("{}:{}: cannot encrypt the new value of {} in place; quote it or tag it !vault, or keep "
                              "it plain with --plain {}", name, v.line, v.path, v.path),
                  Exit::usage);
    }
  }
  return out;
}

std::string block(std::string_view envelope, std::size_t indent, bool final_newline) {
  std::string out = "!vault |\n";
  while (!envelope.empty()) {
    const auto nl = envelope.find('\n');
    out.append(indent, ' ');
    out.append(envelope.substr(0, nl));
    out += '\n';
    envelope = nl == std::string_view::npos ? std::string_view() : envelope.substr(nl + 1);
  }
  if (!final_newline && !out.empty()) out.pop_back();
  return out;
}

std::string reencrypt(std::string_view edited, const std::vector<Decoded>& old,
                      const std::vector<VaultPassword>& passwords, std::size_t default_index,
                      const std::string& default_label, const std::string& name) {
  std::vector<bool> used(old.size(), false);
  auto pick = [&](const Value& v, bool same_prefix) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < old.size(); ++i) {
      if (used[i] || old[i].plaintext.view() != v.scalar) continue;
      if (same_prefix ? old[i].value.prefix == v.prefix : old[i].value.key_col == v.key_col) return i;
    }
    return std::nullopt;
  };
  std::string out;
  std::size_t pos = 0;
  for (auto& v : find(edited, name)) {
    out.append(edited.substr(pos, v.begin - pos));
    pos = v.end;
    if (detect_format(v.scalar)) {  // still ciphertext: keep as written
      out.append(edited.substr(v.begin, v.end - v.begin));
      continue;
    }
    auto match = pick(v, true);
    if (!match) match = pick(v, false);
    if (match) {
      used[*match] = true;
      out.append(old[*match].original);
      if (old[*match].value.newline && !v.newline) out.pop_back();
      if (!old[*match].value.newline && v.newline) out += '\n';
      continue;
    }
    std::size_t index = default_index;
    std::string label = default_label;
    for (const auto& o : old) {
      if (o.value.prefix == v.prefix) {
        index = o.password_index;
        label = o.label;
        break;
      }
    }
    const auto envelope = encrypt_envelope(v.scalar, Format::ansible, passwords.at(index).password.view(), label);
    out.append(block(envelope, v.key_col + 10, v.newline));
  }
  out.append(edited.substr(pos));
  return out;
}

}  // namespace mctl::vault::inline_yaml
