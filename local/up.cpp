#include "local/up.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/strings.hpp"
#include "local/health.hpp"
#include "local/lock.hpp"
#include "local/spec.hpp"

namespace mctl::local {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A port the kernel calls free now, never one handed out earlier in this run.
int free_port(std::set<int>& taken) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    if (fd >= 0) ::close(fd);
    if (port > 0 && taken.insert(port).second) return port;
  }
  throw Error("finding a free TCP port on 127.0.0.1 for a port declared as 0", Exit::failure);
}

std::vector<int> parse_ports(const std::string& text) {
  std::vector<int> out;
  for (const auto& p : core::split(text, ',')) {
    int port = 0;  // not a number (a label mctl did not write): 0
    std::from_chars(p.data(), p.data() + p.size(), port);
    out.push_back(port);
  }
  return out;
}

// image reference -> (fromImage, tag) for the pull API.
std::pair<std::string, std::string> split_reference(const std::string& ref) {
  if (ref.find('@') != std::string::npos) return {ref, ""};
  const auto colon = ref.rfind(':');
  if (colon != std::string::npos && ref.find('/', colon) == std::string::npos)
    return {ref.substr(0, colon), ref.substr(colon + 1)};
  return {ref, "latest"};
}

// Everything the supervisor threads and log followers share; followers may outlive up() (a
// follow of a container that keeps running), so it is held by shared_ptr.
struct Shared {
  std::shared_ptr<core::DockerClient> docker;
  Engine engine;
  std::mutex out;
  std::function<void(const UpEvent&)> on_event;
  std::atomic<bool> closed{false};
  // Signalled whenever an instance's health changes, so up() waits for it without polling.
  std::mutex changed_mutex;
  std::condition_variable changed;
  explicit Shared(std::shared_ptr<core::DockerClient> d) : docker(std::move(d)), engine(*docker) {}
  void emit(const UpEvent& e) {
    std::lock_guard lock(out);
    if (!closed && on_event) on_event(e);
  }
};

void follow(const std::shared_ptr<Shared>& shared, const std::string& id, const std::string& name,
            bool history) {
  std::thread([shared, id, name, history] {
    LogQuery q;
    q.follow = true;
    if (!history) q.tail = 0;
    try {
      shared->engine.logs(
          id, q,
          [&](bool err, const std::string& line) {
            shared->emit({UpEvent::Kind::log, name, line, err});
          },
          [&] { return shared->closed.load(); });
    } catch (const std::exception&) {
      // the container went away while following: nothing more to show
    }
  }).detach();
}

enum class Health { starting, healthy, unhealthy, failed };

struct Instance {
  const UpApp* app = nullptr;
  ContainerPlan plan;
  std::string id;
  bool ours = false;  // created by this run (removed on Ctrl-C)
  std::mutex mutex;
  Health health = Health::starting;
  bool ready = false;
  std::string failure;
  std::jthread thread;
};

class Supervisor {
 public:
  Supervisor(std::shared_ptr<Shared> shared, const UpOptions& o)
      : m_shared(std::move(shared)), m_o(o) {}

  void start(Instance& in) {
    in.thread = std::jthread([this, &in](std::stop_token stop) { run(in, std::move(stop)); });
  }

 private:
  void state(Instance& in, const std::string& text) {
    m_shared->emit({UpEvent::Kind::state, in.plan.name, text, false});
  }

  void set(Instance& in, Health h, bool ready, const std::string& failure = {}) {
    {
      std::lock_guard lock(in.mutex);
      in.health = h;
      in.ready = ready;
      if (!failure.empty()) in.failure = failure;
    }
    std::lock_guard lock(m_shared->changed_mutex);
    m_shared->changed.notify_all();
  }

  // Replaces the container as Marathon replaces a killed or finished task: same plan.
  void replace(Instance& in) {
    state(in, "restarting");
    m_shared->engine.remove(in.id);
    in.id = m_shared->engine.create(in.plan.name, in.plan.create_body);
    in.ours = true;
    m_shared->engine.start(in.id, in.plan.name);
    if (!m_o.detach) follow(m_shared, in.id, in.plan.name, true);
    state(in, "starting");
  }

