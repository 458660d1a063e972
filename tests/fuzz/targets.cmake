# The fuzz targets, listed once as "name|corpus folder|library": the source is fuzz_<name>.cpp
# beside this file, its seeds and crash regressions are corpus/<folder>/.
# tests/fuzz/CMakeLists.txt builds them as libFuzzer binaries (clang, MCTL_BUILD_FUZZERS);
# tests/CMakeLists.txt builds them with replay_main.cpp in every build and replays each
# committed corpus as the ctest `fuzz_replay.<name>`.
set(MCTL_FUZZ_TARGETS
  "vault_ansible|ansible|mctl_vault"
  "vault_native|native|mctl_vault"
  "vault_inline_yaml|inline_yaml|mctl_vault")
# fuzz_deploy_follow is built for libFuzzer by its own rule in tests/fuzz/CMakeLists.txt (from
# the deploy sources it needs); its corpus is replayed like the others, against mctl_deploy.
set(MCTL_FUZZ_REPLAY_ONLY
  "deploy_follow|deploy_follow|mctl_deploy")
