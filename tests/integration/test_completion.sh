#!/usr/bin/env bash
# mctl completion bash, loaded into bash the way a user does (source <(mctl completion bash)):
# commands and options from the real command tree, app names from apps/, environments from
# mctl.yaml.
source "$(dirname "$0")/lib.sh"
unset MCTL_ENV MCTL_APPS_DIR
mkdir -p "$TMP/proj/apps" "$TMP/bin"
cat >"$TMP/proj/mctl.yaml" <<'YAML'
default_env: staging
environments:
  staging: {}
  prod: {}
YAML
touch "$TMP/proj/apps/web.yaml" "$TMP/proj/apps/web.prod.yaml" "$TMP/proj/apps/worker.yaml"
ln -s "$MCTL" "$TMP/bin/mctl"  # the script calls mctl by name, as a user's shell does
cd "$TMP/proj" || exit 1

# complete WORDS...: the candidates bash offers for the last word (may be ''), sorted, one line.
complete_words() {
  PATH="$TMP/bin:$PATH" bash -c '
    source <(mctl completion bash) || exit 1
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _mctl
    printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' _ "$@"
}

test_case "the script registers a completion function for mctl"
run bash -c "source <('$MCTL' completion bash) && complete -p mctl"
expect_rc 0
expect_eq "$OUT" "complete -F _mctl mctl"

test_case "commands and subcommands come from the command tree"
expect_contains "$(complete_words mctl dep)" "deploy deployments "
expect_eq "$(complete_words mctl images gc '')" "local registry "
expect_contains "$(complete_words mctl vault '')" "decrypt "
expect_not_contains "$(complete_words mctl completion '')" "apps"

test_case "options of the command at hand and the global ones"
expect_contains "$(complete_words mctl vault decrypt --ou)" "--output"
expect_contains "$(complete_words mctl deploy --dry)" "--dry-run"
expect_contains "$(complete_words mctl deploy --js)" "--json"
expect_not_contains "$(complete_words mctl deploy --)" "--output"

test_case "app names from apps/ (not the overlays), environments from mctl.yaml"
expect_eq "$(complete_words mctl deploy w)" "web worker "
expect_eq "$(complete_words mctl -e staging status '')" "apps mctl.yaml web worker "
expect_eq "$(complete_words mctl deploy web -e '')" "prod staging "

finish
