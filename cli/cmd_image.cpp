// mctl image (tag, build, push, exists): wiring of the images module.
#include <fmt/format.h>


#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/git.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "images/build_context.hpp"
#include "images/clients.hpp"
#include "images/reference.hpp"
#include "images/tagging.hpp"

namespace mctl::cli {
namespace {

using namespace mctl::images;

std::string commit_tag_here(Context& ctx, std::optional<bool> strict) {
  const auto& config = ctx.config();
  const auto dir = config.project_dir().empty() ? ctx.base_dir() : config.project_dir();
  const bool is_strict = strict.value_or(ctx.environ("CI").has_value());
  const auto length = *config.settings().images.tag_length;
  return commit_tag(core::git_info(dir, ctx.environ("MCTL_GIT_SHA")), length, is_strict, dir.string());
}

void stream_to_stderr(const Context& ctx, const StreamEvent& e) {
  if (ctx.globals.quiet && !e.error) return;
  ctx.print_err(e.text);
}

void push(Context& ctx, DockerClient& engine, const ImageRef& ref) {
  push_image(engine, ctx.config(), ref, [&](const StreamEvent& e) {
    if (core::log::enabled(core::log::Level::info)) stream_to_stderr(ctx, e);
  });
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
  auto target = registry_target(ctx.config(), arg);
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
  auto target = registry_target(config, app);
  target.tag = commit_tag_here(ctx, f.strict);
  const auto dir = f.context.empty() ? config.project_dir() : std::filesystem::path(f.context);
  BuildRequest request;
  request.dockerfile = f.dockerfile;
  request.context_tar = build_context_tar(dir.empty() ? ctx.base_dir() : dir, f.dockerfile);
  request.tags = {target.str()};
  const auto git = core::git_info(config.project_dir().empty() ? ctx.base_dir() : config.project_dir(),
                                 ctx.environ("MCTL_GIT_SHA"));
  request.labels["org.opencontainers.image.revision"] = git.sha;
  request.build_args = parse_build_args(f.build_args, [&ctx](const std::string& name) { return ctx.environ(name); });
  request.pull = f.pull;
  request.no_cache = f.no_cache;
  core::log::info("sending build context ({} bytes) from {}", request.context_tar.size(), dir.string());
  auto engine = docker(config);
  const std::string id = engine->build(request, [&](const StreamEvent& e) { stream_to_stderr(ctx, e); });
  if (f.push) push(ctx, *engine, target);
  print_ref(ctx, target, {{"id", id}, {"revision", git.sha}, {"pushed", f.push}});
}

void push_command(Context& ctx, const std::string& arg, std::optional<bool> strict) {
  auto target = registry_target(ctx.config(), arg);
  if (target.tag.empty()) target.tag = commit_tag_here(ctx, strict);
  auto engine = docker(ctx.config());
  push(ctx, *engine, target);
  print_ref(ctx, target, {{"pushed", true}});
}

void exists_command(Context& ctx, const std::string& arg, std::optional<bool> strict) {
  auto target = registry_target(ctx.config(), arg);
  if (target.tag.empty()) target.tag = commit_tag_here(ctx, strict);
  auto reg = connect_registry(ctx.config());
  const auto digest = reg.client->manifest_digest(target.repository, target.tag);
  if (ctx.json()) {
    ctx.print_json({{"image", target.str()}, {"exists", digest.has_value()}, {"digest", digest.value_or("")}});
  } else if (digest) {
    ctx.print(fmt::format("{} {}", target.str(), *digest));
  }
  if (!digest) throw Error(fmt::format("{}: not in the registry", target.str()), Exit::no_records);
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
  build->add_option("--build-arg", args->build.build_args, "NAME=VALUE, or NAME for the value of that environment variable (repeatable)");
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

}

}  // namespace mctl::cli
