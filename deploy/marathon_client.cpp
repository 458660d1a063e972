#include "deploy/marathon_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/app_id.hpp"
#include "core/json.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/service_http.hpp"
#include "core/strings.hpp"
#include "deploy/fields.hpp"
#include "deploy/sse.hpp"

namespace mctl::deploy {
namespace http = core::http;

namespace {

bool failover_status(long status) { return status == 502 || status == 503 || status == 504; }

// The URL path of an app id; an id Marathon cannot hold is a usage error before any request.
std::string path_of(const std::string& id) {
  if (auto problem = core::app_id_problem(id)) throw Error(*problem, Exit::usage);
  std::string out;
  for (const auto& part : core::split(canonical_app_id(id), '/')) {
    if (part.empty()) continue;
    out += "/" + http::url_escape(part);
  }
  return out;
}

std::string bool_str(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string canonical_app_id(const std::string& id) {
  return id.empty() || id.front() != '/' ? "/" + id : id;
}

std::string pointer_from_marathon_path(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '(') {
      const auto close = path.find(')', i);
      const std::string index = close == std::string::npos ? std::string() : path.substr(i + 1, close - i - 1);
      if (!index.empty() && std::all_of(index.begin(), index.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        out += "/" + index;
        i = close;
        continue;
      }
    }
    out.push_back(c);
  }
  return out == "/" ? "" : out;
}

std::string describe_error_body(long status, const std::string& body,
                                const std::function<std::string(const std::string& pointer)>& locate) {
  json j = core::try_parse_json(body, "Marathon error answer");
  if (!j.is_object() || !j.contains("message")) {
    return fmt::format("Marathon answered HTTP {}{}", status, body.empty() ? "" : ": " + core::excerpt(body));
  }
  // An error body is read leniently: a field of an odd type is shown as JSON, never an error
  // hiding the real one.
  auto text = [](const json& obj, const char* key, const std::string& fallback) {
    if (!obj.is_object() || !obj.contains(key) || obj[key].is_null()) return fallback;
    return obj[key].is_string() ? obj[key].get<std::string>() : obj[key].dump();
  };
  std::string out = fmt::format("Marathon answered HTTP {}: {}", status, text(j, "message", ""));
  if (status == 409 && j.contains("deployments") && j["deployments"].is_array()) {
    std::vector<std::string> ids;
    for (const auto& d : j["deployments"]) ids.push_back(text(d, "id", "?"));
    // The message carries a literal "<DEPLOYMENT_ID>" placeholder; the real ids are here.
    out += fmt::format(" (blocking deployments: {})", fmt::join(ids, ", "));
  }
  if (j.contains("details") && j["details"].is_array()) {
    for (const auto& d : j["details"]) {
      std::vector<std::string> errors;
      const json none = json::array();
      const json& list = d.is_object() && d.contains("errors") && d["errors"].is_array() ? d["errors"] : none;
      for (const auto& e : list) errors.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      const std::string path = text(d, "path", "/");
      const std::string where = locate ? locate(pointer_from_marathon_path(path)) : std::string();
      out += fmt::format("\n  {}{}: {}", where.empty() ? "" : where + ": ", path, fmt::join(errors, "; "));
    }
  } else if (j.contains("details") && j["details"].is_string()) {
    out += fmt::format("\n  {}", j["details"].get<std::string>());
  }
  return out;
}

MarathonClient::MarathonClient(std::vector<std::string> urls, std::shared_ptr<http::HttpClient> client,
                               std::string credential_source, int rounds, int max_in_flight)
    : m_urls(std::move(urls)), m_http(std::move(client)), m_credential_source(std::move(credential_source)),
      m_rounds(std::max(rounds, 1)), m_free_slots(std::max(max_in_flight, 1)) {
  for (auto& u : m_urls) {
    while (!u.empty() && u.back() == '/') u.pop_back();
  }
  if (m_urls.empty()) throw Error("no Marathon URL configured (marathon.urls, MCTL_MARATHON_URL or --marathon)", Exit::usage);
}

std::string MarathonClient::current_url() const { return http::redact_url(m_urls[m_current % m_urls.size()]); }

http::Response MarathonClient::send(const Call& call, bool single_attempt) {
  std::string last_problem;
  const std::size_t n = m_urls.size();
  const int rounds = single_attempt ? 1 : m_rounds;
  for (int round = 0; round < rounds; ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(round, 5)));
    const std::size_t first = m_current.load();
    for (std::size_t i = 0; i < n && !(single_attempt && i > 0); ++i) {
      const std::size_t index = (first + i) % n;
      http::Request request;
      request.method = call.method;
      request.url = m_urls[index] + call.path;
      request.headers = {{"Accept", "application/json"}};
      if (call.body) {
        request.body = call.body->dump();
        request.headers.emplace_back("Content-Type", "application/json");
      }
      request.idempotent = false;  // failover and re-sending are decided here
      request.fresh_connection = call.method != "GET";  // never let libcurl re-send a write
      try {
        http::Response r = send_in_slot(request);
        if (failover_status(r.status)) {
          last_problem = fmt::format("{} answered HTTP {}", http::redact_url(m_urls[index]), r.status);
        } else if (call.expect_json && r.status == 200 && core::trim(r.body).empty()) {
          // A non-leader that lost its leader answers 200 with nothing in it.
          last_problem = fmt::format("{} answered an empty 200 (not the leader?)", http::redact_url(m_urls[index]));
        } else {
          m_current = index;
          return r;
        }
      } catch (const Error& e) {
        last_problem = e.what();
      }
      core::log::info("Marathon {} {}: {}; trying the next instance", call.method, call.path, last_problem);
      if (single_attempt) break;
    }
  }
  throw Unreachable(fmt::format("{} {} on Marathon ({} URL{}): {}", call.method, call.path, n, n == 1 ? "" : "s",
                                last_problem));
}

