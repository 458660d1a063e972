#pragma once
// Incremental parser of a text/event-stream body (Marathon's framing: "event:" and "data:"
// lines ending in CRLF, a blank line ends an event, a bare CRLF is a heartbeat).
#include <functional>
#include <string>
#include <string_view>

namespace mctl::deploy {

class SseParser {
 public:
  using Handler = std::function<void(const std::string& type, const std::string& data)>;
  // Feeds a chunk (events may span chunks); calls `on_event` for each complete event that has
  // data. Lines may end in CRLF, LF or CR. Comments (":...") and unknown fields are ignored.
  void feed(std::string_view chunk, const Handler& on_event);

 private:
  void line(std::string_view text, const Handler& on_event);
  std::string m_buffer;
  std::string m_type;
  std::string m_data;
  bool m_has_data = false;
  bool m_pending_cr = false;
};

}  // namespace mctl::deploy
