// Sanitizer builds define HILCAP_CHECKED (top-level meson.build): the runner
// then checks its invariants after every event, not only at the end.
#pragma once

namespace hilcap::sim {

#ifdef HILCAP_CHECKED
inline constexpr bool kChecked = true;
#else
inline constexpr bool kChecked = false;
#endif

}  // namespace hilcap::sim
