#include "deploy/sse.hpp"

namespace mctl::deploy {

void SseParser::feed(std::string_view chunk, const Handler& on_event) {
  for (char c : chunk) {
    if (m_pending_cr) {
      m_pending_cr = false;
      if (c == '\n') continue;  // the LF of a CRLF already handled at the CR
    }
    const bool line_end = c == '\r' || c == '\n';
    if (line_end) m_pending_cr = c == '\r';
    if (m_dropping) {
      // Skipping an over-long event: a line end right after a line end (a blank line) ends it.
      if (line_end && !m_dropped_chars) m_dropping = false;
      m_dropped_chars = !line_end;
    } else if (line_end) {
      line(m_buffer, on_event);
      m_buffer.clear();
    } else {
      m_buffer.push_back(c);
      if (buffered() > m_max_event) drop_event();
    }
  }
}

void SseParser::drop_event() {
  m_dropping = true;
  m_dropped_chars = true;  // the line being read when the bound was passed
  m_buffer.clear();
  m_buffer.shrink_to_fit();
  m_data.clear();
  m_data.shrink_to_fit();
  m_type.clear();
  m_has_data = false;
}

void SseParser::line(std::string_view text, const Handler& on_event) {
  if (text.empty()) {
    if (m_has_data) on_event(m_type.empty() ? "message" : m_type, m_data);
    m_type.clear();
    m_data.clear();
    m_has_data = false;
    return;
  }
  if (text.front() == ':') return;
  const auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    m_type = value;
  } else if (field == "data") {
    if (m_has_data) m_data.push_back('\n');
    m_data += value;
    m_has_data = true;
  }
}

}  // namespace mctl::deploy
