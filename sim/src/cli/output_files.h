// The files a command writes for the user (--report, --trace,
// --record-timing, ...): checked before anything runs, written after.
//
// What a user expects, and so what we do: a path that cannot be written is
// refused at once (exit status 2, naming the flag, the path and the reason),
// not after an hour's run; and a file named on the command line is not
// created or truncated before the run has started: a command refused for
// another reason (an invalid scenario, a camera not plugged in) leaves the
// previous report where it was. So the check looks, without writing: an
// existing path must be a file (or a device, a pipe) this process may write;
// a new one needs an existing directory it may create files in. The file
// itself is written when its contents are ready (the trace as the run goes);
// an error then (a full disk, /dev/full) is an output error too, said once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

struct OutputFile {
  std::string_view flag;  // "--report"
  std::filesystem::path path;
};

// Why `path` cannot be written ("the directory /x does not exist",
// "permission denied", "it is a directory"); nullopt when it can.
std::optional<std::string> output_path_problem(const std::filesystem::path& path);

// One message per output file of `files` (empty paths are skipped) that
// cannot be written: "--report /x/r.json: cannot write there: the directory
// /x does not exist".
std::vector<std::string> check_output_files(const std::vector<OutputFile>& files);

// Creates or truncates `path` and writes `text`; the reason when it could
// not ("No space left on device").
std::optional<std::string> write_output_file(const std::filesystem::path& path,
                                             std::string_view text);

}  // namespace hilcap::sim
