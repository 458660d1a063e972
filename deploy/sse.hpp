#pragma once
// Incremental parser of a text/event-stream body (Marathon's framing: "event:" and "data:"
// lines ending in CRLF, a blank line ends an event, a bare CRLF is a heartbeat).
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mctl::deploy {

class SseParser {
 public:
  using Handler = std::function<void(const std::string& type, const std::string& data)>;
  // Feeds a chunk (events may span chunks); calls `on_event` for each complete event that has
  // data. Lines may end in CRLF, LF or CR. Comments (":...") and unknown fields are ignored.
  // An event (its line being read, or its data so far) larger than `max_event` bytes is dropped
  // whole, up to the blank line that ends it: memory stays bounded whatever the server sends
  // (a stream without line ends), and the stream is only a wake-up, so the follower's polls
  // still see what the event said.
  void feed(std::string_view chunk, const Handler& on_event);
  explicit SseParser(std::size_t max_event = k_default_max_event) : m_max_event(max_event) {}
  // Bytes held for the event being read (for tests of the bound).
  std::size_t buffered() const { return m_buffer.size() + m_data.size() + m_type.size(); }
  // Larger than any Marathon event: a deployment_info of a 300-app group is ~2 MB.
  static constexpr std::size_t k_default_max_event = 32u << 20;

 private:
  void line(std::string_view text, const Handler& on_event);
  void drop_event();
  std::size_t m_max_event;
  bool m_dropping = false;       // inside an over-long event: skip to its blank line
  bool m_dropped_chars = false;  // while dropping: the current line has characters
  std::string m_buffer;
  std::string m_type;
  std::string m_data;
  bool m_has_data = false;
  bool m_pending_cr = false;
};

}  // namespace mctl::deploy
