#include "cli/render_options.hpp"

#include <fmt/format.h>

#include <functional>
#include <future>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/git.hpp"
#include "vault/secrets.hpp"

namespace mctl::cli {

namespace {

std::function<core::GitInfo()> git_reader(Context& ctx, GitRead when) {
  if (when == GitRead::now) {
    // The arguments are read here, on the command's thread; the thread only runs git. The
    // future's last copy waits for it, so it never outlives the command.
    std::shared_future<core::GitInfo> info =
        std::async(std::launch::async, core::git_info, ctx.config().project_dir(), ctx.environ("MCTL_GIT_SHA"))
            .share();
    return [info] { return info.get(); };  // a failure is thrown to every caller, as below
  }
  auto git = std::make_shared<std::optional<core::GitInfo>>();
  return [&ctx, git] {
    if (!*git) *git = core::git_info(ctx.config().project_dir(), ctx.environ("MCTL_GIT_SHA"));
    return **git;
  };
}

}  // namespace

templates::RenderOptions render_options(Context& ctx, const std::vector<std::string>& sets, GitRead git_read) {
  templates::RenderOptions options;
  options.sets = sets;
  // Both caches are shared by every copy of these options (one per command).
  options.git = git_reader(ctx, git_read);
  auto secrets = std::make_shared<std::optional<nlohmann::json>>();
  options.load_secrets = [&ctx, secrets] {
    if (*secrets) return **secrets;
    const auto& config = ctx.config();
    const auto& file = *config.settings().vault.file;
    if (!file) {
      throw Error(
          config.env_name().empty()
              ? std::string("the spec uses {{ secrets.* }}: choose an environment with a vault "
                            "file (-e ENV)")
              : fmt::format(
                    "the spec uses {{{{ secrets.* }}}} but environment '{}' has no vault file "
                    "(vault.file)",
                    config.env_name()),
          Exit::usage);
    }
    *secrets = vault::load_secrets(*file, vault::passwords_from_config(config.settings().vault, ctx.stdin_is_tty()));
    return **secrets;
  };
  return options;
}

std::string git_label(const templates::RenderOptions& options) {
  try {
    const auto info = options.git();
    return info.dirty ? info.sha + "-dirty" : info.sha;
  } catch (const Error&) {
    return "";  // not a git work tree: no label
  }
}

}  // namespace mctl::cli
