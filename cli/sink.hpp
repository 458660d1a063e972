#pragma once
// Where cli/ writes its bytes: main() gives stdout and stderr, tests give strings. Whether the
// output is a terminal is a property of the sink (colour, live progress, confirmations).
// The same for the one input: main() gives stdin, tests give a string (Source).
#include <cstdio>
#include <istream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>

namespace mctl::cli {

class Sink {
 public:
  Sink() = default;
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  Sink(Sink&&) = delete;
  Sink& operator=(Sink&&) = delete;
  // Writes all of `bytes` now (no buffering left behind: the next line may come from another
  // thread or from a child process sharing the descriptor).
  virtual void write(std::string_view bytes) = 0;
  virtual bool terminal() const = 0;
  // The descriptor behind a terminal sink (for its width), else -1.
  virtual int fd() const { return -1; }
};

// A line another program wrote (a task's or a container's output), ready for `sink`: the
// bytes as written when the sink is a file or a pipe (logs stay byte-exact for tools), and
// core::printable() on a terminal (control characters and invalid UTF-8 as "\xNN"), so that
// a hostile or broken program's escape sequences (ESC ] title, ESC [ cursor and screen moves)
// are shown, never obeyed by the user's terminal. A CRLF line's '\r' is dropped there.
std::string program_output(const Sink& sink, std::string_view line);

// A C stream: stdout or stderr in main().
class FileSink final : public Sink {
 public:
  explicit FileSink(std::FILE* file);
  void write(std::string_view bytes) override;
  bool terminal() const override { return m_terminal; }
  int fd() const override { return m_terminal ? m_fd : -1; }

 private:
  std::FILE* m_file;
  int m_fd;
  bool m_terminal;
};

// Everything written, kept in memory (tests; never a terminal unless told).
class StringSink final : public Sink {
 public:
  explicit StringSink(bool terminal = false) : m_terminal(terminal) {}
  void write(std::string_view bytes) override;
  bool terminal() const override { return m_terminal; }
  std::string text() const;

 private:
  mutable std::mutex m_mutex;
  std::string m_text;
  bool m_terminal;
};

// An std::ostream whose every write goes straight to a sink (for library code that writes to
// a stream, such as vault's file commands); nothing is buffered in it.
class SinkStream final : public std::ostream {
 public:
  explicit SinkStream(Sink& sink) : std::ostream(&m_buf), m_buf(sink) {}

 private:
  class Buf final : public std::streambuf {
   public:
    explicit Buf(Sink& sink) : m_sink(sink) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;

   private:
    Sink& m_sink;
  };
  Buf m_buf;
};

// Where cli/ reads a command's input ("-", piped secrets, --batch -): stdin in main(), a
// string in tests. Prompts are not input: they read the terminal (/dev/tty) itself.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::istream& stream() = 0;
  // A person types it (an interactive command says how to end it, confirmations may ask).
  virtual bool terminal() const = 0;
};

// The process's standard input (std::cin).
class StdinSource final : public Source {
 public:
  StdinSource();
  std::istream& stream() override;
  bool terminal() const override { return m_terminal; }

 private:
  bool m_terminal;
};

// Input held in memory (tests; never a terminal).
class StringSource final : public Source {
 public:
  explicit StringSource(std::string text = {}) : m_stream(std::move(text)) {}
  std::istream& stream() override { return m_stream; }
  bool terminal() const override { return false; }

 private:
  std::istringstream m_stream;
};

// The process environment as a map (main passes it to cli::run).
std::map<std::string, std::string> environment_of(char** environ);

}  // namespace mctl::cli