http::Response MarathonClient::send_in_slot(const http::Request& request) {
  {
    std::unique_lock lock(m_slots_mutex);
    m_slot_freed.wait(lock, [&] { return m_free_slots > 0; });
    --m_free_slots;
  }
  struct Release {
    MarathonClient& c;
    ~Release() {
      {
        std::lock_guard lock(c.m_slots_mutex);
        ++c.m_free_slots;
      }
      c.m_slot_freed.notify_one();
    }
  } release{*this};
  return m_http->send(request);
}

void MarathonClient::fail(const http::Response& r, const Call& call, const std::string& what) const {
  if (r.status == 401 || r.status == 403) {
    const std::string body = describe_error_body(r.status, r.body);
    if (r.status == 403 && body.find("Max number") != std::string::npos) {
      throw Error(fmt::format("{}: too many deployments running: {}", what, body), Exit::remote);
    }
    throw Error(fmt::format("{}: Marathon at {} refused access (HTTP {}); credentials used: {}", what,
                            http::redact_url(r.url.substr(0, r.url.find("/v2/"))), r.status, m_credential_source),
                Exit::auth);
  }
  (void)call;
  // 404: the app (or version, deployment) named in `what` does not exist: nothing found.
  const Exit exit = r.status == 422 || r.status == 400 ? Exit::usage : r.status == 404 ? Exit::no_records : Exit::remote;
  throw MarathonError(fmt::format("{}: {}", what, describe_error_body(r.status, r.body)), exit, r.status, r.body);
}

