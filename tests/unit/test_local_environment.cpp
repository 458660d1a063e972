#include <doctest/doctest.h>

#include "local/environment.hpp"

using mctl::local::choose_environment;

TEST_CASE("local environment: -e and MCTL_ENV win over everything") {
  const std::vector<std::string> defined{"staging", "local", "dev"};
  CHECK(choose_environment("staging", "dev", defined, "staging").name == "staging");
  CHECK(choose_environment("staging", "dev", defined, "staging").why == "-e");
  CHECK(choose_environment(std::nullopt, "staging", defined, "prod").name == "staging");
  CHECK(choose_environment(std::nullopt, "staging", defined, "prod").why == "MCTL_ENV");
  CHECK(choose_environment("", "", defined, "staging").name == "local");  // empty = not given
}

TEST_CASE("local environment: local, then dev, before default_env") {
  CHECK(choose_environment({}, {}, {"prod", "dev", "local"}, "prod").name == "local");
  CHECK(choose_environment({}, {}, {"prod", "dev", "local"}, "prod").why == "named local");
  CHECK(choose_environment({}, {}, {"prod", "dev"}, "prod").name == "dev");
  CHECK(choose_environment({}, {}, {"prod", "development"}, "prod").name == "prod");
  CHECK(choose_environment({}, {}, {"prod", "development"}, "prod").why == "default_env");
}

TEST_CASE("local environment: the only one, else none") {
  CHECK(choose_environment({}, {}, {"staging"}, std::nullopt).name == "staging");
  CHECK(choose_environment({}, {}, {"staging"}, std::nullopt).why == "the only one");
  CHECK(choose_environment({}, {}, {"a", "b"}, std::nullopt).name.empty());
  CHECK(choose_environment({}, {}, {}, std::nullopt).name.empty());
}
