#!/usr/bin/env bash
# mctl completion fish, loaded into a real fish: the same command tree, apps, environments and
# vault ids as the bash script (test_completion_bash.sh), asked through fish's own completer.
source "$(dirname "$0")/lib_completion.sh"
need_cmd fish

test_case "commands and subcommands come from the command tree"
expect_eq "$(complete_fish mctl dep)" "deploy deployments "
expect_eq "$(complete_fish mctl images gc '')" "local registry "
expect_contains "$(complete_fish mctl vault '')" "decrypt "
expect_eq "$(complete_fish mctl completion '')" "bash fish zsh "
expect_eq "$(complete_fish mctl --json deploy w)" "web worker " "a flag does not swallow the command after it"

test_case "options of the command at hand and the global ones"
expect_eq "$(complete_fish mctl vault decrypt --ou)" "--output "
expect_contains "$(complete_fish mctl deploy --dry)" "--dry-run"
expect_contains "$(complete_fish mctl deploy --js)" "--json"
expect_not_contains "$(complete_fish mctl deploy --)" "--output"

test_case "app names from apps/ (not the overlays), environments and vault ids from mctl.yaml"
expect_eq "$(complete_fish mctl deploy w)" "web worker "
expect_eq "$(complete_fish mctl deploy web -e '')" "prod staging "
expect_eq "$(complete_fish mctl vault create --encrypt-vault-id '')" "ops prod "
expect_eq "$(complete_fish mctl vault create --format '')" "ansible mctl "
expect_eq "$(complete_fish mctl deploy --dry-run w)" "web worker "
expect_eq "$(complete_fish mctl image build --context a)" "apps " "a directory option offers directories (apps/), not app names"

test_case "-C DIR and --config FILE on the line: the names of that project, from any folder"
expect_names_of_named_project complete_fish

finish
