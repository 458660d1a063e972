#include "cli/completion.hpp"

#include <fmt/format.h>

namespace mctl::cli {
namespace {

// Each kind of value: its word in the bash/zsh tables, and how fish completes it.
struct KindInfo {
  ValueKind kind;
  const char* word;
  const char* fish;  // arguments of fish's complete (a choice's list is added to its -a)
};
constexpr KindInfo k_kinds[] = {
    {ValueKind::none, "none", ""},
    {ValueKind::word, "word", " -x"},
    {ValueKind::file, "file", " -r -F"},
    {ValueKind::directory, "directory", " -x -a '(__fish_complete_directories)'"},
    {ValueKind::environment, "environment", " -x -a '(__mctl_names environments)'"},
    {ValueKind::app, "app", " -a '(__mctl_names apps)'"},
    {ValueKind::vault_id, "vault_id", " -x -a '(__mctl_names vault-ids)'"},
    {ValueKind::choice, "choice", " -x -a "},
};

const KindInfo& kind_info(ValueKind kind) {
  for (const auto& k : k_kinds) {
    if (k.kind == kind) return k;
  }
  return k_kinds[1];  // word: nothing to complete
}

const char* kind_word(ValueKind kind) { return kind_info(kind).word; }

// 'text' for sh, bash and zsh.
std::string sq(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// 'text' for fish (backslash and quote escaped).
std::string fish_sq(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// The description of subcommand `name` of command `c`, "" when the tree has none.
std::string subcommand_description(const std::vector<CommandInfo>& tree, const CommandInfo& c,
                                   const std::string& name) {
  std::string path = c.path;
  if (!path.empty()) path += ' ';
  path += name;
  for (const auto& d : tree) {
    if (d.path == path) return d.description;
  }
  return {};
}

std::string joined(const std::vector<std::string>& words) {
  return fmt::format("{}", fmt::join(words, " "));
}

// The functions bash and zsh share: each looks a key up in a case table and leaves the answer
// in the array `reply` (no output, so no subshell per call): a command's subcommands and
// options as 'name:description', the kind of an option's value ("PATH|NAME" -> kind choices...)
// and of a command's first positional. bash drops the descriptions, zsh shows them.
std::string case_tables(const std::vector<CommandInfo>& tree) {
  std::string subs, opts, values, args;
  const auto arm = [](const std::string& key, const std::vector<std::string>& items) {
    return fmt::format("    {}) reply=({}) ;;\n", key, joined(items));
  };
  for (const auto& c : tree) {
    if (!c.subcommands.empty()) {
      std::vector<std::string> items;
      for (const auto& name : c.subcommands) {
        items.push_back(sq(name + ":" + subcommand_description(tree, c, name)));
      }
      subs += arm(sq(c.path), items);
    }
    std::vector<std::string> names;
    for (const auto& o : c.options) {
      for (const auto& n : o.names) names.push_back(sq(n + ":" + o.description));
      if (o.kind == ValueKind::none || o.kind == ValueKind::word) continue;
      std::vector<std::string> value{kind_word(o.kind)};
      for (const auto& choice : o.choices) value.push_back(sq(choice));
      std::vector<std::string> keys;
      for (const auto& n : o.names) keys.push_back(sq(c.path + "|" + n));
      values += arm(fmt::format("{}", fmt::join(keys, "|")), value);
    }
    if (!names.empty()) opts += arm(sq(c.path), names);
    if (!c.positionals.empty() && c.positionals.front().kind != ValueKind::word)
      args += arm(sq(c.path), {kind_word(c.positionals.front().kind)});
  }
  std::string out;
  for (const auto& [name, arms] : {std::pair{"subs", &subs}, std::pair{"opts", &opts},
                                   std::pair{"value", &values}, std::pair{"args", &args}}) {
    out += fmt::format("_mctl_{}() {{\n  case \"$1\" in\n{}    *) reply=() ;;\n  esac\n}}\n",
                       name, *arms);
  }
  return out;
}

constexpr const char* k_bash =
    R"BASH(# bash completion for mctl (mctl completion bash; generated from mctl's command tree)
{tables}# COMPREPLY = the words of $1 that start with $2 (no subshell).
_mctl_match() {{
  local - w IFS=$' \t\n'
  set -f
  COMPREPLY=()
  for w in $1; do [[ $w == "$2"* ]] && COMPREPLY+=("$w"); done
}}
# reply = the project's names of a kind (apps, environments, vault-ids), from
# 'mctl completion words KIND' and kept in this shell while the files they came from are
# unchanged: each source must exist and be older than the stamp mctl made before reading
# ([[ -ot ]], no process). The key holds the directory, the line's -C/--config (array
# `where`, set by _mctl) and the MCTL_* variables.
declare -gA _mctl_ckey _mctl_cdeps _mctl_cwords
_mctl_words() {{
  local - kind=$1 key="$1|$PWD|${{where[*]-}}" n line stamp fresh=1 deps="" names="" IFS=$'\n'
  set -f
  for n in ${{!MCTL_*}}; do key+="|$n=${{!n}}"; done
  if [[ ${{_mctl_ckey[$kind]-}} == "$key" ]]; then
    deps=${{_mctl_cdeps[$kind]}}
    stamp=${{deps%%$'\n'*}}
    [[ -e $stamp ]] || fresh=0
    for n in ${{deps#*$'\n'}}; do [[ -e $n && $n -ot $stamp ]] || {{ fresh=0; break; }}; done
  else
    fresh=0
  fi
  if ((!fresh)); then
    deps=""
    for line in $(mctl ${{where[@]+"${{where[@]}}"}} completion words "$kind" 2>/dev/null); do
      if [[ $line == $'\t'* ]]; then deps+=${{line#?}}$'\n'; else names+=$line$'\n'; fi
    done
    _mctl_ckey[$kind]=""
    [[ -n $deps ]] && _mctl_ckey[$kind]=$key
    _mctl_cdeps[$kind]=$deps
    _mctl_cwords[$kind]=$names
  fi
  reply=(${{_mctl_cwords[$kind]}})
}}
# COMPREPLY += the files (folders when $2 is d) whose names start with $1, globbed in this shell.
_mctl_files() {{
  local f
  if [[ $1 == '~'* ]]; then COMPREPLY+=($(compgen -${{2:-f}} -- "$1")); return; fi
  compopt -o filenames 2>/dev/null
  for f in "$1"*; do
    [[ $f == . || $f == .. || $f == */. || $f == */.. ]] && continue
    if [[ $2 == d ]]; then [[ -d $f ]] || continue; else [[ -e $f || -L $f ]] || continue; fi
    COMPREPLY+=("$f")
  done
}}
_mctl_values_of() {{
  local kind=$1 cur=$2
  local -a reply
  shift 2
  case $kind in
    environment) _mctl_words environments; _mctl_match "${{reply[*]}}" "$cur" ;;
    vault_id) _mctl_words vault-ids; _mctl_match "${{reply[*]}}" "$cur" ;;
    app) _mctl_words apps; _mctl_match "${{reply[*]}}" "$cur"; _mctl_files "$cur" ;;
    file) COMPREPLY=(); _mctl_files "$cur" ;;
    directory) COMPREPLY=(); _mctl_files "$cur" d ;;
    choice) _mctl_match "$*" "$cur" ;;
  esac
}}
_mctl() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} path="" w i skip=0
  local valued=" {valued} " names
  local -a reply where
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if ((skip)); then skip=0; continue; fi
    # -C DIR and --config FILE choose the project the names come from (~ as the shell would).
    case $w in
      -C | --config) ((i + 1 < COMP_CWORD)) && where+=("$w" "${{COMP_WORDS[i+1]/#\~/$HOME}}") ;;
      --config=* | -C?*) where+=("${{w/#-C\~/-C$HOME}}") ;;
    esac
    if [[ $w == -* ]]; then [[ $valued == *" $w "* ]] && skip=1; continue; fi
    _mctl_subs "$path"
    names=" ${{reply[*]%%:*}} "
    if [[ $names == *" $w "* ]]; then path=${{path:+$path }}$w; fi
  done
  if [[ $valued == *" $prev "* ]]; then
    _mctl_value "$path|$prev"
    ((${{#reply[@]}})) || _mctl_value "|$prev"
    ((${{#reply[@]}})) && _mctl_values_of "${{reply[0]}}" "$cur" "${{reply[@]:1}}"
    return 0
  fi
  if [[ $cur == -* ]]; then
    _mctl_opts "$path"
    names="${{reply[*]%%:*}}"
    _mctl_opts ""
    _mctl_match "$names ${{reply[*]%%:*}}" "$cur"
    return 0
  fi
  _mctl_subs "$path"
  if ((${{#reply[@]}})); then _mctl_match "${{reply[*]%%:*}}" "$cur"; return 0; fi
  _mctl_args "$path"
  _mctl_values_of "${{reply[0]}}" "$cur"
  return 0
}}
complete -F _mctl mctl
)BASH";

constexpr const char* k_zsh =
    R"ZSH(#compdef mctl
# zsh completion for mctl (mctl completion zsh; generated from mctl's command tree).
# Install as _mctl in a directory of $fpath, or after compinit: source <(mctl completion zsh)
{tables}# reply = the project's names of a kind (apps, environments, vault-ids), from
# 'mctl completion words KIND' and kept in this shell while the files they came from are
# unchanged: each source must exist and be older than the stamp mctl made before reading
# ([[ -ot ]], no process). The key holds the directory, the line's -C/--config (array
# `where`, set by _mctl) and the MCTL_* variables.
typeset -gA _mctl_ckey _mctl_cdeps _mctl_cwords
_mctl_words() {{
  local kind=$1 key="$1|$PWD|${{where[*]-}}" n stamp fresh=1
  local -a sources names lines
  for n in ${{(ok)parameters[(I)MCTL_*]}}; do key+="|$n=${{(P)n}}"; done
  if [[ ${{_mctl_ckey[$kind]-}} == "$key" ]]; then
    sources=(${{(f)_mctl_cdeps[$kind]}})
    stamp=$sources[1]
    [[ -e $stamp ]] || fresh=0
    for n in $sources[2,-1]; do [[ -e $n && $n -ot $stamp ]] || {{ fresh=0; break; }}; done
  else
    fresh=0
  fi
  if (( !fresh )); then
    lines=(${{(f)"$(mctl ${{where[@]+"${{where[@]}}"}} completion words $kind 2>/dev/null)"}})
    sources=(${{${{(M)lines:#$'\t'*}}#$'\t'}})
    names=(${{lines:#$'\t'*}})
    _mctl_ckey[$kind]=""
    (( $#sources )) && _mctl_ckey[$kind]=$key
    _mctl_cdeps[$kind]=${{(F)sources}}
    _mctl_cwords[$kind]=${{(F)names}}
  fi
  reply=(${{(f)_mctl_cwords[$kind]}})
}}
_mctl_values_of() {{
  local kind=$1
  local -a reply
  shift
  case $kind in
    environment) _mctl_words environments; compadd -- $reply ;;
    vault_id) _mctl_words vault-ids; compadd -- $reply ;;
    app) _mctl_words apps; compadd -- $reply; _files ;;
    file) _files ;;
    directory) _files -/ ;;
    choice) compadd -- "$@" ;;
  esac
}}
_mctl() {{
  local cmdpath="" w i skip=0 cur=${{words[CURRENT]}} prev=${{words[CURRENT-1]}}
  local -a reply names opts where valued=({valued})
  for ((i = 2; i < CURRENT; i++)); do
    w=${{words[i]}}
    if ((skip)); then skip=0; continue; fi
    # -C DIR and --config FILE choose the project the names come from (~ as the shell would).
    case $w in
      (-C|--config) (( i + 1 < CURRENT )) && where+=("$w" "${{words[i+1]/#\~/$HOME}}") ;;
      (--config=*|-C?*) where+=("${{w/#-C\~/-C$HOME}}") ;;
    esac
    if [[ $w == -* ]]; then (( ${{valued[(Ie)$w]}} )) && skip=1; continue; fi
    _mctl_subs "$cmdpath"; names=(${{reply%%:*}})
    if (( ${{names[(Ie)$w]}} )); then cmdpath=${{cmdpath:+$cmdpath }}$w; fi
  done
  if (( ${{valued[(Ie)$prev]}} )); then
    _mctl_value "$cmdpath|$prev"
    (( $#reply )) || _mctl_value "|$prev"
    (( $#reply )) && _mctl_values_of "${{reply[@]}}"
    return
  fi
  if [[ $cur == -* ]]; then
    _mctl_opts "$cmdpath"; opts=($reply)
    if [[ -n $cmdpath ]]; then _mctl_opts ""; opts+=($reply); fi
    _describe -t options option opts
    return
  fi
  _mctl_subs "$cmdpath"
  if (( $#reply )); then _describe -t commands command reply; return; fi
  _mctl_args "$cmdpath"
  _mctl_values_of "${{reply[@]}}"
}}
if [[ $funcstack[1] == _mctl ]]; then
  _mctl "$@"
elif (( $+functions[compdef] )); then
  compdef _mctl mctl
fi
)ZSH";

constexpr const char* k_fish =
    R"FISH(# fish completion for mctl (mctl completion fish; generated from mctl's command tree).
# Install as ~/.config/fish/completions/mctl.fish, or: mctl completion fish | source
function __mctl_subs
    switch "$argv[1]"
{subs}    end
end
set -g __mctl_valued (string split " " -- {valued_quoted})
# The command the line is at: 'images gc', '' for mctl itself.
function __mctl_path
    set -l words (commandline -opc)
    set -e words[1]
    set -l path ''
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $w
            contains -- $w $__mctl_valued; and set skip 1
            continue
        end
        if contains -- $w (__mctl_subs $path)
            set path (string trim -- "$path $w")
        end
    end
    echo $path
end
function __mctl_at
    set -l line (commandline -pc)
    if test "$line" != "$__mctl_line"
        set -g __mctl_line $line
        set -g __mctl_at_path (__mctl_path)
    end
    test "$__mctl_at_path" = "$argv[1]"
end
# At that command, and the word is not the value of an option.
function __mctl_arg_at
    set -l prev (commandline -opc)[-1]
    __mctl_at $argv[1]; and not contains -- $prev $__mctl_valued
end
# The project's names of a kind, from the project the line's -C DIR / --config FILE choose.
function __mctl_names
    set -l words (commandline -opc)
    set -l where
    for i in (seq 2 (count $words))
        switch $words[$i]
            case -C --config
                if test $i -lt (count $words)
                    set -a where $words[$i] (string replace -r '^~' $HOME -- $words[(math $i + 1)])
                end
            case '--config=*' '-C?*'
                set -a where (string replace -r '^-C~' "-C$HOME" -- $words[$i])
        end
    end
    mctl $where completion $argv[1] 2>/dev/null
end
complete -c mctl -e
{completes})FISH";

std::string fish_value(ValueKind kind, const std::vector<std::string>& choices) {
  std::string args = kind_info(kind).fish;
  if (kind == ValueKind::choice) args += fish_sq(joined(choices));
  return args;
}

std::string fish_option(const std::string& condition, const OptionInfo& o) {
  std::string line = "complete -c mctl" + condition;
  for (const auto& n : o.names) {
    // CLI11 short names are one letter ("-e"); longer single-dash names are old-style (-o).
    if (n.rfind("--", 0) == 0)
      line += " -l " + n.substr(2);
    else
      line += (n.size() == 2 ? " -s " : " -o ") + n.substr(1);
  }
  return line + fish_value(o.kind, o.choices) + " -d " + fish_sq(o.description) + "\n";
}

std::string fish_completes(const std::vector<CommandInfo>& tree) {
  std::string out;
  for (const auto& c : tree) {
    const std::string condition = " -n " + fish_sq("__mctl_at " + fish_sq(c.path));
    const std::string arg_condition = " -n " + fish_sq("__mctl_arg_at " + fish_sq(c.path));
    // Global options apply everywhere; a command's own only at that command.
    for (const auto& o : c.options) out += fish_option(c.path.empty() ? "" : condition, o);
    for (const auto& name : c.subcommands) {
      out += fmt::format("complete -c mctl -f{} -a {} -d {}\n", arg_condition, fish_sq(name),
                         fish_sq(subcommand_description(tree, c, name)));
    }
    const ValueKind args = c.positionals.empty() ? ValueKind::none : c.positionals.front().kind;
    if (!c.subcommands.empty() || args == ValueKind::none || args == ValueKind::word) {
      out += fmt::format("complete -c mctl -f{}\n", condition);  // no file names here
    } else if (args != ValueKind::file) {
      out += fmt::format("complete -c mctl{}{}\n", arg_condition, fish_value(args, {}));
    }
  }
  return out;
}

}  // namespace

std::string bash_completion(const std::vector<CommandInfo>& tree) {
  return fmt::format(k_bash, fmt::arg("tables", case_tables(tree)),
                     fmt::arg("valued", joined(valued_option_names(tree))));
}

std::string zsh_completion(const std::vector<CommandInfo>& tree) {
  return fmt::format(k_zsh, fmt::arg("tables", case_tables(tree)),
                     fmt::arg("valued", joined(valued_option_names(tree))));
}

std::string fish_completion(const std::vector<CommandInfo>& tree) {
  std::string subs;
  for (const auto& c : tree) {
    if (c.subcommands.empty()) continue;
    subs += fmt::format("        case {}\n            printf '%s\\n' {}\n", fish_sq(c.path),
                        joined(c.subcommands));
  }
  return fmt::format(k_fish, fmt::arg("subs", subs),
                     fmt::arg("valued_quoted", fish_sq(joined(valued_option_names(tree)))),
                     fmt::arg("completes", fish_completes(tree)));
}

}  // namespace mctl::cli
