#pragma once
// The cleanup policy shared by both gc targets (local engine and registry). Pure: the caller
// gathers the candidates and the protections (containers, Marathon, keep list) and gets a plan.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mctl::images {

struct Blob {
  std::string digest;      // content digest (registry) or image id (engine)
  std::uint64_t size = 0;  // bytes
};

// One tag of one repository as the target lists it.
struct Candidate {
  std::string repository;  // e.g. "127.0.0.1:5000/web" (registry) or "web" (engine)
  std::string tag;
  std::string digest;      // manifest digest (registry) or image id (engine)
  std::optional<std::chrono::system_clock::time_point> created;  // unknown: never deleted
  std::vector<Blob> blobs;             // what goes away once nothing references it
  std::vector<std::string> used_by;    // containers holding this image, e.g. "c1 (exited)"
  // Engine: the image's manifest references ("reg:5000/web@sha256:..."), by which Marathon
  // may name it; the registry's own digest is `digest`.
  std::vector<std::string> references;

  std::string ref() const { return repository + ":" + tag; }
};

struct Policy {
  int keep = 10;                                      // newest tags kept per repository
  std::optional<std::chrono::milliseconds> older_than;  // only older tags may go
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  // Normalised image references that must stay (Marathon apps' current and recent versions),
  // mapped to the reason shown in the plan: "name:tag" and "name@digest" (protect_reference).
  std::map<std::string, std::string> in_use;
  std::vector<std::string> keep_list;  // names or globs, e.g. "web:stable", "*/base:*"
  // Registry: deleting happens per manifest digest, so it removes every tag of that digest.
  bool delete_removes_digest = true;
};

enum class Verdict { remove, keep, skip_shared };

struct Decision {
  Candidate candidate;
  Verdict verdict = Verdict::keep;
  std::string reason;  // why it is kept or skipped ("" for remove)
};

// One delete the target performs: a manifest digest (registry) or one tag (engine).
struct Deletion {
  std::string repository;
  std::string digest;
  std::vector<std::string> tags;  // the tags this delete removes
};

struct Plan {
  std::vector<Decision> decisions;     // by repository, newest first within one
  std::uint64_t bytes_reclaimable = 0; // blobs referenced only by removed tags
  std::size_t count(Verdict verdict) const;
  // The deletes to perform, in plan order. Registry: one per digest; engine: one per tag.
  std::vector<Deletion> deletions(bool by_digest) const;
};

// Records that `reference` (as an app definition writes it) must stay, with the reason shown
// in the plan, read the way Docker reads it: a name alone is its "latest" tag; a digest names
// its manifest, so every tag of that digest stays, and a tag written beside a digest (which
// Docker ignores when pulling) stays too. The registry host is left out: an app may name the
// registry another way than mctl does. Text that is no reference is kept as written.
void protect_reference(Policy& policy, std::string_view reference, const std::string& why);

// Decides every candidate. Kept, in order of precedence: used by a container, in use by
// Marathon, matched by the keep list, among the `keep` newest of its repository, newer than
// `older_than`, creation time unknown. With delete_removes_digest, a tag to delete that shares
// its digest with a kept tag is skipped (skip_shared) instead, naming the kept tag.
Plan plan_gc(std::vector<Candidate> candidates, const Policy& policy);

// Whether a keep-list entry matches a candidate: the glob is tried against "repo:tag" and
// "repo", with and without the registry part.
bool keep_list_matches(const std::string& pattern, const Candidate& candidate);

}  // namespace mctl::images
