// The files a command writes for the user (--report, --html, ...): checked
// before anything runs, written after. A path that cannot be written is
// refused at once (exit status 2, naming the flag, the path and the
// reason), not after an hour's run; the check looks without writing, so a
// command refused for another reason leaves an existing file alone.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

struct OutputFile {
  std::string_view flag;  // "--html"
  std::filesystem::path path;
};

// Why `path` cannot be written ("the directory /x does not exist",
// "permission denied", "it is a directory"); nullopt when it can.
std::optional<std::string> output_path_problem(const std::filesystem::path& path);

// One message per output file of `files` (empty paths are skipped) that
// cannot be written: "--html /x/r.html: cannot write there: the directory
// /x does not exist".
std::vector<std::string> check_output_files(const std::vector<OutputFile>& files);

// Creates or truncates `path` and writes `text`; the reason when it could not.
std::optional<std::string> write_output_file(const std::filesystem::path& path,
                                             std::string_view text);

}  // namespace hilcap::sim
