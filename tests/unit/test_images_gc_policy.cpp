#include <doctest/doctest.h>

#include "images/gc_policy.hpp"

using namespace mctl::images;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

const Clock::time_point k_now = Clock::from_time_t(1'800'000'000);

// Tag "t<i>" created i hours ago, with its own digest "d<i>" and one blob of 100 bytes.
Candidate tag(const std::string& repo, int hours_ago, const std::string& digest = "") {
  Candidate c;
  c.repository = repo;
  c.tag = "t" + std::to_string(hours_ago);
  c.digest = digest.empty() ? "sha256:d" + std::to_string(hours_ago) : digest;
  c.created = k_now - std::chrono::hours(hours_ago);
  c.blobs = {{c.digest + "-layer", 100}};
  return c;
}

Policy policy(int keep) {
  Policy p;
  p.keep = keep;
  p.now = k_now;
  return p;
}

const Decision& find(const Plan& plan, const std::string& repo_tag) {
  for (const auto& d : plan.decisions) {
    if (d.candidate.ref() == repo_tag) return d;
  }
  FAIL("no decision for " << repo_tag);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the newest N tags per repository are kept, older ones removed") {
  std::vector<Candidate> c;
  for (int i = 1; i <= 5; ++i) c.push_back(tag("reg:5000/web", i));
  for (int i = 1; i <= 2; ++i) c.push_back(tag("reg:5000/api", i));
  const auto plan = plan_gc(c, policy(3));
  CHECK(plan.count(Verdict::remove) == 2);
  CHECK(find(plan, "reg:5000/web:t4").verdict == Verdict::remove);
  CHECK(find(plan, "reg:5000/web:t5").verdict == Verdict::remove);
  CHECK(find(plan, "reg:5000/web:t3").reason == "among the 3 newest tags of reg:5000/web");
  CHECK(find(plan, "reg:5000/api:t2").verdict == Verdict::keep);
  CHECK(plan.bytes_reclaimable == 200);
}

TEST_CASE("--older-than keeps tags that are not old enough") {
  std::vector<Candidate> c;
  for (int i = 1; i <= 5; ++i) c.push_back(tag("web", i * 24));
  auto p = policy(1);
  p.older_than = std::chrono::hours(24 * 3);
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "web:t48").verdict == Verdict::keep);
  CHECK(find(plan, "web:t48").reason == "newer than 72h");
  CHECK(find(plan, "web:t72").verdict == Verdict::remove);
  CHECK(find(plan, "web:t120").verdict == Verdict::remove);
}

TEST_CASE("a tag used by a container is kept whatever its age") {
  std::vector<Candidate> c = {tag("web", 1), tag("web", 2)};
  c[1].used_by = {"c1 (exited)"};
  const auto plan = plan_gc(c, policy(0));
  CHECK(find(plan, "web:t2").verdict == Verdict::keep);
  CHECK(find(plan, "web:t2").reason == "used by container c1 (exited)");
  CHECK(find(plan, "web:t1").verdict == Verdict::remove);
}

TEST_CASE("images Marathon uses or may roll back to are kept, matched by tag or digest") {
  std::vector<Candidate> c = {tag("reg:5000/web", 10), tag("reg:5000/web", 20), tag("reg:5000/web", 30)};
  auto p = policy(0);
  p.in_use["reg:5000/web:t10"] = "/prod/web current";
  p.in_use["reg:5000/web@sha256:d20"] = "/prod/web version 2026-11-01T00:00:00Z";
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "reg:5000/web:t10").reason == "in use by Marathon: /prod/web current");
  CHECK(find(plan, "reg:5000/web:t20").verdict == Verdict::keep);
  CHECK(find(plan, "reg:5000/web:t30").verdict == Verdict::remove);
}

TEST_CASE("protect_reference reads a reference as Docker does: a name alone is latest, a digest wins over a tag") {
  std::vector<Candidate> c = {tag("reg:5000/web", 10), tag("reg:5000/web", 20), tag("reg:5000/web", 30),
                              tag("reg:5000/web", 40)};
  c[3].tag = "latest";
  auto p = policy(0);
  protect_reference(p, "reg:5000/web", "/web current");
  protect_reference(p, "reg:5000/web:t10@sha256:d20", "/pinned current");
  protect_reference(p, "not a reference", "/odd current");
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "reg:5000/web:latest").reason == "in use by Marathon: /web current");
  CHECK(find(plan, "reg:5000/web:t20").reason == "in use by Marathon: /pinned current");  // what Docker runs
  CHECK(find(plan, "reg:5000/web:t10").reason == "in use by Marathon: /pinned current");  // what the app names
  CHECK(find(plan, "reg:5000/web:t30").verdict == Verdict::remove);
  CHECK(p.in_use.count("not a reference") == 1);
}

