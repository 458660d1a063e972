#include "images/registry.hpp"

#include <fmt/format.h>

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <set>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "images/credentials.hpp"
#include "images/reference.hpp"

namespace mctl::images {
namespace {

using core::http::Request;
using core::http::Response;
using core::http::url_escape;

constexpr const char* k_manifest_accept =
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

// The target of a `Link: <...>; rel="next"` header, if any.
std::optional<std::string> next_link(const Response& r) {
  auto link = r.header("link");
  if (!link) return std::nullopt;
  const auto open = link->find('<');
  const auto close = link->find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  if (link->find("rel=\"next\"") == std::string::npos && link->find("rel=next") == std::string::npos) {
    return std::nullopt;
  }
  return link->substr(open + 1, close - open - 1);
}

// The next page of a listing: its Link as a path on this registry (the API allows it relative
// or absolute). A link to another origin is not followed (it would carry this registry's
// credentials), nor a page already read (a listing that goes round in circles would never
// end): both are remote errors, since gc must never act on part of a listing.
std::optional<std::string> next_page(const Response& r, const std::string& base, const std::string& doing,
                                     std::set<std::string>& seen) {
  auto link = next_link(r);
  if (!link) return std::nullopt;
  std::string path = *link;
  if (path.rfind(base + "/", 0) == 0) path = path.substr(base.size());
  if (path.rfind("/v2/", 0) != 0) {
    throw Error(fmt::format("{} at {}: the next page's link <{}> is not on this registry", doing, base,
                            core::excerpt(*link, 200)),
                Exit::remote);
  }
  if (!seen.insert(path).second) {
    throw Error(fmt::format("{} at {}: the registry's next page <{}> was read already (the listing would never end)",
                            doing, base, core::excerpt(path, 200)),
                Exit::remote);
  }
  return path;
}

// "HTTP 404: manifest unknown" from the registry's {"errors":[{"code","message"}]} body.
std::string excerpt(const Response& r) {
  std::string text;
  try {
    const auto body = core::parse_json(r.body, "registry error answer", Exit::remote);
    for (const auto& e : body.at("errors")) {
      if (!text.empty()) text += "; ";
      text += e.value("message", e.value("code", std::string("error")));
    }
  } catch (const std::exception&) {
    text = r.body;
  }
  text = core::excerpt(text, 200);
  return fmt::format("HTTP {}{}{}", r.status, text.empty() ? "" : ": ", text);
}

// "sha256:<hex>" of a manifest's bytes: what its digest is by definition.
std::string sha256_digest(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw Error("computing a manifest digest: OpenSSL's SHA-256 failed");
  }
  return "sha256:" + core::to_hex({reinterpret_cast<const char*>(md.data()), size});
}

// The Docker-Content-Digest of an answer, if sent. A value that is no digest is an answer mctl
// cannot act on: it would go into a later request's path (a DELETE's).
std::optional<std::string> header_digest(const Response& r, const std::string& what, const std::string& base) {
  auto digest = r.header("docker-content-digest");
  if (!digest) return std::nullopt;
  std::string value = core::trim(*digest);
  if (!valid_digest(value)) {
    throw Error(fmt::format("{} at {}: the registry's Docker-Content-Digest '{}' is not a digest", what, base,
                            core::printable(value)),
                Exit::remote);
  }
  return value;
}

// A digest inside a manifest (config, layers): checked like the header's.
std::string body_digest(const nlohmann::json& descriptor) {
  std::string digest = descriptor.at("digest").get<std::string>();
  if (!valid_digest(digest)) throw std::runtime_error(fmt::format("'{}' is not a digest", core::printable(digest)));
  return digest;
}

std::string repo_scope(const std::string& repository, const std::string& actions) {
  return fmt::format("repository:{}:{}", repository, actions);
}

}  // namespace

