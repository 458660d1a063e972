#include "core/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <charconv>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace mctl::core {
namespace {

// "16 MiB" for whole MiB, else "N bytes".
std::string size_text(std::size_t bytes) {
  return bytes % (1u << 20) == 0 ? fmt::format("{} MiB", bytes >> 20)
                                 : fmt::format("{} bytes", bytes);
}

std::string at(const std::string& file, const YAML::Mark& mark) {
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

// Checks a document from the parser's events, before any node is built: node count with every
// alias expanded, nesting depth (aliases included), UTF-8 of every scalar after unescaping,
// duplicate keys. Memory stays proportional to the anchors, whatever the aliases expand to.
class Checker : public YAML::EventHandler {
 public:
  Checker(const std::string& file, const YamlLimits& limits) : m_file(file), m_limits(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, nullptr);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    if (find_invalid_utf8(value) != std::string_view::npos) {
      throw Error(
          fmt::format("{}: invalid UTF-8 in a string (check its escapes)", at(m_file, mark)),
          Exit::usage);
    }
    leaf(mark, anchor, &value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) {
      throw Error(fmt::format("{}: an alias refers to a node that contains it (recursive YAML)",
                              at(m_file, mark)),
                  Exit::usage);
    }
    add(mark, it->second.nodes, it->second.height);
    key_or_value(mark, nullptr);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Expanded {
    std::size_t nodes = 0;
    std::size_t height = 0;
  };
  struct Frame {
    YAML::Mark mark;
    YAML::anchor_t anchor = 0;
    bool map = false;
    std::size_t children = 0;
    std::size_t total_before = 0;  // m_total when the collection started
    std::size_t height = 1;
    std::map<std::string, YAML::Mark> keys;
  };

  // Accounts `nodes` more nodes that nest `height` lists or maps (0 for a scalar) below the
  // current collection.
  void add(const YAML::Mark& mark, std::size_t nodes, std::size_t height) {
    if (nodes > m_limits.max_nodes - m_total) {
      throw Error(fmt::format("{}: the YAML expands to more than {} nodes (aliases of aliases?); "
                              "refusing to read it",
                              at(m_file, mark), m_limits.max_nodes),
                  Exit::usage);
    }
    m_total += nodes;
    if (m_stack.size() + height > m_limits.max_depth) {
      throw Error(fmt::format("{}: the YAML is nested more than {} levels deep", at(m_file, mark),
                              m_limits.max_depth),
                  Exit::usage);
    }
    if (!m_stack.empty()) m_stack.back().height = std::max(m_stack.back().height, height + 1);
  }

  // Checks a map key for duplicates (scalar keys only) and counts the child.
  void key_or_value(const YAML::Mark& mark, const std::string* scalar) {
    if (m_stack.empty()) return;
    Frame& f = m_stack.back();
    if (f.map && f.children % 2 == 0 && scalar) {
      auto [it, fresh] = f.keys.emplace(*scalar, mark);
      if (!fresh) {
        throw Error(
            fmt::format("{}: duplicate key '{}' (first at line {} column {})", at(m_file, mark),
                        *scalar, it->second.line + 1, it->second.column + 1),
            Exit::usage);
      }
    }
    ++f.children;
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string* scalar) {
    add(mark, 1, 0);
    if (anchor) m_anchors[anchor] = {1, 0};
    key_or_value(mark, scalar);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    add(mark, 1, 1);
    key_or_value(mark, nullptr);
    m_stack.push_back({mark, anchor, map, 0, m_total - 1, 1, {}});
  }

  void close() {
    const Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    if (f.anchor) m_anchors[f.anchor] = {m_total - f.total_before, f.height};
    if (!m_stack.empty()) m_stack.back().height = std::max(m_stack.back().height, f.height + 1);
  }

  const std::string& m_file;
  const YamlLimits& m_limits;
  std::size_t m_total = 0;
  std::vector<Frame> m_stack;
  std::map<YAML::anchor_t, Expanded> m_anchors;
};

}  // namespace

std::string line_col(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("{}:{}", line, col);
}

nlohmann::json yaml_scalar_to_json(const YAML::Node& node) {
  if (node.Tag() != "?") return node.Scalar();  // quoted ("!") or explicitly tagged: a string
  return plain_scalar_to_json(node.Scalar());
}

nlohmann::json plain_scalar_to_json(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex float_re(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, int_re)) {
    long long v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
  }
  if (std::regex_match(s, float_re)) return std::stod(s);
  return s;
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return yaml_scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      auto arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(yaml_to_json(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      auto obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.Scalar()] = yaml_to_json(kv.second);
      return obj;
    }
  }
  return nullptr;
}

std::string yaml_position(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.is_null()) return file;
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

YAML::Node parse_yaml(const std::string& text, const std::string& file, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    throw Error(fmt::format("{}:{}: the YAML is larger than {}; refusing to read it", file,
                            line_col(text, limits.max_bytes), size_text(limits.max_bytes)),
                Exit::usage);
  }
  if (const auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    throw Error(fmt::format("{}:{}: invalid UTF-8 (byte 0x{:02x}); YAML input must be UTF-8", file,
                            line_col(text, bad), static_cast<unsigned char>(text[bad])),
                Exit::usage);
  }
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    Checker checker(file, limits);
    parser.HandleNextDocument(checker);
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(
        fmt::format("{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg),
        Exit::usage);
  }
}

}  // namespace mctl::core