namespace parse {
namespace {

json body_json(const std::string& body, const std::string& endpoint) {
  json j = core::try_parse_json(body, endpoint);  // bounded: too large or too deep throws (exit 3)
  if (j.is_discarded()) {
    throw Error(fmt::format("{}: unexpected answer from Marathon: not JSON: {}", endpoint, core::excerpt(body)), Exit::remote);
  }
  return j;
}

// Reads every field mctl relies on, so that a field of another type fails here, once, with
// the endpoint and the field named, and not later deep in a follower.
void check_task(const Fields& task) {
  for (const char* key : {"id", "appId", "host", "state", "version", "startedAt", "stagedAt"}) task.str(key);
  for (const auto& r : task.array("healthCheckResults")) {
    r.boolean("alive", false);
    r.str("lastFailureCause");
  }
}

void check_app(const Fields& app) {
  for (const char* key : {"id", "version", "cmd"}) app.str(key);
  for (const char* key : {"instances", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "tasksStaged"}) app.integer(key);
  if (auto info = app.object("versionInfo")) {
    for (const char* key : {"lastConfigChangeAt", "lastScalingAt"}) info->str(key);
  }
  app.array("healthChecks");
  if (auto labels = app.object("labels")) {
    for (const auto& [key, value] : labels->raw().items()) {
      if (!value.is_string()) labels->wrong("/labels/" + key, value, "a string");
    }
  }
  for (const auto& task : app.array("tasks")) check_task(task);
  for (const auto& d : app.array("deployments")) d.str("id");
  if (auto f = app.object("lastTaskFailure")) {
    for (const char* key : {"taskId", "state", "host", "message", "timestamp", "version", "appId"}) f->str(key);
  }
  if (auto container = app.object("container")) {
    if (auto docker = container->object("docker")) docker->str("image");
  }
}

}  // namespace

json app(const std::string& body, const std::string& endpoint) {
  const json j = body_json(body, endpoint);
  const auto app = Fields(j, endpoint).object("app");
  if (!app) throw Error(fmt::format("{}: unexpected answer from Marathon: no \"app\" in {}", endpoint, core::excerpt(body)), Exit::remote);
  check_app(*app);
  return app->raw();
}

json definition(const std::string& body, const std::string& endpoint) {
  json j = body_json(body, endpoint);
  check_app(Fields(j, endpoint));
  return j;
}

json apps(const std::string& body, const std::string& endpoint) {
  const json j = body_json(body, endpoint);
  const Fields top(j, endpoint);
  for (const auto& a : top.array("apps")) check_app(a);
  return top.has("apps") ? j["apps"] : json::array();
}

json deployments(const std::string& body, const std::string& endpoint) {
  json j = body_json(body, endpoint);
  for (const auto& d : Fields(j, endpoint).items()) {
    for (const char* key : {"id", "version"}) d.str(key);
    for (const char* key : {"currentStep", "totalSteps"}) d.integer(key);
    d.strings("affectedApps");
    for (const auto& a : d.array("currentActions")) {
      a.str("action");
      a.str("app");
    }
  }
  return j;
}

json queue(const std::string& body, const std::string& endpoint) {
  const json j = body_json(body, endpoint);
  const Fields top(j, endpoint);
  for (const auto& entry : top.array("queue")) {
    if (auto a = entry.object("app")) a->str("id");
    if (auto delay = entry.object("delay")) {
      delay->number("timeLeftSeconds");
      delay->boolean("overdue", false);
    }
    entry.integer("count");
    entry.str("since");
    if (auto summary = entry.object("processedOffersSummary")) {
      for (const char* key : {"processedOffersCount", "unusedOffersCount"}) summary->integer(key);
      for (const auto& r : summary->array("rejectSummaryLastOffers")) {
        r.str("reason");
        for (const char* key : {"declined", "processed"}) r.integer(key);
      }
    }
  }
  return top.has("queue") ? j["queue"] : json::array();
}

json tasks(const std::string& body, const std::string& endpoint) {
  const json j = body_json(body, endpoint);
  const Fields top(j, endpoint);
  for (const auto& task : top.array("tasks")) check_task(task);
  return top.has("tasks") ? j["tasks"] : json::array();
}

std::vector<std::string> versions(const std::string& body, const std::string& endpoint) {
  const json j = body_json(body, endpoint);
  return Fields(j, endpoint).strings("versions");
}

}  // namespace parse

std::optional<json> MarathonClient::get_app(const std::string& id) {
  Call call{"GET", "/v2/apps" + path_of(id), std::nullopt};
  auto r = send(call);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) fail(r, call, fmt::format("reading app {}", canonical_app_id(id)));
  return parse::app(r.body, "GET /v2/apps" + canonical_app_id(id));
}

json MarathonClient::require_app(const std::string& id) {
  auto app = get_app(id);
  if (!app) throw Error(fmt::format("app {} does not exist on {}", canonical_app_id(id), current_url()), Exit::no_records);
  return *app;
}

// A GET of one of Marathon's lists: 200 and its parsed array, or the error of `doing`.
json MarathonClient::read_list(const char* path, const char* doing,
                               json (*parse_list)(const std::string&, const std::string&)) {
  Call call{"GET", path, std::nullopt};
  auto r = send(call);
  if (r.status != 200) fail(r, call, doing);
  return parse_list(r.body, fmt::format("GET {}", call.path.substr(0, call.path.find('?'))));
}

json MarathonClient::list_apps() {
  return read_list("/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure", "listing apps", parse::apps);
}

json MarathonClient::deployments() { return read_list("/v2/deployments", "listing deployments", parse::deployments); }

json MarathonClient::queue() { return read_list("/v2/queue", "reading the launch queue", parse::queue); }