std::string registry_base_url(const std::string& setting) {
  if (setting.find("://") != std::string::npos) {
    std::string url = setting;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  const std::string host = registry_host(setting);
  const std::string bare = host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
  const bool loopback = bare == "localhost" || bare.rfind("127.", 0) == 0 || bare == "[::1]";
  return fmt::format("{}://{}", loopback ? "http" : "https", host);
}

std::map<std::string, std::string> parse_challenge(const std::string& header) {
  std::map<std::string, std::string> out;
  std::size_t i = header.find(' ');
  out[""] = core::to_lower(header.substr(0, i));
  while (i != std::string::npos && i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    const auto eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = core::to_lower(header.substr(i, eq - i));
    std::string value;
    i = eq + 1;
    if (i < header.size() && header[i] == '"') {
      const auto end = header.find('"', i + 1);
      value = header.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
      i = end == std::string::npos ? header.size() : end + 1;
    } else {
      const auto end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end;
    }
    out[key] = value;
  }
  return out;
}

RegistryClient::RegistryClient(core::http::HttpClient& http, std::string base_url,
                               std::optional<Credentials> credentials)
    : m_http(http), m_base(std::move(base_url)), m_credentials(std::move(credentials)) {}

void RegistryClient::fail(const std::string& doing, const Response& response) const {
  const Exit code = (response.status == 401 || response.status == 403) ? Exit::auth : Exit::remote;
  std::string hint;
  if (response.status == 405) hint = " (is deletion enabled in the registry: storage.delete.enabled?)";
  if (response.status == 401 && !m_credentials) hint = " (no credentials found for this registry)";
  if (response.status == 401 && m_credentials) {
    hint = fmt::format(" (the registry refused user '{}' from {})", m_credentials->user, m_credentials->source);
  }
  throw Error(fmt::format("{} at {}: registry answered {}{}", doing, m_base, excerpt(response), hint), code);
}

std::optional<std::string> RegistryClient::authorization_for(const std::string& scope) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_auth.find(scope); it != m_auth.end()) return it->second;
  if (m_basic && m_credentials) return "Basic " + base64_encode(m_credentials->user + ":" + m_credentials->password);
  return std::nullopt;
}

std::string RegistryClient::fetch_token(const std::string& challenge, const std::string& scope) {
  auto params = parse_challenge(challenge);
  const std::string realm = params["realm"];
  // A broken challenge or token answer is the service's fault, not a refusal of the
  // credentials: exit 3, as README's table has it (5 is for 401/403).
  if (realm.empty()) throw Error(fmt::format("authenticating to {}: bearer challenge without realm", m_base), Exit::remote);
  std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  if (!params["service"].empty()) url += "service=" + url_escape(params["service"]) + "&";
  url += "scope=" + url_escape(params["scope"].empty() ? scope : params["scope"]);
  Request request;
  request.url = url;
  if (m_credentials) {
    request.headers.emplace_back("Authorization",
                                 "Basic " + base64_encode(m_credentials->user + ":" + m_credentials->password));
  }
  const Response r = m_http.send(request);
  if (!r.ok()) {
    throw Error(fmt::format("getting a registry token from {}: {}", core::http::redact_url(realm), excerpt(r)),
                r.status == 401 || r.status == 403 ? Exit::auth : Exit::remote);
  }
  try {
    const auto body = core::parse_json(r.body, "registry token answer from " + core::http::redact_url(realm), Exit::remote);
    std::string token = body.value("token", "");
    if (token.empty()) token = body.value("access_token", "");
    if (token.empty()) throw std::runtime_error("no token");
    return "Bearer " + token;
  } catch (const std::exception&) {
    // The body is not quoted: it may hold a token under another name.
    throw Error(fmt::format("getting a registry token from {}: the answer holds no token",
                            core::http::redact_url(realm)),
                Exit::remote);
  }
}

Response RegistryClient::send(Request request, const std::string& scope) {
  request.url = m_base + request.url;
  const auto base_headers = request.headers;
  for (int attempt = 0;; ++attempt) {
    request.headers = base_headers;
    if (auto auth = authorization_for(scope)) request.headers.emplace_back("Authorization", *auth);
    Response r = m_http.send(request);
    if (r.status != 401 || attempt > 0) return r;
    const auto challenge = r.header("www-authenticate");
    if (!challenge) return r;
    const auto scheme = parse_challenge(*challenge)[""];
    if (scheme == "basic") {
      if (!m_credentials) return r;
      std::lock_guard lock(m_mutex);
      m_basic = true;
    } else if (scheme == "bearer") {
      auto token = fetch_token(*challenge, scope);
      std::lock_guard lock(m_mutex);
      m_auth[scope] = std::move(token);
    } else {
      return r;
    }
    core::log::debug("registry {} asked for {} auth; retrying", m_base, scheme);
  }
}

void RegistryClient::ping() {
  Request request;
  request.url = "/v2/";
  const Response r = send(request, "registry:ping");
  if (!r.ok()) fail("checking the registry", r);
}

std::vector<std::string> RegistryClient::repositories() {
  std::vector<std::string> out;
  std::optional<std::string> path = "/v2/_catalog?n=1000";
  std::set<std::string> pages{*path};
  while (path) {
    Request request;
    request.url = *path;
    const Response r = send(request, "registry:catalog:*");
    if (!r.ok()) fail("listing the registry's repositories", r);
    try {
      const auto body = core::parse_json(r.body, "registry answer from " + m_base + request.url, Exit::remote);  // must outlive the loop over its member
      for (const auto& name : body.at("repositories")) {
        const auto& text = name.get_ref<const std::string&>();
        if (valid_repository(text)) {
          out.push_back(text);
        } else {
          core::log::warn("{} lists repository '{}', which is not a valid name: left alone", m_base,
                          core::printable(text));
        }
      }
    } catch (const std::exception& e) {
      throw Error(fmt::format("listing the repositories of {}: unexpected answer: {}", m_base, e.what()), Exit::remote);
    }
    path = next_page(r, m_base, "listing the registry's repositories", pages);
  }
  return out;
}

