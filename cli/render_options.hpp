#pragma once
// How every command renders app specs: one RenderOptions per command, so the vault is decrypted
// (and may prompt) at most once and git is read at most once, however many apps it renders.
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "templates/render.hpp"

namespace mctl::cli {

templates::RenderOptions render_options(Context& ctx, const std::vector<std::string>& sets);

// "<sha>" or "<sha>-dirty" through the options' cached git reader; "" outside a git work tree.
std::string git_label(const templates::RenderOptions& options);

}  // namespace mctl::cli
