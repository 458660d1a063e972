#include "images/reference.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace mctl::images {
namespace {

bool is_registry_component(std::string_view part) {
  return part.find('.') != std::string_view::npos || part.find(':') != std::string_view::npos ||
         part == "localhost";
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ joined by '.', '_', '__' or a run of '-' (Docker's grammar: no
// empty component, no leading or trailing separator, so neither '.' nor '..').
bool valid_component(std::string_view part) {
  if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
  for (std::size_t i = 0; i < part.size();) {
    if (lower_alnum(part[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < part.size() && !lower_alnum(part[end])) ++end;
    const std::string_view sep = part.substr(i, end - i);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = end;
  }
  return true;
}

}  // namespace

bool valid_repository(std::string_view repo) {
  if (repo.empty() || repo.size() > 255) return false;
  std::size_t start = 0;
  for (std::size_t slash = repo.find('/');; slash = repo.find('/', start)) {
    if (!valid_component(repo.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start))) {
      return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
  for (char c : tag) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_digest(std::string_view digest) {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size()) return false;
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view encoded = digest.substr(colon + 1);
  // algorithm: [a-z0-9]+([+._-][a-z0-9]+)*
  if (!lower_alnum(algorithm.front()) || !lower_alnum(algorithm.back())) return false;
  for (std::size_t i = 0; i < algorithm.size(); ++i) {
    const char c = algorithm[i];
    if (lower_alnum(c)) continue;
    if ((c != '+' && c != '.' && c != '_' && c != '-') || !lower_alnum(algorithm[i + 1])) return false;
  }
  // encoded: [a-zA-Z0-9=_-]+
  return std::all_of(encoded.begin(), encoded.end(), [](char c) {
    return lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '=' || c == '_' || c == '-';
  });
}

std::string ImageRef::name() const { return registry.empty() ? repository : registry + "/" + repository; }

std::string ImageRef::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

ImageRef parse_reference(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error(fmt::format("'{}' is not a valid image reference: {}", text, why), Exit::usage);
  };
  if (text.empty()) throw bad("it is empty");
  ImageRef ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!valid_digest(ref.digest)) throw bad("the digest must look like sha256:<hex>");
  }
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos && is_registry_component(rest.substr(0, slash))) {
    ref.registry = std::string(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  }
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(ref.tag)) throw bad(fmt::format("'{}' is not a valid tag", ref.tag));
  }
  ref.repository = std::string(rest);
  if (!valid_repository(ref.repository)) {
    throw bad("the name may hold only lower-case letters and digits, joined by '.', '_', '__', '-' or '/'");
  }
  if (ref.registry == "docker.io" || ref.registry == "index.docker.io") {
    ref.registry.clear();
    if (ref.repository.rfind("library/", 0) == 0) ref.repository = ref.repository.substr(8);
  }
  return ref;
}

std::string normalize_reference(std::string_view text) {
  try {
    return parse_reference(text).str();
  } catch (const Error&) {
    return std::string(text);
  }
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*': linear in practice.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string registry_host(std::string_view setting) {
  std::string_view s = setting;
  if (const auto scheme = s.find("://"); scheme != std::string_view::npos) s = s.substr(scheme + 3);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  if (const auto slash = s.find('/'); slash != std::string_view::npos) s = s.substr(0, slash);
  return std::string(s);
}

}  // namespace mctl::images
