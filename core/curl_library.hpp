#pragma once
// libcurl, loaded when the first HTTP client is made rather than when mctl starts.
//
// libcurl.so.4 pulls in about 30 shared libraries (OpenSSL, GnuTLS via librtmp and libldap,
// Kerberos, libssh2, nghttp2, ...). Linking them at start-up made every command pay about 7 ms
// of dynamic loading, including `mctl vault view`, `mctl render` and `mctl --help`, which never
// touch the network. Only core/http.cpp uses libcurl, so it reaches it through this table; the
// soname is the one Debian's libcurl4 package ships and the headers the build compiled against.
#include <curl/curl.h>

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

}  // namespace mctl::core::curl
