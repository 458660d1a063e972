#include "core/terminal.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "core/error.hpp"

namespace mctl::core {
namespace {

std::string read_tty_line(const std::string& question, bool echo) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    throw Error("cannot prompt for input: no terminal (use a file, an environment variable or a script)",
                Exit::usage);
  }
  termios old {};
  const bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (!echo && have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  [[maybe_unused]] auto w = ::write(fd, question.data(), question.size());
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (!echo && have_termios) {
    ::tcsetattr(fd, TCSAFLUSH, &old);
    w = ::write(fd, "\n", 1);
  }
  ::close(fd);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool color_wanted(const std::string& mode, bool is_tty, bool no_color_env, bool dumb_term) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  return is_tty && !no_color_env && !dumb_term;
}

std::string paint(Style style, std::string_view text, bool on) {
  if (!on || text.empty()) return std::string(text);
  const char* code = "";
  switch (style) {
    case Style::heading: code = "\033[1m"; break;
    case Style::good: code = "\033[32m"; break;
    case Style::bad: code = "\033[31m"; break;
    case Style::warn: code = "\033[33m"; break;
    case Style::added: code = "\033[32m"; break;
    case Style::removed: code = "\033[31m"; break;
    case Style::changed: code = "\033[33m"; break;
    case Style::dim: code = "\033[2m"; break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

std::string prompt_hidden(const std::string& question) { return read_tty_line(question, false); }

std::string prompt_line(const std::string& question) { return read_tty_line(question, true); }

}  // namespace mctl::core
