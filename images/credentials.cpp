#include "images/credentials.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "core/service_http.hpp"
#include "core/strings.hpp"
#include "images/reference.hpp"

namespace mctl::images {
namespace {

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::optional<Credentials> from_helper(const std::string& helper, const std::string& host, const std::string& origin) {
  core::ProcessOptions options;
  options.input = host;
  options.timeout = std::chrono::seconds(30);
  const auto r = core::run_process({"docker-credential-" + helper, "get"}, options);
  if (r.exit_code != 0) {
    // Helpers answer "credentials not found in native keychain" for unknown hosts.
    if (r.out.find("not found") != std::string::npos || r.err.find("not found") != std::string::npos) return std::nullopt;
    throw Error(fmt::format("reading registry credentials for {} from docker-credential-{} ({}): it exited with {}",
                            host, helper, origin, r.exit_code),
                Exit::auth);
  }
  try {
    const auto body = core::parse_json(r.out, "docker-credential-" + helper + " answer", Exit::remote);
    return Credentials{body.at("Username").get<std::string>(), body.at("Secret").get<std::string>(),
                       fmt::format("docker-credential-{} ({})", helper, origin)};
  } catch (const std::exception&) {
    throw Error(fmt::format("reading registry credentials for {} from docker-credential-{}: unexpected answer",
                            host, helper),
                Exit::auth);
  }
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(data), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  if (clean.size() % 4 != 0) throw Error("invalid base64 text");
  std::string out(clean.size() / 4 * 3 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(clean), static_cast<int>(clean.size()));
  if (n < 0) throw Error("invalid base64 text");
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!clean.empty() && clean.back() == '=') --size;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::optional<Credentials> docker_config_credentials(const std::string& text, const std::string& host,
                                                     const std::string& origin) {
  nlohmann::json config;
  try {
    config = core::parse_json(text, origin);
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: not valid JSON: {}", origin, e.what()), Exit::usage);
  }
  if (config.contains("credHelpers") && config["credHelpers"].contains(host)) {
    return from_helper(config["credHelpers"][host].get<std::string>(), host, origin);
  }
  if (config.contains("auths") && config["auths"].is_object()) {
    for (const auto& [key, entry] : config["auths"].items()) {
      if (registry_host(key) != host) continue;
      if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
        std::string decoded;
        try {
          decoded = base64_decode(entry["auth"].get<std::string>());
        } catch (const Error&) {
          throw Error(fmt::format("{}: auths.{}.auth is not base64 of user:password", origin, key), Exit::usage);
        }
        const auto colon = decoded.find(':');
        if (colon == std::string::npos) {
          throw Error(fmt::format("{}: auths.{}.auth is not base64 of user:password", origin, key), Exit::usage);
        }
        return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1), fmt::format("{} auths.{}", origin, key)};
      }
      if (entry.contains("username") && entry.contains("password")) {
        return Credentials{entry["username"].get<std::string>(), entry["password"].get<std::string>(),
                           fmt::format("{} auths.{}", origin, key)};
      }
    }
  }
  if (config.contains("credsStore") && config["credsStore"].is_string()) {
    return from_helper(config["credsStore"].get<std::string>(), host, origin);
  }
  return std::nullopt;
}

std::optional<Credentials> find_credentials(const core::RegistrySettings& settings, const core::Environ& environ,
                                            const std::string& host) {
  const auto& c = settings.credentials;
  if (const auto& user = *c.user) {
    std::string password;
    std::string source = fmt::format("registry_credentials ({}", c.user.origin.text());
    if (const auto& file = *c.password_file) {
      source += ", password_file " + file->string() + ")";
      password = core::read_file(*file);
      while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    } else if (const auto& var = *c.password_env) {
      auto value = environ.find(*var);
      if (value == environ.end()) {
        throw Error(fmt::format("registry_credentials.password_env names {}, which is not set", *var), Exit::usage);
      }
      password = value->second;
      source += ", password_env " + *var + ")";
    } else {
      throw Error("registry_credentials.user is set but neither password_file nor password_env is", Exit::usage);
    }
    return Credentials{*user, password, source};
  }
  std::filesystem::path file;
  if (auto dir = environ.find("DOCKER_CONFIG"); dir != environ.end()) {
    file = std::filesystem::path(dir->second) / "config.json";
  } else if (auto home = environ.find("HOME"); home != environ.end()) {
    file = std::filesystem::path(home->second) / ".docker" / "config.json";
  } else {
    return std::nullopt;
  }
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  return docker_config_credentials(core::read_file(file), host, file.string());
}

std::string engine_auth_header(const std::optional<Credentials>& credentials, const std::string& host) {
  nlohmann::json auth = nlohmann::json::object();
  if (credentials) auth = {{"username", credentials->user}, {"password", credentials->password}, {"serveraddress", host}};
  std::string encoded = base64_encode(auth.dump());
  for (auto& c : encoded) {  // base64url, as the Engine API documents
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return encoded;
}

std::optional<Credentials> find_credentials(const core::Config& config, const std::string& host) {
  return find_credentials(config.settings().registry, config.environ_map(), host);
}

core::http::ClientOptions http_options(const core::RegistrySettings& settings) {
  return core::service_http_options(settings.http, settings.tls);
}

core::http::ClientOptions http_options(const core::Config& config) { return http_options(config.settings().registry); }

}  // namespace mctl::images
