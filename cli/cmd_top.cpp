// mctl top APP|--all: memory and CPU of each task, from the agents' /monitor/statistics.
#include <cmath>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "cli/commands.hpp"
#include "cli/wiring.hpp"
#include "cli/deploy_output.hpp"
#include "cli/mesos_tasks.hpp"
#include "core/duration.hpp"
#include "core/terminal.hpp"
#include "mesos/top.hpp"

namespace mctl::cli {
using nlohmann::json;
namespace {

struct TopFlags {
  std::string app;
  bool all = false;
  std::string interval = "1s";
  bool watch = false;
};

constexpr double k_highlight_pct = 90.0;

std::string bytes(const std::optional<double>& b) {
  if (!b) return "-";
  const double mib = *b / 1048576.0;
  return mib >= 1024 ? fmt::format("{:.1f}G", mib / 1024) : fmt::format("{:.0f}M", mib);
}

std::string pct(const std::optional<double>& p) {
  return p ? fmt::format("{:.1f}%", *p) : "-";
}
std::string cores(const std::optional<double>& c) {
  return c ? fmt::format("{:.2f}", *c) : "-";
}

json opt(const std::optional<double>& v) {
  return v ? json(*v) : json();
}
json whole(const std::optional<double>& v) {
  return v ? json(std::llround(*v)) : json();
}

struct Totals {
  std::optional<double> rss, limit, cpu;
  void add(const mesos::TaskUsage& u) {
    if (u.rss_bytes) rss = rss.value_or(0) + *u.rss_bytes;
    if (u.limit_bytes) limit = limit.value_or(0) + *u.limit_bytes;
    if (u.cpu_cores) cpu = cpu.value_or(0) + *u.cpu_cores;
  }
  std::optional<double> pct() const {
    return rss && limit && *limit > 0 ? std::optional(*rss * 100 / *limit) : std::nullopt;
  }
};

using ByApp = std::map<std::string, std::vector<mesos::TaskUsage>>;

json as_json(const ByApp& apps) {
  json out = json::array();
  for (const auto& [id, tasks] : apps) {
    json a = {{"id", id}, {"tasks", json::array()}};
    Totals total;
    for (const auto& u : tasks) {
      total.add(u);
      a["tasks"].push_back({{"id", u.task.id},
                            {"host", u.task.host},
                            {"agent_id", u.task.agent_id},
                            {"rss_bytes", whole(u.rss_bytes)},
                            {"limit_bytes", whole(u.limit_bytes)},
                            {"mem_pct", opt(u.mem_pct())},
                            {"cpu_cores", opt(u.cpu_cores)},
                            {"throttled_pct", opt(u.throttled_pct)},
                            {"problem", u.problem.empty() ? json() : json(u.problem)}});
    }
    a["total"] = {{"rss_bytes", whole(total.rss)},
                  {"limit_bytes", whole(total.limit)},
                  {"mem_pct", opt(total.pct())},
                  {"cpu_cores", opt(total.cpu)}};
    out.push_back(a);
  }
  return {{"apps", out}};
}

// One table that fits 80 columns: a header row per app, a row per task, the app's total.
std::string as_table(const ByApp& apps, bool color) {
  auto mem = [color](const std::optional<double>& p) {
    const std::string text = fmt::format("{:>6}", pct(p));
    return color && p && *p > k_highlight_pct ? "\033[1;31m" + text + "\033[0m" : text;
  };
  std::string out = fmt::format("{:<30} {:>7} {:>7} {:>6} {:>6} {:>9}\n", "APP / TASK@HOST", "RSS",
                                "LIMIT", "MEM%", "CPU", "THROTTLED");
  for (const auto& [id, tasks] : apps) {
    out += id.size() > 30 ? id.substr(0, 29) + "~\n" : id + "\n";
    Totals total;
    for (const auto& u : tasks) {
      total.add(u);
      std::string name = "  " + mesos::short_task_id(u.task.id) + "@" +
                         u.task.host.substr(0, u.task.host.find('.'));
      if (name.size() > 30) name = name.substr(0, 29) + "~";
      out += fmt::format("{:<30} {:>7} {:>7} {} {:>6} {:>9}{}\n", name, bytes(u.rss_bytes),
                         bytes(u.limit_bytes), mem(u.mem_pct()), cores(u.cpu_cores),
                         pct(u.throttled_pct), u.problem.empty() ? "" : "  ?");
    }
    out += fmt::format("{:<30} {:>7} {:>7} {} {:>6}\n",
                       fmt::format("  total ({} tasks)", tasks.size()), bytes(total.rss),
                       bytes(total.limit), mem(total.pct()), cores(total.cpu));
  }
  return out;
}

std::vector<mesos::TaskRef> tasks_of(Context& ctx, const TopFlags& f) {
  auto marathon = deploying::marathon(ctx);
  std::vector<mesos::TaskRef> tasks;
  if (f.all) {
    for (const auto& app : marathon->list_apps()) {
      auto more = marathon_tasks(app);
      tasks.insert(tasks.end(), more.begin(), more.end());
    }
  } else {
    tasks = marathon_tasks(marathon->require_app(deploying::app_id(ctx, f.app)));
  }
  if (tasks.empty()) {
    throw Error(f.all ? "top: Marathon lists no running tasks"
                      : fmt::format("top: {} has no running tasks", f.app),
                Exit::no_records);
  }
  return tasks;
}

// JSON (docs/output.md): one document {"apps"}; with --watch a stream, a {"event": "sample",
// "apps"} line per round and {"event": "result", "command": "top", "apps"} (the last round) last.
void print_json_round(Context& ctx, const TopFlags& f, json doc, json& last) {
  if (!f.watch) {
    ctx.print_json(doc);
    return;
  }
  last = doc;
  doc["event"] = "sample";
  ctx.print_event(doc);
}

// One round: the tasks, two samples, one table (or JSON). Returns the tasks without figures.
int one_round(Context& ctx, mesos::MesosClient& client, const TopFlags& f,
              std::chrono::milliseconds interval, const std::atomic<bool>& stop, bool redraw,
              json& last) {
  const auto tasks = tasks_of(ctx, f);
  const auto state = client.master_state();
  ByApp apps;
  int missing = 0;
  for (auto& u : mesos::sample_usage(client, state, tasks, interval, stop)) {
    if (stop) return 0;
    if (!u.problem.empty()) {
      ++missing;
      ctx.print_err(fmt::format("mctl: {}: {}", u.task.id, u.problem));
    }
    apps[u.task.app_id].push_back(std::move(u));
  }
  if (ctx.json()) {
    print_json_round(ctx, f, as_json(apps), last);
  } else {
    ctx.print((redraw ? "\033[H\033[2J" : "") + as_table(apps, ctx.color() && ctx.stdout_is_tty()));
  }
  return missing;
}

void run_top(Context& ctx, const TopFlags& f) {
  if (f.all == !f.app.empty()) throw Error("top: name one APP or give --all", Exit::usage);
  const auto interval = core::parse_duration(f.interval, "flag --interval");
  // CPU is the share used between two samples; a shorter gap measures nothing, and with --watch
  // it would ask Marathon and every agent again without a pause.
  if (interval < std::chrono::milliseconds(100)) {
    throw Error(fmt::format("top: --interval {} is too short; it must be at least 100ms", f.interval), Exit::usage);
  }
  auto client = mesos_client(ctx);
  const auto& stop = deploying::catch_interrupts();
  int missing = 0;
  json last = {{"apps", json::array()}};
  do {
    missing = one_round(ctx, *client, f, interval, stop,
                        f.watch && ctx.stdout_is_tty() && !ctx.json(), last);
  } while (f.watch && !stop);
  if (f.watch && ctx.json()) {
    last["event"] = "result";
    last["command"] = "top";
    ctx.print_stream_result(last);
  }
  if (missing > 0) {
    throw Error(fmt::format("top: {} task(s) without figures (see above)", missing), Exit::remote);
  }
}

}  // namespace

void add_top_command(CLI::App& app, Context& ctx) {
  auto [top, flags] =
      bound_command<TopFlags>(app, ctx, "top", "Memory (RSS vs limit) and CPU of each task, from the Mesos agents", run_top);
  top->add_option("app", flags->app, "App spec name or Marathon app id");
  top->add_flag("--all", flags->all, "Every app's tasks");
  top->add_option("--interval", flags->interval, "Time between the two CPU samples (default 1s)");
  top->add_flag("--watch", flags->watch, "Refresh until Ctrl-C (in place on a terminal)");
}

}  // namespace mctl::cli
