// One images gc run without the command line: the policy from settings and flags, the plan as
// text and JSON, and what the deletes came to (images/gc_run.hpp).
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "images/gc_run.hpp"
#include "test_images_scripted_http.hpp"

using namespace mctl::images;
using Clock = std::chrono::system_clock;

namespace {

Candidate candidate(const std::string& tag, int hours_ago, std::uint64_t size) {
  Candidate c;
  c.repository = "127.0.0.1:5000/web";
  c.tag = tag;
  c.digest = "sha256:" + tag;
  c.created = Clock::from_time_t(1'800'000'000) - std::chrono::hours(hours_ago);
  c.blobs = {{"layer-" + tag, size}};
  return c;
}

Plan two_tag_plan() {
  Policy p;
  p.keep = 1;
  p.now = Clock::from_time_t(1'800'000'000);
  return plan_gc({candidate("new", 1, 1500), candidate("old", 48, 2'500'000)}, p);
}

}  // namespace

TEST_CASE("human_bytes: powers of 1000, bytes without a decimal") {
  CHECK(human_bytes(0) == "0 B");
  CHECK(human_bytes(999) == "999 B");
  CHECK(human_bytes(1500) == "1.5 kB");
  CHECK(human_bytes(2'500'000) == "2.5 MB");
  CHECK(human_bytes(3'000'000'000'000'000ULL) == "3000.0 TB");
}

TEST_CASE("format_time: UTC seconds, or unknown") {
  CHECK(format_time(std::nullopt) == "unknown");
  CHECK(format_time(Clock::from_time_t(1'800'000'000)) == "2027-01-15T08:00:00Z");
}

TEST_CASE("gc_policy: the flags win over images.*; a negative keep and a bad duration are usage errors") {
  mctl::core::ImagesSettings settings;
  settings.keep.value = 10;
  settings.keep_list.value = {"web:stable"};
  const auto from_config = gc_policy(settings, std::nullopt, std::nullopt);
  CHECK(from_config.keep == 10);
  CHECK(from_config.keep_list == std::vector<std::string>{"web:stable"});
  CHECK_FALSE(from_config.older_than.has_value());
  const auto flagged = gc_policy(settings, 3, std::string("2d"));
  CHECK(flagged.keep == 3);
  CHECK(flagged.older_than == std::chrono::hours(48));
  CHECK_THROWS_AS(gc_policy(settings, -1, std::nullopt), mctl::Error);
  CHECK_THROWS_AS(gc_policy(settings, std::nullopt, std::string("soon")), mctl::Error);
}

TEST_CASE("plan_text and plan_json show each decision and the totals") {
  const auto plan = two_tag_plan();
  const auto text = plan_text("registry 127.0.0.1:5000", plan, 1);
  CHECK(text.rfind("registry 127.0.0.1:5000\n", 0) == 0);
  CHECK(text.find("  delete  127.0.0.1:5000/web:old  created 2027-01-13T08:00:00Z, 2.5 MB\n") != std::string::npos);
  CHECK(text.find("  keep    127.0.0.1:5000/web:new") != std::string::npos);
  CHECK(text.substr(text.rfind('\n') + 1) ==
        "plan: delete 1 tags (1 deletes), keep 1, skip 0 (shared digest); 2.5 MB reclaimable");
  const auto doc = plan_json("registry 127.0.0.1:5000", plan);
  CHECK(doc["delete"] == 1);
  CHECK(doc["keep"] == 1);
  CHECK(doc["bytes_reclaimable"] == 2'500'000);
  CHECK(doc["decisions"].size() == 2);
}

TEST_CASE("tally: deleted tags, failures and skips, one diagnostic per tag not deleted") {
  std::vector<DeleteResult> results(3);
  results[0].deletion = {"127.0.0.1:5000/web", "sha256:a", {"a1", "a2"}};
  results[0].deleted = true;
  results[1].deletion = {"127.0.0.1:5000/web", "sha256:b", {"b1"}};
  results[1].error = "HTTP 500";
  results[2].deletion = {"127.0.0.1:5000/web", "sha256:c", {"c1"}};
  results[2].skipped = "c1 now names sha256:d";
  const auto t = tally(results);
  CHECK(t.deleted_tags == 2);
  CHECK(t.failed == 1);
  CHECK(t.skipped == 1);
  CHECK(t.failures[0]["image"] == "127.0.0.1:5000/web:b1");
  CHECK(t.skips[0]["reason"] == "c1 now names sha256:d");
  CHECK(t.problems == std::vector<std::string>{"mctl: error: deleting 127.0.0.1:5000/web:b1: HTTP 500",
                                               "mctl: warning: not deleting 127.0.0.1:5000/web:c1: c1 now names sha256:d"});
  CHECK(tally_text(t, 4, 3) == "deleted 2 of 4 tags (1 of 3 deletes failed, 1 skipped: changed since the plan)");
}

TEST_CASE("check_gc_outcome: failed deletes are exit 3, skipped ones exit 1") {
  CHECK_NOTHROW(check_gc_outcome(0, 0));
  try {
    check_gc_outcome(2, 1);
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
  }
  try {
    check_gc_outcome(0, 1);
    FAIL("no error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::failure);
  }
}

TEST_CASE("plan_local untags only while the tag names the planned image: one built again since is left alone") {
  using mctl::core::http::Response;
  auto owned = std::make_unique<ScriptedHttp>();
  ScriptedHttp& http = *owned;
  auto reply = [&http](std::string body, mctl::core::http::Headers headers = {}) {
    Response r;
    r.status = 200;
    r.body = std::move(body);
    r.headers = std::move(headers);
    http.answers.push_back(std::move(r));
  };
  reply("OK", {{"api-version", "1.41"}});                                                   // /_ping
  reply("[]");                                                                               // containers
  reply(R"([{"Id":"sha256:old","RepoTags":["web:t1","web:t2"],"Created":1,"Size":10}])");  // images
  reply(R"({"Id":"sha256:old","Created":"2020-01-01T00:00:00Z"})");                         // inspect
  DockerClient engine(std::move(owned), "http://localhost", "unix:///test.sock");
  Policy policy;
  policy.keep = 0;
  const auto target = plan_local(engine, "unix:///test.sock", {}, policy);
  const auto deletions = target.plan.deletions(target.by_digest);
  REQUIRE(deletions.size() == 2);
  // t1 was built again between the plan and its delete: it names another image now.
  reply(R"({"Id":"sha256:rebuilt"})");
  const auto why = target.remove(deletions[0].tags.front() == "t1" ? deletions[0] : deletions[1]);
  REQUIRE(why);
  CHECK(*why == "tag 't1' now names sha256:rebuilt, not the planned sha256:old (pushed since the plan)");
  CHECK(http.requests.back().method == "GET");
  // t2 still names the planned image: it is untagged.
  reply(R"({"Id":"sha256:old"})");
  reply("[]");
  CHECK_FALSE(target.remove(deletions[0].tags.front() == "t2" ? deletions[0] : deletions[1]));
  CHECK(http.requests.back().method == "DELETE");
  CHECK(http.requests.back().url == "http://localhost/v1.41/images/web:t2");
}
