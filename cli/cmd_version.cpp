#include <curl/curlver.h>
#include <sodium.h>

#include "cli/commands.hpp"
#include "cli/version.hpp"

namespace mctl::cli {

void add_version_command(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("version", "Print mctl's version");
  sub->callback(command(ctx, [&ctx] {
    if (ctx.json()) {
      ctx.print_json({{"version", k_version}, {"git", k_git_sha}, {"libcurl", LIBCURL_VERSION},
                      {"libsodium", SODIUM_VERSION_STRING}});
    } else {
      ctx.print(std::string("mctl ") + k_version + " (" + k_git_sha + ")");
    }
  }));
}

}  // namespace mctl::cli
