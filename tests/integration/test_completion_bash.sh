#!/usr/bin/env bash
# mctl completion bash, loaded into bash the way a user does (source <(mctl completion bash)):
# commands and options from the real command tree, app names from apps/, environments and
# vault ids from mctl.yaml.
source "$(dirname "$0")/lib_completion.sh"

test_case "the script registers a completion function for mctl"
run bash -c "source <(mctl completion bash) && complete -p mctl"
expect_rc 0
expect_eq "$OUT" "complete -F _mctl mctl"

test_case "commands and subcommands come from the command tree"
expect_contains "$(complete_bash mctl dep)" "deploy deployments "
expect_eq "$(complete_bash mctl images gc '')" "local registry "
expect_contains "$(complete_bash mctl vault '')" "decrypt "
expect_eq "$(complete_bash mctl completion '')" "bash fish zsh "
expect_eq "$(complete_bash mctl --json deploy w)" "web worker " "a flag does not swallow the command after it"

test_case "options of the command at hand and the global ones"
expect_contains "$(complete_bash mctl vault decrypt --ou)" "--output"
expect_contains "$(complete_bash mctl deploy --dry)" "--dry-run"
expect_contains "$(complete_bash mctl deploy --js)" "--json"
expect_not_contains "$(complete_bash mctl deploy --)" "--output"

test_case "app names from apps/ (not the overlays), environments and vault ids from mctl.yaml"
expect_eq "$(complete_bash mctl deploy w)" "web worker "
expect_eq "$(complete_bash mctl -e staging status '')" "apps mctl.yaml web worker "
expect_eq "$(complete_bash mctl deploy web -e '')" "prod staging "
expect_eq "$(complete_bash mctl vault create --encrypt-vault-id '')" "ops prod "
expect_eq "$(complete_bash mctl vault create --format '')" "ansible mctl "
expect_eq "$(complete_bash mctl deploy --dry-run w)" "web worker "

test_case "app and environment names are kept in the shell until a file they came from changes"
# One loaded shell, Tabs one after another; after each: the candidates | mctl calls so far.
cp -r "$TMP/proj" "$TMP/cached" && cd "$TMP/cached" || exit 1
run env PATH="$TMP/counting:$PATH" CALLS="$TMP/calls" XDG_RUNTIME_DIR="$TMP/run" bash -c '
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  source <(mctl completion bash) || exit 1
  : >"$CALLS"
  tab() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _mctl
          echo "${COMPREPLY[*]}|$(wc -l <"$CALLS")"; }
  tab mctl deploy w; tab mctl deploy w; tab mctl deploy web -e ""; tab mctl deploy web -e ""
  touch apps/wiki.yaml; tab mctl deploy w
  printf "environments:\n  staging: {}\n  qa: {}\n" >mctl.yaml; tab mctl deploy web -e ""
  rm -f "$XDG_RUNTIME_DIR"/mctl/completion-stamp.*; tab mctl deploy w
  cd "'"$TMP/proj"'"; tab mctl deploy w
  MCTL_APPS_DIR=nowhere tab mctl deploy w'
expect_rc 0
expect_cached_names

test_case "-C DIR and --config FILE on the line: the names of that project, from any folder"
expect_names_of_named_project complete_bash

test_case "the names kept in the shell belong to the project -C names: another -C asks again"
cd "$TMP/nowhere" || exit 1
run env PATH="$TMP/counting:$PATH" CALLS="$TMP/calls" XDG_RUNTIME_DIR="$TMP/run" bash -c '
  source <(mctl completion bash) || exit 1
  : >"$CALLS"
  tab() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _mctl
          echo "${COMPREPLY[*]}|$(wc -l <"$CALLS")"; }
  tab mctl -C "'"$TMP/proj"'" deploy w; tab mctl -C "'"$TMP/second"'" deploy ""
  tab mctl -C "'"$TMP/proj"'" deploy w'
expect_rc 0
expect_eq "$OUT" "web worker|1
alpha|2
web worker|3"
cd "$TMP/proj" || exit 1

finish
