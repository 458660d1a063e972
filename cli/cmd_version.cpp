#include <ares.h>
#include <curl/curlver.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include <CLI/Version.hpp>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.hpp"
#include "cli/git_describe.hpp"
#include "cli/version.hpp"
#include "core/curl_library.hpp"
#include "core/error.hpp"

namespace mctl::cli {
namespace {

struct LibraryVersion {
  std::string name, version, linked;  // linked: static, shared, header-only, dlopen
};

// The versions of the libraries in the binary: from the library itself where it can say (the
// code that runs, also with -DMCTL_STATIC_DEPS=OFF), else from its headers or CMake package.
std::vector<LibraryVersion> library_versions() {
  const std::string compiled = k_static_deps ? "static" : "shared";
  return {
      {"yaml-cpp", k_yaml_cpp_version, compiled},
      {"libsodium", sodium_version_string(), compiled},
      {"c-ares", ares_version(nullptr), compiled},
      {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING), compiled},
      // Static: its implementation compiled once into the binary (cmake/fmt_once.cpp).
      {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100), compiled},
      {"nlohmann_json",
       fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                   NLOHMANN_JSON_VERSION_PATCH),
       "header-only"},
      {"CLI11", CLI11_VERSION, "header-only"},
  };
}

// libcurl is loaded on first HTTP use (7 ms of dynamic loading), so by default `version` names
// the headers it was built against; with -v it loads the library and asks it.
struct CurlVersion {
  std::string version;  // the loaded library's, or the headers'
  bool loaded = false;
  std::string detail;  // what the loaded library was built with, or why it could not be loaded
};

CurlVersion curl_version(bool load) {
  if (!load) return {LIBCURL_VERSION, false, "loaded on first HTTP use; -v loads it now"};
  try {
    const curl_version_info_data* info = core::curl::library().version_info(CURLVERSION_NOW);
    return {info->version, true, info->ssl_version ? info->ssl_version : "no TLS"};
  } catch (const Error& e) {
    return {LIBCURL_VERSION, false, fmt::format("not loadable: {}", e.what())};
  }
}

nlohmann::json version_json(const CurlVersion& curl) {
  nlohmann::json libraries = nlohmann::json::object();
  for (const auto& lib : library_versions()) {
    libraries[lib.name] = {{"version", lib.version}, {"linked", lib.linked}};
  }
  libraries["libcurl"] = {{"version", curl.version}, {"linked", "dlopen"}, {"loaded", curl.loaded},
                          {"built_against", LIBCURL_VERSION}, {"detail", curl.detail}};
  return {{"version", k_version}, {"git", k_git_describe}, {"build_type", k_build_type},
          {"libraries", libraries}};
}

std::string version_text(const CurlVersion& curl) {
  std::string text = version_line();
  for (const auto& lib : library_versions()) {
    text += fmt::format("\n  {:<14} {} ({})", lib.name, lib.version, lib.linked);
  }
  text += fmt::format("\n  {:<14} {} (dlopen, {})", "libcurl", curl.version, curl.detail);
  return text;
}

}  // namespace

std::string version_line() {
  return fmt::format("mctl {} ({}, {})", k_version, k_git_describe, k_build_type);
}

void add_version_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "version", "Print mctl's version, build and library versions (-v also loads libcurl)");
  sub->callback(command(ctx, [&ctx] {
    const CurlVersion curl = curl_version(ctx.globals.verbosity > 0);
    if (ctx.json()) {
      ctx.print_json(version_json(curl));
    } else {
      ctx.print(version_text(curl));
    }
  }));
}

}  // namespace mctl::cli
