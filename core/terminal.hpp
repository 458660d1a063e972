#pragma once
// Terminal facts, read once. Prompts without echo for passwords.
#include <cstdio>
#include <string>
#include <string_view>

namespace mctl::core {

bool is_terminal(int fd);

// Reads one line from /dev/tty with echo off (for passwords). Throws Error(Exit::usage)
// when there is no terminal to ask on.
std::string prompt_hidden(const std::string& question);

// Reads one line from /dev/tty with echo on (for confirmations).
std::string prompt_line(const std::string& question);

// Colour: the one place that decides it and the one palette.
enum class Style { heading, good, bad, warn, added, removed, changed, dim };

// Whether to colour a stream. `mode` is --color: "always" and "never" decide alone (an explicit
// flag beats NO_COLOR); "auto" colours a terminal unless NO_COLOR is set or TERM is dumb.
bool color_wanted(const std::string& mode, bool is_tty, bool no_color_env, bool dumb_term);

// `text` in the style's ANSI colour when `on`, else `text` unchanged.
std::string paint(Style style, std::string_view text, bool on);

}  // namespace mctl::core
