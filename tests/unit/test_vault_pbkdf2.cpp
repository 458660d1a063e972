#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "vault/ansible.hpp"
#include "vault/pbkdf2.hpp"

using mctl::vault::pbkdf2_hmac_sha256;

namespace {

std::vector<unsigned char> openssl_pbkdf2(const std::string& password, const std::string& salt, int iterations,
                                          std::size_t len) {
  std::vector<unsigned char> out(len);
  REQUIRE(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                            reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                            iterations, EVP_sha256(), static_cast<int>(len), out.data()) == 1);
  return out;
}

std::vector<unsigned char> ours(const std::string& password, const std::string& salt, unsigned iterations,
                                std::size_t len) {
  std::vector<unsigned char> out(len);
  pbkdf2_hmac_sha256(password, salt, iterations, out.data(), out.size());
  return out;
}

}  // namespace

TEST_CASE("pbkdf2_hmac_sha256 matches RFC 7914's test vector") {
  const auto got = ours("passwd", "salt", 1, 64);
  CHECK(mctl::vault::ansible::to_hex(std::string(got.begin(), got.end())) ==
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

TEST_CASE("pbkdf2_hmac_sha256 gives OpenSSL's bytes for every key and output shape Ansible can meet") {
  const std::string long_password(200, 'p');  // longer than a SHA-256 block: the key is hashed first
  for (const std::string& password : {std::string(), std::string("s3cret"), std::string(64, 'k'), long_password,
                                      std::string("p\xc3\xa4ss\0word", 10)}) {
    for (std::size_t len : {std::size_t{1}, std::size_t{32}, std::size_t{33}, std::size_t{80}}) {
      CAPTURE(password.size());
      CAPTURE(len);
      CHECK(ours(password, std::string(32, '\x5a'), 10000, len) ==
            openssl_pbkdf2(password, std::string(32, '\x5a'), 10000, len));
    }
  }
  CHECK(ours("pw", "", 3, 80) == openssl_pbkdf2("pw", "", 3, 80));
}
