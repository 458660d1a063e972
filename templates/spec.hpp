#pragma once
// An app spec as parsed YAML that remembers where every value came from (file:line:col),
// so interpolation, overlays and validation can point at the user's source.
#include <yaml-cpp/yaml.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace mctl::templates {

// The text of one source file, shared by every position inside it.
struct Source {
  std::string name;  // as shown in messages (a path relative to the working directory)
  std::string text;
};

struct Position {
  std::shared_ptr<const Source> source;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  int offset = -1; // byte offset into source->text; -1 = unknown

  // "file:line:col" ("file" alone when the line is unknown, "" without a source).
  std::string str() const;
  // The position of `needle` at or after this position in the source text (for a placeholder
  // inside a scalar); this position when not found.
  Position find(const std::string& needle) const;
  // The text of the plain scalar starting here, exactly as written in the source (up to the
  // end of the line, a comment, or a flow separator); "" when unknown.
  std::string plain_text() const;
};

struct SpecMember;

struct SpecNode {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string text;         // scalar: the text as written (after YAML unescaping)
  nlohmann::json typed;     // scalar: typed by the YAML 1.2 core schema (quoted -> string)
  std::string tag;          // explicit tag such as "!vault", else ""
  std::vector<SpecNode> items;
  std::vector<SpecMember> members;  // in file order; keys are unique
  Position pos;

  const SpecNode* find(const std::string& key) const;
  SpecNode* find(const std::string& key);
  void erase(const std::string& key);
};

// One entry of a map. A struct, not std::pair<..., SpecNode>: clang with libstdc++ rejects
// that pair inside SpecNode's own definition (its default constructor's traits need SpecNode
// complete), so the header did not compile under clang (clang-tidy reported it).
struct SpecMember {
  std::pair<std::string, Position> key;  // the key and where it is written
  SpecNode value;
};

// Parses a spec file's text. Throws Error(Exit::usage) "file:line:col: ..." for YAML syntax
// errors, duplicate keys and non-string keys.
SpecNode parse_spec(const std::shared_ptr<const Source>& source);

// Deep-merges `overlay` over `base`: maps merge key by key, lists and scalars replace, and a
// null value in the overlay deletes the key.
void merge_overlay(SpecNode& base, const SpecNode& overlay);

}  // namespace mctl::templates
