#pragma once
// Gathering gc candidates from a target and carrying out a plan's deletes with bounded
// concurrency. The policy itself lives in gc_policy.hpp.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "images/docker.hpp"
#include "images/gc_policy.hpp"
#include "images/registry.hpp"

namespace mctl::images {

// Runs work(i) for i in [0, n) on up to `workers` threads. Exceptions stay the caller's
// business: work must not throw (capture errors per item).
void parallel_for(std::size_t n, int workers, const std::function<void(std::size_t)>& work);

// "2026-11-30T06:41:38.123456789Z" (RFC 3339, as image configs and the Engine write it).
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);

// Every tag of the registry's repositories that match one of `repo_globs` (all when empty),
// with digest, creation time (from the image config) and blobs. Candidate repositories are
// written "host/repo" so they compare with the references Marathon holds. Throws when the
// registry cannot be listed: gc never acts on a partial picture.
std::vector<Candidate> registry_candidates(RegistryClient& registry, const std::string& host,
                                           const std::vector<std::string>& repo_globs, int workers);

// Every tagged image of the engine matching `repo_globs`, with the containers (running or
// stopped) that hold it.
std::vector<Candidate> engine_candidates(DockerClient& docker, const std::vector<std::string>& repo_globs);

struct DeleteResult {
  Deletion deletion;
  bool deleted = false;
  std::string error;  // empty when deleted
};

// Performs the deletes with at most `workers` at once, calling progress(done, total) after
// each. A failed delete is recorded and the rest go on.
std::vector<DeleteResult> run_deletions(const std::vector<Deletion>& deletions, int workers,
                                        const std::function<void(const Deletion&)>& remove,
                                        const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace mctl::images
