# Shared by the completion suites: a project with two apps (one with an overlay), two
# environments and a vault id, and mctl on PATH by name, as a user's shell calls it.
# complete_bash|complete_zsh|complete_fish WORDS...: the candidates that shell offers for the
# last word ('' for a new word), sorted, on one line separated by spaces.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
unset MCTL_ENV MCTL_APPS_DIR MCTL_VAULT_IDS
mkdir -p "$TMP/proj/apps" "$TMP/bin"
cat >"$TMP/proj/mctl.yaml" <<'YAML'
default_env: staging
vault:
  id: [ops@ops.pass, prod@prompt]
environments:
  staging: {}
  prod: {}
YAML
touch "$TMP/proj/apps/web.yaml" "$TMP/proj/apps/web.prod.yaml" "$TMP/proj/apps/worker.yaml"
ln -s "$MCTL" "$TMP/bin/mctl"
cd "$TMP/proj" || exit 1
export PATH="$TMP/bin:$PATH"

_one_line() { sed 's|/$||' | sort -u | tr '\n' ' '; }

complete_bash() {
  bash -c '
    source <(mctl completion bash) || exit 1
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _mctl
    printf "%s\n" "${COMPREPLY[@]}"' _ "$@" | _one_line
}

# The words joined into a command line, the last one unquoted so the shell completes it.
_line() {
  local line="" w
  for w in "$@"; do line+="$w "; done
  printf '%s' "${line% }"
}

complete_zsh() {
  zsh -f "$MCTL_TESTS/integration/zsh_complete.zsh" "$TMP/zsh.out" "$(_line "$@")" | _one_line
}

# fish's own completer (complete -C) on the command line; the description after a tab is cut.
complete_fish() {
  fish -c 'mctl completion fish | source; complete -C $argv[1]' "$(_line "$@")" | cut -f1 | _one_line
}

# A second PATH entry whose mctl logs each call (its arguments, one line) to $TMP/calls and
# runs the real one: the cache tests count how often a Tab started mctl.
mkdir -p "$TMP/counting"
printf '#!/bin/sh\necho "$*" >>"%s/calls"\nexec "%s" "$@"\n' "$TMP" "$MCTL" >"$TMP/counting/mctl"
chmod +x "$TMP/counting/mctl"

# The cache cases of the bash and zsh suites run the same Tabs in one shell (apps, apps,
# environments, environments, then after: a new app, an edited mctl.yaml, a removed stamp,
# another project, another MCTL_* value) and print the names | mctl calls so far after each.
expect_cached_names() {
  expect_eq "$OUT" "web worker|1
web worker|1
staging prod|2
staging prod|2
web wiki worker|3
staging qa|4
web wiki worker|5
web worker|6
|7" "first Tab asks mctl, the next ones do not; a new app, an edited mctl.yaml, a lost stamp, another project and another MCTL_* value ask again"
  cd "$TMP/proj" || exit 1
}

# The -C/--config cases: a second project (one app, one environment) and a folder that is in
# no project, so names can only come from the project the line names. HOME points at $TMP for
# the ~ forms.
mkdir -p "$TMP/second/apps" "$TMP/nowhere"
printf 'environments:\n  qa: {}\n' >"$TMP/second/mctl.yaml"
touch "$TMP/second/apps/alpha.yaml"
expect_names_of_named_project() {  # $1: complete_bash | complete_zsh | complete_fish
  cd "$TMP/nowhere" || exit 1
  expect_eq "$($1 mctl -C "$TMP/proj" deploy w)" "web worker " "-C DIR"
  expect_eq "$($1 mctl -C "$TMP/second" deploy '')" "alpha " "-C DIR, another project"
  expect_eq "$($1 mctl --config "$TMP/proj/mctl.yaml" deploy web -e '')" "prod staging " "--config FILE"
  expect_eq "$($1 mctl -C "$TMP/proj" vault create --encrypt-vault-id '')" "ops prod " "vault ids"
  expect_eq "$(HOME=$TMP $1 mctl -C '~/second' status a)" "alpha " "-C ~/DIR as the shell would expand it"
  expect_eq "$(echo $($1 mctl deploy w))" "" "no project here, none named: no names"
  cd "$TMP/proj" || exit 1
}
