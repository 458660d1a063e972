#include "cli/context.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "cli/version.hpp"
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
  m_stdout_tty = core::is_terminal(STDOUT_FILENO);
  m_stdin_tty = core::is_terminal(STDIN_FILENO);
  const bool no_color_env = environ("NO_COLOR").has_value();
  const bool dumb = environ("TERM").value_or("") == "dumb";
  const std::string mode = globals.no_color ? "never" : globals.color;
  m_color = core::color_wanted(mode, m_stdout_tty, no_color_env, dumb);
  m_err_color = core::color_wanted(mode, core::is_terminal(STDERR_FILENO), no_color_env, dumb);
  core::log::set_color(m_err_color);
  core::log::info("{}", version_line());
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
    if (!globals.mesos.empty()) options.flags.push_back({"mesos.master_urls", globals.mesos, "--mesos"});
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

void Context::print_json(const nlohmann::json& result) {
  if (m_result || m_result_printed) throw Error("internal error: a command printed two JSON results", Exit::failure);
  if (!result.is_object()) throw Error("internal error: a JSON result must be an object", Exit::failure);
  m_result = result;
}

void Context::print_json_text(std::string_view document) {
  if (m_result || m_result_printed) throw Error("internal error: a command printed two JSON results", Exit::failure);
  std::fwrite(document.data(), 1, document.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  m_result_printed = true;
}

void Context::print_event(const nlohmann::json& event) {
  m_stream = true;
  print(event.dump());
}

void Context::print_stream_result(const nlohmann::json& result) {
  m_stream = true;
  print_json(result);
}

int Context::finish(const Error* error) {
  if (error && *error->what()) {
    std::fprintf(stderr, "%s %s\n", core::paint(core::Style::bad, "mctl: error:", m_err_color).c_str(), error->what());
  }
  core::log::info("took {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - m_started).count());
  if (json()) {
    nlohmann::json doc = m_result.value_or(nlohmann::json::object());
    if (error) doc["error"] = {{"message", error->what()}, {"exit_code", static_cast<int>(error->exit_code())}};
    // A result document is indented; a stream line, and an error without a result, are one
    // line (a streaming command may fail before its first event).
    if (m_result || error) print(m_stream || !m_result ? doc.dump() : doc.dump(2));
  } else if (m_result) {
    print(m_result->dump(2));  // a result a command gave as JSON only
  }
  m_result.reset();
  return static_cast<int>(error ? error->exit_code() : m_exit);
}

}  // namespace mctl::cli
