#!/usr/bin/env bash
# mctl completion zsh, loaded into a real zsh: the same command tree, apps, environments and
# vault ids as the bash script (test_completion_bash.sh), asked through zsh's own completer.
source "$(dirname "$0")/lib_completion.sh"
need_cmd zsh

test_case "commands and subcommands come from the command tree"
expect_eq "$(complete_zsh mctl dep)" "deploy deployments "
expect_eq "$(complete_zsh mctl images gc '')" "local registry "
expect_contains "$(complete_zsh mctl vault '')" "decrypt "
expect_eq "$(complete_zsh mctl completion '')" "bash fish zsh "
expect_eq "$(complete_zsh mctl --json deploy w)" "web worker " "a flag does not swallow the command after it"

test_case "options of the command at hand and the global ones"
expect_eq "$(complete_zsh mctl vault decrypt --ou)" "--output "
expect_contains "$(complete_zsh mctl deploy --dry)" "--dry-run"
expect_contains "$(complete_zsh mctl deploy --js)" "--json"
expect_not_contains "$(complete_zsh mctl deploy --)" "--output"

test_case "app names from apps/ (not the overlays), environments and vault ids from mctl.yaml"
expect_eq "$(complete_zsh mctl deploy w)" "web worker "
expect_eq "$(complete_zsh mctl deploy web -e '')" "prod staging "
expect_eq "$(complete_zsh mctl vault create --encrypt-vault-id '')" "ops prod "
expect_eq "$(complete_zsh mctl vault create --format '')" "ansible mctl "
expect_eq "$(complete_zsh mctl deploy --dry-run w)" "web worker "
expect_eq "$(complete_zsh mctl image build --context a)" "apps " "a directory option offers directories (apps/), not app names"

test_case "app and environment names are kept in the shell until a file they came from changes"
# The scripts' name cache, called in one zsh Tab after Tab; after each: the names | mctl calls.
cp -r "$TMP/proj" "$TMP/cached" && cd "$TMP/cached" || exit 1
run env PATH="$TMP/counting:$PATH" CALLS="$TMP/calls" XDG_RUNTIME_DIR="$TMP/run" zsh -f -c '
  zmodload zsh/parameter
  mkdir -p -m 700 $XDG_RUNTIME_DIR
  source <(mctl completion zsh) || exit 1
  : >$CALLS
  names() { local -a reply; _mctl_words $1; print -r -- "${(j: :)reply}|$(wc -l <$CALLS)"; }
  names apps; names apps; names environments; names environments
  touch apps/wiki.yaml; names apps
  printf "environments:\n  staging: {}\n  qa: {}\n" >mctl.yaml; names environments
  rm -f $XDG_RUNTIME_DIR/mctl/completion-stamp.*; names apps
  cd "'"$TMP/proj"'"; names apps
  MCTL_APPS_DIR=nowhere names apps'
expect_rc 0
expect_cached_names

test_case "-C DIR and --config FILE on the line: the names of that project, from any folder"
expect_names_of_named_project complete_zsh

finish
