// Device paths and names are ASCII: the W calls widen and narrow them one
// character at a time (anything else is not a device path of ours).
#pragma once

#include <hilcap/ks.h>

#include <string>

namespace hilcap::machine {

inline std::wstring widen(const std::string& text) {
  return {text.begin(), text.end()};
}

// Characters outside ASCII become '?', so they match no path.
inline std::string narrow(const WCHAR* text) {
  std::string out;
  for (; *text != L'\0'; ++text)
    out.push_back(*text >= 0 && *text < 0x80 ? static_cast<char>(*text) : '?');
  return out;
}

}  // namespace hilcap::machine
