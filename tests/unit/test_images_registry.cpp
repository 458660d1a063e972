#include <doctest/doctest.h>

#include <deque>

#include "core/error.hpp"
#include "test_images_scripted_http.hpp"
#include "images/credentials.hpp"
#include "images/registry.hpp"

using namespace mctl::images;
using mctl::core::http::Request;
using mctl::core::http::Response;

namespace {

Response answer(long status, std::string body, mctl::core::http::Headers headers = {}) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string header(const Request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

}  // namespace

TEST_CASE("a bearer challenge is answered with a token fetched using the credentials") {
  ScriptedHttp http;
  http.answers.push_back(answer(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                                {{"www-authenticate",
                                  R"(Bearer realm="https://auth.example.com/token",service="reg",scope="repository:web:pull")"}}));
  http.answers.push_back(answer(200, R"({"token":"T0KEN"})"));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["a","b"]})"));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["c"]})"));
  RegistryClient registry(http, "https://reg.example.com", Credentials{"ci", "s3cret", "test"});
  CHECK(registry.tags("web") == std::vector<std::string>{"a", "b"});
  REQUIRE(http.requests.size() == 3);
  CHECK(http.requests[1].url == "https://auth.example.com/token?service=reg&scope=repository%3Aweb%3Apull");
  CHECK(header(http.requests[1], "Authorization") == "Basic " + base64_encode("ci:s3cret"));
  CHECK(header(http.requests[2], "Authorization") == "Bearer T0KEN");
  // The token is cached for the scope: the next call sends it up front.
  CHECK(registry.tags("web") == std::vector<std::string>{"c"});
  CHECK(header(http.requests[3], "Authorization") == "Bearer T0KEN");
}

TEST_CASE("a token server answering without a token is a remote error (exit 3), not a refused password") {
  const mctl::core::http::Headers challenge = {
      {"www-authenticate", R"(Bearer realm="https://auth.example.com/token",service="reg")"}};
  ScriptedHttp http;
  http.answers.push_back(answer(401, "", challenge));
  http.answers.push_back(answer(200, "<html><body>Sign in</body></html>"));
  http.answers.push_back(answer(401, "", challenge));
  http.answers.push_back(answer(200, R"({"access":"s3cr3t-t0ken"})"));
  http.answers.push_back(answer(401, "", {{"www-authenticate", R"(Bearer service="reg")"}}));
  RegistryClient registry(http, "https://reg.example.com", Credentials{"ci", "pw", "test"});
  for (int i = 0; i < 3; ++i) {
    try {
      registry.tags("web");
      FAIL("expected an error");
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::remote);
      CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
    }
  }
}

TEST_CASE("a basic challenge is answered with the credentials and then sent up front") {
  ScriptedHttp http;
  http.answers.push_back(answer(401, "", {{"www-authenticate", R"(Basic realm="Registry Realm")"}}));
  http.answers.push_back(answer(200, "{}"));
  http.answers.push_back(answer(200, R"({"repositories":["a"]})"));
  RegistryClient registry(http, "http://127.0.0.1:5000", Credentials{"u", "p", "test"});
  registry.ping();
  CHECK(registry.repositories() == std::vector<std::string>{"a"});
  CHECK(header(http.requests[2], "Authorization") == "Basic " + base64_encode("u:p"));
}

TEST_CASE("refused credentials are an auth error that names the registry, not the password") {
  ScriptedHttp http;
  http.answers.push_back(answer(401, "", {{"www-authenticate", R"(Basic realm="r")"}}));
  http.answers.push_back(answer(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"));
  RegistryClient registry(http, "http://127.0.0.1:5000", Credentials{"u", "hunter2", "/home/me/.docker/config.json auths.127.0.0.1:5000"});
  try {
    registry.ping();
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::auth);
    CHECK(std::string(e.what()) ==
          "checking the registry at http://127.0.0.1:5000: registry answered HTTP 401: authentication required "
          "(the registry refused user 'u' from /home/me/.docker/config.json auths.127.0.0.1:5000)");
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
}

TEST_CASE("the catalog follows Link pagination") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, R"({"repositories":["a","b"]})",
                                {{"link", R"(</v2/_catalog?last=b&n=2>; rel="next")"}}));
  http.answers.push_back(answer(200, R"({"repositories":["c"]})"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK(registry.repositories() == std::vector<std::string>{"a", "b", "c"});
  CHECK(http.requests[1].url == "http://r:5000/v2/_catalog?last=b&n=2");
}

TEST_CASE("a next-page link written absolute is followed on the same registry") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, R"({"name":"web","tags":["a"]})",
                                {{"link", R"(<http://r:5000/v2/web/tags/list?last=a&n=1>; rel="next")"}}));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["b"]})"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK(registry.tags("web") == std::vector<std::string>{"a", "b"});
  CHECK(http.requests[1].url == "http://r:5000/v2/web/tags/list?last=a&n=1");
}