  // One round: true when the instance must be replaced (foreground) or has failed (detach).
  bool round(Instance& in, std::vector<HealthCheck>& checks, std::vector<HealthTracker>& trackers,
             std::vector<Clock::time_point>& due, const std::vector<ReadinessCheck>& readiness,
             Health& shown, bool& ready) {
    const auto [status, code] = m_shared->engine.state(in.id);
    if (status != "running") {
      const std::string why =
          status.empty() ? "container removed" : fmt::format("{} (exit code {})", status, code);
      state(in, why);
      set(in, Health::failed, false, why);
      return true;
    }
    const auto now = Clock::now();
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (now < due[i]) continue;
      due[i] = now + checks[i].interval;
      const auto passed = m_prober.probe(checks[i], [&](const std::string& cmd, milliseconds t) {
        return m_shared->engine.exec(in.id, cmd, t);
      });
      if (!passed) continue;
      if (trackers[i].record(*passed, Clock::now()) == HealthTracker::Verdict::kill) {
        const auto why = fmt::format("unhealthy: {} failed {} times in a row", checks[i].describe(),
                                     trackers[i].consecutive_failures());
        state(in, why);
        set(in, Health::failed, false, why);
        return true;
      }
    }
    Health h = Health::healthy;
    for (const auto& t : trackers) {
      if (t.verdict() == HealthTracker::Verdict::unhealthy)
        h = Health::unhealthy;
      else if (t.verdict() == HealthTracker::Verdict::unknown && h == Health::healthy)
        h = Health::starting;
    }
    if (!ready && h == Health::healthy) {
      ready = std::all_of(readiness.begin(), readiness.end(),
                          [&](const auto& r) { return m_prober.ready(r); });
    }
    if (h != shown) {
      state(in, h == Health::healthy     ? "healthy"
                : h == Health::unhealthy ? "unhealthy"
                                         : "starting");
      shown = h;
    }
    set(in, h, ready);
    return false;
  }

  // Supervises until stopped. A Docker Engine that stops answering (restarted: Exit::remote)
  // is waited out, as Marathon waits out a lost agent: once it answers again the checks start
  // over and a container it stopped meanwhile is replaced (foreground).
  void run(Instance& in, std::stop_token stop) {
    bool reachable = true;
    while (!stop.stop_requested()) {
      try {
        supervise(in, stop, reachable);
        return;
      } catch (const Error& e) {
        if (e.exit_code() != Exit::remote) {
          set(in, Health::failed, false, e.what());
          return;
        }
        if (reachable) state(in, fmt::format("Docker Engine unreachable, retrying: {}", e.what()));
        reachable = false;
        sleep(stop, milliseconds(1000));
      } catch (const std::exception& e) {
        set(in, Health::failed, false, e.what());
        return;
      }
    }
  }

  void supervise(Instance& in, std::stop_token& stop, bool& reachable) {
    while (!stop.stop_requested()) {
      auto checks = health_checks(in.app->definition, in.plan.ports);
      const auto readiness = readiness_checks(in.app->definition, in.plan.ports);
      std::vector<HealthTracker> trackers;
      trackers.reserve(checks.size());
      std::vector<Clock::time_point> due(checks.size(), Clock::now());
      for (const auto& c : checks) trackers.emplace_back(c, Clock::now());
      Health shown = Health::starting;
      bool ready = readiness.empty();
      bool again = false;
      while (!stop.stop_requested() && !again) {
        again = round(in, checks, trackers, due, readiness, shown, ready);
        reachable = true;
        if (!again) sleep(stop, milliseconds(checks.empty() ? 250 : 25));
      }
      if (!again || m_o.detach) return;
      sleep(stop, milliseconds(1000));  // Marathon's backoffSeconds default before a relaunch
      if (stop.stop_requested()) return;
      replace(in);
      set(in, Health::starting, false);
    }
  }

  static void sleep(std::stop_token& stop, milliseconds d) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, d, [] { return false; });
  }

  std::shared_ptr<Shared> m_shared;
  const UpOptions& m_o;
  Prober m_prober;
};

bool interrupted(const UpOptions& o) {
  return o.interrupted && o.interrupted->load();
}

// Every app's container planned once before anything is pulled or created: a spec that cannot
// run locally (a Marathon secret, an env name no process can hold) is its error with nothing
// started, not after the waves before it are up.
void check_plans(const std::vector<std::vector<UpApp>>& waves, const UpOptions& o, bool bridge) {
  for (const auto& wave : waves) {
    for (const auto& app : wave) {
      const PlanInput input{o.project, 1, o.git_sha, bridge, [] { return 0; }, o.project_dir, {}};
      (void)plan_container(app.definition, input);
    }
  }
}

