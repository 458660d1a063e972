#pragma once
// File system helpers: whole-file reads and atomic writes.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace mctl::core {

// Reads a whole file. Throws Error(Exit::usage) naming the path and errno text: every input
// file of mctl is read here, and a missing or unreadable input is bad input.
std::string read_file(const std::filesystem::path& path);

// Writes `data` to `path` atomically: a temp file in the same directory, fsync, rename over
// the target, fsync of the directory. The target keeps its mode when it exists; a new file
// gets `mode_for_new` (0600 by default, secrets are the common case). `mode` forces a mode.
// On any failure the temp file is removed and the target is untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view data,
                       mode_t mode_for_new = 0600, std::optional<mode_t> mode = std::nullopt);

// Finds `name` in `start` or any parent directory.
std::optional<std::filesystem::path> find_upward(const std::filesystem::path& start,
                                                 std::string_view name);

}  // namespace mctl::core