json MarathonClient::tasks() { return read_list("/v2/tasks", "listing tasks", parse::tasks); }

std::vector<std::string> MarathonClient::versions(const std::string& id) {
  Call call{"GET", "/v2/apps" + path_of(id) + "/versions", std::nullopt};
  auto r = send(call);
  if (r.status == 404) throw Error(fmt::format("app {} does not exist on {}", canonical_app_id(id), current_url()), Exit::no_records);
  if (r.status != 200) fail(r, call, fmt::format("listing versions of {}", canonical_app_id(id)));
  std::vector<std::string> out = parse::versions(r.body, "GET /v2/apps" + canonical_app_id(id) + "/versions");
  // ISO-8601 timestamps of one format sort as strings; Marathon does not promise an order.
  std::sort(out.rbegin(), out.rend());
  return out;
}

json MarathonClient::app_version(const std::string& id, const std::string& version) {
  Call call{"GET", "/v2/apps" + path_of(id) + "/versions/" + http::url_escape(version), std::nullopt};
  auto r = send(call);
  if (r.status != 200) fail(r, call, fmt::format("reading version {} of {}", version, canonical_app_id(id)));
  return parse::definition(r.body, "GET /v2/apps" + canonical_app_id(id) + "/versions/" + version);
}

Change MarathonClient::decode_change(const http::Response& r, const Call& call, const std::string& what) {
  Change change;
  if (r.status == 409) {
    json j = core::try_parse_json(r.body, "Marathon answer from " + current_url() + call.path);
    if (j.is_object() && j.contains("deployments")) {
      for (const auto& d : j["deployments"]) change.locked_by.push_back(d.value("id", ""));
      if (!change.locked_by.empty()) return change;
    }
  }
  if (!r.ok()) fail(r, call, what);
  json j = core::try_parse_json(r.body, "Marathon answer from " + current_url() + call.path);
  if (j.is_object()) {
    change.deployment_id = j.value("deploymentId", "");
    change.version = j.value("version", "");
  }
  if (change.deployment_id.empty()) change.deployment_id = r.header("marathon-deployment-id").value_or("");
  return change;
}

namespace {

// The change an app shows once a write took effect: its version and its deployment in flight.
Change change_of(const json& app) {
  Change c;
  c.version = app.value("version", "");
  const json deployments = app.value("deployments", json::array());
  if (deployments.is_array() && !deployments.empty()) c.deployment_id = deployments.back().value("id", "");
  return c;
}

bool affects(const json& deployment, const std::vector<std::string>& apps) {
  for (const auto& a : deployment.value("affectedApps", std::vector<std::string>{})) {
    if (std::find(apps.begin(), apps.end(), a) != apps.end()) return true;
  }
  return false;
}

}  // namespace

// A write may have reached the leader although no answer came back: a connection dropped or
// timed out after sending, or a 5xx (a proxy or non-leader in front of the leader). The retry's
// status code says nothing about that (a second DELETE answers 404 after the first one
// worked), so the state is read back: in effect -> done, not in effect -> send again.
MarathonClient::Written MarathonClient::send_write(const Call& call, const ReadBack& read_back) {
  std::string last_problem;
  const int n = static_cast<int>(m_urls.size());
  const int attempts = m_rounds * n;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0 && attempt % n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt / n, 5)));
    }
    try {
      http::Response r = send(call, true);
      if (r.status < 500) return {r, std::nullopt};
      last_problem = fmt::format("{} answered HTTP {}", http::redact_url(r.url), r.status);
    } catch (const Error& e) {
      last_problem = e.what();
      m_current = (m_current + 1) % m_urls.size();
    }
    if (!read_back) continue;  // always safe to send again
    std::optional<Change> found;
    try {
      found = read_back();
    } catch (const Error& e) {
      throw Error(fmt::format("{} {} on Marathon: {}; reading the state back failed too ({}), so whether the change "
                              "took effect is unknown",
                              call.method, call.path, last_problem, e.what()),
                  Exit::remote);
    }
    if (found) {
      core::log::info("{} {}: the answer was lost ({}) but the change took effect; not sending it again", call.method,
                      call.path, last_problem);
      return {std::nullopt, found};
    }
    core::log::info("{} {}: the answer was lost ({}) and the change is not in effect; sending it again", call.method,
                    call.path, last_problem);
  }
  throw Error(fmt::format("{} {} on Marathon ({} URL{}): {}", call.method, call.path, n, n == 1 ? "" : "s", last_problem),
              Exit::remote);
}

