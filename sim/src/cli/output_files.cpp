#include "cli/output_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hilcap::sim {

std::optional<std::string> output_path_problem(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return "it is a directory";
    // As the process that will write it (the effective IDs): root passes
    // here as it would when writing, except on a read-only file system.
    if (::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0) return std::strerror(errno);
    return std::nullopt;
  }
  if (errno == ENOTDIR) {
    // Name the file that stands where a directory should be, as a person
    // would look for it: the first part of the path that is not a directory.
    std::filesystem::path prefix;
    for (const std::filesystem::path& part : path.parent_path()) {
      prefix /= part;
      if (::stat(prefix.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
        return fmt::format("{} is not a directory", prefix.string());
      }
    }
  }
  if (errno != ENOENT) return std::strerror(errno);  // a loop, a name too long...
  const std::filesystem::path parent = path.parent_path();
  const std::filesystem::path directory = parent.empty() ? "." : parent;
  if (::stat(directory.c_str(), &st) != 0) {
    if (errno == ENOENT) return fmt::format("the directory {} does not exist", directory.string());
    return fmt::format("{}: {}", directory.string(), std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return fmt::format("{} is not a directory", directory.string());
  if (::faccessat(AT_FDCWD, directory.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return fmt::format("no file can be created in the directory {}: {}", directory.string(),
                       std::strerror(errno));
  }
  return std::nullopt;
}

std::vector<std::string> check_output_files(const std::vector<OutputFile>& files) {
  std::vector<std::string> problems;
  for (const OutputFile& file : files) {
    if (file.path.empty()) continue;
    if (const auto problem = output_path_problem(file.path)) {
      problems.push_back(
          fmt::format("{} {}: cannot write there: {}", file.flag, file.path.string(), *problem));
    }
  }
  return problems;
}

std::optional<std::string> write_output_file(const std::filesystem::path& path,
                                             std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return std::strerror(errno);
  std::optional<std::string> problem;
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      problem = written < 0 ? std::strerror(errno) : "nothing could be written";
      break;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::close(fd) != 0 && !problem && errno != EINTR) problem = std::strerror(errno);
  return problem;
}

}  // namespace hilcap::sim