std::vector<std::string> RegistryClient::tags(const std::string& repository) {
  std::vector<std::string> out;
  std::set<std::string> seen;  // a registry may list a tag twice (across pages)
  std::optional<std::string> path = fmt::format("/v2/{}/tags/list?n=1000", repository);
  std::set<std::string> pages{*path};
  while (path) {
    Request request;
    request.url = *path;
    const Response r = send(request, repo_scope(repository, "pull"));
    if (r.status == 404) return out;
    if (!r.ok()) fail(fmt::format("listing the tags of {}", repository), r);
    try {
      const auto body = core::parse_json(r.body, "registry answer from " + m_base + request.url, Exit::remote);
      if (body.contains("tags") && body["tags"].is_array()) {
        for (const auto& t : body["tags"]) {
          const auto& tag = t.get_ref<const std::string&>();
          if (!valid_tag(tag)) {
            core::log::warn("{} lists tag '{}' of {}, which is not a valid tag: left alone", m_base,
                            core::printable(tag), repository);
          } else if (seen.insert(tag).second) {
            out.push_back(tag);
          }
        }
      }
    } catch (const std::exception& e) {
      throw Error(fmt::format("listing the tags of {} at {}: unexpected answer: {}", repository, m_base, e.what()),
                  Exit::remote);
    }
    path = next_page(r, m_base, fmt::format("listing the tags of {}", repository), pages);
  }
  return out;
}

std::optional<Manifest> RegistryClient::manifest(const std::string& repository, const std::string& reference) {
  Request request;
  request.url = fmt::format("/v2/{}/manifests/{}", repository, reference);
  request.headers.emplace_back("Accept", k_manifest_accept);
  const Response r = send(request, repo_scope(repository, "pull"));
  if (r.status == 404) return std::nullopt;
  if (!r.ok()) fail(fmt::format("reading manifest {}:{}", repository, reference), r);
  Manifest m;
  m.body = r.body;
  const std::string what = fmt::format("reading manifest {}:{}", repository, reference);
  m.digest = header_digest(r, what, m_base).value_or(sha256_digest(r.body));
  try {
    const auto body = core::parse_json(r.body, "registry answer from " + m_base + request.url, Exit::remote);
    m.media_type = body.value("mediaType", r.header("content-type").value_or(""));
    if (body.contains("config")) {
      m.config_digest = body_digest(body["config"]);
      m.blobs.push_back({*m.config_digest, body["config"].value("size", std::uint64_t{0})});
    }
    if (body.contains("layers")) {
      for (const auto& layer : body["layers"]) {
        m.blobs.push_back({body_digest(layer), layer.value("size", std::uint64_t{0})});
      }
    }
  } catch (const std::exception& e) {
    throw Error(fmt::format("reading manifest {}:{} at {}: unexpected answer: {}", repository, reference, m_base,
                            e.what()),
                Exit::remote);
  }
  return m;
}

std::optional<std::string> RegistryClient::manifest_digest(const std::string& repository,
                                                           const std::string& reference) {
  Request request;
  request.method = "HEAD";
  request.url = fmt::format("/v2/{}/manifests/{}", repository, reference);
  request.headers.emplace_back("Accept", k_manifest_accept);
  const Response r = send(request, repo_scope(repository, "pull"));
  if (r.status == 404) return std::nullopt;
  const std::string what = fmt::format("looking up {}:{}", repository, reference);
  if (!r.ok()) fail(what, r);
  if (auto digest = header_digest(r, what, m_base)) return digest;
  // Without the header (it is optional), the digest is that of the manifest's bytes.
  const auto m = manifest(repository, reference);
  return m ? std::optional(m->digest) : std::nullopt;
}

std::string RegistryClient::blob(const std::string& repository, const std::string& digest) {
  Request request;
  request.url = fmt::format("/v2/{}/blobs/{}", repository, digest);
  const Response r = send(request, repo_scope(repository, "pull"));
  if (!r.ok()) fail(fmt::format("reading blob {} of {}", digest, repository), r);
  return r.body;
}

bool RegistryClient::delete_manifest(const std::string& repository, const std::string& digest) {
  Request request;
  request.method = "DELETE";
  request.url = fmt::format("/v2/{}/manifests/{}", repository, digest);
  const Response r = send(request, repo_scope(repository, "delete"));
  if (r.status == 404) return false;
  if (!r.ok()) fail(fmt::format("deleting {}@{}", repository, digest), r);
  return true;
}

}  // namespace mctl::images