Change MarathonClient::running_change(const std::string& app_id, const std::string& version) {
  Change c;
  c.version = version;
  for (const auto& d : deployments()) {
    if (!affects(d, {canonical_app_id(app_id)})) continue;
    c.deployment_id = d.value("id", "");
    if (c.version.empty()) c.version = d.value("version", "");
  }
  return c;
}

Change MarathonClient::write_app(const Call& call, const std::string& id, const AppliedCheck& applied,
                                 const std::string& what) {
  ReadBack read_back;
  if (applied) {
    read_back = [&]() -> std::optional<Change> {
      const auto app = get_app(id);
      if (!applied(app)) return std::nullopt;
      return app ? change_of(*app) : Change{};
    };
  }
  auto w = send_write(call, read_back);
  if (w.read_back) return *w.read_back;
  return decode_change(*w.answer, call, what);
}

Change MarathonClient::put_app(const std::string& id, const json& body, bool partial, bool force,
                               const AppliedCheck& applied) {
  Call call{"PUT", fmt::format("/v2/apps{}?partialUpdate={}&force={}", path_of(id), bool_str(partial), bool_str(force)), body};
  return write_app(call, id, applied, fmt::format("updating app {}", canonical_app_id(id)));
}

Change MarathonClient::restart_app(const std::string& id, bool force, const AppliedCheck& applied) {
  Call call{"POST", fmt::format("/v2/apps{}/restart?force={}", path_of(id), bool_str(force)), json::object()};
  return write_app(call, id, applied, fmt::format("restarting app {}", canonical_app_id(id)));
}

Change MarathonClient::delete_app(const std::string& id) {
  Call call{"DELETE", fmt::format("/v2/apps{}", path_of(id)), std::nullopt};
  auto w = send_write(call, [&]() -> std::optional<Change> {
    if (get_app(id)) return std::nullopt;
    return running_change(id, "");  // gone: follow the deployment that stops its tasks, if still listed
  });
  if (w.read_back) return *w.read_back;
  return decode_change(*w.answer, call, fmt::format("destroying app {}", canonical_app_id(id)));
}

std::optional<Change> MarathonClient::cancel_deployment(const std::string& id, bool force) {
  // Which apps it affects: to recognise Marathon's revert deployment if the answer is lost.
  std::vector<std::string> apps;
  bool listed = false;
  for (const auto& d : deployments()) {
    if (d.value("id", "") != id) continue;
    listed = true;
    apps = d.value("affectedApps", std::vector<std::string>{});
  }
  if (!listed) return std::nullopt;
  Call call{"DELETE", fmt::format("/v2/deployments/{}?force={}", http::url_escape(id), bool_str(force)), std::nullopt, false};
  auto w = send_write(call, [&]() -> std::optional<Change> {
    Change revert;
    for (const auto& d : deployments()) {
      if (d.value("id", "") == id) return std::nullopt;  // still running: the cancel did not take effect
      if (!force && affects(d, apps)) {
        revert.deployment_id = d.value("id", "");
        revert.version = d.value("version", "");
      }
    }
    return revert;
  });
  if (w.read_back) return *w.read_back;
  const auto& r = *w.answer;
  if (r.status == 404) return std::nullopt;
  if (r.status == 202) return Change{};
  return decode_change(r, call, fmt::format("cancelling deployment {}", id));
}

MarathonClient::Killed MarathonClient::kill_task(const std::string& app_id, const std::string& task_id, bool scale,
                                                 bool wipe, bool force) {
  Call call{"DELETE",
            fmt::format("/v2/apps{}/tasks/{}?scale={}&wipe={}&force={}", path_of(app_id), http::url_escape(task_id),
                        bool_str(scale), bool_str(wipe), bool_str(force)),
            std::nullopt};
  const std::string what = fmt::format("killing task {} of app {}", task_id, canonical_app_id(app_id));
  // Judged by the task, never by re-sending: a second DELETE of a killed task answers 404.
  auto w = send_write(call, [&]() -> std::optional<Change> {
    const auto app = get_app(app_id);
    if (app) {
      for (const auto& t : app->value("tasks", json::array())) {
        if (t.value("id", "") == task_id) return std::nullopt;
      }
    }
    return app ? change_of(*app) : Change{};
  });
  Killed out;
  if (w.read_back) {
    if (scale) out.change = *w.read_back;
    return out;
  }
  const auto& r = *w.answer;
  if (r.status == 404) {
    throw MarathonError(fmt::format("{}: {}", what, describe_error_body(r.status, r.body)), Exit::no_records, r.status,
                        r.body);
  }
  if (scale || r.status == 409) {
    out.change = decode_change(r, call, what);
    return out;
  }
  if (!r.ok()) fail(r, call, what);
  const json j = core::try_parse_json(r.body, "Marathon answer from " + current_url() + call.path);
  if (j.is_object() && j.contains("task")) out.task = j["task"];
  return out;
}

