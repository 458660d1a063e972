// mctl logs APP: the stdout and stderr of an app's tasks, from their Mesos sandboxes.
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/cmd_logs_local.hpp"
#include "cli/commands.hpp"
#include "cli/wiring.hpp"
#include "cli/deploy_output.hpp"
#include "cli/mesos_tasks.hpp"
#include "cli/sink.hpp"
#include "core/duration.hpp"
#include "core/terminal.hpp"
#include "mesos/logs.hpp"

namespace mctl::cli {
namespace {

struct LogsFlags {
  std::string app;
  std::string task;
  bool out_only = false;
  bool err_only = false;
  std::string tail = "50";
  bool follow = false;
  std::string since;
  bool completed = false;
  bool local = false;
};

constexpr const char* k_colors[] = {"\033[36m", "\033[33m", "\033[32m",
                                    "\033[35m", "\033[34m", "\033[96m"};

// Lines to stdout as `docker compose logs` shows them: "<task>@<host> | text" with several
// tasks, stderr marked with "!" when both streams are shown; bytes as the task wrote them
// (escaped on a terminal: program_output).
class Printer : public mesos::LogSink {
 public:
  // With ctx.json(): one NDJSON line per log line (docs/output.md); bytes that are not UTF-8
  // become U+FFFD.
  Printer(Context& ctx, bool label, bool mark_stderr, bool color)
      : m_ctx(ctx), m_label(label), m_mark(mark_stderr), m_color(color) {}

