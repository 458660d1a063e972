#include "mesos/logs.hpp"

#include <fmt/format.h>

#include <functional>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>

#include "core/error.hpp"

namespace mctl::mesos {
namespace {

using Clock = std::chrono::steady_clock;

struct Cursor {
  Stream stream;
  std::string path;
  long long offset = 0;
  std::string pending;  // an unfinished line
  Clock::time_point size_checked{};
};

// One followed task: where its files are and how far they were read.
struct Tracked {
  TaskRef task;
  std::string executor_id;
  std::string address;
  std::vector<Cursor> files;
  bool located = false;   // its sandbox was found
  bool done = false;      // nothing more to read (finished, gone, or its agent unknown)
  bool finished = false;  // ended: read it to the end once more, then done
  bool down = false;      // its agent did not answer last time (said once)
  bool busy = false;      // following: its agent's worker is out (only the worker touches it)
  double started = 0;
  std::string end_state;
  std::vector<std::pair<Stream, std::string>> lines;  // read, not yet handed to the sink
  std::vector<std::string> notes;
};

// The bytes [from, to) of a file (to < 0: to its end), in as many reads as the agent's cap
// needs. nullopt when the file is gone (404).
std::optional<std::string> read_range(MesosClient& client, const std::string& address,
                                      const std::string& path, long long from, long long to,
                                      long long chunk) {
  std::string out;
  long long offset = from;
  while (to < 0 || offset < to) {
    const long long want = to < 0 ? chunk : std::min(chunk, to - offset);
    const auto got = client.read_file(address, path, offset, want);
    if (!got) return std::nullopt;
    if (got->data.empty()) break;
    offset += static_cast<long long>(got->data.size());
    out += got->data;
  }
  return out;
}

class SandboxReader {
 public:
  SandboxReader(MesosClient& client, const LogOptions& o, LogSink& sink)
      : m_client(client), m_o(o), m_sink(sink), m_slots(client.parallel()) {}
  ~SandboxReader() {  // a worker never outlives what it writes to
    for (auto& j : m_jobs) {
      try {
        j.done.get();
      } catch (...) {  // NOLINT(bugprone-empty-catch): already on an error path
      }
    }
  }

  // Waits for the agents' workers still out (each within the request timeout).
  void finish() {
    ++m_round;
    for (auto& j : m_jobs) j.round = m_round;
    reap(Clock::time_point::max());
  }

  LogResult result;

  void add(const TaskRef& t, const MasterState& state) {
    Tracked tr;
    tr.task = t;
    const auto info = state.tasks.find(t.id);
    tr.executor_id = info != state.tasks.end() ? info->second.executor_id : t.id;
    if (info != state.tasks.end()) tr.started = info->second.started;
    const auto agent = state.agents.find(t.agent_id);
    if (agent == state.agents.end() || agent->second.address.empty()) {
      tr.notes.push_back(
          fmt::format("agent {} is not registered with the Mesos master; no logs", t.agent_id));
      tr.done = true;
      ++result.unreachable;
    } else {
      tr.address = agent->second.address;
    }
    if (m_o.out) tr.files.push_back({Stream::out, "stdout"});
    if (m_o.err) tr.files.push_back({Stream::err, "stderr"});
    m_tasks.push_back(std::move(tr));
  }

  // First read of every task not located yet: the tail (or all) of each file.
  void start(bool whole) {
    run_per_agent(
        [this, whole](Tracked& t, Sandboxes* sandboxes) { locate_and_tail(t, sandboxes, whole); },
        true);
  }

  // One round of following: what each file gained since the last read.
  void poll() {
    run_per_agent([this](Tracked& t, Sandboxes*) { read_new(t); }, false);
  }

  // Hands what was read to the sink, task by task.
  void flush() {
    for (auto& t : m_tasks) {
      if (t.busy) continue;  // its agent's worker still owns it
      for (const auto& [stream, text] : t.lines) m_sink.line(t.task, stream, text);
      for (const auto& n : t.notes) m_sink.note(t.task, n);
      t.lines.clear();
      t.notes.clear();
    }
  }

