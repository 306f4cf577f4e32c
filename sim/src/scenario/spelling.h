// "Did you mean" for names typed by hand (scenario properties, figure paths).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

// The candidate closest to `name` by edit distance, if within `max_distance`
// edits (ties go to the first candidate).
std::optional<std::string> nearest_name(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        std::size_t max_distance = 2);

}  // namespace hilcap::sim
