// The tar writer read back by the readers that matter: Python's tarfile (every header field)
// and GNU tar (extraction: contents, modes, links). Docker itself reads it in
// tests/integration/test_image_engine.sh.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "images/build_context.hpp"
#include "images/tar.hpp"
#include "temp_dir.hpp"

using namespace mctl::images;
namespace fs = std::filesystem;
using Type = TarEntry::Type;

namespace {

using mctl::test::TempDir;

// One line per member as Python's tarfile reads it: name|type|mode|size|mtime|linkname|data.
constexpr const char* k_list_script = R"(
import sys, tarfile
with tarfile.open(sys.argv[1], sys.argv[2]) as t:
    for m in t:
        data = t.extractfile(m).read().decode() if m.isreg() and sys.argv[2] == 'r:' else ''
        print(m.name, m.type.decode(), oct(m.mode), m.size, int(m.mtime), m.linkname, data, sep='|')
        if sys.argv[2] == 'r|': break
)";

std::string python_list(const std::string& stream, const char* mode = "r:") {
  TempDir dir;
  mctl::core::write_file_atomic(dir.path / "t.tar", stream, 0600);
  const auto r = mctl::core::run_process(
      {"python3", "-c", k_list_script, (dir.path / "t.tar").string(), mode});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

const std::string k_long_dir = std::string(120, 'd');     // prefix/name split: fits ustar
const std::string k_very_long = std::string(200, 'v');    // one component > 100: needs pax path
const std::string k_long_target = std::string(150, 't');  // link target > 100: needs pax linkpath

std::string sample_stream() {
  TarWriter tar;
  tar.add({.path = "bin/", .type = Type::directory, .mode = 0755, .mtime = 1700000000});
  tar.add({.path = "bin/run.sh", .mode = 0755, .mtime = 1700000001}, "#!/bin/sh\necho hi\n");
  tar.add({.path = "empty", .mode = 0600, .mtime = 1700000002});
  tar.add({.path = "link",
           .type = Type::symlink,
           .mode = 0777,
           .mtime = 1700000003,
           .link = "bin/run.sh"});
  tar.add({.path = k_long_dir + "/file.txt", .mode = 0644, .mtime = 1700000004}, "split\n");
  tar.add({.path = "x/" + k_very_long, .mode = 0640, .mtime = 1700000005}, "pax path\n");
  tar.add({.path = "far",
           .type = Type::symlink,
           .mode = 0777,
           .mtime = 1700000006,
           .link = k_long_target});
  tar.add({.path = "old", .mode = 0644, .mtime = -86400}, "before 1970\n");
  return std::move(tar).finish();
}

}  // namespace

TEST_CASE("Python's tarfile reads every field the writer puts in") {
  const std::string stream = sample_stream();
  CHECK(stream.size() % 512 == 0);
  CHECK(stream.substr(stream.size() - 1024) == std::string(1024, '\0'));
  CHECK(python_list(stream) ==
        "bin|5|0o755|0|1700000000||\n"
        "bin/run.sh|0|0o755|18|1700000001||#!/bin/sh\necho hi\n\n"
        "empty|0|0o600|0|1700000002||\n"
        "link|2|0o777|0|1700000003|bin/run.sh|\n" +
            k_long_dir + "/file.txt|0|0o644|6|1700000004||split\n\n" + "x/" + k_very_long +
            "|0|0o640|9|1700000005||pax path\n\n" + "far|2|0o777|0|1700000006|" + k_long_target +
            "|\n" + "old|0|0o644|12|-86400||before 1970\n\n");
}

