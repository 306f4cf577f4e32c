// Where the real-data fixtures are (meson passes HILCAP_REALDATA) and a byte
// reader for them. Tests skip, saying why, when the folder is absent.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace hilcap::uvc::testing {

// The real-data folder, or nothing when it is not configured or not there.
inline std::optional<std::filesystem::path> realdata_dir() {
  const char* dir = std::getenv("HILCAP_REALDATA");
  if (dir == nullptr || !std::filesystem::is_directory(dir)) return std::nullopt;
  return std::filesystem::path(dir);
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace hilcap::uvc::testing

// Skips the current test when the real data is absent.
#define HILCAP_REQUIRE_REALDATA(var)                                                 \
  const auto var##_opt = ::hilcap::uvc::testing::realdata_dir();                     \
  if (!var##_opt)                                                                    \
    GTEST_SKIP() << "real data not found: HILCAP_REALDATA unset or not a directory " \
                    "(meson option 'realdata')";                                     \
  const std::filesystem::path var = *var##_opt
