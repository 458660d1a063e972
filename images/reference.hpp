#pragma once
// Docker image references ("registry:5000/team/web:abc123", "web@sha256:...") and the glob
// matching used by the gc keep list.
#include <string>
#include <string_view>

namespace mctl::images {

struct ImageRef {
  std::string registry;    // "registry.example.com:5000"; "" for Docker Hub / local names
  std::string repository;  // "team/web"
  std::string tag;         // "" when none was written
  std::string digest;      // "sha256:..." when written with @

  // "registry/repository" (or just "repository").
  std::string name() const;
  // The full reference as Docker writes it: name[:tag][@digest].
  std::string str() const;
};

// Parses a reference. The first path component is a registry when it holds '.' or ':' or is
// "localhost" (Docker's rule); "docker.io/library/x" is normalised to "x". Throws
// Error(Exit::usage) naming the text when it is not a valid reference.
ImageRef parse_reference(std::string_view text);

// The same reference in one canonical spelling, for comparing references written by people,
// Marathon and the registry ("docker.io/library/web:1" == "web:1"). Unparsable text is
// returned unchanged.
std::string normalize_reference(std::string_view text);

// Docker's grammar for a repository path ("team/web"; at most 255 characters): components of
// lower-case letters and digits joined by '.', '_', '__' or dashes, separated by '/'.
bool valid_repository(std::string_view repository);
// A tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool valid_tag(std::string_view tag);
// A content digest ("sha256:<hex>"), the OCI grammar: algorithm [a-z0-9]+([+._-][a-z0-9]+)*,
// ':', then [a-zA-Z0-9=_-]+. Nothing else can go in a URL path as a digest.
bool valid_digest(std::string_view digest);

// Shell-style glob: '*' matches any run of characters (including '/'), '?' one character.
bool glob_match(std::string_view pattern, std::string_view text);

// "host:port" of a registry setting that may be written as a URL ("http://host:5000/").
std::string registry_host(std::string_view setting);

}  // namespace mctl::images
