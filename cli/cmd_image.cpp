#include "cli/commands.hpp"

namespace mctl::cli {
void add_image_commands(CLI::App& app, Context& ctx) {
  add_not_implemented(app, ctx, "image", "Tag, build, push Docker images by git commit", "#6");
  add_not_implemented(app, ctx, "images", "Clean up old images locally and in the registry", "#6");
}
}  // namespace mctl::cli
