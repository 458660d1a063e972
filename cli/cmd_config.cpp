#include <fmt/format.h>

#include "cli/commands.hpp"

namespace mctl::cli {
namespace {

std::string show_value(const nlohmann::json& v) {
  if (v.is_null()) return "(unset)";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!out.empty()) out += ", ";
      out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out.empty() ? "(none)" : out;
  }
  return v.dump();
}

void show(Context& ctx) {
  const auto& config = ctx.config();
  if (ctx.json()) {
    nlohmann::json settings = nlohmann::json::object();
    for (const auto& [key, s] : config.entries()) settings[key] = {{"value", s.value}, {"origin", s.origin.text()}};
    ctx.print_json({{"config_file", config.file() ? nlohmann::json(config.file()->string()) : nlohmann::json(nullptr)},
                    {"env", config.env_name().empty() ? nullptr : nlohmann::json(config.env_name())},
                    {"environments", config.environments()},
                    {"settings", settings}});
    return;
  }
  std::size_t width = 3, value_width = 5;
  for (const auto& [key, s] : config.entries()) {
    width = std::max(width, key.size());
    value_width = std::max(value_width, std::min<std::size_t>(show_value(s.value).size(), 48));
  }
  std::string out = fmt::format("# config file: {}\n", config.file() ? config.file()->string() : "(none found)");
  for (const auto& [key, s] : config.entries()) {
    out += fmt::format("{:<{}}  {:<{}}  {}\n", key, width, show_value(s.value), value_width, s.origin.text());
  }
  ctx.print(out);
}

}  // namespace

void add_config_command(CLI::App& app, Context& ctx) {
  auto* config = app.add_subcommand("config", "Show the effective configuration");
  config->require_subcommand(1);
  auto* show_cmd = config->add_subcommand("show", "Print every effective value with its origin");
  show_cmd->callback(command(ctx, [&ctx] { show(ctx); }));
}

}  // namespace mctl::cli
