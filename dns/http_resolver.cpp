// The Mesos-DNS HTTP API as a Resolver. Its quirks: every answer is HTTP 200, an unknown
// name gives one record with empty fields, ports are strings, order is random.
#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/json.hpp"
#include "core/error.hpp"
#include "core/http.hpp"
#include "core/strings.hpp"
#include "dns/resolver.hpp"

namespace mctl::dns {
namespace {

// Mesos-DNS answers one name with a record per task (about 100 bytes each): 16 MiB is over
// 100,000 tasks, and what a worker may hold while the other names are asked.
constexpr std::size_t k_max_body = std::size_t{16} << 20;

std::string field(const nlohmann::json& item, const char* key) {
  if (!item.contains(key)) return "";
  const auto& v = item[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return "";
}

int parse_port(const std::string& text, const std::string& url) {
  int port = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || ptr != text.data() + text.size() || port < 0 || port > 65535) {
    throw Error(fmt::format("{}: port '{}' is not a number", url, text), Exit::remote);
  }
  return port;
}

bool is_ip_address(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  return ::inet_pton(AF_INET, text.c_str(), bytes.data()) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1;
}

// A record's fields are what Mesos-DNS fills in, an IP address and a DNS name, as a DNS
// answer's are by construction; anything else (a proxy's text, control characters) is the
// server's fault and is never shown as a record.
void check_record(const Record& r, const std::string& url) {
  if (!r.ip.empty() && !is_ip_address(r.ip)) {
    throw Error(
        fmt::format("{} answered '{}' as an IP address", url, core::printable(r.ip.substr(0, 64))),
        Exit::remote);
  }
  if (r.host.empty()) return;
  if (const auto why = name_problem(r.host); !why.empty()) {
    throw Error(fmt::format("{} answered '{}' as a host, which is not a DNS name: {}", url,
                            core::printable(r.host.substr(0, 64)), why),
                Exit::remote);
  }
}

// The records of one /v1/hosts or /v1/services body. Throws Error(Exit::remote) when the body
// is not what Mesos-DNS sends.
std::vector<Record> parse_body(const std::string& body, RecordType type, const std::string& url) {
  nlohmann::json doc;
  try {
    doc = core::parse_json(body, url, Exit::remote);
  } catch (const Error&) {
    throw Error(fmt::format("{} did not answer JSON: is this the Mesos-DNS HTTP API?", url), Exit::remote);
  }
  if (!doc.is_array()) throw Error(fmt::format("{} answered JSON that is not a list", url), Exit::remote);
  std::vector<Record> records;
  for (const auto& item : doc) {
    if (!item.is_object()) throw Error(fmt::format("{} answered a list of non-objects", url), Exit::remote);
    Record r;
    r.ip = field(item, "ip");
    std::string host = field(item, "host");
    if (!host.empty() && host.back() == '.') host.pop_back();
    r.host = host;
    if (type == RecordType::srv) {
      const std::string port = field(item, "port");
      if (r.host.empty() && r.ip.empty() && port.empty()) continue;  // "unknown name"
      r.port = parse_port(port, url);
    } else if (r.host.empty() && r.ip.empty()) {
      continue;  // "unknown name"
    }
    check_record(r, url);
    records.push_back(std::move(r));
  }
  return records;
}

class HttpResolver final : public Resolver {
 public:
  HttpResolver(core::http::HttpClient& client, std::string base_url, int parallel)
      : m_client(client), m_base(std::move(base_url)), m_parallel(std::max(1, parallel)) {
    while (!m_base.empty() && m_base.back() == '/') m_base.pop_back();
  }

  std::vector<Answer> resolve(const std::vector<Question>& questions) override {
    std::vector<Answer> answers(questions.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i = next++; i < questions.size(); i = next++) answers[i] = ask(questions[i]);
    };
    const auto threads = std::min<std::size_t>(static_cast<std::size_t>(m_parallel), questions.size());
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    return answers;
  }

  std::string describe() const override { return m_base; }

 private:
  Answer ask(const Question& q) {
    Answer a;
    a.name = normalize_name(q.name);
    a.type = q.type;
    if (auto why = name_problem(a.name); !why.empty()) {
      a.status = Status::invalid;
      a.detail = fmt::format("not a valid DNS name: {}", why);
      return a;
    }
    const std::string url = fmt::format("{}/v1/{}/{}", m_base, q.type == RecordType::a ? "hosts" : "services",
                                        core::http::url_escape(a.name));
    core::http::Response response;
    try {
      core::http::Request request;
      request.url = url;
      request.max_body = k_max_body;
      response = m_client.send(request);
    } catch (const Error& e) {
      a.status = e.exit_code() == Exit::timeout ? Status::timeout : Status::unreachable;
      a.detail = e.what();
      return a;
    }
    if (!response.ok()) {
      a.status = Status::error;
      a.detail = fmt::format("{} answered HTTP {}", core::http::redact_url(url), response.status);
      return a;
    }
    try {
      a.records = parse_body(response.body, q.type, core::http::redact_url(url));
    } catch (const Error& e) {
      a.status = Status::error;
      a.detail = e.what();
      return a;
    }
    for (auto& r : a.records) {
      if (q.type == RecordType::a && r.host.empty()) r.host = a.name;
    }
    sort_records(a.records);
    if (a.records.empty()) {
      a.status = Status::no_records;
      a.detail = "unknown name (empty record)";
    }
    return a;
  }

  core::http::HttpClient& m_client;
  std::string m_base;
  int m_parallel;
};

}  // namespace

std::unique_ptr<Resolver> make_http_resolver(core::http::HttpClient& client, std::string base_url, int parallel) {
  return std::make_unique<HttpResolver>(client, std::move(base_url), parallel);
}

}  // namespace mctl::dns
