// mctl image (tag, build, push, exists) and mctl images (list, gc): wiring of the images
// module; the Marathon protection comes from deploy::images_in_use.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/duration.hpp"
#include "core/git.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/images_in_use.hpp"
#include "images/build_context.hpp"
#include "images/credentials.hpp"
#include "images/docker.hpp"
#include "images/gc.hpp"
#include "images/reference.hpp"
#include "images/registry.hpp"
#include "images/tagging.hpp"

namespace mctl::cli {
namespace {

using namespace mctl::images;
namespace http = core::http;

std::string registry_setting(const core::Config& config) {
  const auto& r = *config.settings().registry.host;
  if (!r || r->empty()) {
    throw Error("no registry configured: set 'registry' in mctl.yaml, MCTL_REGISTRY or --registry", Exit::usage);
  }
  return *r;
}

std::unique_ptr<DockerClient> docker(const core::Config& config) {
  return connect_docker(*config.settings().project.docker_host, http_options(config));
}

// The registry client with the HTTP client it borrows.
struct Registry {
  std::string host;
  std::unique_ptr<http::HttpClient> http;
  std::unique_ptr<RegistryClient> client;
};

Registry registry(const core::Config& config) {
  Registry r;
  const std::string setting = registry_setting(config);
  r.host = registry_host(setting);
  r.http = http::make_curl_client(http_options(config));
  r.client = std::make_unique<RegistryClient>(*r.http, registry_base_url(setting), find_credentials(config, r.host));
  return r;
}

std::string commit_tag_here(Context& ctx, std::optional<bool> strict) {
  const auto& config = ctx.config();
  const auto dir = config.project_dir().empty() ? ctx.base_dir() : config.project_dir();
  const bool is_strict = strict.value_or(ctx.environ("CI").has_value());
  const auto length = *config.settings().images.tag_length;
  return commit_tag(core::git_info(dir, ctx.environ("MCTL_GIT_SHA")), length, is_strict, dir.string());
}

// registry/repository for a local name or reference (APP names are image names).
ImageRef target_for(const core::Config& config, const std::string& arg) {
  ImageRef ref = parse_reference(arg);
  ref.registry = registry_host(registry_setting(config));
  ref.digest.clear();
  return ref;
}

void stream_to_stderr(const Context& ctx, const StreamEvent& e) {
  if (ctx.globals.quiet && !e.error) return;
  ctx.print_err(e.text);
}

void push(Context& ctx, DockerClient& engine, const ImageRef& ref) {
  const auto& config = ctx.config();
  const auto credentials = find_credentials(config, ref.registry);
  try {
    engine.push(ref.name(), ref.tag, engine_auth_header(credentials, ref.registry),
                [&](const StreamEvent& e) { if (core::log::enabled(core::log::Level::info)) stream_to_stderr(ctx, e); });
  } catch (const Error& e) {
    if (e.exit_code() != Exit::auth) throw;
    throw Error(fmt::format("{} ({})", e.what(),
                            credentials ? fmt::format("the registry refused user '{}' from {}", credentials->user,
                                                      credentials->source)
                                        : std::string("no credentials found for this registry")),
                Exit::auth);
  }
}

void print_ref(Context& ctx, const ImageRef& ref, const nlohmann::json& extra) {
  if (ctx.json()) {
    nlohmann::json out = {{"image", ref.str()}, {"repository", ref.name()}, {"tag", ref.tag}};
    out.update(extra);
    ctx.print_json(out);
  } else {
    ctx.print(ref.str());
  }
}

void tag_command(Context& ctx, const std::string& arg, bool do_push, std::optional<bool> strict) {
  auto target = target_for(ctx.config(), arg);
  target.tag = commit_tag_here(ctx, strict);
  auto engine = docker(ctx.config());
  engine->tag(arg, target.name(), target.tag);
  if (do_push) push(ctx, *engine, target);
  print_ref(ctx, target, {{"pushed", do_push}});
}

struct BuildFlags {
  std::string context;
  std::string dockerfile = "Dockerfile";
  std::vector<std::string> build_args;
  bool pull = false;
  bool no_cache = false;
  bool push = false;
  std::optional<bool> strict;
};

void build_command(Context& ctx, const std::string& app, const BuildFlags& f) {
  const auto& config = ctx.config();
  auto target = target_for(config, app);
  target.tag = commit_tag_here(ctx, f.strict);
  const auto dir = f.context.empty() ? config.project_dir() : std::filesystem::path(f.context);
  BuildRequest request;
  request.dockerfile = f.dockerfile;
  request.context_tar = build_context_tar(dir.empty() ? ctx.base_dir() : dir, f.dockerfile);
  request.tags = {target.str()};
  const auto git = core::git_info(config.project_dir().empty() ? ctx.base_dir() : config.project_dir(),
                                 ctx.environ("MCTL_GIT_SHA"));
  request.labels["org.opencontainers.image.revision"] = git.sha;
  for (const auto& arg : f.build_args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) throw Error(fmt::format("--build-arg '{}': expected NAME=VALUE", arg), Exit::usage);
    request.build_args[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  request.pull = f.pull;
  request.no_cache = f.no_cache;
  core::log::info("sending build context ({} bytes) from {}", request.context_tar.size(), dir.string());
  auto engine = docker(config);
  const std::string id = engine->build(request, [&](const StreamEvent& e) { stream_to_stderr(ctx, e); });
  if (f.push) push(ctx, *engine, target);
  print_ref(ctx, target, {{"id", id}, {"revision", git.sha}, {"pushed", f.push}});
}

void push_command(Context& ctx, const std::string& arg, std::optional<bool> strict) {
  auto target = target_for(ctx.config(), arg);
  if (target.tag.empty()) target.tag = commit_tag_here(ctx, strict);
  auto engine = docker(ctx.config());
  push(ctx, *engine, target);
  print_ref(ctx, target, {{"pushed", true}});
}

void exists_command(Context& ctx, const std::string& arg, std::optional<bool> strict) {
  auto target = target_for(ctx.config(), arg);
  if (target.tag.empty()) target.tag = commit_tag_here(ctx, strict);
  auto reg = registry(ctx.config());
  const auto digest = reg.client->manifest_digest(target.repository, target.tag);
  if (ctx.json()) {
    ctx.print_json({{"image", target.str()}, {"exists", digest.has_value()}, {"digest", digest.value_or("")}});
  } else if (digest) {
    ctx.print(fmt::format("{} {}", target.str(), *digest));
  }
  if (!digest) throw Error(fmt::format("{}: not in the registry", target.str()), Exit::no_records);
}


// ---- mctl images gc ----

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

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string format_time(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return "unknown";
  const std::time_t s = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Images Marathon runs or may roll back to, in every selected environment (default: all of
// mctl.yaml's), each Marathon asked once. An unreachable Marathon stops gc: it must not guess.
std::map<std::string, std::string> marathon_protection(Context& ctx, const GcFlags& f, int keep_versions,
                                                       std::vector<std::string>& consulted) {
  std::map<std::string, std::string> in_use;
  if (f.no_marathon) return in_use;
  std::vector<std::string> envs = f.protect_envs;
  if (envs.empty()) envs = ctx.config().environments();
  std::vector<std::optional<std::string>> names;
  for (const auto& e : envs) names.emplace_back(e);
  if (names.empty()) names.emplace_back(std::nullopt);
  std::set<std::vector<std::string>> asked;
  for (const auto& name : names) {
    const auto config = name ? ctx.config_for(*name) : ctx.config();
    const auto& urls = *config.settings().marathon.urls;
    if (urls.empty() || !asked.insert(urls).second) continue;
    for (auto& [ref, why] : deploy::images_in_use(*deploy::connect(config), keep_versions)) {
      in_use.emplace(normalize_reference(ref), name ? fmt::format("{} ({})", why, *name) : why);
    }
    consulted.push_back(name.value_or("default"));
  }
  if (consulted.empty()) {
    throw Error("images gc: no Marathon is configured (marathon.urls), so gc cannot tell which images apps run or "
                "roll back to; configure it or pass --no-marathon to clean up without that protection",
                Exit::usage);
  }
  return in_use;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::remove: return "delete";
    case Verdict::keep: return "keep";
    case Verdict::skip_shared: return "skip";
  }
  return "?";
}

std::string plan_text(const std::string& title, const Plan& plan, std::size_t manifests) {
  std::string out = title + "\n";
  std::size_t width = 10;
  for (const auto& d : plan.decisions) width = std::max(width, d.candidate.ref().size());
  for (const auto& d : plan.decisions) {
    std::uint64_t size = 0;
    for (const auto& b : d.candidate.blobs) size += b.size;
    const std::string detail = d.verdict == Verdict::remove
                                   ? fmt::format("created {}, {}", format_time(d.candidate.created), human_bytes(size))
                                   : d.reason;
    out += fmt::format("  {:<6}  {:<{}}  {}\n", verdict_name(d.verdict), d.candidate.ref(), width, detail);
  }
  out += fmt::format("plan: delete {} tags ({} deletes), keep {}, skip {} (shared digest); {} reclaimable",
                     plan.count(Verdict::remove), manifests, plan.count(Verdict::keep),
                     plan.count(Verdict::skip_shared), human_bytes(plan.bytes_reclaimable));
  return out;
}

nlohmann::json plan_json(const std::string& target, const Plan& plan) {
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& d : plan.decisions) {
    decisions.push_back({{"image", d.candidate.ref()}, {"digest", d.candidate.digest}, {"action", verdict_name(d.verdict)},
                         {"reason", d.reason}, {"created", format_time(d.candidate.created)}});
  }
  return {{"target", target}, {"decisions", decisions}, {"bytes_reclaimable", plan.bytes_reclaimable},
          {"delete", plan.count(Verdict::remove)}, {"keep", plan.count(Verdict::keep)},
          {"skip", plan.count(Verdict::skip_shared)}};
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

struct TargetRun {
  std::string name;
  Plan plan;
  bool by_digest;
  std::function<std::optional<std::string>(const Deletion&)> remove;  // why skipped, or nullopt
};

struct Outcome {
  std::size_t failed = 0;   // deletes that failed
  std::size_t skipped = 0;  // deletes skipped because a tag changed since the plan
};

// Prints the plan, asks, deletes; counts the deletes that failed or were skipped.
Outcome execute(Context& ctx, const GcFlags& f, TargetRun& run, nlohmann::json& report) {
  const auto deletions = run.plan.deletions(run.by_digest);
  nlohmann::json entry = plan_json(run.name, run.plan);
  if (!ctx.json()) ctx.print(plan_text(run.name, run.plan, deletions.size()));
  const bool act = !f.dry_run && !deletions.empty() && confirmed(ctx, f, run.plan.count(Verdict::remove), run.name);
  entry["dry_run"] = !act;
  Outcome outcome;
  if (act) {
    const auto results = run_deletions(deletions, f.parallel, run.remove, progress_bar(ctx));
    nlohmann::json failures = nlohmann::json::array();
    nlohmann::json skips = nlohmann::json::array();
    std::size_t deleted_tags = 0;
    for (const auto& r : results) {
      if (r.deleted) {
        deleted_tags += r.deletion.tags.size();
        continue;
      }
      if (!r.skipped.empty()) {
        ++outcome.skipped;
        for (const auto& t : r.deletion.tags) {
          skips.push_back({{"image", r.deletion.repository + ":" + t}, {"reason", r.skipped}});
          ctx.print_err(fmt::format("mctl: warning: not deleting {}:{}: {}", r.deletion.repository, t, r.skipped));
        }
        continue;
      }
      ++outcome.failed;
      for (const auto& t : r.deletion.tags) {
        failures.push_back({{"image", r.deletion.repository + ":" + t}, {"error", r.error}});
        ctx.print_err(fmt::format("mctl: error: deleting {}:{}: {}", r.deletion.repository, t, r.error));
      }
    }
    entry["deleted"] = deleted_tags;
    entry["failed"] = failures;
    entry["skipped"] = skips;
    if (!ctx.json()) {
      ctx.print(fmt::format("deleted {} of {} tags ({} of {} deletes failed{})", deleted_tags,
                            run.plan.count(Verdict::remove), outcome.failed, deletions.size(),
                            outcome.skipped ? fmt::format(", {} skipped: changed since the plan", outcome.skipped) : ""));
    }
  } else if (!ctx.json()) {
    ctx.print("dry run: nothing deleted");
  }
  report["targets"].push_back(entry);
  return outcome;
}

void gc_command(Context& ctx, GcFlags f) {
  if (f.parallel < 1 || f.parallel > 64) throw Error("images gc: --parallel must be 1 to 64", Exit::usage);
  auto& config = ctx.config();
  Policy policy;
  policy.keep = f.keep.value_or(static_cast<int>(*config.settings().images.keep));
  if (policy.keep < 0) throw Error("images gc: --keep must not be negative", Exit::usage);
  if (f.older_than) policy.older_than = core::parse_duration(*f.older_than, "flag --older-than");
  policy.keep_list = *config.settings().images.keep_list;
  std::vector<std::string> consulted;
  policy.in_use = marathon_protection(ctx, f, *config.settings().images.keep_versions, consulted);
  if (!consulted.empty()) {
    core::log::info("Marathon protects {} images (environments: {})", policy.in_use.size(), fmt::join(consulted, ", "));
  }
  nlohmann::json report = {{"targets", nlohmann::json::array()}};
  Outcome total;
  auto add = [&total](const Outcome& o) {
    total.failed += o.failed;
    total.skipped += o.skipped;
  };
  if (f.local) {
    auto engine = docker(config);
    policy.delete_removes_digest = false;
    TargetRun run{"local engine " + *config.settings().project.docker_host, plan_gc(engine_candidates(*engine, f.repositories), policy),
                  false, [&](const Deletion& d) -> std::optional<std::string> {
                    engine->remove_image(d.repository + ":" + d.tags.front());
                    return std::nullopt;
                  }};
    add(execute(ctx, f, run, report));
  }
  if (f.registry) {
    auto reg = registry(config);
    policy.delete_removes_digest = true;
    const std::string prefix = reg.host + "/";
    TargetRun run{"registry " + reg.host, plan_gc(registry_candidates(*reg.client, reg.host, f.repositories, f.parallel), policy),
                  true, [&](const Deletion& d) {
                    return delete_if_unchanged(*reg.client, d.repository.substr(prefix.size()), d);
                  }};
    add(execute(ctx, f, run, report));
    if (!ctx.globals.quiet && !ctx.json()) {
      ctx.print_err("note: the registry frees the blobs only when its garbage collection runs "
                    "(docker-registry garbage-collect CONFIG), a separate step");
    }
  }
  if (ctx.json()) ctx.print_json(report);
  if (total.failed > 0) {
    throw Error(fmt::format("images gc: {} planned deletes failed (see above)", total.failed), Exit::remote);
  }
  if (total.skipped > 0) {
    throw Error(fmt::format("images gc: {} planned deletes were skipped because their tags changed since the plan "
                            "(see above); run gc again to plan them afresh",
                            total.skipped),
                Exit::failure);
  }
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

void add_image_commands(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Tag, build, push Docker images by git commit");
  image->require_subcommand(1);

  struct Args {
    std::string target;
    bool push = false;
    bool strict = false;
    bool no_strict = false;
    BuildFlags build;
    std::optional<bool> strictness() const {
      if (strict) return true;
      if (no_strict) return false;
      return std::nullopt;
    }
  };
  auto args = std::make_shared<Args>();
  auto add_strict = [args](CLI::App* sub) {
    sub->add_flag("--strict", args->strict, "A dirty work tree is an error (default when CI is set)");
    sub->add_flag("--no-strict", args->no_strict, "A dirty work tree gives a <sha>-dirty tag");
  };

  auto* tag = image->add_subcommand("tag", "Tag a local image as <registry>/<name>:<commit>");
  tag->add_option("image", args->target, "APP or local IMAGE (e.g. web or web:latest)")->required();
  tag->add_flag("--push", args->push, "Push the tag to the registry");
  add_strict(tag);
  tag->callback(command(ctx, [&ctx, args] { tag_command(ctx, args->target, args->push, args->strictness()); }));

  auto* build = image->add_subcommand("build", "Build APP's image, labelled with the commit, as <registry>/APP:<commit>");
  build->add_option("app", args->target, "APP (the image name)")->required();
  build->add_option("--context", args->build.context, "Build context directory (default: the project directory)");
  build->add_option("-f,--file", args->build.dockerfile, "Dockerfile path inside the context");
  ctx.path_option(args->build.context);
  build->add_option("--build-arg", args->build.build_args, "NAME=VALUE (repeatable)");
  build->add_flag("--pull", args->build.pull, "Always pull the base image");
  build->add_flag("--no-cache", args->build.no_cache, "Do not use the build cache");
  build->add_flag("--push", args->build.push, "Push the image after building");
  add_strict(build);
  build->callback(command(ctx, [&ctx, args] {
    args->build.strict = args->strictness();
    build_command(ctx, args->target, args->build);
  }));

  auto* push_cmd = image->add_subcommand("push", "Push <registry>/<name>:<commit> (or the tag given)");
  push_cmd->add_option("image", args->target, "APP or IMAGE[:TAG]")->required();
  add_strict(push_cmd);
  push_cmd->callback(command(ctx, [&ctx, args] { push_command(ctx, args->target, args->strictness()); }));

  auto* exists = image->add_subcommand("exists", "Exit 0 when the registry has the image (default tag: the commit)");
  exists->add_option("image", args->target, "APP or IMAGE[:TAG]")->required();
  add_strict(exists);
  exists->callback(command(ctx, [&ctx, args] { exists_command(ctx, args->target, args->strictness()); }));

  auto* images = app.add_subcommand("images", "Clean up old images locally and in the registry");
  images->require_subcommand(1);
  add_images_gc(*images, ctx);
}

}  // namespace mctl::cli
