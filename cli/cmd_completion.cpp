// mctl completion bash: a bash completion script generated from the command tree, so it
// knows every command and option there is; app names and environments come from the project
// at completion time (mctl completion apps|environments).
#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "cli/commands.hpp"
#include "core/strings.hpp"

namespace mctl::cli {
namespace {

struct Tree {
  std::string subs;              // case arms: path -> subcommand names
  std::string opts;              // case arms: path -> option names
  std::set<std::string> valued;  // options that take a value (the next word is not a command)
};

void walk(const CLI::App& app, const std::string& path, Tree& t) {
  std::string subs, opts;
  for (const auto* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) {
    if (sub->get_group().empty()) continue;  // hidden helpers
    subs += (subs.empty() ? "" : " ") + sub->get_name();
    walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), t);
  }
  for (const auto* o : app.get_options()) {
    std::vector<std::string> names;
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& n : names) {
      opts += (opts.empty() ? "" : " ") + n;
      if (o->get_type_size() != 0) t.valued.insert(n);
    }
  }
  if (!subs.empty()) t.subs += fmt::format("    '{}') echo '{}' ;;\n", path, subs);
  t.opts += fmt::format("    '{}') echo '{}' ;;\n", path, opts);
}

// The apps of apps_dir: NAME.yaml, without the NAME.ENV.yaml overlays.
std::vector<std::string> app_names(Context& ctx) {
  const auto& config = ctx.config();
  std::filesystem::path dir = config.get_string("apps_dir");
  if (dir.is_relative() && !config.project_dir().empty()) dir = config.project_dir() / dir;
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const auto stem = e.path().stem().string();
    if ((e.path().extension() == ".yaml" || e.path().extension() == ".yml") &&
        stem.find('.') == std::string::npos) {
      names.insert(stem);
    }
  }
  return {names.begin(), names.end()};
}

constexpr const char* k_bash =
    R"BASH(# bash completion for mctl (mctl completion bash; generated from mctl's command tree)
_mctl_subs() {{
  case "$1" in
{subs}  esac
}}
_mctl_opts() {{
  case "$1" in
{opts}  esac
}}
_mctl() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} path="" w i skip=0
  local valued=" {valued} "
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then [[ $valued == *" $w "* ]] && skip=1; continue; fi
    if [[ " $(_mctl_subs "$path") " == *" $w "* ]]; then path=${{path:+$path }}$w; fi
  done
  case $prev in
    -e|--env|--protect-env) COMPREPLY=($(compgen -W "$(mctl completion environments 2>/dev/null)" -- "$cur")); return ;;
    --config|-C|--context|--batch|--output|-o|--out|-f|--file|--vault-password-file|--new-vault-password-file)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ $valued == *" $prev "* ]]; then return; fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mctl_opts "$path") $(_mctl_opts "")" -- "$cur")); return
  fi
  local subs
  subs=$(_mctl_subs "$path")
  if [[ -n $subs ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); return; fi
  case $path in
    render|lint|deploy|diff|status|versions|rollback|restart|scale|stop|destroy|cancel|image\ *)
      COMPREPLY=($(compgen -W "$(mctl completion apps 2>/dev/null)" -- "$cur")) ;;
  esac
  COMPREPLY+=($(compgen -f -- "$cur"))
}}
complete -F _mctl mctl
)BASH";

}  // namespace

void add_completion_command(CLI::App& app, Context& ctx) {
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script: source <(mctl completion bash)");
  completion->require_subcommand(1);
  auto* bash = completion->add_subcommand(
      "bash", "Completion for bash (commands, options, apps, environments)");
  const CLI::App* root = &app;
  bash->callback(command(ctx, [root, &ctx] {
    Tree t;
    walk(*root, "", t);
    std::string valued;
    for (const auto& v : t.valued) valued += (valued.empty() ? "" : " ") + v;
    ctx.print(fmt::format(k_bash, fmt::arg("subs", t.subs), fmt::arg("opts", t.opts),
                          fmt::arg("valued", valued)));
  }));
  auto* apps =
      completion->add_subcommand("apps", "App names of apps_dir, one a line (used by the script)");
  apps->group("");
  apps->callback(command(ctx, [&ctx] {
    for (const auto& name : app_names(ctx)) ctx.print(name);
  }));
  auto* envs = completion->add_subcommand(
      "environments", "Environments of mctl.yaml, one a line (used by the script)");
  envs->group("");
  envs->callback(command(ctx, [&ctx] {
    for (const auto& name : ctx.config().environments()) ctx.print(name);
  }));
}

}  // namespace mctl::cli
