#include "cli/output_files.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace hilcap::sim {

std::optional<std::string> output_path_problem(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status)) {
    if (std::filesystem::is_directory(status)) return "it is a directory";
    if (::access(path.c_str(), W_OK) != 0) return std::string(std::strerror(errno));
    return std::nullopt;
  }
  const std::filesystem::path parent =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(parent, ec)) {
    return fmt::format("the directory {} does not exist", parent.string());
  }
  if (::access(parent.c_str(), W_OK | X_OK) != 0) return std::string(std::strerror(errno));
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
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                            &std::fclose);
  if (!file) return std::string(std::strerror(errno));
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fflush(file.get()) != 0) {
    return std::string(std::strerror(errno));
  }
  return std::nullopt;
}

}  // namespace hilcap::sim
