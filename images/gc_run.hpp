#pragma once
// One `mctl images gc` run: the policy from the configuration and the flags, the plan of each
// target (local engine or registry) with how its deletes are done, the plan as text and JSON,
// and what the deletes came to. cli/cmd_image.cpp asks for confirmation and prints.
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/settings.hpp"
#include "images/clients.hpp"
#include "images/gc.hpp"
#include "images/gc_policy.hpp"

namespace mctl::images {

// "999 B", "1.5 kB", "2.3 GB" (powers of 1000).
std::string human_bytes(std::uint64_t n);
// "2026-11-30T06:41:38Z" (UTC), or "unknown".
std::string format_time(const std::optional<std::chrono::system_clock::time_point>& t);
// "delete", "keep", "skip".
const char* verdict_name(Verdict v);

// The policy of the images settings, --keep and --older-than overriding; Error (usage) for a
// negative keep or a bad duration. in_use and delete_removes_digest are set by the caller
// and plan_*.
Policy gc_policy(const core::ImagesSettings& settings, std::optional<int> keep, const std::optional<std::string>& older_than);

// A target's plan and how one of its deletes is carried out (returns why it was skipped, or
// nullopt when done).
struct GcTarget {
  std::string name;  // "local engine unix:///var/run/docker.sock", "registry host:5000"
  Plan plan;
  bool by_digest = false;
  std::function<std::optional<std::string>(const Deletion&)> remove;
};
// The engine's tagged images: each delete removes one tag, unless it names another image
// since the plan (untag_if_unchanged). `engine` must outlive the target.
GcTarget plan_local(DockerClient& engine, const std::string& docker_host, const std::vector<std::string>& repositories,
                    Policy policy);
// The registry's tags: each delete removes a manifest by digest, unless a tag moved since the
// plan (delete_if_unchanged). `registry` must outlive the target.
GcTarget plan_registry(Registry& registry, const std::vector<std::string>& repositories, int parallel, Policy policy);

// The plan for people: a line per decision, then the totals.
std::string plan_text(const std::string& title, const Plan& plan, std::size_t manifests);
// {"target", "decisions": [{"image", "digest", "action", "reason", "created"}], "bytes_reclaimable", "delete", "keep", "skip"}.
nlohmann::json plan_json(const std::string& target, const Plan& plan);

// What a target's deletes came to.
struct GcTally {
  std::size_t deleted_tags = 0;
  std::size_t failed = 0;   // deletes that failed
  std::size_t skipped = 0;  // deletes skipped because a tag changed since the plan
  nlohmann::json failures = nlohmann::json::array();  // [{"image", "error"}]
  nlohmann::json skips = nlohmann::json::array();     // [{"image", "reason"}]
  std::vector<std::string> problems;  // one diagnostic line per tag not deleted ("mctl: warning: ...")
};
GcTally tally(const std::vector<DeleteResult>& results);
// "deleted 3 of 4 tags (1 of 4 deletes failed)".
std::string tally_text(const GcTally& tally, std::size_t planned_tags, std::size_t deletes);

// The run's error when deletes failed (Exit::remote) or were skipped (Exit::failure); nothing
// when all went.
void check_gc_outcome(std::size_t failed, std::size_t skipped);

}  // namespace mctl::images
