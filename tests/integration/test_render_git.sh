#!/usr/bin/env bash
# mctl reads HEAD's commit and branch from .git itself (no git program needed for them), in the
# layouts real git makes: packed refs, a detached HEAD, a worktree. git runs only for the dirty
# check; without it the tag is the commit's with a warning. MCTL_GIT_SHA (CI) wins when set.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd git

GIT=(git -c user.email=t@example.com -c user.name=t)
PROJECT=$TMP/project
example_project "$PROJECT" sh -c 'printf "%s\n" "id: /gitinfo" "image: gitinfo" "cpus: 0.1" "mem: 32" \
  "env:" "  GIT_SHA: \"{{ git.sha }}\"" "  GIT_BRANCH: \"{{ git.branch }}\"" "  GIT_DIRTY: \"dirty={{ git.dirty }}\"" \
  >apps/gitinfo.yaml'

# field NAME: the string value of "NAME" in $OUT (render prints canonical JSON, one key a line).
field() { local re="\"$1\": \"([^\"]*)\""; [[ $OUT =~ $re ]] && echo "${BASH_REMATCH[1]}"; }

# render_git DIR [ENV...]: renders apps/gitinfo in DIR (env NAME=VALUE first; PATH may hide git)
# and sets SHA_, BRANCH_, DIRTY_ and TAG_ from it.
render_git() {
  local dir=$1
  shift
  run env "$@" "$MCTL" -C "$dir" render gitinfo -e staging
  SHA_=$(field GIT_SHA)
  BRANCH_=$(field GIT_BRANCH)
  DIRTY_=$(field GIT_DIRTY)
  TAG_=$(field image)
  TAG_=${TAG_##*:}
}

test_case "a clean tree: the commit and branch git reports, the plain commit tag"
render_git "$PROJECT"
expect_rc 0
SHA=$(git -C "$PROJECT" rev-parse HEAD)
expect_eq "$SHA_" "$SHA"
expect_eq "$BRANCH_" "main"
expect_eq "$DIRTY_" "dirty=false"
expect_eq "$TAG_" "${SHA:0:12}"

test_case "packed refs (git pack-refs, as in a clone): the same commit"
"${GIT[@]}" -C "$PROJECT" commit -q --allow-empty -m second
"${GIT[@]}" -C "$PROJECT" pack-refs --all
expect_true test ! -e "$PROJECT/.git/refs/heads/main"
render_git "$PROJECT"
expect_rc 0
expect_eq "$SHA_" "$(git -C "$PROJECT" rev-parse HEAD)"
expect_eq "$BRANCH_" "main"

test_case "a detached HEAD: the commit, and HEAD as the branch (as git rev-parse --abbrev-ref)"
"${GIT[@]}" -C "$PROJECT" checkout -q --detach HEAD~1
render_git "$PROJECT"
expect_rc 0
expect_eq "$SHA_" "$(git -C "$PROJECT" rev-parse HEAD)"
expect_eq "$BRANCH_" "$(git -C "$PROJECT" rev-parse --abbrev-ref HEAD)"
"${GIT[@]}" -C "$PROJECT" checkout -q main

test_case "a worktree (.git is a file): its own branch and commit, not the main tree's"
"${GIT[@]}" -C "$PROJECT" worktree add -q -b topic "$TMP/topic"
"${GIT[@]}" -C "$TMP/topic" commit -q --allow-empty -m topic
render_git "$TMP/topic"
expect_rc 0
expect_eq "$SHA_" "$(git -C "$TMP/topic" rev-parse HEAD)"
expect_eq "$BRANCH_" "topic"
render_git "$PROJECT"
expect_eq "$SHA_" "$(git -C "$PROJECT" rev-parse HEAD)" "the main work tree"

test_case "with git installed an untracked file makes the tree dirty"
touch "$PROJECT/untracked.txt"
SHA=$(git -C "$PROJECT" rev-parse HEAD)
render_git "$PROJECT"
expect_rc 0
expect_eq "$DIRTY_" "dirty=true"
expect_eq "$TAG_" "${SHA:0:12}-dirty"

test_case "without the git program: the commit from .git, dirtiness unknown, said on stderr"
render_git "$PROJECT" PATH=/nonexistent
expect_rc 0
expect_eq "$SHA_" "$SHA"
expect_eq "$TAG_" "${SHA:0:12}" "no -dirty: git could not look"
expect_contains "$ERR" "git is not installed: whether $PROJECT has uncommitted changes is unknown"

test_case "MCTL_GIT_SHA names the commit (CI), with or without git; a short id is bad input"
GIVEN=0123456789abcdef0123456789abcdef01234567
for path in "$PATH" /nonexistent; do
  render_git "$PROJECT" PATH="$path" MCTL_GIT_SHA=$GIVEN
  expect_rc 0
  expect_eq "$SHA_" "$GIVEN"
  expect_eq "$TAG_" "${GIVEN:0:12}" "the given commit, not -dirty"
  expect_eq "$ERR" "" "no warning"
done
render_git "$PROJECT" MCTL_GIT_SHA=0123456
expect_rc 2
expect_contains "$ERR" "MCTL_GIT_SHA '0123456' is not a full commit id (40 or 64 lowercase hex digits)"

test_case "outside any repository: a spec that uses git says why it cannot be rendered"
mkdir -p "$TMP/norepo"
cp -r "$PROJECT/apps" "$PROJECT/mctl.yaml" "$TMP/norepo/"
render_git "$TMP/norepo"
expect_rc 1
expect_contains "$ERR" "cannot read git state of $TMP/norepo: not inside a git work tree"

finish
