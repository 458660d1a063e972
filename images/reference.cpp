#include "images/reference.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace mctl::images {
namespace {

bool is_registry_component(std::string_view part) {
  return part.find('.') != std::string_view::npos || part.find(':') != std::string_view::npos ||
         part == "localhost";
}

bool valid_repository(std::string_view repo) {
  if (repo.empty() || repo.front() == '/' || repo.back() == '/') return false;
  for (char c : repo) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-' || c == '/';
    if (!ok) return false;
  }
  return repo.find("//") == std::string_view::npos;
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

}  // namespace

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
    if (ref.digest.find(':') == std::string::npos) throw bad("the digest must look like sha256:<hex>");
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
    throw bad("the name may hold only lower-case letters, digits, '.', '_', '-' and '/'");
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
