#include "dns/names.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace mctl::dns {
namespace {

constexpr std::size_t k_rfc1123_max = 63;
constexpr std::size_t k_rfc952_max = 24;
constexpr std::size_t k_name_max = 253;  // without the trailing dot

// Step 1 of the label function: the character mapping.
std::string map_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (c == '-' || c == '.' || c == '_') out += '-';
    // anything else is dropped
  }
  return out;
}


}  // namespace

std::string label(std::string_view text, bool rfc952) {
  const std::string mapped = map_characters(text);
  const std::string_view left_cut = rfc952 ? "-0123456789" : "-";
  const std::size_t max = rfc952 ? k_rfc952_max : k_rfc1123_max;
  std::string_view trimmed = mapped;
  const auto first = trimmed.find_first_not_of(left_cut);
  trimmed = first == std::string_view::npos ? std::string_view{} : trimmed.substr(first);

  const std::size_t size = std::min(trimmed.size(), max);
  std::string head(trimmed.substr(0, size));
  while (!head.empty() && head.back() == '-') head.pop_back();
  if (head.size() == size) return head;
  // Mesos-DNS refills what the trailing '-' strip removed from the characters after the cut,
  // skipping their leading '-'; this is why a cut label can still end in '-'.
  std::string_view tail = trimmed.substr(size);
  const auto tail_start = tail.find_first_not_of('-');
  tail = tail_start == std::string_view::npos ? std::string_view{} : tail.substr(tail_start);
  const std::size_t lost = size - head.size();
  head += tail.substr(0, std::min(lost, tail.size()));
  return head;
}

std::string framework_label(std::string_view name, bool rfc952) {
  std::string out;
  for (const auto& piece : core::split(name, '.')) {
    const std::string part = label(piece, rfc952);
    if (part.empty()) continue;
    if (!out.empty()) out += '.';
    out += part;
  }
  return out;
}

std::string marathon_task_name(std::string_view app_id) {
  for (const char c : app_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '/';
    if (!ok) {
      throw Error(fmt::format("app id '{}': character '{}' is not allowed in a Marathon app id", app_id, c),
                  Exit::usage);
    }
  }
  std::vector<std::string> segments;
  for (auto& s : core::split(app_id, '/')) {
    if (!s.empty()) segments.push_back(std::move(s));
  }
  if (segments.empty()) throw Error(fmt::format("app id '{}' is empty", app_id), Exit::usage);
  std::reverse(segments.begin(), segments.end());
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out += '.';
    out += s;
  }
  return out;
}

std::string to_string(RecordType type) { return type == RecordType::a ? "A" : "SRV"; }

std::string name_problem(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return "it is empty";
  if (name.size() > k_name_max) return fmt::format("it has {} characters, DNS allows {}", name.size(), k_name_max);
  for (const auto& piece : core::split(name, '.')) {
    if (piece.empty()) return "it has an empty label ('..' or a leading dot)";
    if (piece.size() > k_rfc1123_max) {
      return fmt::format("its label '{}' has {} characters, DNS allows {}", core::printable(piece),
                         piece.size(), k_rfc1123_max);
    }
    for (const char c : piece) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok)
        return fmt::format("character '{}' is not allowed (letters, digits, '-', '_')",
                           core::printable(std::string(1, c)));
    }
  }
  return "";
}

void check_name(std::string_view name) {
  if (auto why = name_problem(name); !why.empty()) {
    throw Error(fmt::format("'{}' is not a valid DNS name: {}", name, why), Exit::usage);
  }
}

std::vector<AppName> app_names(std::string_view app_id, const NameRules& rules,
                               const std::vector<std::string>& port_names) {
  const std::string raw = core::to_lower(marathon_task_name(app_id));
  const std::string mangled = label(raw, rules.rfc952);
  if (mangled.empty()) {
    throw Error(fmt::format("app id '{}' gives an empty Mesos-DNS label", app_id), Exit::usage);
  }
  const std::string fw = framework_label(rules.framework, rules.rfc952);
  const std::string dom = core::to_lower(rules.domain);
  std::vector<std::pair<std::string, std::string>> forms = {{mangled, "mangled"}};
  if (raw != mangled) forms.emplace_back(raw, "dotted");

  std::vector<AppName> names;
  for (const auto& [task, form] : forms) {
    names.push_back({fmt::format("{}.{}.{}", task, fw, dom), RecordType::a, form, "", "", false, ""});
    names.push_back({fmt::format("{}.{}.slave.{}", task, fw, dom), RecordType::a, form, "", "", true, ""});
    for (const char* proto : {"tcp", "udp"}) {
      names.push_back({fmt::format("_{}._{}.{}.{}", task, proto, fw, dom), RecordType::srv, form, proto, "", false, ""});
      names.push_back(
          {fmt::format("_{}._{}.{}.slave.{}", task, proto, fw, dom), RecordType::srv, form, proto, "", true, ""});
      for (const auto& port_name : port_names) {
        const std::string pn = label(port_name, rules.rfc952);
        if (pn.empty()) continue;
        names.push_back({fmt::format("_{}._{}._{}.{}.{}", pn, task, proto, fw, dom), RecordType::srv, form,
                         proto, pn, false, ""});
      }
    }
  }
  for (auto& n : names) n.problem = name_problem(n.name);
  return names;
}

}  // namespace mctl::dns
