#include "scenario/scenario_files.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace hilcap::sim {

FileReader disk_file_reader() {
  return [](const std::filesystem::path& path, std::string& error) -> std::optional<std::string> {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec) {
      error = ec.message();
      return std::nullopt;
    }
    if (!std::filesystem::is_regular_file(status)) {
      error = "not a regular file";
      return std::nullopt;
    }
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxNamedFileBytes) {
      error =
          fmt::format("{} bytes, more than the {} a scenario may name", size, kMaxNamedFileBytes);
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = std::strerror(errno);
      return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
  };
}

}  // namespace hilcap::sim