  // Tasks listed now vs before: new ones join, missing or ended ones finish.
  void refresh(const std::vector<TaskRef>& listed, const MasterState& state) {
    std::map<std::string, const TaskRef*> by_id;
    for (const auto& t : listed) by_id[t.id] = &t;
    for (auto& t : m_tasks) {
      if (t.done || t.finished || t.busy) continue;  // a busy one is looked at next time
      const auto info = state.tasks.find(t.task.id);
      const bool ended = info != state.tasks.end() && info->second.ended != 0;
      if (!by_id.count(t.task.id) || ended) {
        t.finished = true;
        t.end_state =
            info != state.tasks.end() ? info->second.state : "no longer listed by Marathon";
      }
    }
    for (const auto& t : listed) {
      if (!known(t.id)) add(t, state);
    }
  }

  bool all_done() const {
    for (const auto& t : m_tasks) {
      if (!t.done) return false;
    }
    return true;
  }

 private:
  bool known(const std::string& id) const {
    for (const auto& t : m_tasks) {
      if (t.task.id == id) return true;
    }
    return false;
  }

  using Sandboxes = std::map<std::string, Sandbox>;
  using Work = std::function<void(Tracked&, Sandboxes*)>;

  // Runs `work` for every task still read, the tasks of one agent in one worker. Reading
  // once, every agent is waited for. Following, an agent's worker that is still out after
  // k_round_wait (a stuck agent holds it up to the request timeout) keeps its tasks while the
  // other agents' go on; its agent is not asked again until it is back.
  void run_per_agent(const Work& work, bool unlocated) {
    std::set<std::string> out;  // agents whose worker is still out: not asked twice at once
    for (const auto& j : m_jobs) out.insert(j.address);
    std::map<std::string, std::vector<Tracked*>> by_agent;
    for (auto& t : m_tasks) {
      if (!t.done && !t.busy && t.located != unlocated && !out.count(t.address))
        by_agent[t.address].push_back(&t);
    }
    if (!m_o.follow) {
      std::vector<std::string> addresses;
      addresses.reserve(by_agent.size());
      for (const auto& [a, _] : by_agent) addresses.push_back(a);
      m_client.for_each_parallel(addresses, [&](const std::string& address) {
        agent_work(address, by_agent.at(address), work, unlocated);
      });
    } else {
      ++m_round;
      for (auto& [address, tasks] : by_agent) {
        for (auto* t : tasks) t->busy = true;
        // Named copies: clang before 16 (so clang-tidy 14) cannot capture structured bindings.
        auto job = [this, address = address, tasks = tasks, work, unlocated] {
          const Slot slot(m_slots);
          agent_work(address, tasks, work, unlocated);
        };
        m_jobs.push_back({address, m_round, tasks, std::async(std::launch::async, std::move(job))});
      }
      reap(Clock::now() + k_round_wait);
    }
    if (m_auth_error) throw Error(*m_auth_error, Exit::auth);
  }

  // Collects the agents' workers that are done by `until` (one out since an earlier round is
  // not waited for again); their tasks are free again.
  void reap(Clock::time_point until) {
    for (auto it = m_jobs.begin(); it != m_jobs.end();) {
      const auto by = it->round == m_round ? until : Clock::now();
      if (it->done.wait_until(by) != std::future_status::ready) {
        ++it;
        continue;
      }
      it->done.get();
      for (auto* t : it->tasks) t->busy = false;
      it = m_jobs.erase(it);
    }
  }

  void agent_work(const std::string& address, const std::vector<Tracked*>& tasks, const Work& work,
                  bool unlocated) {
    Sandboxes sandboxes;
    for (auto* t : tasks) {
      try {
        if (unlocated && sandboxes.empty()) sandboxes = m_client.agent_sandboxes(address);
        work(*t, &sandboxes);
        if (t->down)
          t->notes.push_back(fmt::format("agent {} ({}) answers again", t->task.host, address));
        t->down = false;
      } catch (const Error& e) {
        if (e.exit_code() == Exit::auth) throw_later(e);
        unreachable(*t, e);
      }
    }
  }

  void throw_later(const Error& e) {
    std::lock_guard lock(m_mutex);
    m_auth_error = e.what();
  }

