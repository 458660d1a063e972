#include "cli/command_tree.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace mctl::cli {
namespace {

// What an option's value is, by name: one table for every shell and the man page.
ValueKind kind_of_option(const std::vector<std::string>& names) {
  static const std::map<std::string, ValueKind> kinds = {
      {"--env", ValueKind::environment},
      {"--protect-env", ValueKind::environment},
      {"-C", ValueKind::directory},
      {"--context", ValueKind::directory},
      {"--config", ValueKind::file},
      {"--batch", ValueKind::file},
      {"--output", ValueKind::file},
      {"--out", ValueKind::file},
      {"--file", ValueKind::file},
      {"--vault-password-file", ValueKind::file},
      {"--new-vault-password-file", ValueKind::file},
      {"--vault-id", ValueKind::word},  // label@FILE: free text
      {"--encrypt-vault-id", ValueKind::vault_id},
      {"--new-vault-id", ValueKind::word},
  };
  for (const auto& n : names) {
    if (auto it = kinds.find(n); it != kinds.end()) return it->second;
  }
  return ValueKind::word;
}

// Positionals by name: apps are app names or spec files; files are paths.
ValueKind kind_of_positional(const std::string& name) {
  static const std::map<std::string, ValueKind> kinds = {
      {"app", ValueKind::app},       {"apps", ValueKind::app},  {"target", ValueKind::app},
      {"image", ValueKind::app},     {"file", ValueKind::file}, {"files", ValueKind::file},
      {"dir", ValueKind::directory},
  };
  auto it = kinds.find(name);
  return it == kinds.end() ? ValueKind::word : it->second;
}

// "{ansible,mctl}" at the end of CLI11's type name for an IsMember check.
std::vector<std::string> choices_of(const std::string& type_name) {
  const auto open = type_name.find('{');
  const auto close = type_name.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string item;
  for (char c : type_name.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

OptionInfo option_info(const CLI::Option& o) {
  OptionInfo info;
  for (const auto& s : o.get_snames()) info.names.push_back("-" + s);
  for (const auto& l : o.get_lnames()) info.names.push_back("--" + l);
  info.description = o.get_description();
  if (o.get_expected_max() == 0) return info;  // a flag
  info.value_name = o.get_type_name();
  info.choices = choices_of(info.value_name);
  if (!info.choices.empty()) {
    info.kind = ValueKind::choice;
    info.value_name = info.value_name.substr(0, info.value_name.find(':'));
  } else {
    info.kind = kind_of_option(info.names);
  }
  static const std::map<ValueKind, std::string> names = {{ValueKind::file, "FILE"},
                                                         {ValueKind::directory, "DIR"},
                                                         {ValueKind::environment, "ENV"},
                                                         {ValueKind::vault_id, "LABEL"}};
  if (auto it = names.find(info.kind); it != names.end() && info.value_name == "TEXT") {
    info.value_name = it->second;
  }
  if (info.value_name.empty()) info.value_name = "VALUE";
  return info;
}

void walk(const CLI::App& app, const std::string& path, std::vector<CommandInfo>& out) {
  CommandInfo info;
  info.path = path;
  info.description = app.get_description();
  for (const auto* o : app.get_options()) {
    if (o == app.get_help_ptr() || o == app.get_help_all_ptr()) continue;
    if (o->get_positional()) {
      info.positionals.push_back({o->get_name(), o->get_description(),
                                  kind_of_positional(o->get_name()), o->get_required(),
                                  o->get_expected_max() > 1});
    } else {
      info.options.push_back(option_info(*o));
    }
  }
  const auto subs = app.get_subcommands(std::function<bool(const CLI::App*)>{});
  for (const auto* sub : subs) {
    if (!sub->get_group().empty()) info.subcommands.push_back(sub->get_name());
  }
  out.push_back(std::move(info));
  for (const auto* sub : subs) {
    if (sub->get_group().empty()) continue;  // hidden helpers
    walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

}  // namespace

std::vector<CommandInfo> command_tree(const CLI::App& root) {
  std::vector<CommandInfo> out;
  walk(root, "", out);
  return out;
}

std::vector<std::string> valued_option_names(const std::vector<CommandInfo>& tree) {
  std::set<std::string> names;
  for (const auto& c : tree) {
    for (const auto& o : c.options) {
      if (o.kind != ValueKind::none) names.insert(o.names.begin(), o.names.end());
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace mctl::cli
