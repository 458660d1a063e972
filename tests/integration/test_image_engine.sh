#!/usr/bin/env bash
# mctl image tag/build/push/exists and mctl images gc local against a real dockerd and
# docker-registry: commit tags, dirty trees, .dockerignore, push, and local cleanup.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_docker.sh"
need_cmd git

start_dockerd
start_registry

# A project in a git repository.
PROJECT="$TMP/project"
mkdir -p "$PROJECT"
cd "$PROJECT" || exit 1
cat >mctl.yaml <<EOF
project: demo
registry: $REGISTRY
EOF
printf 'secret.txt\n*.log\n' >.gitignore
git init -q . && git -c user.email=t@example.com -c user.name=t add -A &&
  git -c user.email=t@example.com -c user.name=t commit -qm init || fail_now "git setup failed"
SHA=$(git rev-parse HEAD)
SHORT=${SHA:0:12}
export MCTL_HTTP_RETRIES=0
unset CI

docker_image web:latest "web v1" || fail_now "docker import failed"

test_case "tag uses the commit of HEAD (12 hex digits by default)"
mctl image tag web
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHORT"
expect_eq "$(docker image inspect -f '{{.Id}}' "$REGISTRY/web:$SHORT")" "$(docker image inspect -f '{{.Id}}' web:latest)"

test_case "images.tag_length full gives the 40-digit hash"
MCTL_TAG_LENGTH=full mctl image tag web:latest
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHA"

test_case "an ignored file keeps the tree clean"
echo x >debug.log
mctl image tag web
expect_eq "$OUT" "$REGISTRY/web:$SHORT"

test_case "an untracked file makes the tag <sha>-dirty"
echo x >notes.txt
mctl image tag web
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHORT-dirty"

test_case "a changed tracked file is dirty too, and an error under CI (strict)"
rm notes.txt
echo "# changed" >>mctl.yaml
CI=true mctl image tag web
expect_rc 2
expect_contains "$ERR" "has uncommitted changes or untracked files"
expect_eq "$(docker images -q "$REGISTRY/web:$SHORT-dirty" | wc -l)" "1" "the earlier dirty tag only"
CI=true mctl image tag web --no-strict
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHORT-dirty"
mctl image tag web --strict
expect_rc 2
git checkout -q mctl.yaml

test_case "a missing local image is named in the error"
mctl image tag nosuch
expect_rc 2
expect_contains "$ERR" "has no image nosuch"

test_case "exists asks the registry: absent before push"
mctl image exists web
expect_rc 8
expect_contains "$ERR" "$REGISTRY/web:$SHORT: not in the registry"

test_case "tag --push publishes the commit tag; exists finds it"
mctl image tag web --push
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHORT"
expect_eq "$(registry_tags web)" "$SHORT"
mctl image exists web
expect_rc 0
expect_contains "$OUT" "$REGISTRY/web:$SHORT sha256:"
mctl image exists web:nope --json
expect_rc 8
expect_contains "$OUT" '"exists": false'

test_case "build sends the context without .dockerignore'd files and labels the revision"
docker_image base:1 "base" || fail_now "docker import failed"
mkdir -p app
echo "print('hi')" >app/main.py
echo "TOKEN=1" >secret.txt
echo "scratch" >app/tmp.log
printf 'secret.txt\n**/*.log\n.git\n' >.dockerignore
printf 'FROM base:1\nCOPY . /ctx\n' >Dockerfile
git add .dockerignore Dockerfile app/main.py && git -c user.email=t@example.com -c user.name=t commit -qm app
SHA=$(git rev-parse HEAD)
SHORT=${SHA:0:12}
mctl image build web --push
expect_rc 0
expect_eq "$OUT" "$REGISTRY/web:$SHORT"
expect_contains "$ERR" "Step 2/"
expect_eq "$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' "$REGISTRY/web:$SHORT")" "$SHA"
cid=$(docker create "$REGISTRY/web:$SHORT" /none)
files=$(docker cp "$cid:/ctx" - | tar -t | sort | tr '\n' ' ')
docker rm "$cid" >/dev/null
expect_contains "$files" "ctx/app/main.py"
expect_contains "$files" "ctx/Dockerfile"
expect_not_contains "$files" "secret.txt"
expect_not_contains "$files" "tmp.log"
expect_not_contains "$files" ".git/"
mctl image exists web
expect_rc 0