TEST_CASE("an engine image Marathon names by one of its manifest references (RepoDigests) is kept") {
  std::vector<Candidate> c = {tag("reg:5000/web", 10), tag("reg:5000/web", 20)};
  c[1].references = {"reg:5000/web@sha256:manifest20"};  // the engine's digest is the image id
  auto p = policy(0);
  p.delete_removes_digest = false;
  protect_reference(p, "reg:5000/web@sha256:manifest20", "/web current");
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "reg:5000/web:t20").reason == "in use by Marathon: /web current");
  CHECK(find(plan, "reg:5000/web:t10").verdict == Verdict::remove);
}

TEST_CASE("an app naming the registry by another host still protects the image") {
  std::vector<Candidate> c = {tag("127.0.0.1:5000/web", 10), tag("127.0.0.1:5000/web", 20)};
  auto p = policy(0);
  protect_reference(p, "registry.local:5000/web:t10", "/web current");
  protect_reference(p, "localhost:5000/web@sha256:d20", "/web version 1");
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "127.0.0.1:5000/web:t10").reason == "in use by Marathon: /web current");
  CHECK(find(plan, "127.0.0.1:5000/web:t20").reason == "in use by Marathon: /web version 1");
}

TEST_CASE("Marathon references written the Docker Hub way match normalised names") {
  std::vector<Candidate> c = {tag("web", 10)};
  auto p = policy(0);
  p.in_use["web:t10"] = "/web current";  // callers normalise; docker.io/library/web:t10 -> web:t10
  CHECK(plan_gc(c, p).decisions.front().verdict == Verdict::keep);
}

TEST_CASE("the keep list matches names and globs, with or without the registry") {
  std::vector<Candidate> c = {tag("reg:5000/web", 10), tag("reg:5000/base", 20), tag("reg:5000/api", 30)};
  auto p = policy(0);
  p.keep_list = {"web:t10", "*/base"};
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "reg:5000/web:t10").reason == "matches keep list 'web:t10'");
  CHECK(find(plan, "reg:5000/base:t20").reason == "matches keep list '*/base'");
  CHECK(find(plan, "reg:5000/api:t30").verdict == Verdict::remove);
}

TEST_CASE("a tag sharing its digest with a kept tag is skipped, not deleted") {
  std::vector<Candidate> c = {tag("web", 1), tag("web", 2, "sha256:same"), tag("web", 3, "sha256:same"),
                              tag("web", 4, "sha256:other"), tag("web", 5, "sha256:other")};
  // Same digest means same image config: same creation time. Give the pair t2/t3 one time.
  c[2].created = c[1].created;
  c[2].tag = "old-alias";
  const auto plan = plan_gc(c, policy(2));
  CHECK(find(plan, "web:t1").verdict == Verdict::keep);
  CHECK(find(plan, "web:t2").verdict == Verdict::keep);
  const auto& alias = find(plan, "web:old-alias");
  CHECK(alias.verdict == Verdict::skip_shared);
  CHECK(alias.reason == "shares digest sha256:same with kept tag 't2' (deleting the manifest would delete it too)");
  // Both tags of sha256:other go: one manifest delete removes both.
  const auto deletions = plan.deletions(true);
  REQUIRE(deletions.size() == 1);
  CHECK(deletions[0].digest == "sha256:other");
  CHECK(deletions[0].tags.size() == 2);
  // A blob shared with a kept image is not reclaimable.
  CHECK(plan.bytes_reclaimable == 100);
}

TEST_CASE("on the engine a tag is deleted alone, so shared image ids are not skipped") {
  std::vector<Candidate> c = {tag("web", 1, "sha256:img"), tag("web", 2, "sha256:img")};
  auto p = policy(1);
  p.delete_removes_digest = false;
  const auto plan = plan_gc(c, p);
  CHECK(find(plan, "web:t2").verdict == Verdict::remove);
  CHECK(plan.deletions(false).size() == 1);
  CHECK(plan.bytes_reclaimable == 0);  // the image stays while web:t1 names it
}

TEST_CASE("a tag whose creation time is unknown is kept and does not use up a keep slot") {
  std::vector<Candidate> c = {tag("web", 1), tag("web", 2), tag("web", 3)};
  c[0].created.reset();
  const auto plan = plan_gc(c, policy(1));
  CHECK(find(plan, "web:t1").reason == "creation time unknown");
  CHECK(find(plan, "web:t2").verdict == Verdict::keep);
  CHECK(find(plan, "web:t3").verdict == Verdict::remove);
}

TEST_CASE("keep_list_matches tries the short and full names") {
  Candidate c = tag("127.0.0.1:5000/team/web", 1);
  CHECK(keep_list_matches("team/web", c));
  CHECK(keep_list_matches("127.0.0.1:5000/team/*", c));
  CHECK(keep_list_matches("*:t1", c));
  CHECK_FALSE(keep_list_matches("web", c));
  CHECK_FALSE(keep_list_matches("team/web:t2", c));
}
