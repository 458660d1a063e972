#include "cli/sink.hpp"

#include <unistd.h>

#include <iostream>

#include "core/strings.hpp"
#include "core/terminal.hpp"

namespace mctl::cli {

std::string program_output(const Sink& sink, std::string_view line) {
  if (!sink.terminal()) return std::string(line);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return core::printable(line);
}

FileSink::FileSink(std::FILE* file)
    : m_file(file), m_fd(::fileno(file)), m_terminal(core::is_terminal(m_fd)) {}

void FileSink::write(std::string_view bytes) {
  // A closed or full stdout/stderr is not an error of the command being run (as before the
  // sinks): the bytes are dropped, the command's exit code stands.
  (void)std::fwrite(bytes.data(), 1, bytes.size(), m_file);
  (void)std::fflush(m_file);
}

void StringSink::write(std::string_view bytes) {
  const std::lock_guard lock(m_mutex);
  m_text.append(bytes);
}

std::string StringSink::text() const {
  const std::lock_guard lock(m_mutex);
  return m_text;
}

SinkStream::Buf::int_type SinkStream::Buf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  m_sink.write(std::string_view(&ch, 1));
  return c;
}

std::streamsize SinkStream::Buf::xsputn(const char* s, std::streamsize n) {
  m_sink.write(std::string_view(s, static_cast<std::size_t>(n)));
  return n;
}

StdinSource::StdinSource() : m_terminal(core::is_terminal(STDIN_FILENO)) {}

std::istream& StdinSource::stream() { return std::cin; }

std::map<std::string, std::string> environment_of(char** environ) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace mctl::cli