  void line(const mesos::TaskRef& task, mesos::Stream stream, std::string_view text) override {
    const bool err = stream == mesos::Stream::err;
    if (m_ctx.json()) {
      const nlohmann::json j = {{"event", "line"},
                                {"task", task.id},
                                {"host", task.host},
                                {"stream", err ? "stderr" : "stdout"},
                                {"text", std::string(text)}};
      m_ctx.print(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
    std::string prefix;
    if (m_label) prefix = painted(label(task), color_of(task)) + " ";
    if (m_label || m_mark)
      prefix += err && m_mark ? painted("!", "\033[31m") + " " : (m_label ? "| " : "  ");
    prefix += program_output(m_ctx.out(), text);
    prefix.push_back('\n');
    m_ctx.out().write(prefix);
  }

  void note(const mesos::TaskRef& task, const std::string& message) override {
    m_ctx.print_err(fmt::format("mctl: {}: {}", label(task), message));
  }

 private:
  std::string label(const mesos::TaskRef& t) {
    std::string text = mesos::short_task_id(t.id) + "@" + t.host.substr(0, t.host.find('.'));
    m_width = std::max(m_width, text.size());
    return fmt::format("{:<{}}", text, m_width);
  }
  const char* color_of(const mesos::TaskRef& t) {
    const auto [it, _] = m_colors.emplace(t.id, m_colors.size() % std::size(k_colors));
    return k_colors[it->second];
  }
  std::string painted(const std::string& text, const char* color) const {
    return m_color ? fmt::format("{}{}\033[0m", color, text) : text;
  }

  Context& m_ctx;
  bool m_label, m_mark, m_color;
  std::size_t m_width = 0;
  std::map<std::string, std::size_t> m_colors;
};

long long tail_lines(const std::string& text) {
  if (text == "all") return -1;
  long long n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 0) {
    throw Error(fmt::format("logs: -n/--tail must be a whole number >= 0 or 'all', not '{}'", text),
                Exit::usage);
  }
  return n;
}

// The task ids --task names (one when unique; an error when none or several do).
std::string resolve_task(const std::vector<mesos::TaskRef>& tasks, const std::string& prefix,
                         const std::string& app) {
  const auto hits = mesos::tasks_named(tasks, prefix);
  if (hits.empty()) {
    throw Error(
        fmt::format(
            "logs: no task of {} matches '{}' ({} task(s) listed; --completed includes ended ones)",
            app, prefix, tasks.size()),
        Exit::no_records);
  }
  if (hits.size() > 1) {
    throw Error(fmt::format("logs: '{}' matches {} tasks of {}: {}; give more of the id", prefix,
                            hits.size(), app, fmt::join(hits, ", ")),
                Exit::usage);
  }
  return hits.front();
}

void run_logs(Context& ctx, const LogsFlags& f) {
  mesos::LogOptions o;
  o.tail = tail_lines(f.tail);
  o.out = !f.err_only;
  o.err = !f.out_only;
  o.follow = f.follow;
  if (!f.since.empty()) {
    const auto window = core::parse_duration(f.since, "flag --since");
    o.since =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
        std::chrono::duration<double>(window).count();
  }
  auto client = mesos_client(ctx);
  auto marathon = deploying::marathon(ctx);
  const std::string id = deploying::app_id(ctx, f.app);
  std::string only;  // the task --task resolved to
  bool first = true;
  const mesos::TaskLister list = [&](const mesos::MasterState& state) {
    const auto app = first ? std::optional(marathon->require_app(id)) : marathon->get_app(id);
    auto tasks = app ? marathon_tasks(*app) : std::vector<mesos::TaskRef>{};
    if (f.completed) {
      for (auto& t : ended_tasks(state, id)) {
        if (o.since && state.tasks.at(t.id).ended < *o.since) continue;
        tasks.push_back(std::move(t));
      }
    }
    if (first && !f.task.empty()) only = resolve_task(tasks, f.task, id);
    if (!only.empty()) std::erase_if(tasks, [&](const mesos::TaskRef& t) { return t.id != only; });
    if (first && tasks.empty() && !f.follow) {
      throw Error(fmt::format("logs: {} has no running tasks{}", id,
                              f.completed ? " and Mesos lists no ended ones"
                                          : " (--completed reads ended ones)"),
                  Exit::no_records);
    }
    first = false;
    return tasks;
  };
  // Several tasks (or a follow, where tasks join) get a prefix; the streams are marked when both
  // are shown.
  const bool label = f.task.empty();
  Printer printer(ctx, label, o.out && o.err, ctx.color() && ctx.stdout_is_tty());
  const auto& stop = deploying::catch_interrupts();
  const auto result = mesos::read_logs(*client, list, o, printer, stop);
  if (ctx.json()) {
    ctx.print_stream_result(
        {{"event", "result"}, {"command", "logs"}, {"app", id}, {"tasks_read", result.read}});
  }
  if (result.unreachable > 0) {
    throw Error(fmt::format("logs of {}: {} task(s) could not be read because their agent did not "
                            "answer (see above)",
                            id, result.unreachable),
                Exit::remote);
  }
  if (result.read == 0 && result.gone > 0) {
    throw Error(
        fmt::format("logs of {}: no sandbox left to read (garbage-collected by the agents)", id),
        Exit::no_records);
  }
}

// --local: the same options, read from the containers of `mctl up` instead of Mesos sandboxes.
void run_local(Context& ctx, const LogsFlags& f) {
  if (!f.task.empty() || f.completed) {
    throw Error(
        "logs --local: --task and --completed are for Mesos tasks; the local containers "
        "are all shown, running or stopped",
        Exit::usage);
  }
  LocalLogsQuery q;
  q.app = f.app;
  q.tail = tail_lines(f.tail);
  q.follow = f.follow;
  q.out = !f.err_only;
  q.err = !f.out_only;
  q.since = f.since;
  run_local_logs(ctx, q);
}

void run_logs_or_local(Context& ctx, const LogsFlags& f) {
  if (f.local) return run_local(ctx, f);
  run_logs(ctx, f);
}

}  // namespace

void add_logs_command(CLI::App& app, Context& ctx) {
  auto [logs, flags] = bound_command<LogsFlags>(
      app, ctx, "logs", "Print the stdout and stderr of an app's tasks (from their Mesos sandboxes)", run_logs_or_local);
  logs->add_option("app", flags->app, "App spec name or Marathon app id")->required();
  logs->add_option("--task", flags->task, "Only this task (a unique prefix of its id or short id)");
  auto* out = logs->add_flag("--stdout", flags->out_only, "Only stdout");
  logs->add_flag("--stderr", flags->err_only, "Only stderr")->excludes(out);
  logs->add_option("-n,--tail", flags->tail,
                   "Lines from the end of each file, or 'all' (default 50)");
  logs->add_flag("-f,--follow", flags->follow,
                 "Keep printing what the tasks write; new tasks join (Ctrl-C ends)");
  logs->add_option("--since", flags->since,
                   "Tasks started within DURATION (e.g. 10m) are shown whole");
  logs->add_flag("--completed", flags->completed,
                 "Also tasks that ended (their sandbox stays until the agent's GC)");
  logs->add_flag("--local", flags->local, "The app's local containers (started by mctl up)");
}

}  // namespace mctl::cli
