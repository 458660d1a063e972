#include "images/gc_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <set>

#include "core/duration.hpp"
#include "core/error.hpp"

namespace mctl::images {

std::string human_bytes(std::uint64_t n) {
  constexpr std::array<const char*, 5> units = {"B", "kB", "MB", "GB", "TB"};
  auto v = static_cast<double>(n);
  std::size_t u = 0;
  while (v >= 1000 && u + 1 < units.size()) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units.at(u));
}

std::string format_time(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return "unknown";
  const std::time_t s = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  std::array<char, 32> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf.data(), n};
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::remove: return "delete";
    case Verdict::keep: return "keep";
    case Verdict::skip_shared: return "skip";
  }
  return "?";
}

Policy gc_policy(const core::ImagesSettings& settings, std::optional<int> keep, const std::optional<std::string>& older_than) {
  Policy policy;
  policy.keep = keep.value_or(*settings.keep);
  if (policy.keep < 0) throw Error("images gc: --keep must not be negative", Exit::usage);
  if (older_than) policy.older_than = core::parse_duration(*older_than, "flag --older-than");
  policy.keep_list = *settings.keep_list;
  return policy;
}

GcTarget plan_local(DockerClient& engine, const std::string& docker_host, const std::vector<std::string>& repositories,
                    Policy policy) {
  policy.delete_removes_digest = false;
  return {"local engine " + docker_host, plan_gc(engine_candidates(engine, repositories), policy), false,
          [&engine](const Deletion& d) { return untag_if_unchanged(engine, d); }};
}

GcTarget plan_registry(Registry& registry, const std::vector<std::string>& repositories, int parallel, Policy policy) {
  policy.delete_removes_digest = true;
  const std::size_t prefix = registry.host.size() + 1;  // "host/"
  Plan plan = plan_gc(registry_candidates(*registry.client, registry.host, repositories, parallel), policy);
  std::map<std::string, std::set<std::string>> listed;  // repository -> every tag the plan saw
  for (const auto& d : plan.decisions) listed[d.candidate.repository].insert(d.candidate.tag);
  return {"registry " + registry.host, std::move(plan), true,
          [&registry, prefix, listed = std::move(listed)](const Deletion& d) {
            return delete_if_unchanged(*registry.client, d.repository.substr(prefix), d, listed.at(d.repository));
          }};
}

std::string plan_text(const std::string& title, const Plan& plan, std::size_t manifests) {
  std::string out = title + "\n";
  std::size_t width = 10;
  for (const auto& d : plan.decisions) width = std::max(width, d.candidate.ref().size());
  for (const auto& d : plan.decisions) {
    std::uint64_t size = 0;
    for (const auto& b : d.candidate.blobs) size += b.size;
    const std::string detail = d.verdict == Verdict::remove
                                   ? fmt::format("created {}, {}", format_time(d.candidate.created), human_bytes(size))
                                   : d.reason;
    out += fmt::format("  {:<6}  {:<{}}  {}\n", verdict_name(d.verdict), d.candidate.ref(), width, detail);
  }
  out += fmt::format("plan: delete {} tags ({} deletes), keep {}, skip {} (shared digest); {} reclaimable",
                     plan.count(Verdict::remove), manifests, plan.count(Verdict::keep),
                     plan.count(Verdict::skip_shared), human_bytes(plan.bytes_reclaimable));
  return out;
}

nlohmann::json plan_json(const std::string& target, const Plan& plan) {
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& d : plan.decisions) {
    decisions.push_back({{"image", d.candidate.ref()}, {"digest", d.candidate.digest}, {"action", verdict_name(d.verdict)},
                         {"reason", d.reason}, {"created", format_time(d.candidate.created)}});
  }
  return {{"target", target}, {"decisions", decisions}, {"bytes_reclaimable", plan.bytes_reclaimable},
          {"delete", plan.count(Verdict::remove)}, {"keep", plan.count(Verdict::keep)},
          {"skip", plan.count(Verdict::skip_shared)}};
}

GcTally tally(const std::vector<DeleteResult>& results) {
  GcTally t;
  for (const auto& r : results) {
    if (r.deleted) {
      t.deleted_tags += r.deletion.tags.size();
      continue;
    }
    const bool skipped = !r.skipped.empty();
    ++(skipped ? t.skipped : t.failed);
    for (const auto& tag : r.deletion.tags) {
      const std::string image = r.deletion.repository + ":" + tag;
      if (skipped) {
        t.skips.push_back({{"image", image}, {"reason", r.skipped}});
        t.problems.push_back(fmt::format("mctl: warning: not deleting {}: {}", image, r.skipped));
      } else {
        t.failures.push_back({{"image", image}, {"error", r.error}});
        t.problems.push_back(fmt::format("mctl: error: deleting {}: {}", image, r.error));
      }
    }
  }
  return t;
}

std::string tally_text(const GcTally& tally, std::size_t planned_tags, std::size_t deletes) {
  return fmt::format("deleted {} of {} tags ({} of {} deletes failed{})", tally.deleted_tags, planned_tags, tally.failed,
                     deletes, tally.skipped ? fmt::format(", {} skipped: changed since the plan", tally.skipped) : "");
}

void check_gc_outcome(std::size_t failed, std::size_t skipped) {
  if (failed > 0) throw Error(fmt::format("images gc: {} planned deletes failed (see above)", failed), Exit::remote);
  if (skipped > 0) {
    throw Error(fmt::format("images gc: {} planned deletes were skipped because their tags changed since the plan "
                            "(see above); run gc again to plan them afresh",
                            skipped),
                Exit::failure);
  }
}

}  // namespace mctl::images