void pull_missing(Engine& engine, const std::vector<std::vector<UpApp>>& waves, const UpOptions& o,
                  const std::function<void(const UpEvent&)>& emit) {
  std::set<std::string> images;
  for (const auto& wave : waves) {
    for (const auto& app : wave) {
      const auto& d = app.definition;
      if (d.contains("container") && d["container"].contains("docker"))
        images.insert(d["container"]["docker"].value("image", ""));
    }
  }
  for (const auto& image : images) {
    if (image.empty() || engine.image_present(image)) continue;
    emit({UpEvent::Kind::note, "", fmt::format("pulling {}", image), false});
    const auto [name, tag] = split_reference(image);
    engine.docker().pull(name, tag, o.registry_auth ? o.registry_auth(image) : "",
                         [](const core::StreamEvent&) {});
  }
}

// Instances of one app: kept when unchanged and running, else (re)created. Extra instances go.
void place(Engine& engine, const UpApp& app, const UpOptions& o, bool bridge, std::set<int>& taken,
           std::vector<LocalContainer>& existing, std::vector<std::unique_ptr<Instance>>& out,
           UpResult& result) {
  const int count = app.definition.value("instances", 1);
  const std::string hash = definition_hash(app.definition);
  for (auto& c : existing) {
    if (c.app_id == app.id && c.instance > count) {
      engine.remove(c.id);
      c.app_id.clear();
    }
  }
  for (int i = 1; i <= count; ++i) {
    auto in = std::make_unique<Instance>();
    in->app = &app;
    PlanInput input{o.project,     i, o.git_sha, bridge, [&taken] { return free_port(taken); },
                    o.project_dir, {}};
    const LocalContainer* old = nullptr;
    for (const auto& c : existing) {
      if (c.app_id == app.id && c.instance == i) old = &c;
    }
    if (old) input.reuse_ports = parse_ports(old->ports);
    in->plan = plan_container(app.definition, input);
    if (old && old->hash == hash && old->state == "running") {
      in->id = old->id;
      result.kept.push_back(in->plan.name);
    } else {
      if (old) {
        engine.remove(old->id);
        result.replaced.push_back(in->plan.name);
      }
      for (const auto& v : in->plan.named_volumes) {
        engine.ensure_volume(v, {{k_label_project, o.project}, {k_label_app, app.id}});
      }
      in->id = engine.create(in->plan.name, in->plan.create_body);
      in->ours = true;
      result.created.push_back(in->plan.name);
    }
    out.push_back(std::move(in));
  }
}

// Waits until every instance in [from, end) is healthy and ready. false: one failed (detach),
// the deadline passed, or Ctrl-C.
bool wait_healthy(std::vector<std::unique_ptr<Instance>>& all, std::size_t from, const UpOptions& o,
                  Clock::time_point deadline, UpResult& result, Shared& shared) {
  Engine& engine = shared.engine;
  for (;;) {
    std::unique_lock changed(shared.changed_mutex);  // held while reading: no change is missed
    bool done = true;
    for (std::size_t i = from; i < all.size(); ++i) {
      std::lock_guard lock(all[i]->mutex);
      if (all[i]->health == Health::failed && o.detach) {
        result.exit = Exit::failure;
        result.failure = fmt::format("{}: {}", all[i]->plan.name, all[i]->failure);
        LogQuery q;
        q.tail = o.failure_log_lines;
        try {
          engine.logs(all[i]->id, q,
                      [&](bool, const std::string& line) { result.failure_logs.push_back(line); });
        } catch (const Error&) {
        }
        return false;
      }
      done = done && all[i]->health == Health::healthy && all[i]->ready;
    }
    if (done) return true;
    if (interrupted(o)) {
      result.exit = Exit::interrupted;
      return false;
    }
    if (o.detach && Clock::now() > deadline) {
      result.exit = Exit::timeout;
      result.failure =
          fmt::format("not every app was healthy within {} s", o.timeout.count() / 1000);
      return false;
    }
    shared.changed.wait_for(changed, milliseconds(50));  // also to see Ctrl-C and the deadline
  }
}

}  // namespace

