#include "mesos/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"

namespace mctl::mesos {
using nlohmann::json;
namespace {

json parse_body(std::string_view body, const std::string& endpoint) {
  return core::parse_json(body, "Mesos answer from " + endpoint, Exit::remote);
}

// Every string of a Mesos answer comes back printable (core::printable): a host name or a task
// state is another program's text, and it must not reach a terminal as escape sequences.
std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? core::printable(it->get_ref<const std::string&>()) : std::string();
}

double number(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::optional<double> optional_number(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

const json& array_at(const json& j, const char* key) {
  static const json empty = json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

bool terminal(const std::string& state) {
  return state != "TASK_RUNNING" && state != "TASK_STAGING" && state != "TASK_STARTING" &&
         state != "TASK_KILLING" && state != "TASK_UNREACHABLE";
}

TaskInfo task_from(const json& t, const std::string& framework_id) {
  TaskInfo info;
  info.id = text(t, "id");
  info.framework_id = text(t, "framework_id").empty() ? framework_id : text(t, "framework_id");
  info.executor_id = text(t, "executor_id").empty() ? info.id : text(t, "executor_id");
  info.agent_id = text(t, "slave_id");
  info.state = text(t, "state");
  if (const auto r = t.find("resources"); r != t.end() && r->is_object())
    info.mem_mb = number(*r, "mem");
  for (const auto& s : array_at(t, "statuses")) {
    if (!s.is_object()) continue;
    const std::string state = text(s, "state");
    if (state == "TASK_RUNNING" && info.started == 0) info.started = number(s, "timestamp");
    if (terminal(state)) info.ended = number(s, "timestamp");
  }
  if (terminal(info.state) && info.ended == 0) info.ended = 1;  // ended, time unknown
  return info;
}

void need_object(const json& j, const std::string& endpoint) {
  if (!j.is_object())
    throw Error(fmt::format("Mesos answer from {}: not a JSON object", endpoint), Exit::remote);
}

// A tiny reader for the /files/read object: keys, numbers and one lenient string.
class Reader {
 public:
  Reader(std::string_view s, const std::string& endpoint) : m_s(s), m_endpoint(endpoint) {}

  FileChunk object() {
    FileChunk chunk;
    bool have_data = false;
    expect('{');
    for (bool first = true; !peek('}'); first = false) {
      if (!first) expect(',');
      const std::string key = string();
      expect(':');
      if (key == "data") {
        chunk.data = string();
        have_data = true;
      } else if (key == "offset") {
        chunk.offset = integer();
      } else {
        skip_value();
      }
    }
    expect('}');
    if (!have_data) fail("no \"data\"");
    return chunk;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(
        fmt::format("Mesos answer from {}: not a file chunk ({} at byte {})", m_endpoint, why, m_i),
        Exit::remote);
  }
  void space() {
    while (m_i < m_s.size() &&
           (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\r' || m_s[m_i] == '\t'))
      ++m_i;
  }
  bool peek(char c) {
    space();
    return m_i < m_s.size() && m_s[m_i] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(fmt::format("expected '{}'", c));
    ++m_i;
  }
  long long integer() {
    space();
    long long v = 0;
    const auto [p, ec] = std::from_chars(m_s.data() + m_i, m_s.data() + m_s.size(), v);
    if (ec != std::errc()) fail("expected a number");
    m_i = static_cast<std::size_t>(p - m_s.data());
    return v;
  }
  void skip_value() {
    space();
    if (peek('"')) {
      string();
      return;
    }
    while (m_i < m_s.size() && m_s[m_i] != ',' && m_s[m_i] != '}') {
      if (m_s[m_i] == '{' || m_s[m_i] == '[') fail("unexpected nested value");
      ++m_i;
    }
  }
  unsigned hex4() {
    if (m_i + 4 > m_s.size()) fail("short \\u escape");
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(m_s.data() + m_i, m_s.data() + m_i + 4, v, 16);
    if (ec != std::errc() || p != m_s.data() + m_i + 4) fail("bad \\u escape");
    m_i += 4;
    return v;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
    } else {
      if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      }
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  void escape(std::string& out) {
    const char c = m_s[m_i++];
    switch (c) {
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case '"':
      case '\\':
      case '/':
        out += c;
        return;
      case 'u':
        break;
      default:
        fail("bad escape");
    }
    unsigned cp = hex4();
    if (cp < 0x100) {
      out += static_cast<char>(cp);  // Mesos' escape of one byte
      return;
    }
    if (cp >= 0xD800 && cp < 0xDC00 && m_s.substr(m_i, 2) == "\\u") {
      m_i += 2;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
    }
    utf8(out, cp);
  }
  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (m_i >= m_s.size()) fail("unterminated string");
      const char c = m_s[m_i++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;  // any byte, as Mesos wrote it
      } else if (m_i < m_s.size()) {
        escape(out);
      }
    }
  }

  std::string_view m_s;
  const std::string& m_endpoint;
  std::size_t m_i = 0;
};

}  // namespace

std::optional<std::string> address_from_pid(std::string_view pid) {
  const auto at = pid.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const auto address = pid.substr(at + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto host = address.substr(0, colon), port = address.substr(colon + 1);
  // The address becomes the authority of the agents' URLs (with the Mesos credentials):
  // a host name, an IPv4 or a bracketed IPv6 address, and a port; nothing that could end the
  // authority ('/', '?', '#', '@') or reach a terminal in a message.
  const bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
  const auto inner = v6 ? host.substr(1, host.size() - 2) : host;
  const bool host_ok = !inner.empty() && std::all_of(inner.begin(), inner.end(), [v6](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
           (v6 && c == ':');
  });
  int number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (!host_ok || ec != std::errc() || end != port.data() + port.size() || number < 1 ||
      number > 65535)
    return std::nullopt;
  return std::string(address);
}

MasterState parse_master_state(std::string_view body, const std::string& endpoint) {
  const json j = parse_body(body, endpoint);
  need_object(j, endpoint);
  MasterState state;
  for (const auto& s : array_at(j, "slaves")) {
    if (!s.is_object()) continue;
    AgentInfo a{text(s, "id"), text(s, "hostname"), address_from_pid(text(s, "pid")).value_or(""),
                !s.contains("active") || s["active"] == true};
    if (!a.id.empty()) state.agents[a.id] = a;
  }
  for (const auto& f : array_at(j, "frameworks")) {
    if (!f.is_object()) continue;
    for (const char* key : {"completed_tasks", "tasks"}) {  // running last: it wins for a reused id
      for (const auto& t : array_at(f, key)) {
        if (!t.is_object()) continue;
        TaskInfo info = task_from(t, text(f, "id"));
        if (!info.id.empty()) state.tasks[info.id] = info;
      }
    }
  }
  return state;
}

std::map<std::string, Sandbox> parse_agent_state(std::string_view body,
                                                 const std::string& endpoint) {
  const json j = parse_body(body, endpoint);
  need_object(j, endpoint);
  std::map<std::string, Sandbox> out;
  for (const char* frameworks : {"completed_frameworks", "frameworks"}) {
    for (const auto& f : array_at(j, frameworks)) {
      if (!f.is_object()) continue;
      for (const char* key : {"completed_executors", "executors"}) {
        const bool completed = std::string_view(key) == "completed_executors";
        for (const auto& e : array_at(f, key)) {
          if (!e.is_object() || text(e, "directory").empty()) continue;
          out[text(e, "id")] = Sandbox{text(e, "directory"), completed};
        }
      }
    }
  }
  return out;
}

FileChunk parse_read(std::string_view body, const std::string& endpoint) {
  return Reader(body, endpoint).object();
}

std::map<std::string, Statistics> parse_statistics(std::string_view body,
                                                   const std::string& endpoint) {
  const json j = parse_body(body, endpoint);
  if (!j.is_array())
    throw Error(fmt::format("Mesos answer from {}: not a JSON array", endpoint), Exit::remote);
  std::map<std::string, Statistics> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("statistics") || !e["statistics"].is_object()) continue;
    const json& s = e["statistics"];
    Statistics st;
    st.timestamp = number(s, "timestamp");
    const auto user = optional_number(s, "cpus_user_time_secs");
    const auto system = optional_number(s, "cpus_system_time_secs");
    if (user || system) st.cpu_seconds = user.value_or(0) + system.value_or(0);
    st.throttled_periods = optional_number(s, "cpus_nr_throttled");
    st.periods = optional_number(s, "cpus_nr_periods");
    st.mem_rss = optional_number(s, "mem_rss_bytes");
    st.mem_limit = optional_number(s, "mem_limit_bytes");
    out[text(e, "executor_id")] = st;
  }
  return out;
}

std::string leader_base_from_location(std::string_view location, std::string_view requested) {
  std::string scheme = "http:";
  if (const auto colon = requested.find("://"); colon != std::string_view::npos) {
    scheme = std::string(requested.substr(0, colon + 1));
  }
  std::string url =
      location.substr(0, 2) == "//" ? scheme + std::string(location) : std::string(location);
  const auto host_start = url.find("://");
  if (host_start == std::string::npos) return "";
  const auto path = url.find('/', host_start + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::string short_task_id(std::string_view task_id) {
  auto id = task_id;
  if (const auto inst = id.find(".instance-"); inst != std::string_view::npos) {
    id = id.substr(inst + 10);
  } else if (const auto dot = id.rfind('.'); dot != std::string_view::npos) {
    id = id.substr(dot + 1);
  } else {
    return std::string(task_id);
  }
  return std::string(id.substr(0, 8));
}

}  // namespace mctl::mesos
