#pragma once
// libcurl, loaded when the first HTTP client is made rather than when mctl starts.
//
// libcurl.so.4 pulls in about 30 shared libraries (OpenSSL, GnuTLS via librtmp and libldap,
// Kerberos, libssh2, nghttp2, ...). Linking them at start-up made every command pay about 7 ms
// of dynamic loading, including `mctl vault view`, `mctl render` and `mctl --help`, which never
// touch the network. Only core/http.cpp uses libcurl, so it reaches it through this table; the
// soname is the one Debian's libcurl4 package ships and the headers the build compiled against.
#include <curl/curl.h>

#include <thread>

namespace mctl::core::curl {

struct Library {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL* handle);
  CURLcode (*easy_getinfo)(CURL* handle, CURLINFO info, ...);
  void (*easy_reset)(CURL* handle);
  void (*easy_cleanup)(CURL* handle);
  const char* (*easy_strerror)(CURLcode code);
  curl_slist* (*slist_append)(curl_slist* list, const char* line);
  void (*slist_free_all)(curl_slist* list);
  curl_version_info_data* (*version_info)(CURLversion age);
};

// Loads libcurl and runs curl_global_init once (thread-safe). Throws Error (exit 1) naming the
// library and dlerror()'s reason when it cannot be loaded.
const Library& library();

// Loads libcurl (with the ~30 libraries it needs: 10-70 ms, most of it relocations) on a thread
// of its own while the command does other work first (reading specs, asking git), so a deploy's
// first request does not wait for it. The first library() call then finds it loaded or waits
// for the load; a load that failed here is tried again there and reports its error. Joins on
// destruction.
class Preload {
 public:
  Preload();
  ~Preload();
  Preload(const Preload&) = delete;
  Preload& operator=(const Preload&) = delete;

 private:
  std::thread m_thread;
};

}  // namespace mctl::core::curl