test_case "the context tar keeps modes, symlinks, empty files and long paths (Docker reads it)"
LONG_DIR=app/$(printf 'd%.0s' {1..90})/$(printf 'e%.0s' {1..40})   # > 100 bytes: ustar prefix + name
LONG_NAME=app/$(printf 'n%.0s' {1..180})                          # one name > 100 bytes: a pax path
mkdir -p "$LONG_DIR"
echo deep >"$LONG_DIR/deep.txt"
echo long >"$LONG_NAME"
printf '#!/bin/sh\n' >app/run.sh && chmod 0750 app/run.sh
: >app/empty
ln -s main.py app/link.py
mctl image build web
expect_rc 0
cid=$(docker create "$OUT" /none)
# "mode owner size date time name [-> target]" -> "mode owner size name [-> target]"
listing=$(docker cp "$cid:/ctx/app" - | tar -tv --numeric-owner | awk '{$4 = $5 = ""; print}' | tr -s ' ')
docker rm "$cid" >/dev/null
expect_contains "$listing" "-rwxr-x--- 0/0 10 app/run.sh"
expect_contains "$listing" "-rw-r--r-- 0/0 0 app/empty"
expect_contains "$listing" "lrwxrwxrwx 0/0 0 app/link.py -> main.py"
expect_contains "$listing" "-rw-r--r-- 0/0 5 $LONG_DIR/deep.txt"
expect_contains "$listing" "-rw-r--r-- 0/0 5 $LONG_NAME"
rm -r app/run.sh app/empty app/link.py "$LONG_NAME" "app/$(printf 'd%.0s' {1..90})"

test_case "a failing build reports the engine's error"
printf 'FROM base:1\nRUN /no/such/shell\n' >Dockerfile.bad
mctl image build web --no-strict -f Dockerfile.bad
expect_rc 1
expect_contains "$ERR" "building the image"
rm Dockerfile.bad

test_case "an engine that is not there is named in the error"
DOCKER_HOST="unix://$TMP/none.sock" mctl image tag web
expect_rc 3
expect_contains "$ERR" "$TMP/none.sock"

# Local gc: old1..old4 made in this order; a stopped container holds old1.
for i in 1 2 3 4; do docker_image "app:old$i" "app $i" || fail_now "import failed"; done
docker create --name holder --network none app:old1 /none >/dev/null || fail_now "docker create failed"
cat >>mctl.yaml <<EOF
images:
  keep_list: ["app:old2"]
EOF

test_case "local gc dry run: plan with container, keep-list and newest protections"
mctl images gc local --no-marathon --keep 1 --dry-run app
expect_rc 0
expect_contains "$OUT" "keep    app:old1"
expect_contains "$OUT" "used by container holder (created)"
expect_contains "$OUT" "matches keep list 'app:old2'"
expect_contains "$OUT" "delete  app:old3"
expect_contains "$OUT" "keep    app:old4"
expect_eq "$(docker images -q app | wc -l)" "4" "dry run removed an image"

test_case "local gc deletes only what the plan says"
mctl images gc local --no-marathon --keep 1 --yes app
expect_rc 0
expect_contains "$OUT" "deleted 1 of 1 tags"
expect_eq "$(docker images --format '{{.Tag}}' app | sort | tr '\n' ' ')" "old1 old2 old4 "

test_case "local gc keeps an image a Marathon app runs by digest (its RepoDigest), though no tag is named"
# Untagging the last tag of an image deletes it, digest references and all.
docker_image "$REGISTRY/pinned:p1" "pinned 1" && docker_image "$REGISTRY/pinned:p2" "pinned 2" &&
  docker push -q "$REGISTRY/pinned:p1" >/dev/null || fail_now "making the pinned images failed"
pinned=$(docker image inspect -f '{{index .RepoDigests 0}}' "$REGISTRY/pinned:p1")
expect_contains "$pinned" "$REGISTRY/pinned@sha256:"
marathon_port=$(free_port)
start_service marathon "curl -s -o /dev/null http://127.0.0.1:$marathon_port/_sim/state" \
  python3 "$MCTL_TESTS/servers/marathon_sim.py" --port "$marathon_port"
curl -sf -X POST "http://127.0.0.1:$marathon_port/_sim/apps" -d "{\"id\":\"/pinned\",\"cmd\":\"sleep 1000\",
  \"instances\":1,\"cpus\":0.1,\"mem\":32,\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"$pinned\"}}}" \
  >/dev/null || fail_now "seeding Marathon failed"
mctl --marathon "http://127.0.0.1:$marathon_port" images gc local --keep 0 --yes "$REGISTRY/pinned"
expect_rc 0
expect_contains "$OUT" "keep    $REGISTRY/pinned:p1  in use by Marathon: /pinned current"
expect_contains "$OUT" "delete  $REGISTRY/pinned:p2"
expect_eq "$(docker images --format '{{.Tag}}' "$REGISTRY/pinned" | sort | tr '\n' ' ')" "p1 " "the pinned image stays"

finish