TEST_CASE("a next-page link to another origin or to a page already read ends the listing with a remote error") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, R"({"repositories":["a"]})",
                                {{"link", R"(<https://elsewhere.example/v2/_catalog?last=a>; rel="next")"}}));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["a"]})",
                                {{"link", R"(</v2/web/tags/list?last=a&n=1>; rel="next")"}}));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["b"]})",
                                {{"link", R"(</v2/web/tags/list?last=a&n=1>; rel="next")"}}));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK_THROWS_WITH_AS(registry.repositories(),
                       "listing the registry's repositories at http://r:5000: the next page's link "
                       "<https://elsewhere.example/v2/_catalog?last=a> is not on this registry",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(registry.tags("web"),
                       "listing the tags of web at http://r:5000: the registry's next page "
                       "</v2/web/tags/list?last=a&n=1> was read already (the listing would never end)",
                       mctl::Error);
  CHECK(http.requests.size() == 3);
}

TEST_CASE("a manifest gives its digest, config and blob sizes") {
  ScriptedHttp http;
  http.answers.push_back(answer(
      200,
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
          "config":{"digest":"sha256:c","size":10},"layers":[{"digest":"sha256:l","size":300}]})",
      {{"docker-content-digest", "sha256:m"}}));
  http.answers.push_back(answer(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  const auto m = registry.manifest("web", "abc");
  REQUIRE(m);
  CHECK(m->digest == "sha256:m");
  CHECK(m->config_digest == "sha256:c");
  REQUIRE(m->blobs.size() == 2);
  CHECK(m->blobs[1].size == 300);
  CHECK_FALSE(registry.manifest("web", "gone"));
}

TEST_CASE("without Docker-Content-Digest a manifest's digest is the sha256 of its bytes, never the tag") {
  // The header is optional; before, the tag stood in for the digest, so two tags of one manifest
  // looked unrelated to the shared-digest rule and a DELETE would have named the tag.
  const std::string body = R"({"schemaVersion":2,"config":{"digest":"sha256:c","size":10},"layers":[]})";
  const std::string digest = "sha256:946d9d1bdd720282db3842fda5bc11903043d49f7814e2020a889410e2e2813f";
  ScriptedHttp http;
  http.answers.push_back(answer(200, body));
  http.answers.push_back(answer(200, ""));    // HEAD without the header...
  http.answers.push_back(answer(200, body));  // ...is answered by the manifest's bytes
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  const auto m = registry.manifest("web", "t1");
  REQUIRE(m);
  CHECK(m->digest == digest);
  CHECK(registry.manifest_digest("web", "t1") == digest);
  CHECK(http.requests[2].method == "GET");
}

TEST_CASE("a digest the registry names that is no digest is a remote error, never a path to request") {
  const std::string body = R"({"schemaVersion":2,"config":{"digest":"sha256:c","size":10},"layers":[]})";
  const std::string evil = "sha256:ab/../../../other/manifests/sha256:cd";
  ScriptedHttp http;
  http.answers.push_back(answer(200, body, {{"docker-content-digest", evil}}));
  http.answers.push_back(answer(200, "", {{"docker-content-digest", evil}}));
  http.answers.push_back(answer(200, R"({"schemaVersion":2,"config":{"digest":"sha256:c/../x","size":1}})",
                                {{"docker-content-digest", "sha256:m"}}));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK_THROWS_WITH_AS(registry.manifest("web", "t1"),
                       ("reading manifest web:t1 at http://r:5000: the registry's Docker-Content-Digest '" + evil +
                        "' is not a digest")
                           .c_str(),
                       mctl::Error);
  try {
    registry.manifest_digest("web", "t1");
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
  }
  CHECK_THROWS_WITH_AS(registry.manifest("web", "t2"), doctest::Contains("'sha256:c/../x' is not a digest"),
                       mctl::Error);
}

TEST_CASE("names the registry lists that Docker could not write are left alone; a tag listed twice counts once") {
  ScriptedHttp http;
  http.answers.push_back(answer(200, R"({"repositories":["web","a/../b","Up","team/api"]})"));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["t1","t1","-x","a/b",")" "\\" R"(u001b[2J",""]})",
                                {{"link", R"(</v2/web/tags/list?last=t1&n=6>; rel="next")"}}));
  http.answers.push_back(answer(200, R"({"name":"web","tags":["t1","t2"]})"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK(registry.repositories() == std::vector<std::string>{"web", "team/api"});
  CHECK(registry.tags("web") == std::vector<std::string>{"t1", "t2"});
}

TEST_CASE("a registry's HTML error page is quoted on the one error line") {
  ScriptedHttp http;
  http.answers.push_back(answer(503, "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
                                     "<body>\r\n<center><h1>503</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  try {
    registry.repositories();
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::remote);
    CHECK(std::string(e.what()) ==
          "listing the registry's repositories at http://r:5000: registry answered HTTP 503: <html> <head><title>503 "
          "Service Temporarily Unavailable</title></head> <body> <center><h1>503</h1></center> <hr><center>nginx</center> "
          "</body> </html>");
  }
}

TEST_CASE("a refused delete explains that deletion may be disabled") {
  ScriptedHttp http;
  http.answers.push_back(answer(405, R"({"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]})"));
  RegistryClient registry(http, "http://r:5000", std::nullopt);
  CHECK_THROWS_WITH_AS(registry.delete_manifest("web", "sha256:m"),
                       "deleting web@sha256:m at http://r:5000: registry answered HTTP 405: The operation is "
                       "unsupported. (is deletion enabled in the registry: storage.delete.enabled?)",
                       mctl::Error);
}

