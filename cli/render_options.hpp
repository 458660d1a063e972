#pragma once
// How every command renders app specs: one RenderOptions per command, so the vault is decrypted
// (and may prompt) at most once and git is read at most once, however many apps it renders.
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "templates/render.hpp"

namespace mctl::cli {

// Git is read on first use, or at once on a thread of its own (GitRead::now) by a command that
// will need it anyway, so `git status` overlaps with reading specs, the vault and libcurl.
enum class GitRead { on_first_use, now };
templates::RenderOptions render_options(Context& ctx, const std::vector<std::string>& sets,
                                        GitRead git_read = GitRead::on_first_use);

// "<sha>" or "<sha>-dirty" through the options' cached git reader; "" outside a git work tree.
std::string git_label(const templates::RenderOptions& options);

}  // namespace mctl::cli
