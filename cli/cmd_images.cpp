// mctl images gc (local, registry): wiring of the images module's gc run; the Marathon
// protection comes from deploy::marathon_protection. The confirmation and the printing are here.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/gc_protection.hpp"
#include "images/clients.hpp"
#include "images/gc_run.hpp"
#include "images/reference.hpp"

namespace mctl::cli {
namespace {

using namespace mctl::images;

struct GcFlags {
  bool local = false;
  bool registry = false;
  std::optional<int> keep;
  std::optional<std::string> older_than;
  bool dry_run = false;
  bool yes = false;
  int parallel = 8;
  bool no_marathon = false;
  std::vector<std::string> protect_envs;
  std::vector<std::string> repositories;
};

// Images Marathon runs or may roll back to, in every selected environment (default: all of
// mctl.yaml's), normalised for the policy.
void protect(Context& ctx, const GcFlags& f, Policy& policy) {
  if (f.no_marathon) return;
  const auto& envs = f.protect_envs.empty() ? ctx.config().environments() : f.protect_envs;
  const auto found = deploy::marathon_protection(
      envs, [&ctx](const std::optional<std::string>& env) { return env ? ctx.config_for(*env) : ctx.config(); },
      *ctx.config().settings().images.keep_versions);
  for (const auto& [ref, why] : found.images) protect_reference(policy, ref, why);
  core::log::info("Marathon protects {} images (environments: {})", policy.in_use.size(), fmt::join(found.consulted, ", "));
}

// Draws "deleting [#####.....] 12/40" on stderr when it is a terminal.
std::function<void(std::size_t, std::size_t)> progress_bar(const Context& ctx) {
  if (ctx.globals.quiet || !ctx.stderr_is_tty()) return {};
  return [&ctx](std::size_t done, std::size_t total) {
    const std::size_t width = 30;
    const std::size_t filled = total ? done * width / total : width;
    ctx.err().write(fmt::format("\rdeleting [{}{}] {}/{}{}", std::string(filled, '#'), std::string(width - filled, '.'),
                                done, total, done == total ? "\n" : ""));
  };
}

// Asks on a terminal; without one (and without --yes) the run stays a dry run.
bool confirmed(Context& ctx, const GcFlags& f, std::size_t tags, const std::string& where) {
  if (f.yes) return true;
  if (!ctx.stdin_is_tty()) {
    ctx.print_err("mctl: no terminal to confirm on and no --yes: dry run only, nothing deleted");
    return false;
  }
  const auto answer = core::prompt_line(fmt::format("Delete {} tags from {}? [y/N] ", tags, where));
  return answer == "y" || answer == "Y" || answer == "yes";
}

struct Outcome {
  std::size_t failed = 0;   // deletes that failed
  std::size_t skipped = 0;  // deletes skipped because a tag changed since the plan
};

// Prints the plan, asks, deletes; counts the deletes that failed or were skipped.
void execute(Context& ctx, const GcFlags& f, const GcTarget& run, nlohmann::json& report, Outcome& total) {
  const auto deletions = run.plan.deletions(run.by_digest);
  nlohmann::json entry = plan_json(run.name, run.plan);
  if (!ctx.json()) ctx.print(plan_text(run.name, run.plan, deletions.size()));
  const bool act = !f.dry_run && !deletions.empty() && confirmed(ctx, f, run.plan.count(Verdict::remove), run.name);
  entry["dry_run"] = !act;
  if (act) {
    const auto done = tally(run_deletions(deletions, f.parallel, run.remove, progress_bar(ctx)));
    for (const auto& line : done.problems) ctx.print_err(line);
    entry["deleted"] = done.deleted_tags;
    entry["failed"] = done.failures;
    entry["skipped"] = done.skips;
    if (!ctx.json()) ctx.print(tally_text(done, run.plan.count(Verdict::remove), deletions.size()));
    total.failed += done.failed;
    total.skipped += done.skipped;
  } else if (!ctx.json()) {
    ctx.print("dry run: nothing deleted");
  }
  report["targets"].push_back(entry);
}

void gc_command(Context& ctx, const GcFlags& f) {
  if (f.parallel < 1 || f.parallel > 64) throw Error("images gc: --parallel must be 1 to 64", Exit::usage);
  auto& config = ctx.config();
  auto policy = gc_policy(config.settings().images, f.keep, f.older_than);
  protect(ctx, f, policy);
  nlohmann::json report = {{"targets", nlohmann::json::array()}};
  Outcome total;
  if (f.local) {
    auto engine = docker(config);
    execute(ctx, f, plan_local(*engine, *config.settings().project.docker_host, f.repositories, policy), report, total);
  }
  if (f.registry) {
    auto reg = connect_registry(config);
    execute(ctx, f, plan_registry(reg, f.repositories, f.parallel, policy), report, total);
    if (!ctx.globals.quiet && !ctx.json()) {
      ctx.print_err("note: the registry frees the blobs only when its garbage collection runs "
                    "(docker-registry garbage-collect CONFIG), a separate step");
    }
  }
  if (ctx.json()) ctx.print_json(report);
  check_gc_outcome(total.failed, total.skipped);
}

void add_gc_options(CLI::App* sub, GcFlags& f) {
  sub->add_option("repositories", f.repositories, "Only these repositories (names or globs; default: all)");
  sub->add_option("--keep", f.keep, "Newest tags kept per repository (default: images.keep)");
  sub->add_option("--older-than", f.older_than, "Only delete tags older than DUR (e.g. 30d)");
  sub->add_flag("--dry-run", f.dry_run, "Print the plan and delete nothing");
  sub->add_flag("-y,--yes", f.yes, "Delete without asking");
  sub->add_option("--parallel", f.parallel, "Deletes at once (default 8)");
  sub->add_flag("--no-marathon", f.no_marathon, "Do not ask Marathon which images apps use (unsafe)");
  sub->add_option("--protect-env", f.protect_envs, "Environments whose Marathon apps protect images (default: all)")
      ->delimiter(',');
}

// What to clean is a subcommand, not a flag: 'gc --registry' read like the global --registry HOST.
void add_images_gc(CLI::App& images, Context& ctx) {
  auto f = std::make_shared<GcFlags>();
  auto* gc = images.add_subcommand("gc", "Delete old tags, never what containers, Marathon or the keep list need");
  gc->require_subcommand(1);
  auto* local = gc->add_subcommand("local", "Clean the local Docker Engine (docker_host)");
  auto* reg = gc->add_subcommand("registry", "Clean the registry (registry, or the global --registry HOST)");
  for (auto* sub : {local, reg}) add_gc_options(sub, *f);
  local->callback(command(ctx, [&ctx, f] {
    auto flags = *f;
    flags.local = true;
    gc_command(ctx, flags);
  }));
  reg->callback(command(ctx, [&ctx, f] {
    auto flags = *f;
    flags.registry = true;
    gc_command(ctx, flags);
  }));
}

}  // namespace

void add_images_command(CLI::App& app, Context& ctx) {
  auto* images = app.add_subcommand("images", "Clean up old images locally and in the registry");
  images->require_subcommand(1);
  add_images_gc(*images, ctx);
}

}  // namespace mctl::cli
