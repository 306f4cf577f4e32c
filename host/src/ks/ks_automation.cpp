#include "ks_automation.h"

namespace hilcap::ks {

IoOutcome reply(const IoctlCall& call, const void* data, ULONG size) {
  if (auto refused = check_output(call, size)) return *refused;
  std::memcpy(call.output, data, size);
  return {STATUS_SUCCESS, size};
}

}  // namespace hilcap::ks
