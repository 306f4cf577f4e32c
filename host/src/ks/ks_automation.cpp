#include "ks_automation.h"

namespace hilcap::ks {

bool same_guid(const GUID& a, const GUID& b) {
  return std::memcmp(&a, &b, sizeof(GUID)) == 0;
}

std::optional<IoOutcome> read_identifier(const IoctlCall& call, KSIDENTIFIER& id) {
  if ((call.input == nullptr && call.input_size != 0) ||
      (call.output == nullptr && call.output_size != 0)) {
    return IoOutcome{kKsPolicy.null_buffer_status, 0};
  }
  if (call.input_size < sizeof(KSIDENTIFIER)) return IoOutcome{kKsPolicy.short_input_status, 0};
  std::memcpy(&id, call.input, sizeof(KSIDENTIFIER));
  return std::nullopt;
}

std::optional<IoOutcome> check_output(const IoctlCall& call, ULONG size,
                                      NTSTATUS size_query_status) {
  if (size == 0) return std::nullopt;
  if (call.output_size == 0) return IoOutcome{size_query_status, size};
  if (call.output_size < size) return IoOutcome{kKsPolicy.short_output_status, 0};
  return std::nullopt;
}

IoOutcome reply(const IoctlCall& call, const void* data, ULONG size) {
  if (auto refused = check_output(call, size)) return *refused;
  std::memcpy(call.output, data, size);
  return {STATUS_SUCCESS, size};
}

}  // namespace hilcap::ks
