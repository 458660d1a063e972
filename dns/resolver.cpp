#include "dns/resolver.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>

#include "core/error.hpp"

namespace mctl::dns {
namespace {

// Sort key of an address: IPv4 numerically, then IPv6, then anything else as text.
std::tuple<int, std::array<unsigned char, 16>, std::string> ip_key(const std::string& ip) {
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, ip.c_str(), bytes.data()) == 1) return {0, bytes, ""};
  if (::inet_pton(AF_INET6, ip.c_str(), bytes.data()) == 1) return {1, bytes, ""};
  return {2, bytes, ip};
}

}  // namespace

std::string to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::no_records: return "no_records";
    case Status::timeout: return "timeout";
    case Status::refused: return "refused";
    case Status::unreachable: return "unreachable";
    case Status::error: return "error";
    case Status::invalid: return "invalid";
  }
  return "error";
}

Exit exit_code(Status status) {
  switch (status) {
    case Status::ok: return Exit::ok;
    case Status::no_records: return Exit::no_records;
    case Status::timeout: return Exit::timeout;
    case Status::invalid: return Exit::usage;
    case Status::refused:
    case Status::unreachable:
    case Status::error: return Exit::remote;
  }
  return Exit::remote;
}

Exit worse(Exit a, Exit b) {
  const auto rank = [](Exit e) {
    switch (e) {
      case Exit::ok: return 0;
      case Exit::no_records: return 1;
      case Exit::remote: return 2;
      case Exit::timeout: return 3;
      default: return 4;  // usage and anything else: the input itself is wrong
    }
  };
  return rank(b) > rank(a) ? b : a;
}

AresTiming ares_timing(std::chrono::milliseconds deadline, bool tcp) {
  const int total = static_cast<int>(std::max<std::chrono::milliseconds::rep>(deadline.count(), 1));
  if (tcp) return {total, 1};
  return {std::max(1, total / 7), 3};
}

bool ip_less(const std::string& a, const std::string& b) { return ip_key(a) < ip_key(b); }

void sort_records(std::vector<Record>& records) {
  std::sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
    return std::forward_as_tuple(ip_key(a.ip), a.port, a.host) < std::forward_as_tuple(ip_key(b.ip), b.port, b.host);
  });
  records.erase(std::unique(records.begin(), records.end(),
                            [](const Record& a, const Record& b) {
                              return a.ip == b.ip && a.port == b.port && a.host == b.host;
                            }),
                records.end());
}

std::string normalize_name(const std::string& name) {
  std::string out = name;
  if (!out.empty() && out.back() == '.') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  return out;
}

HostPort parse_server(const std::string& text, int default_port) {
  HostPort out{text, default_port};
  if (text.find("://") != std::string::npos) {
    throw Error(fmt::format("DNS server '{}' is a URL: give host[:port], or use --http for the HTTP API", text),
                Exit::usage);
  }
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) throw Error(fmt::format("DNS server '{}': missing ']'", text), Exit::usage);
    out.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') throw Error(fmt::format("DNS server '{}': expected ':' after ']'", text), Exit::usage);
      port_text = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) throw Error(fmt::format("DNS server '{}': no host", text), Exit::usage);
  if (!port_text.empty() || (text.size() > 0 && text.back() == ':')) {
    int port = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      throw Error(fmt::format("DNS server '{}': port '{}' is not a number from 1 to 65535", text, port_text),
                  Exit::usage);
    }
    out.port = port;
  }
  return out;
}

}  // namespace mctl::dns