  void unreachable(Tracked& t, const Error& e) {
    if (t.down) return;
    t.down = true;
    t.notes.push_back(fmt::format("cannot read the logs: agent {} ({}) did not answer: {}{}",
                                  t.task.host, t.address, e.what(),
                                  m_o.follow ? "; retrying" : ""));
    std::lock_guard lock(m_mutex);
    ++result.unreachable;
    if (!m_o.follow) t.done = true;
  }

  void gone(Tracked& t, const std::string& why) {
    t.notes.push_back(why);
    t.done = true;
    std::lock_guard lock(m_mutex);
    ++result.gone;
  }

  void locate_and_tail(Tracked& t, std::map<std::string, Sandbox>* sandboxes, bool whole) {
    const auto it = sandboxes->find(t.executor_id);
    if (it == sandboxes->end()) {
      return gone(
          t,
          fmt::format("no sandbox on agent {} (garbage-collected by the agent, or never started)",
                      t.task.host));
    }
    const bool all =
        whole || m_o.tail < 0 || (m_o.since && t.started > 0 && t.started >= *m_o.since);
    for (auto& f : t.files) {
      f.path = it->second.directory + "/" + f.path;
      const auto text = all ? read_whole(t.address, f.path) : tail(t.address, f.path);
      if (!text)
        return gone(
            t, fmt::format("{} is gone from agent {} (garbage-collected)", f.path, t.task.host));
      f.offset = text->second;
      f.pending = text->first;
      take_lines(f.pending, m_o.max_line,
                 [&](std::string_view l) { t.lines.emplace_back(f.stream, l); });
      if (!m_o.follow) end_file(t, f);
    }
    t.located = true;
    if (!m_o.follow) t.done = true;
    std::lock_guard lock(m_mutex);
    ++result.read;
  }

  using Text =
      std::optional<std::pair<std::string, long long>>;  // the text, and the offset where it ends

  Text read_whole(const std::string& address, const std::string& path) {
    auto text = read_range(m_client, address, path, 0, -1, m_o.chunk);
    if (!text) return std::nullopt;
    const auto end = static_cast<long long>(text->size());
    return std::pair{std::move(*text), end};
  }

  // The last `tail` lines. A file within one chunk takes one read from its start (an answer
  // shorter than asked is the file's end: the agent caps a read at 16 pages, the chunk);
  // a longer one takes its size (offset -1) and reads backwards, chunk by chunk.
  Text tail(const std::string& address, const std::string& path) {
    const auto first = m_client.read_file(address, path, 0, m_o.chunk);
    if (!first) return std::nullopt;
    if (static_cast<long long>(first->data.size()) < m_o.chunk) {
      const auto end = static_cast<long long>(first->data.size());
      return std::pair{first->data.substr(*last_lines_start(first->data, m_o.tail, true)), end};
    }
    const auto size = m_client.read_file(address, path, -1);
    if (!size) return std::nullopt;
    std::string text;
    long long from = size->offset;
    while (true) {
      const long long start = std::max(0LL, from - m_o.chunk);
      const auto got = read_range(m_client, address, path, start, from, m_o.chunk);
      if (!got) return std::nullopt;
      text.insert(0, *got);
      from = start;
      const auto at = last_lines_start(text, m_o.tail, from == 0);
      if (at || got->empty()) return std::pair{text.substr(at.value_or(0)), size->offset};
    }
  }

  void end_file(Tracked& t, Cursor& f) {
    if (!f.pending.empty()) t.lines.emplace_back(f.stream, std::move(f.pending));
    f.pending.clear();
  }

  void read_new(Tracked& t) {
    for (auto& f : t.files) {
      const auto got = read_range(m_client, t.address, f.path, f.offset, -1, m_o.chunk);
      if (!got) {
        if (t.finished) break;  // ended and collected at once: what was read is all there is
        return gone(
            t, fmt::format("{} is gone from agent {} (garbage-collected)", f.path, t.task.host));
      }
      f.offset += static_cast<long long>(got->size());
      f.pending += *got;
      if (got->empty()) check_rotation(t, f);
      take_lines(f.pending, m_o.max_line,
                 [&](std::string_view l) { t.lines.emplace_back(f.stream, l); });
    }
    if (t.finished) {
      for (auto& f : t.files) end_file(t, f);
      t.notes.push_back(fmt::format("task finished ({}); its logs end here", t.end_state));
      t.done = true;
    }
  }

