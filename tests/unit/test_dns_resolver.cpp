#include <doctest/doctest.h>

#include "core/error.hpp"
#include "dns/resolver.hpp"

using namespace mctl::dns;

TEST_CASE("a server is host[:port] with port 53 by default") {
  CHECK(parse_server("10.10.0.11").host == "10.10.0.11");
  CHECK(parse_server("10.10.0.11").port == 53);
  CHECK(parse_server("127.0.0.1:8600").port == 8600);
  CHECK(parse_server("mesos-dns.internal:8053").host == "mesos-dns.internal");
  CHECK(parse_server("[::1]:8600").host == "::1");
  CHECK(parse_server("[::1]:8600").port == 8600);
  CHECK(parse_server("::1").host == "::1");  // a bare IPv6 address has no port
  CHECK(parse_server("::1").port == 53);
}

TEST_CASE("a bad server is a usage error that names it") {
  CHECK_THROWS_WITH_AS(parse_server("127.0.0.1:99999"),
                       "DNS server '127.0.0.1:99999': port '99999' is not a number from 1 to 65535", mctl::Error);
  CHECK_THROWS_WITH_AS(parse_server("host:"), "DNS server 'host:': port '' is not a number from 1 to 65535", mctl::Error);
  CHECK_THROWS_WITH_AS(parse_server("http://10.0.0.1:8123"),
                       "DNS server 'http://10.0.0.1:8123' is a URL: give host[:port], or use --http for the HTTP API",
                       mctl::Error);
  CHECK_THROWS_AS(parse_server(":53"), mctl::Error);
}

TEST_CASE("records sort by address numerically, then port, then host, without duplicates") {
  std::vector<Record> records = {{"b", "10.10.1.23", 31128}, {"a", "9.0.1.5", 8080}, {"c", "10.10.1.21", 31512},
                                 {"c", "10.10.1.21", 31101}, {"c", "10.10.1.21", 31101}, {"x", "", 5}};
  sort_records(records);
  REQUIRE(records.size() == 5);
  CHECK(records[0].ip == "9.0.1.5");
  CHECK(records[1].port == 31101);
  CHECK(records[2].port == 31512);
  CHECK(records[3].ip == "10.10.1.23");
  CHECK(records[4].ip == "");  // no address: last
}

TEST_CASE("names are compared lower case without the trailing dot") {
  CHECK(normalize_name("FLASK-HELLO.Marathon.MESOS.") == "flask-hello.marathon.mesos");
  CHECK(normalize_name("leader.mesos") == "leader.mesos");
}

TEST_CASE("every status has the exit code of README's table, and the worst of many wins") {
  using mctl::Exit;
  CHECK(exit_code(Status::ok) == Exit::ok);
  CHECK(exit_code(Status::no_records) == Exit::no_records);
  CHECK(exit_code(Status::timeout) == Exit::timeout);
  CHECK(exit_code(Status::refused) == Exit::remote);
  CHECK(exit_code(Status::unreachable) == Exit::remote);
  CHECK(exit_code(Status::error) == Exit::remote);
  CHECK(exit_code(Status::invalid) == Exit::usage);
  CHECK(worse(Exit::ok, Exit::no_records) == Exit::no_records);
  CHECK(worse(Exit::no_records, Exit::remote) == Exit::remote);
  CHECK(worse(Exit::timeout, Exit::remote) == Exit::timeout);
  CHECK(worse(Exit::remote, Exit::timeout) == Exit::timeout);
  CHECK(worse(Exit::timeout, Exit::usage) == Exit::usage);
}

TEST_CASE("the deadline becomes c-ares tries: three growing UDP tries, one TCP try of all of it") {
  const auto udp = ares_timing(std::chrono::milliseconds(7000), false);
  CHECK(udp.timeout_ms == 1000);
  CHECK(udp.tries == 3);  // 1 + 2 + 4 = 7 seconds
  const auto tcp = ares_timing(std::chrono::milliseconds(10000), true);
  CHECK(tcp.timeout_ms == 10000);  // c-ares never re-sends on a used TCP connection
  CHECK(tcp.tries == 1);
  CHECK(ares_timing(std::chrono::milliseconds(3), false).timeout_ms >= 1);
}