TEST_CASE("loopback registries use http, others https") {
  CHECK(registry_base_url("127.0.0.1:5000") == "http://127.0.0.1:5000");
  CHECK(registry_base_url("localhost:5000") == "http://localhost:5000");
  CHECK(registry_base_url("registry.example.com") == "https://registry.example.com");
  CHECK(registry_base_url("http://registry.lan:5000/") == "http://registry.lan:5000");
}

TEST_CASE("challenges parse into scheme and parameters") {
  auto c = parse_challenge(R"(Bearer realm="https://a/token",service="reg",scope="repository:x:pull,push")");
  CHECK(c[""] == "bearer");
  CHECK(c["realm"] == "https://a/token");
  CHECK(c["scope"] == "repository:x:pull,push");
}

TEST_CASE("docker config.json auths give credentials for the matching host only") {
  const std::string text = R"({"auths":{"https://reg.example.com:5000/":{"auth":")" + base64_encode("ci:pa:ss") +
                           R"("},"other:5000":{"username":"u","password":"p"}}})";
  auto c = docker_config_credentials(text, "reg.example.com:5000", "config.json");
  REQUIRE(c);
  CHECK(c->user == "ci");
  CHECK(c->password == "pa:ss");
  CHECK(c->source == "config.json auths.https://reg.example.com:5000/");
  CHECK(docker_config_credentials(text, "other:5000", "config.json")->user == "u");
  CHECK_FALSE(docker_config_credentials(text, "third:5000", "config.json"));
  CHECK_THROWS_WITH_AS(docker_config_credentials(R"({"auths":{"x:1":{"auth":"!!"}}})", "x:1", "/h/config.json"),
                       "/h/config.json: auths.x:1.auth is not base64 of user:password", mctl::Error);
}

TEST_CASE("base64 round-trips every padding length") {
  for (const std::string s : {"", "a", "ab", "abc", "abcd", "user:password"}) CHECK(base64_decode(base64_encode(s)) == s);
  CHECK(base64_encode("ci:s3cret") == "Y2k6czNjcmV0");
}
