#pragma once
// Marathon REST client: several instance URLs with failover, credentials from files or the
// environment, and Marathon's error bodies decoded into messages a person can act on.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/http.hpp"

namespace mctl::deploy {

using nlohmann::json;

// An error answer from Marathon (4xx/5xx), with the status and body kept so that a caller
// can say more (e.g. map 422 paths back to the spec).
class MarathonError : public Error {
 public:
  MarathonError(const std::string& message, Exit exit, long status, std::string body)
      : Error(message, exit), m_status(status), m_body(std::move(body)) {}
  long status() const noexcept { return m_status; }
  const std::string& body() const noexcept { return m_body; }

 private:
  long m_status;
  std::string m_body;
};

// No Marathon instance answered (connection refused or reset, timeout, 502/503/504, the
// empty 200 of a non-leader) in any round: an outage or a leader election, not an answer.
class Unreachable : public Error {
 public:
  explicit Unreachable(const std::string& message) : Error(message, Exit::remote) {}
};

// How requests authenticate, and a description of where the secret came from (for 401/403
// messages; never the secret itself).
struct Credentials {
  std::optional<core::http::BasicAuth> basic;
  std::optional<std::string> token;  // DC/OS: "Authorization: token=<token>"
  std::string source = "no credentials configured";
};

// Reads marathon.credentials.* (the password/token from the named file or environment
// variable). Throws Error(Exit::usage) naming the file or variable when it cannot be read.
Credentials credentials_from(const core::MarathonSettings& settings, const core::Environ& environ);

// The answer to a change request (PUT/POST/DELETE that creates a deployment).
struct Change {
  std::string deployment_id;           // empty when there is nothing to follow
  std::string version;                 // the target version Marathon returned
  std::vector<std::string> locked_by;  // 409: the deployments holding the lock; nothing applied
  bool locked() const { return !locked_by.empty(); }
};

class MarathonClient {
 public:
  // `urls` are tried in order; the instance that last answered is tried first. `rounds`:
  // passes over all URLs before giving up on a request. At most `max_in_flight` requests are
  // sent at once (the event stream aside), however many apps are followed: Marathon answers
  // a burst no faster when it all arrives together, and each connection costs memory here.
  MarathonClient(std::vector<std::string> urls, std::shared_ptr<core::http::HttpClient> http,
                 std::string credential_source, int rounds = 3, int max_in_flight = 12);

  // GET /v2/apps/{id}; nullopt on 404.
  std::optional<json> get_app(const std::string& id);
  // GET /v2/apps/{id}; throws Error(Exit::no_records) naming the app when it does not exist.
  json require_app(const std::string& id);
  // GET /v2/apps (with tasks and last failures embedded).
  json list_apps();
  json deployments();
  json queue();
  // GET /v2/tasks: every task of every app.
  json tasks();
  // Version timestamps, newest first.
  std::vector<std::string> versions(const std::string& id);
  json app_version(const std::string& id, const std::string& version);

  // Every write is judged by the state it leaves, never by the status code of a re-sent
  // request: when its answer is lost (connection dropped or timed out after sending, a 5xx),
  // the state is read back; a write that took effect is reported as done (with the deployment
  // it started, when still listed), one that did not is sent again (send_write).
  //
  // PUT /v2/apps/{id}. `partial` false: the body replaces the definition. `applied` is asked
  // with the app as re-read whether the write took effect; it may be empty for an
  // always-safe write (then it is simply sent again).
  using AppliedCheck = std::function<bool(const std::optional<json>& app)>;
  Change put_app(const std::string& id, const json& body, bool partial, bool force,
                 const AppliedCheck& applied);
  Change restart_app(const std::string& id, bool force, const AppliedCheck& applied);
  // DELETE /v2/apps/{id}; took effect when the app is gone. 404 on the first attempt:
  // Error(Exit::no_records).
  Change delete_app(const std::string& id);
  // DELETE /v2/deployments/{id}: with force false Marathon starts a revert deployment (its
  // id is returned; empty when the revert already finished); nullopt when the deployment
  // was not running (it had finished before the cancel).
  std::optional<Change> cancel_deployment(const std::string& id, bool force);
  // DELETE /v2/apps/{app}/tasks/{task}?scale=&wipe=&force=. Took effect when the app no longer
  // lists the task. Without scale: the killed task ("task"); with scale: the deployment it
  // started (or the 409 lock). 404 on the first attempt: Error(Exit::no_records).
  struct Killed {
    json task;  // without scale
    Change change;
  };
  Killed kill_task(const std::string& app_id, const std::string& task_id, bool scale, bool wipe, bool force);
  // DELETE /v2/queue/{app}/delay; false when the app is not in the launch queue (404).
  bool reset_delay(const std::string& app_id);

