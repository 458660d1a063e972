// deploy::failure_summary: the final `mctl: error:` line of deploy and the operating commands.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "deploy/report.hpp"

using mctl::Exit;
using mctl::deploy::AppResult;
using mctl::deploy::AppStatus;

namespace {

AppResult result(const std::string& id, AppStatus status, const std::string& message) {
  AppResult r;
  r.id = id;
  r.status = status;
  r.message = message;
  return r;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("a reason the text report already showed is not repeated in the final line") {
  const std::string reason = "crash loop: 3 tasks of the new version failed; rolled back to version 1";
  const std::vector<AppResult> results{result("/web", AppStatus::rolled_back, reason + "\nmore")};
  const auto line = mctl::deploy::failure_summary(results, "deploy", Exit::rolled_back, true);
  CHECK(line == "deploy: 1 of 1 app(s) not done: /web (reason above)");
  CHECK(count(line, "crash loop") == 0);
}

TEST_CASE("several failed apps are named, the good ones are not") {
  const std::vector<AppResult> results{result("/web", AppStatus::rolled_back, "crash loop"),
                                       result("/api", AppStatus::deployed, "deployed"),
                                       result("/db", AppStatus::failed, "deadline passed")};
  CHECK(mctl::deploy::failure_summary(results, "deploy", Exit::rolled_back, true) ==
        "deploy: 2 of 3 app(s) not done: /web, /db (reasons above)");
}

TEST_CASE("without the text report (JSON output) the first reason's first line is kept") {
  const std::vector<AppResult> results{result("/web", AppStatus::rolled_back, "crash loop: exited 1\ndetails"),
                                       result("/db", AppStatus::failed, "deadline passed")};
  CHECK(mctl::deploy::failure_summary(results, "deploy", Exit::rolled_back, false) ==
        "deploy: 2 of 2 app(s) not done (/web: crash loop: exited 1)");
}

TEST_CASE("an interrupted command says it left Marathon alone") {
  const std::vector<AppResult> results{result("/web", AppStatus::interrupted, "interrupted")};
  CHECK(mctl::deploy::failure_summary(results, "restart", Exit::interrupted, true) ==
        "restart: interrupted; stopped following without touching Marathon");
}
