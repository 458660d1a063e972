// Replays fuzz corpora in the normal build (no clang, no libFuzzer): each argument is a file or
// a directory of files, and every file is fed once to the target's LLVMFuzzerTestOneInput.
// A target reports a broken invariant with __builtin_trap(), so a regression fails the ctest
// run that calls this; crash files committed under corpus/ stay covered on every build.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.hpp"

namespace {

std::vector<std::filesystem::path> inputs(const std::filesystem::path& arg) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(arg)) {
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  } else {
    files.push_back(arg);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& file : inputs(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        (void)std::fprintf(stderr, "cannot read %s\n", file.c_str());  // exits 1 either way
        return 1;
      }
      const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      ++count;
    }
  }
  if (count == 0) {
    // Exits 1 either way.
    (void)std::fprintf(stderr, "no corpus files given: nothing was replayed\n");
    return 1;
  }
  std::printf("replayed %zu inputs\n", count);
  return 0;
}
