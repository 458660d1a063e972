#include "templates/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/yaml.hpp"
#include "templates/rules.hpp"
#include "templates/schema.hpp"
#include "templates/spec.hpp"
#include "templates/variables.hpp"

namespace mctl::templates {
namespace fs = std::filesystem;
using nlohmann::json;

std::string SpecProblem::str() const {
  if (file.empty()) return message;
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

namespace {

bool is_spec_file(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

fs::path apps_dir(const core::Config& config) {
  return config.settings().project.apps_dir->value_or(config.project_dir() / "apps");
}

// How a path is shown in messages: relative to the user's working directory (the
// configuration's cwd: mctl -C DIR's DIR) when below it.
std::string display(const fs::path& p, const core::Config& config) {
  std::error_code ec;
  const fs::path base = config.cwd().empty() ? fs::current_path(ec) : config.cwd();
  const fs::path rel = fs::absolute(p, ec).lexically_normal().lexically_proximate(base);
  if (!ec && !rel.empty() && *rel.begin() != "..") return rel.string();
  return p.string();
}

// A spec file the user named: relative to the configuration's working directory (mctl -C).
fs::path given_path(const core::Config& config, const std::string& file) {
  const fs::path p(file);
  return p.is_absolute() || config.cwd().empty() ? p : (config.cwd() / p).lexically_normal();
}

std::optional<fs::path> existing_spec(const fs::path& dir, const std::string& stem) {
  for (const char* ext : {".yaml", ".yml"}) {
    fs::path p = dir / (stem + ext);
    if (fs::is_regular_file(p)) return p;
  }
  return std::nullopt;
}

struct Located {
  std::string name;
  fs::path file;
};

Located locate(const core::Config& config, const std::string& app_or_file) {
  const fs::path given = given_path(config, app_or_file);
  if (app_or_file.find('/') != std::string::npos || is_spec_file(given)) {
    if (!fs::is_regular_file(given)) throw Error(fmt::format("render {}: no such spec file", app_or_file), Exit::usage);
    return {given.stem().string(), given};
  }
  if (auto found = existing_spec(apps_dir(config), app_or_file)) return {app_or_file, *found};
  std::vector<std::string> names;
  if (fs::is_directory(apps_dir(config))) names = list_apps(config);
  throw Error(fmt::format("render {}: no app spec {}.yaml in {}{}", app_or_file, app_or_file,
                          display(apps_dir(config), config), core::suggestion_suffix(app_or_file, names)),
              Exit::usage);
}

SpecNode load(const fs::path& file, const core::Config& config) {
  auto source = std::make_shared<Source>(Source{display(file, config), core::read_file(file)});
  return parse_spec(std::move(source));
}

// Merges the spec's own `environments:` block entry, then the overlay file, for `env`.
void apply_environment(SpecNode& spec, const core::Config& config, const Located& where) {
  const std::string& env = config.env_name();
  if (SpecNode* block = spec.find("environments")) {
    SpecNode copy = *block;
    spec.erase("environments");
    if (copy.kind != SpecNode::Kind::map) {
      throw Error(fmt::format("{}: 'environments' must map environment names to overlays", copy.pos.str()),
                  Exit::usage);
    }
    for (const auto& [key, value] : copy.members) {
      const auto& known = config.environments();
      if (std::find(known.begin(), known.end(), key.first) == known.end()) {
        throw Error(fmt::format("{}: unknown environment '{}'{}", key.second.str(), key.first,
                                core::suggestion_suffix(key.first, known)),
                    Exit::usage);
      }
      if (key.first == env && value.kind != SpecNode::Kind::null) merge_overlay(spec, value);
    }
  }
  if (env.empty()) return;
  if (auto overlay_file = existing_spec(where.file.parent_path(), where.name + "." + env)) {
    SpecNode overlay = load(*overlay_file, config);
    if (overlay.kind == SpecNode::Kind::null) return;
    if (overlay.kind != SpecNode::Kind::map) {
      throw Error(fmt::format("{}: an overlay must be a map of fields", overlay.pos.str()), Exit::usage);
    }
    merge_overlay(spec, overlay);
  }
}

std::size_t tag_length(const core::Config& config) { return *config.settings().images.tag_length; }

// Git facts, read once and only when a spec needs them.
class GitFacts {
 public:
  GitFacts(const core::Config& config, const RenderOptions& options)
      : m_config(config), m_provider(options.git) {}
  const core::GitInfo& info() {
    if (!m_info) m_info = m_provider ? m_provider() : core::git_info(m_config.project_dir(), std::nullopt);
    return *m_info;
  }
  std::string tag() { return core::git_tag(info(), tag_length(m_config)); }

 private:
  const core::Config& m_config;
  std::function<core::GitInfo()> m_provider;
  std::optional<core::GitInfo> m_info;
};

// "web" -> "registry.example.com/web:<git tag>"; a reference with its own registry host or
// tag keeps it.
std::string resolve_image(const std::string& ref, const std::string& registry, GitFacts& git) {
  std::string out = ref;
  const auto first = ref.substr(0, ref.find('/'));
  const bool has_host = ref.find('/') != std::string::npos &&
                        (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                         first == "localhost");
  if (!has_host && !registry.empty()) {
    std::string host = registry;
    for (const char* scheme : {"https://", "http://"}) {
      if (core::starts_with(host, scheme)) host = host.substr(std::string(scheme).size());
    }
    while (!host.empty() && host.back() == '/') host.pop_back();
    out = host + "/" + ref;
  }
  const auto slash = out.rfind('/');
  const auto colon = out.rfind(':');
  const bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!tagged && out.find('@') == std::string::npos) out += ":" + git.tag();
  return out;
}

std::string no_vault_message(const core::Config& config) {
  if (config.env_name().empty()) return "the spec uses {{ secrets.* }}: choose an environment with a vault file (-e ENV)";
  return fmt::format("the spec uses {{{{ secrets.* }}}} but environment '{}' has no vault file (vault.file)",
                     config.env_name());
}

void build_variables(Variables& vars, const core::Config& config, const RenderOptions& options,
                     const std::string& app_name, GitFacts& git) {
  const std::string registry = config.settings().registry.host->value_or("");
  json builtins = {{"app", {{"name", app_name}}}};
  if (!config.env_name().empty()) builtins["env"] = {{"name", config.env_name()}};
  if (!registry.empty()) builtins["registry"] = registry;
  vars.merge(builtins);
  vars.merge(config.settings().vars);
  static const std::regex key_re(R"([A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)");
  for (const auto& set : options.sets) {
    const auto eq = set.find('=');
    const std::string key = core::trim(set.substr(0, eq));
    if (eq == std::string::npos || !std::regex_match(key, key_re)) {
      throw Error(fmt::format("--set '{}': expected name=value (name like 'a' or 'a.b')", key), Exit::usage);
    }
    if (key == "secrets" || core::starts_with(key, "secrets.")) {
      throw Error("--set cannot define secrets: they come from the environment's vault file only", Exit::usage);
    }
    if (core::find_invalid_utf8(set) != std::string::npos) {
      throw Error(fmt::format("--set {}: the value is not valid UTF-8", key), Exit::usage);
    }
    json value;
    try {
      value = core::yaml_to_json(core::parse_yaml(set.substr(eq + 1), "--set " + key));
    } catch (const Error&) {
      value = set.substr(eq + 1);  // not valid YAML on its own: the plain text
    }
    vars.set_path(key, value);
  }
  vars.set_lazy("git", [&git] {
    const auto& info = git.info();
    const std::string tag = git.tag();
    return json{{"sha", info.sha}, {"short_sha", tag.substr(0, tag.find('-'))}, {"branch", info.branch},
                {"dirty", info.dirty}, {"tag", tag}};
  });
  vars.set_lazy("image", [&git, registry, app_name] { return json(resolve_image(app_name, registry, git)); });
  vars.set_lazy(
      "secrets",
      [&options, &config]() -> json {
        if (!options.load_secrets) throw Error(no_vault_message(config), Exit::usage);
        return options.load_secrets();
      },
      true);
}

// `image:` shorthand and the default id; they expand to plain Marathon fields.
void expand_conveniences(json& app, SourceMap& where, const std::string& registry, const std::string& name,
                         GitFacts& git, std::vector<Problem>& errors) {
  if (!app.contains("id")) {
    app["id"] = "/" + name;
    where.add_value("/id", where.value(""));
  }
  if (!app.contains("image")) return;
  json image = app["image"];
  const Position image_pos = where.value("/image");
  app.erase("image");
  if (!image.is_string() || image.get<std::string>().empty()) {
    errors.push_back({"/image", "'image' must be an image name such as 'web' or 'registry.example.com/web:1.2'"});
    return;
  }
  json& container = app["container"];
  if (!container.is_object()) container = json::object();
  if (container.contains("docker") && container["docker"].contains("image")) {
    errors.push_back({"/image", "'image' and container.docker.image are both set; keep one"});
    return;
  }
  if (!container.contains("type")) container["type"] = "DOCKER";
  try {
    container["docker"]["image"] = resolve_image(image.get<std::string>(), registry, git);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", image_pos.str(), e.what()), e.exit_code());
  }
  where.add_value("/container/docker/image", image_pos);
  where.add_value("/container/docker", image_pos);
}

// " (quote it: "1.10")": the number as written in the spec, which its JSON form may not be
// (1.10 is 1.1, 010 is 10); the JSON form when the number did not come from a plain scalar.
std::string quote_hint(const Problem& p, const Position& pos, const json& app) {
  if (!p.quote_hint) return {};
  const json& value = app.at(json::json_pointer(p.pointer));
  std::string text = pos.plain_text();
  if (text.empty() || core::plain_scalar_to_json(text) != value) text = value.dump();
  return fmt::format(" (quote it: \"{}\")", text);
}

SpecProblem to_spec_problem(const Position& pos, const std::string& message) {
  return {pos.source ? pos.source->name : std::string(), pos.line, pos.column, message};
}

void sort_problems(std::vector<SpecProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const SpecProblem& a, const SpecProblem& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
}

}  // namespace

std::vector<std::string> list_apps(const core::Config& config) {
  const fs::path dir = apps_dir(config);
  if (!fs::is_directory(dir)) {
    throw Error(fmt::format("list apps: {} is not a directory (apps_dir)", display(dir, config)), Exit::usage);
  }
  const auto& envs = config.environments();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || !is_spec_file(entry.path())) continue;
    const std::string stem = entry.path().stem().string();
    const auto dot = stem.rfind('.');
    if (dot != std::string::npos && std::find(envs.begin(), envs.end(), stem.substr(dot + 1)) != envs.end()) {
      continue;  // an overlay: name.env.yaml
    }
    names.push_back(stem);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string resolve_app_id(const core::Config& config, const std::string& app_or_file,
                           const RenderOptions& options) {
  const Located where = locate(config, app_or_file);
  SpecNode spec = load(where.file, config);
  if (spec.kind != SpecNode::Kind::map) {
    throw Error(fmt::format("{}: an app spec must be a map of Marathon app fields", spec.pos.str()), Exit::usage);
  }
  apply_environment(spec, config, where);
  const SpecNode* id = spec.find("id");
  if (!id) return "/" + where.name;
  RenderOptions no_vault = options;
  no_vault.load_secrets = [&id]() -> json {
    throw Error(fmt::format("{}: the app id must not use secrets", id->pos.str()), Exit::usage);
  };
  GitFacts git(config, no_vault);
  Variables vars;
  build_variables(vars, config, no_vault, where.name, git);
  SpecNode only_id;
  only_id.kind = SpecNode::Kind::map;
  only_id.pos = spec.pos;
  only_id.members.push_back({{"id", id->pos}, *id});
  const Interpolated result = interpolate(only_id, vars);
  if (!result.errors.empty()) throw Error(result.errors.front().str(), Exit::usage);
  const json& value = result.value["id"];
  if (!value.is_string() || value.get<std::string>().empty()) {
    throw Error(fmt::format("{}: the app id must be a non-empty string", id->pos.str()), Exit::usage);
  }
  return value.get<std::string>();
}

RenderReport check_app(const core::Config& config, const std::string& app_or_file, const RenderOptions& options) {
  const Located where = locate(config, app_or_file);
  RenderReport report{where.name, where.file, std::nullopt, {}, {}};
  SpecNode spec = load(where.file, config);
  if (spec.kind != SpecNode::Kind::map) {
    report.errors.push_back(to_spec_problem(spec.pos, "an app spec must be a map of Marathon app fields"));
    return report;
  }
  apply_environment(spec, config, where);

  GitFacts git(config, options);
  Variables vars;
  build_variables(vars, config, options, where.name, git);
  Interpolated result = interpolate(spec, vars);
  for (const auto& e : result.errors) report.errors.push_back(to_spec_problem(e.pos, e.message));
  if (!report.errors.empty()) {
    sort_problems(report.errors);
    return report;
  }

  json& app = result.value;
  std::vector<Problem> errors;
  expand_conveniences(app, result.where, config.settings().registry.host->value_or(""), where.name, git, errors);
  std::vector<Problem> warnings;
  for (auto& p : check_schema(app)) {
    if (p.warning) warnings.push_back(std::move(p));
    else if (p.pointer != "/id" || !app["id"].is_string()) errors.push_back(std::move(p));
  }
  for (auto& p : check_marathon_rules(app)) errors.push_back(std::move(p));
  for (auto& p : check_ciphertext(app)) errors.push_back(std::move(p));
  if (auto pointer = core::invalid_utf8_pointer(app)) {
    errors.push_back({*pointer, "the value is not valid UTF-8 (it comes from a secret, a variable or --set)"});
  }
  for (const auto& p : errors) {
    const Position pos = p.at_key ? result.where.key(p.pointer) : result.where.value(p.pointer);
    report.errors.push_back(to_spec_problem(pos, p.message + quote_hint(p, pos, app)));
  }
  for (auto& p : check_secrets_in_env(app, result.secret_values)) warnings.push_back(std::move(p));
  if (options.lint) {
    for (auto& p : lint_checklist(app)) warnings.push_back(std::move(p));
  }
  for (const auto& p : warnings) {
    report.warnings.push_back(
        to_spec_problem(p.at_key ? result.where.key(p.pointer) : result.where.value(p.pointer), p.message));
  }
  sort_problems(report.errors);
  sort_problems(report.warnings);
  if (report.errors.empty()) {
    RenderedApp rendered;
    rendered.id = app["id"].is_string() ? app["id"].get<std::string>() : std::string();
    rendered.definition = std::move(app);
    for (const auto& w : report.warnings) rendered.warnings.push_back(w.str());
    rendered.source = where.file;
    rendered.locate = [map = std::make_shared<const SourceMap>(std::move(result.where))](const std::string& pointer) {
      return map->value(pointer).str();
    };
    report.app = std::move(rendered);
  }
  return report;
}

RenderedApp render_app(const core::Config& config, const std::string& app_or_file, const RenderOptions& options) {
  RenderReport report = check_app(config, app_or_file, options);
  if (!report.app) {
    std::string message;
    for (const auto& e : report.errors) message += (message.empty() ? "" : "\n") + e.str();
    throw Error(message, Exit::usage);
  }
  return std::move(*report.app);
}

std::string canonical_json(const nlohmann::json& value) {
  // Rendered apps are checked for invalid UTF-8 with their source position (check_app); this
  // is the last line for any other value, naming where the bad string is.
  if (auto pointer = core::invalid_utf8_pointer(value)) {
    throw Error(fmt::format("cannot write JSON: the value at '{}' is not valid UTF-8", pointer->empty() ? "/" : *pointer),
                Exit::usage);
  }
  return value.dump(2, ' ', false, json::error_handler_t::strict) + "\n";
}

}  // namespace mctl::templates
