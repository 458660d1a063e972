#include "mesos/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/service_http.hpp"

namespace mctl::mesos {
namespace http = core::http;

MesosClient::MesosClient(std::vector<std::string> master_urls, http::ClientOptions options,
                         std::string credential_source, int parallel)
    : m_masters(std::move(master_urls)),
      m_options(std::move(options)),
      m_credential_source(std::move(credential_source)),
      m_parallel(std::max(parallel, 1)) {
  for (auto& url : m_masters) {
    while (!url.empty() && url.back() == '/') url.pop_back();
  }
  if (!m_masters.empty() && m_masters.front().rfind("https://", 0) == 0) m_scheme = "https";
  m_master_http = http::make_curl_client(m_options);
}

void MesosClient::refused(const http::Response& r, const std::string& what) const {
  throw Error(fmt::format("{}: Mesos at {} refused access (HTTP {}); credentials used: {}", what,
                          r.url, r.status, m_credential_source),
              Exit::auth);
}

void MesosClient::check(const http::Response& r, const std::string& what) const {
  if (r.status == 401 || r.status == 403) refused(r, what);
  if (!r.ok())
    throw Error(fmt::format("{}: Mesos at {} answered HTTP {}", what, r.url, r.status),
                Exit::remote);
}

http::Response MesosClient::master_get(const std::string& base, const std::string& path) {
  http::Request request;
  request.url = base + path;
  return m_master_http->send(request);
}

std::string MesosClient::leader() {
  if (!m_leader.empty()) return m_leader;
  std::string why;
  for (const auto& url : m_masters) {
    try {
      // Every master, the leader too, answers /master/redirect with a 307 to the leader.
      const auto r = master_get(url, "/master/redirect");
      if (r.status == 401 || r.status == 403) refused(r, "finding the leading Mesos master");
      const auto location = r.header("location");
      if (r.status == 307 && location) {
        m_leader = leader_base_from_location(*location, url);
        if (!m_leader.empty()) return m_leader;
      }
      why = fmt::format("{} answered /master/redirect with HTTP {} and no leader", url, r.status);
    } catch (const Error& e) {
      if (e.exit_code() == Exit::auth) throw;
      why = e.what();
    }
  }
  throw Error(
      fmt::format("finding the leading Mesos master among {}: {}", fmt::join(m_masters, ", "), why),
      Exit::remote);
}

MasterState MesosClient::master_state() {
  for (int hop = 0; hop < 3; ++hop) {
    const std::string base = leader();
    const auto r = master_get(base, "/master/state");
    const auto location = r.header("location");
    if (r.status == 307 && location) {  // the leader changed since we asked
      m_leader = leader_base_from_location(*location, base);
      continue;
    }
    check(r, "reading the Mesos master's state");
    return parse_master_state(r.body, "GET " + base + "/master/state");
  }
  throw Error("reading the Mesos master's state: redirected more than 3 times", Exit::remote);
}

http::HttpClient& MesosClient::agent_http(const std::string& address) {
  std::lock_guard lock(m_mutex);
  auto& client = m_agents[address];
  if (!client) client = http::make_curl_client(m_options);
  return *client;
}

http::Response MesosClient::agent_get(const std::string& address,
                                      const std::string& path_and_query) {
  http::Request request;
  request.url = fmt::format("{}://{}{}", m_scheme, address, path_and_query);
  return agent_http(address).send(request);
}

std::optional<FileChunk> MesosClient::read_file(const std::string& address, const std::string& path,
                                                long long offset, long long length) {
  std::string query = fmt::format("/files/read?path={}&offset={}", http::url_escape(path), offset);
  if (length >= 0) query += fmt::format("&length={}", length);
  const auto r = agent_get(address, query);
  if (r.status == 404) return std::nullopt;
  check(r, fmt::format("reading {} on agent {}", path, address));
  return parse_read(r.body, "GET " + r.url);
}

std::map<std::string, Sandbox> MesosClient::agent_sandboxes(const std::string& address) {
  const auto r = agent_get(address, "/state");
  check(r, fmt::format("reading the state of agent {}", address));
  return parse_agent_state(r.body, "GET " + r.url);
}

std::map<std::string, Statistics> MesosClient::agent_statistics(const std::string& address) {
  const auto r = agent_get(address, "/monitor/statistics");
  check(r, fmt::format("reading the statistics of agent {}", address));
  return parse_statistics(r.body, "GET " + r.url);
}

void MesosClient::for_each_parallel(const std::vector<std::string>& keys,
                                    const std::function<void(const std::string&)>& work) {
  const auto workers = std::min<std::size_t>(static_cast<std::size_t>(m_parallel), keys.size());
  if (workers <= 1) {
    for (const auto& k : keys) work(k);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      for (std::size_t k = next++; k < keys.size(); k = next++) work(keys[k]);
    });
  }
  for (auto& t : threads) t.join();
}

std::unique_ptr<MesosClient> connect(const core::MesosSettings& settings, const core::Environ& environ) {
  if (settings.master_urls->empty()) return nullptr;
  const auto credentials = core::service_credentials(settings.credentials, environ, "Mesos");
  auto options = core::service_http_options(settings.http, settings.tls);
  core::apply_credentials(options, credentials);
  return std::make_unique<MesosClient>(*settings.master_urls, options, credentials.source,
                                       std::max(*settings.parallel, 1));
}

std::unique_ptr<MesosClient> connect(const core::Config& config) {
  return connect(config.settings().mesos, config.environ_map());
}

}  // namespace mctl::mesos