UpResult up(std::shared_ptr<core::DockerClient> docker,
            const std::vector<std::vector<UpApp>>& waves, const UpOptions& o) {
  auto shared = std::make_shared<Shared>(std::move(docker));
  shared->on_event = o.on_event;
  Engine& engine = shared->engine;
  UpResult result;
  const auto deadline = Clock::now() + o.timeout;
  const auto project_lock = ProjectLock::acquire(
      o.lock_dir.empty() ? std::filesystem::temp_directory_path() : o.lock_dir,
      shared->docker->shown_host(), o.project, deadline, o.interrupted, [&](long pid) {
        shared->emit({UpEvent::Kind::note, "",
                      fmt::format("waiting for another mctl up{} of project '{}' to end",
                                  pid > 0 ? fmt::format(" (pid {})", pid) : "", o.project),
                      false});
      });
  const bool bridge = engine.has_bridge();
  result.network = bridge ? "bridge" : "host";
  shared->emit({UpEvent::Kind::note, "",
                bridge ? "network: bridge (ports published on 127.0.0.1)"
                       : "network: host (the engine has no bridge network; ports are the host's)",
                false});
  check_plans(waves, o, bridge);
  pull_missing(engine, waves, o, [&](const UpEvent& e) { shared->emit(e); });
  auto existing = engine.containers(o.project);
  std::set<int> taken;
  Supervisor supervisor(shared, o);  // before `all`: its threads (joined with `all`) use it
  std::vector<std::unique_ptr<Instance>> all;
  bool ok = true;
  for (const auto& wave : waves) {
    const std::size_t from = all.size();
    for (const auto& app : wave) place(engine, app, o, bridge, taken, existing, all, result);
    for (std::size_t i = from; i < all.size(); ++i) {
      auto& in = *all[i];
      for (const auto& w : in.plan.warnings)
        shared->emit({UpEvent::Kind::note, "", fmt::format("{}: {}", in.app->id, w), false});
      if (in.ours) {
        engine.start(in.id, in.plan.name);
        // Followed once started: a follow of a created container ends at once, empty.
        if (!o.detach) follow(shared, in.id, in.plan.name, true);
        shared->emit({UpEvent::Kind::state, in.plan.name, "starting", false});
      } else {
        if (!o.detach) follow(shared, in.id, in.plan.name, false);
        shared->emit({UpEvent::Kind::state, in.plan.name, "unchanged, running", false});
      }
      supervisor.start(in);
    }
    if (!(ok = wait_healthy(all, from, o, deadline, result, *shared))) break;
  }
  if (ok && !o.detach) {
    while (!interrupted(o)) std::this_thread::sleep_for(milliseconds(20));
    result.exit = Exit::interrupted;
  }
  for (auto& in : all) in->thread.request_stop();
  for (auto& in : all) {
    if (in->thread.joinable()) in->thread.join();
  }
  if (result.exit == Exit::interrupted) {
    for (auto& in : all) {
      if (in->ours) {
        shared->emit({UpEvent::Kind::state, in->plan.name, "stopping", false});
        engine.remove(in->id);
      }
    }
  }
  shared->closed = true;
  std::lock_guard lock(shared->out);  // no follower prints after this returns
  return result;
}

DownResult down(core::DockerClient& docker, const std::string& project,
                const std::vector<std::string>& app_ids, bool volumes) {
  Engine engine(docker);
  DownResult result;
  const std::vector<std::string> targets = app_ids.empty() ? std::vector<std::string>{""} : app_ids;
  for (const auto& app : targets) {
    for (const auto& c : engine.containers(project, app)) {
      engine.remove(c.id);
      result.containers.push_back(c.name);
    }
    if (!volumes) continue;
    for (const auto& v : engine.volumes(project, app)) {
      engine.remove_volume(v);
      result.volumes.push_back(v);
    }
  }
  return result;
}

void app_logs(core::DockerClient& docker, const std::string& project, const std::string& app_id,
              const LogQuery& query,
              const std::function<void(const std::string&, bool, const std::string&)>& on_line) {
  Engine engine(docker);
  const auto containers = engine.containers(project, app_id);
  if (containers.empty()) {
    throw Error(
        fmt::format("logs of {}: no local container of the app in project '{}' (run mctl up first)",
                    app_id, project),
        Exit::no_records);
  }
  if (query.follow && containers.size() > 1) {
    std::vector<std::jthread> threads;
    threads.reserve(containers.size());
    std::mutex m;
    for (const auto& c : containers) {
      threads.emplace_back([&, c] {
        engine.logs(c.id, query, [&](bool err, const std::string& line) {
          std::lock_guard lock(m);
          on_line(c.name, err, line);
        });
      });
    }
    return;
  }
  for (const auto& c : containers) {
    engine.logs(c.id, query,
                [&](bool err, const std::string& line) { on_line(c.name, err, line); });
  }
}

}  // namespace mctl::local
