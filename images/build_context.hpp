#pragma once
// The build context sent to POST /build: a tar archive of a directory without what
// .dockerignore excludes (images/tar.hpp writes the stream).
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mctl::images {

// .dockerignore rules as Docker applies them: one pattern per line, '#' comments, '!'
// re-includes, '*' and '?' within one path component, '**' across any number of them; a
// pattern that matches a directory excludes everything below it; the last match wins.
class DockerIgnore {
 public:
  static DockerIgnore parse(const std::string& text);
  // `path` relative to the context root, '/'-separated.
  bool excluded(const std::string& path) const;
  bool has_exceptions() const { return m_has_exceptions; }

 private:
  struct Rule {
    std::vector<std::string> segments;
    bool exception = false;
  };
  std::vector<Rule> m_rules;
  bool m_has_exceptions = false;
};

// Tar of `dir` (paths relative to it) honouring dir/.dockerignore. The Dockerfile and
// .dockerignore are always included, as Docker's client does. Throws Error naming the file
// that could not be read.
std::string build_context_tar(const std::filesystem::path& dir, const std::string& dockerfile);

// The relative paths build_context_tar would include, sorted (for tests and --dry-run).
std::vector<std::string> build_context_files(const std::filesystem::path& dir, const std::string& dockerfile);

// --build-arg values as docker build takes them: NAME=VALUE, or NAME alone for the value of
// the environment variable NAME (left out when it is not set, so the Dockerfile's default
// applies); the last of a name wins. Throws Error(Exit::usage) for an empty name.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::map<std::string, std::string> parse_build_args(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace mctl::images
