#pragma once
// Unit tests of the registry client's request logic (challenge flow, paging, re-checks): an
// HttpClient that answers from a script and records what was asked. The integration suites
// run the same code against a real docker-registry.
#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "core/http.hpp"

class ScriptedHttp : public mctl::core::http::HttpClient {
 public:
  std::deque<mctl::core::http::Response> answers;
  std::vector<mctl::core::http::Request> requests;
  mctl::core::http::Response send(const mctl::core::http::Request& request) override {
    requests.push_back(request);
    REQUIRE_FALSE(answers.empty());
    mctl::core::http::Response r = answers.front();
    answers.pop_front();
    return r;
  }
  mctl::core::http::Response stream(const mctl::core::http::Request& request,
                                    const mctl::core::http::ChunkHandler&) override {
    return send(request);
  }
};
