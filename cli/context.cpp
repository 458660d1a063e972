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
#include "core/strings.hpp"
#include "core/terminal.hpp"

namespace mctl::cli {

Context::Context(std::map<std::string, std::string> environ)
    : m_environ(std::move(environ)),
      m_own_in(std::make_unique<StringSource>()),
      m_own_out(std::make_unique<StringSink>()),
      m_own_err(std::make_unique<StringSink>()),
      m_in(m_own_in.get()),
      m_out(m_own_out.get()),
      m_err(m_own_err.get()) {}

void Context::begin() {
  if (globals.chdir) {
    std::error_code ec;
    const auto st = std::filesystem::status(*globals.chdir, ec);
    if (!std::filesystem::is_directory(st)) {
      const std::string why = !std::filesystem::exists(st) ? "no such directory"
                              : ec                         ? ec.message()
                                                           : "not a directory";
      throw Error(fmt::format("-C {}: {}", *globals.chdir, why), Exit::usage);
    }
  }
  if (!m_begun) {
    for (const auto& resolve : m_path_options) resolve();
  }
  m_begun = true;
  const auto output = environ("MCTL_OUTPUT").value_or("text");
  if (output != "text" && output != "json") {
    throw Error(fmt::format("MCTL_OUTPUT is '{}'; it must be text or json", output), Exit::usage);
  }
  using core::log::Level;
  core::log::set_level(globals.quiet ? Level::quiet
                                     : static_cast<Level>(std::min(globals.verbosity, 3)));
  const bool no_color_env = environ("NO_COLOR").has_value();
  const bool dumb = environ("TERM").value_or("") == "dumb";
  const std::string mode = globals.no_color ? "never" : globals.color;
  m_color = core::color_wanted(mode, m_out->terminal(), no_color_env, dumb);
  m_err_color = core::color_wanted(mode, m_err->terminal(), no_color_env, dumb);
  core::log::set_color(m_err_color);
  core::log::info("{}", version_line());
}

std::filesystem::path Context::base_dir() const {
  return globals.chdir ? std::filesystem::path(*globals.chdir) : std::filesystem::path(".");
}

std::filesystem::path Context::path(const std::string& given) const {
  std::filesystem::path p(given);
  if (!globals.chdir || p.is_absolute() || given.empty() || given == "-") return p;
  return base_dir() / p;
}

void Context::path_option(std::string& value) {
  m_path_options.emplace_back([this, &value] {
    if (!value.empty()) value = path(value).string();
  });
}

void Context::path_option(std::optional<std::string>& value) {
  m_path_options.emplace_back([this, &value] {
    if (value) value = path(*value).string();
  });
}

void Context::path_option(std::vector<std::string>& values) {
  m_path_options.emplace_back([this, &values] {
    for (auto& v : values) v = path(v).string();
  });
}

void Context::path_option(std::vector<std::string>& values, std::size_t (*split)(const std::string&)) {
  m_path_options.emplace_back([this, &values, split] {
    for (auto& v : values) {
      const auto at = split(v);
      if (at != std::string::npos) v = v.substr(0, at) + path(v.substr(at)).string();
    }
  });
}

// The layers every command's configuration is made of: the project file, the environment,
// the process environment, the global flags and the command's own flags.
core::LoadOptions Context::load_options(const std::optional<std::string>& env) const {
  core::LoadOptions options;
  options.cwd = base_dir();
  if (globals.config_file) options.config_file = path(*globals.config_file);
  options.env_name = env;
  options.environ = m_environ;
  if (!globals.marathon.empty()) options.flags.push_back({"marathon.urls", globals.marathon, "--marathon"});
  if (globals.mesos_dns) options.flags.push_back({"mesos_dns", *globals.mesos_dns, "--mesos-dns"});
  if (!globals.mesos.empty()) options.flags.push_back({"mesos.master_urls", globals.mesos, "--mesos"});
  if (globals.registry) options.flags.push_back({"registry", *globals.registry, "--registry"});
  for (const auto& f : m_pending_flags) options.flags.push_back(f);
  return options;
}

core::Config& Context::config() {
  if (!m_config) m_config = core::Config::load(load_options(globals.env));
  return *m_config;
}

core::Config Context::config_for(const std::string& env) const { return core::Config::load(load_options(env)); }

core::Config Context::config_without_env() const { return core::Config::load(load_options(std::nullopt)); }

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
  if (text.empty() || text.back() != '\n') m_out->write(text + "\n");
  else m_out->write(text);
}

void Context::print_err(const std::string& text) const {
  if (text.empty() || text.back() != '\n') m_err->write(text + "\n");
  else m_err->write(text);
}

void Context::print_json(const nlohmann::json& result) {
  if (m_result || m_result_printed) throw Error("internal error: a command printed two JSON results", Exit::failure);
  if (!result.is_object()) throw Error("internal error: a JSON result must be an object", Exit::failure);
  m_result = result;
}

void Context::print_json_text(std::string_view document) {
  if (m_result || m_result_printed) throw Error("internal error: a command printed two JSON results", Exit::failure);
  m_out->write(document);
  m_out->write("\n");
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
  // An error may quote another service's answer: printed safe for the terminal and for JSON.
  const std::string message = error ? core::printable(error->what()) : std::string();
  if (!message.empty()) print_err(fmt::format("{} {}", core::paint(core::Style::bad, "mctl: error:", m_err_color), message));
  core::log::info("took {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - m_started).count());
  if (json()) {
    nlohmann::json doc = m_result.value_or(nlohmann::json::object());
    if (error) doc["error"] = {{"message", message}, {"exit_code", static_cast<int>(error->exit_code())}};
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
