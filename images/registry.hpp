#pragma once
// Docker registry HTTP API v2 client: catalog, tags, manifests, blobs, deletes. Handles basic
// auth and the bearer-token challenge flow (WWW-Authenticate: Bearer realm=...,service=...,
// scope=...), caching one token per scope. Thread-safe: gc calls it from several workers.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "images/gc_policy.hpp"

namespace mctl::images {

struct Credentials {
  std::string user;
  std::string password;
  std::string source;  // where they come from, for messages (never the password itself)
};

struct Manifest {
  std::string digest;      // Docker-Content-Digest of the manifest
  std::string media_type;
  std::string body;
  std::optional<std::string> config_digest;  // absent for manifest lists / indexes
  std::vector<Blob> blobs;                   // config and layers, with sizes
};

// The registry's base URL for a `registry` setting: its scheme when written; else http for
// loopback hosts (as Docker treats them as insecure registries) and https for the rest.
std::string registry_base_url(const std::string& setting);

class RegistryClient {
 public:
  RegistryClient(core::http::HttpClient& http, std::string base_url, std::optional<Credentials> credentials);

  // GET /v2/: checks that the registry answers and that the credentials are accepted.
  void ping();
  // Every repository of the catalog (follows Link pagination).
  std::vector<std::string> repositories();
  // Tags of a repository (follows Link pagination); empty when the repository is unknown.
  std::vector<std::string> tags(const std::string& repository);
  // The manifest a tag or digest names; nullopt when the registry has no such manifest.
  std::optional<Manifest> manifest(const std::string& repository, const std::string& reference);
  // HEAD of a manifest: its digest, or nullopt when absent (mctl image exists).
  std::optional<std::string> manifest_digest(const std::string& repository, const std::string& reference);
  // A blob's content (image config JSON).
  std::string blob(const std::string& repository, const std::string& digest);
  // Deletes a manifest by digest. Returns false when it was already gone (404). Throws
  // Error(Exit::remote) for other failures, e.g. 405 when deletion is disabled.
  bool delete_manifest(const std::string& repository, const std::string& digest);

  const std::string& base_url() const { return m_base; }

 private:
  core::http::Response send(core::http::Request request, const std::string& scope);
  std::optional<std::string> authorization_for(const std::string& scope);
  std::string fetch_token(const std::string& challenge, const std::string& scope);
  [[noreturn]] void fail(const std::string& doing, const core::http::Response& response) const;

  core::http::HttpClient& m_http;
  std::string m_base;
  std::optional<Credentials> m_credentials;
  std::mutex m_mutex;
  std::map<std::string, std::string> m_auth;  // scope -> Authorization header value
  bool m_basic = false;                       // the registry asked for basic auth
};

// Parses an auth challenge: `Bearer realm="...",service="...",scope="..."` -> its scheme
// (lower-cased, key "") and parameters.
std::map<std::string, std::string> parse_challenge(const std::string& header);

}  // namespace mctl::images