bool MarathonClient::reset_delay(const std::string& app_id) {
  Call call{"DELETE", fmt::format("/v2/queue{}/delay", path_of(app_id)), std::nullopt, false};
  auto w = send_write(call, {});  // resetting twice is the same as once
  const auto& r = *w.answer;
  if (r.status == 404) return false;
  if (!r.ok()) fail(r, call, fmt::format("resetting the launch delay of {}", canonical_app_id(app_id)));
  return true;
}

void MarathonClient::stream_events(const EventHandler& on_event, const std::function<bool()>& keep_going,
                                   core::http::Canceller* canceller) {
  std::string base = m_urls[m_current % m_urls.size()];
  for (int hop = 0; hop < 3; ++hop) {
    http::Request request;
    request.url = base + "/v2/events";
    // Jetty compares the Accept value exactly: anything more than this gets a 405.
    request.headers = {{"Accept", "text/event-stream"}};
    request.timeout = std::chrono::milliseconds(0);
    request.idempotent = false;
    request.canceller = canceller;
    SseParser parser;
    bool stop = false;
    auto r = m_http->stream(request, [&](std::string_view chunk) {
      if (!keep_going()) return false;
      parser.feed(chunk, [&](const std::string& type, const std::string& data) {
        if (stop) return;
        json j = core::try_parse_json(data, "Marathon event stream at " + http::redact_url(base));
        if (!j.is_discarded() && !on_event(type, j)) stop = true;
      });
      return !stop && keep_going();
    });
    if ((r.status == 301 || r.status == 302 || r.status == 307) && r.header("location")) {
      // A non-leader redirects the event stream to the leader (1.7+).
      std::string location = *r.header("location");
      const auto at = location.find("/v2/events");
      base = at == std::string::npos ? location : location.substr(0, at);
      continue;
    }
    if (r.status == 401 || r.status == 403) fail(r, Call{"GET", "/v2/events", std::nullopt}, "reading the event stream");
    if (r.status != 200) throw Error(fmt::format("event stream: HTTP {}", r.status), Exit::remote);
    return;
  }
}

Credentials credentials_from(const core::MarathonSettings& settings, const core::Environ& environ) {
  auto c = core::service_credentials(settings.credentials, environ, "Marathon");
  return {std::move(c.basic), std::move(c.token), std::move(c.source)};
}

namespace {
Error no_url(const std::string& env_name) {
  return Error(fmt::format("no Marathon URL configured for environment '{}' (marathon.urls in mctl.yaml, "
                           "MCTL_MARATHON_URL or --marathon)", env_name), Exit::usage);
}
}  // namespace

std::unique_ptr<MarathonClient> connect(const core::MarathonSettings& settings, const core::Environ& environ) {
  if (settings.urls->empty()) throw no_url("");
  const Credentials credentials = credentials_from(settings, environ);
  http::ClientOptions options = core::service_http_options(settings.http, settings.tls);
  options.max_retries = 0;  // MarathonClient fails over across instances itself (rounds below)
  options.basic_auth = credentials.basic;
  if (credentials.token) options.authorization = "token=" + *credentials.token;
  const int rounds = std::max(*settings.http.retries, 0) + 1;
  return std::make_unique<MarathonClient>(*settings.urls,
                                          std::shared_ptr<http::HttpClient>(http::make_curl_client(options)),
                                          credentials.source, rounds);
}

std::unique_ptr<MarathonClient> connect(const core::Config& config) {
  if (config.settings().marathon.urls->empty()) throw no_url(config.env_name());
  return connect(config.settings().marathon, config.environ_map());
}

}  // namespace mctl::deploy
