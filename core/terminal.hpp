#pragma once
// Terminal facts, read once. Prompts without echo for passwords.
#include <cstdio>
#include <string>

namespace mctl::core {

bool is_terminal(int fd);

// Reads one line from /dev/tty with echo off (for passwords). Throws Error(Exit::usage)
// when there is no terminal to ask on.
std::string prompt_hidden(const std::string& question);

// Reads one line from /dev/tty with echo on (for confirmations).
std::string prompt_line(const std::string& question);

}  // namespace mctl::core
