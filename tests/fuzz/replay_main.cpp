// Stands in for libFuzzer when the fuzz targets are built without it: runs
// every input named on the command line (files, or folders searched
// recursively) through LLVMFuzzerTestOneInput once, so the targets always
// build and the seeds and regression inputs keep passing.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz_target.h"

namespace {

void run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                        std::istreambuf_iterator<char>()};
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
        if (entry.is_regular_file()) {
          run_file(entry.path());
          ++inputs;
        }
    } else if (std::filesystem::is_regular_file(arg)) {
      run_file(arg);
      ++inputs;
    } else {
      std::fprintf(stderr, "no such input: %s\n", argv[i]);
      return 1;
    }
  }
  std::printf("replayed %zu input(s)\n", inputs);
  return inputs == 0 ? 1 : 0;  // running nothing is a failure, not a pass
}
