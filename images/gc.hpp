#pragma once
// Gathering gc candidates from a target and carrying out a plan's deletes with bounded
// concurrency. The policy itself lives in gc_policy.hpp.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
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
// stopped) that hold it and its manifest references (RepoDigests: untagging its last tag
// deletes the image, so one Marathon runs by digest must count as in use).
std::vector<Candidate> engine_candidates(DockerClient& docker, const std::vector<std::string>& repo_globs);

// Why a planned registry delete must not go ahead any more, or nullopt when it may. `now` maps
// each tag of the deletion to the digest it names now (nullopt: the tag is gone). A tag naming
// another digest was pushed again since the plan, so the plan no longer describes what the
// delete would do: it is skipped, and the next run plans that tag afresh. A gone tag is no
// reason to skip (deleting its old manifest is what the plan said).
std::optional<std::string> stale_deletion(const Deletion& deletion,
                                          const std::map<std::string, std::optional<std::string>>& now);

// Carries out one planned registry delete: HEADs each of its tags just before, and deletes the
// manifest by digest only when none moved (see stale_deletion) and no tag pushed since the
// plan names the digest (the manifest delete would take it too): the repository's tags are
// listed again and each one not in `listed` (every tag the plan saw) is asked for. `repository`
// is the name in the registry (without its host). Returns why it was skipped, or nullopt when
// deleted (or already gone). Throws Error when the registry fails.
std::optional<std::string> delete_if_unchanged(RegistryClient& registry, const std::string& repository,
                                               const Deletion& deletion, const std::set<std::string>& listed);

// Carries out one planned engine delete (one tag): inspects the tag just before and untags it
// only while it names the planned image id (stale_deletion's rule: a tag built or tagged again
// since the plan is left alone and reported). A tag already gone is done.
std::optional<std::string> untag_if_unchanged(DockerClient& engine, const Deletion& deletion);

struct DeleteResult {
  Deletion deletion;
  bool deleted = false;
  std::string skipped;  // why it was not attempted (the tag changed since the plan)
  std::string error;    // why it failed
};

// Performs the deletes with at most `workers` at once, calling progress(done, total) after
// each. `remove` returns why it skipped a delete, or nullopt when it deleted. A failed delete
// is recorded and the rest go on.
std::vector<DeleteResult> run_deletions(const std::vector<Deletion>& deletions, int workers,
                                        const std::function<std::optional<std::string>(const Deletion&)>& remove,
                                        const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace mctl::images
