#include <doctest/doctest.h>

#include "core/error.hpp"
#include "images/reference.hpp"
#include "images/tagging.hpp"

using namespace mctl::images;

TEST_CASE("a reference splits into registry, repository, tag and digest") {
  const auto r = parse_reference("registry.example.com:5000/team/web:abc123@sha256:ff");
  CHECK(r.registry == "registry.example.com:5000");
  CHECK(r.repository == "team/web");
  CHECK(r.tag == "abc123");
  CHECK(r.digest == "sha256:ff");
  CHECK(r.str() == "registry.example.com:5000/team/web:abc123@sha256:ff");
}

TEST_CASE("the first component is a registry only with a dot, a port or localhost") {
  CHECK(parse_reference("team/web:1").registry.empty());
  CHECK(parse_reference("localhost/web").registry == "localhost");
  CHECK(parse_reference("127.0.0.1:5000/web").registry == "127.0.0.1:5000");
}

TEST_CASE("Docker Hub spellings normalise to the short name") {
  CHECK(normalize_reference("docker.io/library/nginx:1.25") == "nginx:1.25");
  CHECK(normalize_reference("index.docker.io/team/web:1") == "team/web:1");
}

TEST_CASE("invalid references are usage errors naming the text") {
  CHECK_THROWS_WITH_AS(parse_reference("Web:1"),
                       "'Web:1' is not a valid image reference: the name may hold only lower-case letters and "
                       "digits, joined by '.', '_', '__', '-' or '/'",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(parse_reference("web:bad/tag:"), doctest::Contains("is not a valid tag"), mctl::Error);
  CHECK_THROWS_AS(parse_reference(""), mctl::Error);
}

TEST_CASE("names follow Docker's component grammar: no '.', '..', empty or separator-edged components") {
  for (const char* bad : {"x/../web:1", "web/./x", "web/.", "a//b", "-web", "web-", "web.", "_web", "a...b", "a___b",
                          "a.-b", "team/-x"}) {
    CAPTURE(std::string(bad));
    CHECK_THROWS_WITH_AS(parse_reference(bad), doctest::Contains("is not a valid image reference"), mctl::Error);
  }
  for (const char* good : {"a/b/c:1", "web__x", "web--x", "web.x_y-z", "a0/b1.c2"}) {
    CAPTURE(std::string(good));
    CHECK_NOTHROW(parse_reference(good));
  }
  CHECK(valid_repository(std::string(255, 'a')));
  CHECK_FALSE(valid_repository(std::string(256, 'a')));
}

TEST_CASE("a digest is algorithm:encoded and nothing a URL path could read otherwise") {
  CHECK(valid_digest("sha256:3c0373adcd8306e659e0f2654966d0ca6eca425a85a4c251524751dcc9bd9a4b"));
  CHECK(valid_digest("sha512+b64u:AbC-_="));
  for (const char* bad : {"sha256:../../other/manifests/sha256:ab", "sha256:", ":ab", "sha256", "sha256:a/b",
                          "sha256:ab?x=1", "sha256:ab%2f", "SHA256:ab", "sha256-:ab", "sha256:ab\n"}) {
    CAPTURE(std::string(bad));
    CHECK_FALSE(valid_digest(bad));
  }
  CHECK_THROWS_WITH_AS(parse_reference("web@sha256:../../x"), doctest::Contains("the digest must look like"),
                       mctl::Error);
}

TEST_CASE("glob_match handles stars, question marks and literal text") {
  CHECK(glob_match("*", "anything/at:all"));
  CHECK(glob_match("web:v1.*", "web:v1.2"));
  CHECK(glob_match("w?b", "web"));
  CHECK(glob_match("*/base:*", "reg/base:1"));
  CHECK_FALSE(glob_match("web", "web2"));
  CHECK_FALSE(glob_match("w?b", "weeb"));
}

TEST_CASE("registry_host accepts URLs") {
  CHECK(registry_host("https://registry.example.com:5000/") == "registry.example.com:5000");
  CHECK(registry_host("127.0.0.1:5000") == "127.0.0.1:5000");
}

TEST_CASE("tag length is a number from 7 to 40 or 'full'") {
  CHECK(parse_tag_length("12") == 12);
  CHECK(parse_tag_length("full") == 40);
  CHECK_THROWS_WITH_AS(parse_tag_length("5"), "images.tag_length '5': expected a number from 7 to 40, or 'full'",
                       mctl::Error);
  CHECK_THROWS_AS(parse_tag_length("12x"), mctl::Error);
}

TEST_CASE("a dirty tree gets -dirty, or an error under --strict") {
  mctl::core::GitInfo info{"0123456789abcdef0123456789abcdef01234567", "main", false};
  CHECK(commit_tag(info, 12, true, "/repo") == "0123456789ab");
  info.dirty = true;
  CHECK(commit_tag(info, 12, false, "/repo") == "0123456789ab-dirty");
  CHECK(commit_tag(info, 40, false, "/repo") == "0123456789abcdef0123456789abcdef01234567-dirty");
  try {
    commit_tag(info, 12, true, "/repo");
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    CHECK(std::string(e.what()).find("/repo has uncommitted changes") != std::string::npos);
  }
}

TEST_CASE("a tree whose dirtiness is unknown (no git program) gets the plain tag, or an error under --strict") {
  mctl::core::GitInfo info{"0123456789abcdef0123456789abcdef01234567", "main", false, false};
  CHECK(commit_tag(info, 12, false, "/repo") == "0123456789ab");
  try {
    commit_tag(info, 12, true, "/repo");
    FAIL("expected an error");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    CHECK(std::string(e.what()).find("cannot tell whether the git work tree /repo has uncommitted changes") !=
          std::string::npos);
  }
}