  // Reads GET /v2/events until `on_event` returns false, the stream ends or `keep_going`
  // says stop (checked on every chunk, the heartbeat included). Throws Error on failure.
  using EventHandler = std::function<bool(const std::string& type, const json& data)>;
  void stream_events(const EventHandler& on_event, const std::function<bool()>& keep_going,
                     core::http::Canceller* canceller = nullptr);

  // The URL that answered last (for messages).
  std::string current_url() const;

 private:
  struct Call {
    std::string method;
    std::string path;  // with query
    std::optional<json> body;
    bool expect_json = true;
  };
  json read_list(const char* path, const char* doing,
                 json (*parse_list)(const std::string& body, const std::string& endpoint));
  // Sends with failover across URLs; returns the first answer that is not a failover case.
  // Throws Unreachable (Exit::remote) when every URL failed in every round.
  core::http::Response send(const Call& call, bool single_attempt = false);
  core::http::Response send_in_slot(const core::http::Request& request);  // waits for a free slot
  // What a write left: the change when it took effect, nullopt when it did not.
  using ReadBack = std::function<std::optional<Change>()>;
  struct Written {
    std::optional<core::http::Response> answer;  // a definite answer from Marathon
    std::optional<Change> read_back;             // or: the answer was lost and the write took effect
  };
  // The one place that decides "ambiguous write -> read the state back" for every write.
  Written send_write(const Call& call, const ReadBack& read_back);
  // A write to one app (PUT, restart): when `applied` is given, an ambiguous failure is judged
  // by reading the app back and asking `applied` whether the change is in effect.
  Change write_app(const Call& call, const std::string& id, const AppliedCheck& applied, const std::string& what);
  // The deployment in flight that affects `app_id` ("" when none), as a Change.
  Change running_change(const std::string& app_id, const std::string& version);
  Change decode_change(const core::http::Response& r, const Call& call, const std::string& what);
  [[noreturn]] void fail(const core::http::Response& r, const Call& call, const std::string& what) const;

  std::vector<std::string> m_urls;
  std::shared_ptr<core::http::HttpClient> m_http;
  std::string m_credential_source;
  int m_rounds;
  std::atomic<std::size_t> m_current{0};
  std::mutex m_slots_mutex;
  std::condition_variable m_slot_freed;
  int m_free_slots;
};

// The bodies of Marathon's answers, checked: every field mctl reads has the type it expects
// (missing or null fields are allowed). Anything else, or a body that is not JSON, throws one
// Error(Exit::remote) naming `endpoint` ("GET /v2/apps/web") and the field.
namespace parse {
json app(const std::string& body, const std::string& endpoint);         // GET /v2/apps/{id}: the "app" object
json definition(const std::string& body, const std::string& endpoint);  // GET /v2/apps/{id}/versions/{v}
json apps(const std::string& body, const std::string& endpoint);        // GET /v2/apps: the "apps" array
json deployments(const std::string& body, const std::string& endpoint); // GET /v2/deployments: the array
json queue(const std::string& body, const std::string& endpoint);       // GET /v2/queue: the "queue" array
json tasks(const std::string& body, const std::string& endpoint);       // GET /v2/tasks: the "tasks" array
std::vector<std::string> versions(const std::string& body, const std::string& endpoint);
}  // namespace parse

// Builds the client for the configured environment (marathon.urls, credentials, TLS, HTTP
// timeouts). Throws Error(Exit::usage) when no Marathon URL is configured.
std::unique_ptr<MarathonClient> connect(const core::MarathonSettings& settings, const core::Environ& environ);
// The same from config.settings().marathon; the error names the environment.
std::unique_ptr<MarathonClient> connect(const core::Config& config);

// "/prod/web" for "prod/web" or "/prod/web".
std::string canonical_app_id(const std::string& id);

// "Marathon answered HTTP 422: /healthChecks(0)/portIndex: ..." from an error response body.
// `locate`, when given, names where a JSON pointer of the sent definition came from
// ("file:line:col", "" when unknown); detail lines then start with that position.
std::string describe_error_body(long status, const std::string& body,
                                const std::function<std::string(const std::string& pointer)>& locate = {});

// Marathon's detail path ("/healthChecks(0)/portIndex") as a JSON pointer ("/healthChecks/0/portIndex").
std::string pointer_from_marathon_path(const std::string& path);

}  // namespace mctl::deploy
