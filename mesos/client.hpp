#pragma once
// A Mesos client: the leading master (found through /master/redirect or a 307 among
// mesos.master_urls) for /master/state, and the agents (address from the master's
// slaves[].pid) for their /state, /files/read and /monitor/statistics. Each agent gets its own
// HTTP client, so one connection per agent is kept and reused; work on different agents runs
// in parallel, at most `parallel` at once.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/http.hpp"
#include "mesos/parse.hpp"

namespace mctl::mesos {

class MesosClient {
 public:
  MesosClient(std::vector<std::string> master_urls, core::http::ClientOptions options,
              std::string credential_source, int parallel = 8);

  // GET /master/state from the leading master. Throws Error(Exit::remote) when no master
  // answers, Error(Exit::auth) on 401/403.
  MasterState master_state();
  // The leading master's base URL ("http://10.0.0.2:5050"), asked once and remembered.
  std::string leader();

  // GET on an agent ("IP:PORT"): statuses are returned, transport failures throw.
  core::http::Response agent_get(const std::string& address, const std::string& path_and_query);
  // GET /files/read on an agent; nullopt on 404 (not there, or garbage-collected).
  std::optional<FileChunk> read_file(const std::string& address, const std::string& path,
                                     long long offset, long long length = -1);
  // The agent's sandboxes by executor id.
  std::map<std::string, Sandbox> agent_sandboxes(const std::string& address);
  // The agent's executor statistics by executor id.
  std::map<std::string, Statistics> agent_statistics(const std::string& address);

  // Runs `work` for each key, different keys in parallel (at most `parallel` at once). An
  // exception from `work` is the caller's to catch inside it: here it ends the process.
  void for_each_parallel(const std::vector<std::string>& keys,
                         const std::function<void(const std::string&)>& work);
  // Agents asked at once (mesos.parallel).
  int parallel() const { return m_parallel; }

 private:
  core::http::HttpClient& agent_http(const std::string& address);
  core::http::Response master_get(const std::string& base, const std::string& path);
  [[noreturn]] void refused(const core::http::Response& r, const std::string& what) const;
  void check(const core::http::Response& r, const std::string& what) const;

  std::vector<std::string> m_masters;
  core::http::ClientOptions m_options;
  std::string m_credential_source;
  int m_parallel;
  std::string m_scheme = "http";
  std::unique_ptr<core::http::HttpClient> m_master_http;
  std::string m_leader;
  std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<core::http::HttpClient>> m_agents;
};

// The client for the configured environment: mesos.master_urls (MCTL_MESOS_URL, --mesos),
// mesos.credentials.*, mesos.ca_file, mesos.insecure and the http.* timeouts. nullptr when no
// master is configured.
std::unique_ptr<MesosClient> connect(const core::MesosSettings& settings, const core::Environ& environ);
// The same from config.settings().mesos.
std::unique_ptr<MesosClient> connect(const core::Config& config);

}  // namespace mctl::mesos
