#include "core/service_http.hpp"

namespace mctl::core {

http::ClientOptions service_http_options(const Config& config, const ServiceTlsKeys& tls) {
  http::ClientOptions o;
  o.connect_timeout = config.get_duration("http.connect_timeout");
  o.total_timeout = config.get_duration("http.timeout");
  o.max_retries = static_cast<int>(config.get_int("http.retries"));
  if (!tls.ca_file.empty()) {
    if (auto ca = config.get_path(tls.ca_file)) o.ca_file = ca->string();
  }
  if (!tls.insecure.empty()) o.insecure = config.get_bool(tls.insecure);
  return o;
}

}  // namespace mctl::core