TEST_CASE("GNU tar extracts the stream: contents, modes, symlinks, long names") {
  TempDir dir;
  mctl::core::write_file_atomic(dir.path / "t.tar", sample_stream(), 0600);
  fs::create_directory(dir.path / "out");
  const auto r = mctl::core::run_process({"tar", "-xf", (dir.path / "t.tar").string(), "-C",
                                          (dir.path / "out").string(), "--no-same-owner"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path out = dir.path / "out";
  CHECK(mctl::core::read_file(out / "bin/run.sh") == "#!/bin/sh\necho hi\n");
  CHECK((fs::status(out / "bin/run.sh").permissions() & fs::perms::all) ==
        static_cast<fs::perms>(0755));
  CHECK(fs::file_size(out / "empty") == 0);
  CHECK(fs::read_symlink(out / "link") == "bin/run.sh");
  CHECK(mctl::core::read_file(out / "link") == "#!/bin/sh\necho hi\n");
  CHECK(mctl::core::read_file(out / k_long_dir / "file.txt") == "split\n");
  CHECK(mctl::core::read_file(out / "x" / k_very_long) == "pax path\n");
  CHECK(fs::read_symlink(out / "far") == k_long_target);
}

TEST_CASE("sizes of 8 GiB and more go in a pax size record") {
  const std::uint64_t nine_gib = std::uint64_t{9} << 30;
  const std::string big =
      tar_header({.path = "disk.img", .mode = 0644, .mtime = 1700000000, .size = nine_gib});
  CHECK(big.size() == 3 * 512);  // pax header, its records, the ustar header
  CHECK(big.find("19 size=9663676416\n") != std::string::npos);
  // The stream reader needs only the header to report the size (no 9 GiB to write).
  CHECK(python_list(big, "r|") == "disk.img|0|0o644|9663676416|1700000000||\n");

  // The largest size ustar's 11 octal digits hold needs no pax header.
  const std::uint64_t ustar_max = (std::uint64_t{8} << 30) - 1;
  const std::string edge = tar_header({.path = "edge", .mode = 0644, .size = ustar_max});
  CHECK(edge.size() == 512);
  CHECK(edge.substr(124, 12) == std::string("77777777777\0", 12));
}

TEST_CASE("a path that fits ustar's prefix and name fields needs no pax header") {
  CHECK(tar_header({.path = std::string(100, 'n')}).size() == 512);
  CHECK(tar_header({.path = std::string(155, 'p') + "/" + std::string(100, 'n')}).size() == 512);
  CHECK(tar_header({.path = std::string(156, 'p') + "/n"}).size() == 3 * 512);
  CHECK(tar_header({.path = std::string(101, 'n')}).size() == 3 * 512);
}

TEST_CASE("the build context of a directory keeps modes, empty files, symlinks and long paths") {
  TempDir ctx;
  const auto write = [&](const std::string& rel, const std::string& text, fs::perms mode) {
    fs::create_directories((ctx.path / rel).parent_path());
    mctl::core::write_file_atomic(ctx.path / rel, text, 0644);
    fs::permissions(ctx.path / rel, mode);
  };
  write("Dockerfile", "FROM scratch\n", fs::perms::owner_read | fs::perms::owner_write);
  write("app/run.sh", "#!/bin/sh\n", static_cast<fs::perms>(0750));
  write("app/empty", "", static_cast<fs::perms>(0644));
  write("deep/" + k_very_long + "/f", "deep\n", static_cast<fs::perms>(0644));
  fs::create_directory_symlink("app", ctx.path / "app-link");
  fs::create_symlink("missing/target", ctx.path / "dangling");

  CHECK(python_list(build_context_tar(ctx.path, "Dockerfile")).find("app-link|2|0o777|0|") !=
        std::string::npos);
  TempDir out;
  mctl::core::write_file_atomic(out.path / "ctx.tar", build_context_tar(ctx.path, "Dockerfile"),
                                0600);
  const auto r = mctl::core::run_process(
      {"tar", "-xf", (out.path / "ctx.tar").string(), "-C", out.path.string(), "--no-same-owner"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(mctl::core::read_file(out.path / "Dockerfile") == "FROM scratch\n");
  CHECK((fs::status(out.path / "Dockerfile").permissions() & fs::perms::all) ==
        static_cast<fs::perms>(0600));
  CHECK((fs::status(out.path / "app/run.sh").permissions() & fs::perms::all) ==
        static_cast<fs::perms>(0750));
  CHECK(fs::file_size(out.path / "app/empty") == 0);
  CHECK(mctl::core::read_file(out.path / "deep" / k_very_long / "f") == "deep\n");
  CHECK(fs::read_symlink(out.path / "app-link") == "app");
  CHECK(fs::read_symlink(out.path / "dangling") == "missing/target");
}

TEST_CASE("a socket in the context is refused, naming it (tar has no type for sockets)") {
  TempDir ctx;
  mctl::core::write_file_atomic(ctx.path / "Dockerfile", "FROM scratch\n", 0644);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock = (ctx.path / "app.sock").string();
  REQUIRE(sock.size() < sizeof(addr.sun_path));
  sock.copy(addr.sun_path, sock.size());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  CHECK_THROWS_WITH_AS(
      build_context_tar(ctx.path, "Dockerfile"),
      ("building the image context: " + sock + " is a socket, which tar cannot hold").c_str(),
      mctl::Error);
  ::close(fd);
}
