#include "core/curl_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>
#include <string>

#include "core/error.hpp"

namespace mctl::core::curl {
namespace {

constexpr const char* k_soname = "libcurl.so.4";

template <typename Fn>
void bind(void* handle, Fn& slot, const char* symbol) {
  void* address = dlsym(handle, symbol);
  if (address == nullptr) {
    throw Error(fmt::format("loading {}: symbol {} is missing ({})", k_soname, symbol, dlerror()));
  }
  slot = reinterpret_cast<Fn>(address);
}

Library load() {
  // RTLD_NOW: a broken library fails here, once, not in the middle of a request.
  void* handle = dlopen(k_soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw Error(fmt::format("loading {} for HTTP requests: {} (install Debian's libcurl4)", k_soname, dlerror()));
  }
  Library lib{};
  bind(handle, lib.global_init, "curl_global_init");
  bind(handle, lib.easy_init, "curl_easy_init");
  bind(handle, lib.easy_setopt, "curl_easy_setopt");
  bind(handle, lib.easy_perform, "curl_easy_perform");
  bind(handle, lib.easy_getinfo, "curl_easy_getinfo");
  bind(handle, lib.easy_reset, "curl_easy_reset");
  bind(handle, lib.easy_cleanup, "curl_easy_cleanup");
  bind(handle, lib.easy_strerror, "curl_easy_strerror");
  bind(handle, lib.slist_append, "curl_slist_append");
  bind(handle, lib.slist_free_all, "curl_slist_free_all");
  bind(handle, lib.version_info, "curl_version_info");
  if (const CURLcode code = lib.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    throw Error(fmt::format("initialising {}: {}", k_soname, lib.easy_strerror(code)));
  }
  // The handle stays open for the life of the process: handles made from it live until exit.
  return lib;
}

}  // namespace

const Library& library() {
  static std::once_flag once;
  static Library lib{};
  std::call_once(once, [] { lib = load(); });
  return lib;
}

Preload::Preload()
    : m_thread([] {
        try {
          library();
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported by the next library() call
        }
      }) {}

Preload::~Preload() { m_thread.join(); }

}  // namespace mctl::core::curl
