#include "images/gc_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "images/reference.hpp"

namespace mctl::images {
namespace {

using Clock = std::chrono::system_clock;

// The repository name without a leading registry component ("host:5000/web" -> "web").
std::string without_registry(const std::string& repository) {
  const auto slash = repository.find('/');
  if (slash == std::string::npos) return repository;
  const std::string first = repository.substr(0, slash);
  const bool registry = first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                        first == "localhost";
  return registry ? repository.substr(slash + 1) : repository;
}

// A reference without its registry host ("reg:5000/web:t1" -> "web:t1"); text that is no
// reference unchanged.
std::string without_host(std::string_view reference) {
  try {
    ImageRef ref = parse_reference(reference);
    ref.registry.clear();
    return ref.str();
  } catch (const Error&) {
    return std::string(reference);
  }
}

std::optional<std::string> protection(const Candidate& c, const Policy& policy) {
  if (!c.used_by.empty()) return fmt::format("used by container {}", c.used_by.front());
  std::vector<std::string> names = {c.ref(), c.repository + "@" + c.digest};
  names.insert(names.end(), c.references.begin(), c.references.end());
  for (const auto& name : names) {
    for (const auto& key : {normalize_reference(name), without_host(name)}) {
      if (auto it = policy.in_use.find(key); it != policy.in_use.end()) {
        return fmt::format("in use by Marathon: {}", it->second);
      }
    }
  }
  for (const auto& pattern : policy.keep_list) {
    if (keep_list_matches(pattern, c)) return fmt::format("matches keep list '{}'", pattern);
  }
  return std::nullopt;
}

// Newest first; unknown creation times sort first (they are kept anyway); ties by tag.
bool newer(const Decision& a, const Decision& b) {
  const auto& ca = a.candidate;
  const auto& cb = b.candidate;
  if (ca.repository != cb.repository) return ca.repository < cb.repository;
  if (ca.created.has_value() != cb.created.has_value()) return !ca.created.has_value();
  if (ca.created && *ca.created != *cb.created) return *ca.created > *cb.created;
  return ca.tag > cb.tag;
}

void decide_repository(std::vector<Decision>::iterator first, std::vector<Decision>::iterator last,
                       const Policy& policy) {
  int newest = 0;
  for (auto it = first; it != last; ++it) {
    Candidate& c = it->candidate;
    it->verdict = Verdict::keep;
    if (auto why = protection(c, policy)) {
      it->reason = *why;
    } else if (!c.created) {
      it->reason = "creation time unknown";
    } else if (newest < policy.keep) {
      it->reason = fmt::format("among the {} newest tags of {}", policy.keep, c.repository);
    } else if (policy.older_than && policy.now - *c.created < *policy.older_than) {
      it->reason = fmt::format("newer than {}", core::format_duration(*policy.older_than));
    } else {
      it->verdict = Verdict::remove;
    }
    if (c.created) ++newest;
  }
}

// A tag to remove whose digest a kept tag shares cannot go: the manifest delete would take
// the kept tag with it.
void skip_shared_digests(std::vector<Decision>& decisions) {
  std::map<std::pair<std::string, std::string>, std::string> kept;  // (repo, digest) -> a kept tag
  for (const auto& d : decisions) {
    if (d.verdict != Verdict::remove) kept.emplace(std::pair(d.candidate.repository, d.candidate.digest), d.candidate.tag);
  }
  for (auto& d : decisions) {
    if (d.verdict != Verdict::remove) continue;
    auto it = kept.find({d.candidate.repository, d.candidate.digest});
    if (it == kept.end()) continue;
    d.verdict = Verdict::skip_shared;
    d.reason = fmt::format("shares digest {} with kept tag '{}' (deleting the manifest would delete it too)",
                           d.candidate.digest, it->second);
  }
}

std::uint64_t reclaimable(const std::vector<Decision>& decisions) {
  std::set<std::string> still_referenced;
  for (const auto& d : decisions) {
    if (d.verdict == Verdict::remove) continue;
    for (const auto& b : d.candidate.blobs) still_referenced.insert(b.digest);
  }
  std::map<std::string, std::uint64_t> freed;
  for (const auto& d : decisions) {
    if (d.verdict != Verdict::remove) continue;
    for (const auto& b : d.candidate.blobs) {
      if (!still_referenced.count(b.digest)) freed[b.digest] = b.size;
    }
  }
  std::uint64_t total = 0;
  for (const auto& [digest, size] : freed) total += size;
  return total;
}

}  // namespace

void protect_reference(Policy& policy, std::string_view reference, const std::string& why) {
  ImageRef ref;
  try {
    ref = parse_reference(reference);
  } catch (const Error&) {
    policy.in_use.emplace(std::string(reference), why);
    return;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  // Matched whatever host the app writes: Marathon may reach the registry by another name
  // ("registry.local:5000" for mctl's "127.0.0.1:5000"), and keeping an image too many is
  // safe where deleting a running one is not.
  ref.registry.clear();
  if (!ref.tag.empty()) policy.in_use.emplace(ref.name() + ":" + ref.tag, why);
  if (!ref.digest.empty()) policy.in_use.emplace(ref.name() + "@" + ref.digest, why);
}

bool keep_list_matches(const std::string& pattern, const Candidate& c) {
  const std::string short_repo = without_registry(c.repository);
  for (const auto& text : {c.ref(), c.repository, short_repo + ":" + c.tag, short_repo}) {
    if (glob_match(pattern, text)) return true;
  }
  return false;
}

std::size_t Plan::count(Verdict verdict) const {
  return static_cast<std::size_t>(std::count_if(decisions.begin(), decisions.end(),
                                                [&](const Decision& d) { return d.verdict == verdict; }));
}

std::vector<Deletion> Plan::deletions(bool by_digest) const {
  std::vector<Deletion> out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const auto& d : decisions) {
    if (d.verdict != Verdict::remove) continue;
    const auto& c = d.candidate;
    if (by_digest) {
      auto [it, inserted] = index.emplace(std::pair(c.repository, c.digest), out.size());
      if (inserted) out.push_back({c.repository, c.digest, {}});
      out[it->second].tags.push_back(c.tag);
    } else {
      out.push_back({c.repository, c.digest, {c.tag}});
    }
  }
  return out;
}

Plan plan_gc(std::vector<Candidate> candidates, const Policy& policy) {
  Plan plan;
  plan.decisions.reserve(candidates.size());
  for (auto& c : candidates) plan.decisions.push_back({std::move(c), Verdict::keep, ""});
  std::sort(plan.decisions.begin(), plan.decisions.end(), newer);
  for (auto first = plan.decisions.begin(); first != plan.decisions.end();) {
    auto last = std::find_if(first, plan.decisions.end(), [&](const Decision& d) {
      return d.candidate.repository != first->candidate.repository;
    });
    decide_repository(first, last, policy);
    first = last;
  }
  if (policy.delete_removes_digest) skip_shared_digests(plan.decisions);
  plan.bytes_reclaimable = reclaimable(plan.decisions);
  return plan;
}

}  // namespace mctl::images
