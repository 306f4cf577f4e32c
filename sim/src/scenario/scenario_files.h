// How the loader reads the files a scenario names (a replay recording): from
// disk for real runs, from memory in tests and the fuzzer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace hilcap::sim {

// The text of `path`; nullopt with `error` set (a reason, no file name) when
// it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::filesystem::path& path,
                                                            std::string& error)>;

// Files named by a scenario are at most this big (a recording of a million frames).
inline constexpr std::size_t kMaxNamedFileBytes = 64u << 20;

// Reads regular files only (not devices or pipes), up to kMaxNamedFileBytes.
FileReader disk_file_reader();

}  // namespace hilcap::sim
