#pragma once
// A service's HTTP client options from the configuration, so every service client honours the
// same settings: http.connect_timeout, http.timeout, http.retries, and the service's own CA
// bundle / "insecure" keys when it has them.
#include <string>

#include "core/config.hpp"
#include "core/http.hpp"

namespace mctl::core {

// Config keys of one service's TLS settings; an empty key: the service has none.
struct ServiceTlsKeys {
  std::string ca_file;   // e.g. "marathon.ca_file", "registry_ca_file"
  std::string insecure;  // e.g. "marathon.insecure"
};

http::ClientOptions service_http_options(const Config& config, const ServiceTlsKeys& tls = {});

}  // namespace mctl::core
