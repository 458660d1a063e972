#include "templates/spec.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/yaml.hpp"

namespace mctl::templates {

std::string Position::str() const {
  if (!source) return {};
  if (line <= 0) return source->name;
  return fmt::format("{}:{}:{}", source->name, line, column);
}

Position Position::find(const std::string& needle) const {
  if (!source || offset < 0) return *this;
  const auto& text = source->text;
  // A scalar can only be so long before the placeholder is on another node.
  const auto at = text.find(needle, static_cast<std::size_t>(offset));
  if (at == std::string::npos || at - static_cast<std::size_t>(offset) > std::size_t{64} * 1024)
    return *this;
  Position p = *this;
  for (auto i = static_cast<std::size_t>(offset); i < at; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  p.offset = static_cast<int>(at);
  return p;
}

std::string Position::plain_text() const {
  if (!source || offset < 0) return {};
  const std::string& text = source->text;
  std::size_t end = static_cast<std::size_t>(offset);
  while (end < text.size() && std::string_view("\r\n,]}").find(text[end]) == std::string_view::npos &&
         !(text[end] == '#' && end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))) {
    ++end;
  }
  while (end > static_cast<std::size_t>(offset) && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(static_cast<std::size_t>(offset), end - static_cast<std::size_t>(offset));
}

const SpecNode* SpecNode::find(const std::string& key) const {
  for (const auto& m : members) {
    if (m.key.first == key) return &m.value;
  }
  return nullptr;
}

SpecNode* SpecNode::find(const std::string& key) {
  for (auto& m : members) {
    if (m.key.first == key) return &m.value;
  }
  return nullptr;
}

void SpecNode::erase(const std::string& key) {
  std::erase_if(members, [&](const SpecMember& m) { return m.key.first == key; });
}

namespace {

Position position_of(const std::shared_ptr<const Source>& source, const YAML::Node& node) {
  Position p;
  p.source = source;
  const auto mark = node.Mark();
  if (!mark.is_null()) {
    p.line = mark.line + 1;
    p.column = mark.column + 1;
    p.offset = mark.pos;
  }
  return p;
}

SpecNode convert(const std::shared_ptr<const Source>& source, const YAML::Node& node) {
  SpecNode out;
  out.pos = position_of(source, node);
  const std::string& tag = node.Tag();
  if (tag != "?" && tag != "!" && !tag.empty()) out.tag = tag;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      break;
    case YAML::NodeType::Scalar:
      out.kind = SpecNode::Kind::scalar;
      out.text = node.Scalar();
      out.typed = out.tag == "tag:yaml.org,2002:str" ? nlohmann::json(out.text) : core::yaml_scalar_to_json(node);
      break;
    case YAML::NodeType::Sequence:
      out.kind = SpecNode::Kind::sequence;
      for (const auto& item : node) out.items.push_back(convert(source, item));
      break;
    case YAML::NodeType::Map:
      out.kind = SpecNode::Kind::map;
      for (const auto& kv : node) {
        const Position key_pos = position_of(source, kv.first);
        if (!kv.first.IsScalar()) {
          throw Error(fmt::format("{}: a key must be a plain string", key_pos.str()), Exit::usage);
        }
        const std::string& key = kv.first.Scalar();
        out.members.push_back({{key, key_pos}, convert(source, kv.second)});
      }
      break;
  }
  return out;
}

}  // namespace

SpecNode parse_spec(const std::shared_ptr<const Source>& source) {
  const YAML::Node root = core::parse_yaml(source->text, source->name);
  SpecNode node = convert(source, root);
  if (node.kind == SpecNode::Kind::null) node.pos = Position{source, 1, 1, 0};
  return node;
}

void merge_overlay(SpecNode& base, const SpecNode& overlay) {
  if (base.kind != SpecNode::Kind::map || overlay.kind != SpecNode::Kind::map) {
    base = overlay;
    return;
  }
  for (const auto& [key, value] : overlay.members) {
    if (value.kind == SpecNode::Kind::null && value.tag.empty()) {
      base.erase(key.first);
    } else if (SpecNode* existing = base.find(key.first)) {
      merge_overlay(*existing, value);
    } else {
      base.members.push_back({key, value});
    }
  }
}

}  // namespace mctl::templates
