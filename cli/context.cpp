#include "cli/context.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"

namespace mctl::cli {

void Context::begin() {
  if (globals.chdir && ::chdir(globals.chdir->c_str()) != 0) {
    throw Error(fmt::format("cannot change to directory {} (-C): {}", *globals.chdir, std::strerror(errno)),
                Exit::usage);
  }
  globals.chdir.reset();
  const auto output = environ("MCTL_OUTPUT").value_or("text");
  if (output != "text" && output != "json") {
    throw Error(fmt::format("MCTL_OUTPUT is '{}'; it must be text or json", output), Exit::usage);
  }
  using core::log::Level;
  core::log::set_level(globals.quiet ? Level::quiet
                                     : static_cast<Level>(std::min(globals.verbosity, 3)));
  const bool stdout_tty = core::is_terminal(STDOUT_FILENO);
  m_stdin_tty = core::is_terminal(STDIN_FILENO);
  const bool no_color_env = environ("NO_COLOR").has_value();
  const bool dumb = environ("TERM").value_or("") == "dumb";
  m_color = !globals.no_color && !no_color_env && !dumb && stdout_tty;
  core::log::set_color(m_color && core::is_terminal(STDERR_FILENO));
}

core::Config& Context::config() {
  if (!m_config) {
    core::LoadOptions options;
    options.cwd = ".";
    if (globals.config_file) options.config_file = *globals.config_file;
    options.env_name = globals.env;
    options.environ = m_environ;
    if (!globals.marathon.empty()) {
      options.flags.push_back({"marathon.urls", globals.marathon, "--marathon"});
    }
    if (globals.mesos_dns) options.flags.push_back({"mesos_dns", *globals.mesos_dns, "--mesos-dns"});
    if (globals.registry) options.flags.push_back({"registry", *globals.registry, "--registry"});
    for (auto& f : m_pending_flags) options.flags.push_back(f);
    m_config = core::Config::load(options);
  }
  return *m_config;
}

void Context::set_flag(const std::string& key, const nlohmann::json& value, const std::string& flag) {
  if (m_config) m_config->override({key, value, flag});
  else m_pending_flags.push_back({key, value, flag});
}

std::optional<std::string> Context::environ(const std::string& name) const {
  auto it = m_environ.find(name);
  if (it == m_environ.end()) return std::nullopt;
  return it->second;
}

void Context::print(const std::string& text) const {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

void Context::print_json(const nlohmann::json& value) const { print(value.dump(2)); }

}  // namespace mctl::cli
