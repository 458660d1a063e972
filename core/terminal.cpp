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

std::string prompt_hidden(const std::string& question) { return read_tty_line(question, false); }

std::string prompt_line(const std::string& question) { return read_tty_line(question, true); }

}  // namespace mctl::core
