#pragma once
// Small string helpers shared by every module.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mctl::core {

// Edit distance (with adjacent transpositions), used for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate to `word` if it is close enough to be a plausible typo.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when there is no plausible suggestion.
std::string suggestion_suffix(std::string_view word, const std::vector<std::string>& candidates);

std::vector<std::string> split(std::string_view text, char sep);
std::string trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
// ASCII lower case, whatever the locale (header names, DNS names, field names).
std::string to_lower(std::string_view text);
// `text` safe to print on a terminal and in JSON, for text that may come from another service
// (an error page, a task's message): every byte that is not valid UTF-8 and every control
// character but newline and tab (ESC, CR, BEL, DEL, C1) is written as "\xNN".
std::string printable(std::string_view text);

// Bytes as lower-case hex, two digits a byte.
std::string to_hex(std::string_view bytes);

// Why NAME=VALUE cannot be a process's environment variable as a spec means it, or nullptr:
// an empty name, a '=' in the name (the first '=' ends it: "A=B": "x" would set A to "B=x"),
// a NUL byte in either (exec ends a string there). Marathon's apps API accepts all of these.
const char* env_entry_problem(std::string_view name, std::string_view value);

// Another service's answer quoted in a one-line message (an error page, a body that is not the
// expected JSON): trimmed, every run of whitespace (newlines, CR, tabs) one space, at most `max`
// bytes, cut before a UTF-8 continuation byte, "..." after a cut. printable() still applies.
std::string excerpt(std::string_view text, std::size_t max = 300);

// The length (1 to 4) of the UTF-8 sequence that starts at text[i], 0 when none does (RFC 3629:
// overlong forms, surrogates, code points above U+10FFFF and truncated sequences are invalid).
// The one UTF-8 rule: printable() and find_invalid_utf8() use it.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
// Offset of the first byte of `text` that is not part of valid UTF-8; npos when it is all valid.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace mctl::core