  // A file smaller than what was read was rotated (stdout -> stdout.1): read the new one.
  void check_rotation(Tracked& t, Cursor& f) {
    const auto now = Clock::now();
    if (now - f.size_checked < std::chrono::seconds(1)) return;
    f.size_checked = now;
    const auto size = m_client.read_file(t.address, f.path, -1);
    if (size && size->offset < f.offset) {
      t.notes.push_back(fmt::format("{} was rotated; reading the new file from its start", f.path));
      f.offset = 0;
    }
  }

  MesosClient& m_client;
  const LogOptions& m_o;
  LogSink& m_sink;
  // An agent's worker while following: the tasks it owns until it is reaped.
  struct Job {
    std::string address;
    std::size_t round = 0;  // the round that sent it out
    std::vector<Tracked*> tasks;
    std::future<void> done;
  };
  // Holds one of the `mesos.parallel` request slots for a worker's lifetime.
  class Slot {
   public:
    explicit Slot(std::counting_semaphore<>& s) : m_s(s) { m_s.acquire(); }
    ~Slot() { m_s.release(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    std::counting_semaphore<>& m_s;
  };
  static constexpr std::chrono::milliseconds k_round_wait{500};

  std::list<Tracked> m_tasks;  // a list: workers keep pointers while refresh() adds tasks
  std::vector<Job> m_jobs;
  std::size_t m_round = 0;
  std::counting_semaphore<> m_slots;
  std::mutex m_mutex;
  std::optional<std::string> m_auth_error;
};

void wait_for(std::chrono::milliseconds period, const std::atomic<bool>& stop) {
  const auto until = Clock::now() + period;
  while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(25));
}

}  // namespace

std::vector<std::string> tasks_named(const std::vector<TaskRef>& tasks, const std::string& given) {
  std::vector<std::string> hits;
  for (const auto& t : tasks) {
    if (t.id == given) return {t.id};
  }
  for (const auto& t : tasks) {
    if (t.id.rfind(given, 0) == 0 || short_task_id(t.id).rfind(given, 0) == 0) hits.push_back(t.id);
  }
  return hits;
}

void take_lines(std::string& pending, std::size_t max_line,
                const std::function<void(std::string_view)>& emit) {
  std::size_t begin = 0;
  while (true) {
    const auto nl = pending.find('\n', begin);
    if (nl == std::string::npos) break;
    emit(std::string_view(pending).substr(begin, nl - begin));
    begin = nl + 1;
  }
  while (pending.size() - begin > max_line) {
    emit(std::string_view(pending).substr(begin, max_line));
    begin += max_line;
  }
  pending.erase(0, begin);
}

std::optional<std::size_t> last_lines_start(std::string_view text, long long n,
                                            bool at_file_start) {
  if (n <= 0) return text.size();
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the last line's own end
  long long found = 0;
  while (end > 0) {
    const auto nl = text.rfind('\n', end - 1);
    if (nl == std::string_view::npos) break;
    if (++found == n) return nl + 1;
    end = nl;
  }
  if (at_file_start) return 0;
  return std::nullopt;
}

LogResult read_logs(MesosClient& client, const TaskLister& list, const LogOptions& options,
                    LogSink& sink, const std::atomic<bool>& stop) {
  SandboxReader reader(client, options, sink);
  MasterState state = client.master_state();
  for (const auto& t : list(state)) reader.add(t, state);
  reader.start(false);
  reader.flush();
  if (!options.follow) return reader.result;
  auto refreshed = Clock::now();
  while (!stop) {
    wait_for(options.poll, stop);
    if (Clock::now() - refreshed >= options.refresh) {
      refreshed = Clock::now();
      try {
        state = client.master_state();
        reader.refresh(list(state), state);
        reader.start(true);  // tasks that joined: everything they wrote
      } catch (const Error& e) {
        if (e.exit_code() == Exit::auth || e.exit_code() == Exit::no_records) throw;
        // The master or Marathon is away for a moment: keep following the known tasks.
      }
    }
    reader.poll();
    reader.flush();
  }
  reader.finish();
  reader.flush();
  return reader.result;
}

}  // namespace mctl::mesos
