// Table-driven IOCTL_KS_METHOD / IOCTL_KS_PROPERTY dispatch (reference §4):
// an object lists its sets and items (MinData, type flags, handlers) the way a
// KS automation table does, and every object answers support queries, unknown
// sets and ids, size queries, short buffers and short input the same way.
#pragma once

#include <cstring>
#include <optional>
#include <span>

#include "../ks_policy.h"
#include "io_completion.h"

namespace hilcap::ks {

template <class Object>
using KsHandler = IoOutcome (Object::*)(const IoctlCall&);

template <class Object>
struct KsMethodItem {
  ULONG id;
  ULONG flags;       // the item's KSMETHOD_TYPE_*
  ULONG min_method;  // input bytes
  ULONG min_data;    // output bytes
  KsHandler<Object> handler;
};

template <class Object>
struct KsPropertyItem {
  ULONG id;
  ULONG min_property;
  ULONG min_data;
  KsHandler<Object> get;  // nullptr: no GET
  KsHandler<Object> set;  // nullptr: no SET
};

template <class Item>
struct KsItemSet {
  const GUID* set;
  std::span<const Item> items;
};

template <class Object>
struct KsAutomationTable {
  std::span<const KsItemSet<KsMethodItem<Object>>> methods;
  std::span<const KsItemSet<KsPropertyItem<Object>>> properties;
};

// --- helpers shared by every table (inline: every request runs them) ---

inline bool same_guid(const GUID& a, const GUID& b) {
  return std::memcmp(&a, &b, sizeof(GUID)) == 0;
}

// Copies the request's KSIDENTIFIER, or says why the input is unusable.
inline std::optional<IoOutcome> read_identifier(const IoctlCall& call, KSIDENTIFIER& id) {
  if ((call.input == nullptr && call.input_size != 0) ||
      (call.output == nullptr && call.output_size != 0)) {
    return IoOutcome{kKsPolicy.null_buffer_status, 0};
  }
  if (call.input_size < sizeof(KSIDENTIFIER)) return IoOutcome{kKsPolicy.short_input_status, 0};
  std::memcpy(&id, call.input, sizeof(KSIDENTIFIER));
  return std::nullopt;
}

// The size conventions of §4.4 for a reply of `size` bytes: a zero-length
// output is a size query, a shorter one is too small; nullopt when it fits.
inline std::optional<IoOutcome> check_output(
    const IoctlCall& call, ULONG size, NTSTATUS size_query_status = kKsPolicy.size_query_status) {
  if (size == 0) return std::nullopt;
  if (call.output_size == 0) return IoOutcome{size_query_status, size};
  if (call.output_size < size) return IoOutcome{kKsPolicy.short_output_status, 0};
  return std::nullopt;
}

// Copies `size` bytes of `data` to the output, if it passes check_output.
IoOutcome reply(const IoctlCall& call, const void* data, ULONG size);

template <class Item>
IoOutcome reply_set_list(const IoctlCall& call, std::span<const KsItemSet<Item>> sets) {
  const auto size = static_cast<ULONG>(sets.size() * sizeof(GUID));
  if (auto refused = check_output(call, size, kKsPolicy.set_list_size_query_status)) {
    return *refused;
  }
  auto* out = static_cast<unsigned char*>(call.output);
  for (const KsItemSet<Item>& set : sets) {
    std::memcpy(out, set.set, sizeof(GUID));
    out += sizeof(GUID);
  }
  return {STATUS_SUCCESS, size};
}

// Resolves the set and item of `id`, or the status for an unknown one.
template <class Item>
const Item* find_item(std::span<const KsItemSet<Item>> sets, const KSIDENTIFIER& id,
                      IoOutcome& failure) {
  for (const KsItemSet<Item>& set : sets) {
    if (!same_guid(*set.set, id.Set)) continue;
    for (const Item& item : set.items) {
      if (item.id == id.Id) return &item;
    }
    failure = {kKsPolicy.unknown_id_status, 0};
    return nullptr;
  }
  failure = {STATUS_PROPSET_NOT_FOUND, 0};
  return nullptr;
}

// SETSUPPORT: the list of sets for GUID_NULL, else whether the set exists.
template <class Item>
IoOutcome reply_set_support(const IoctlCall& call, std::span<const KsItemSet<Item>> sets,
                            const KSIDENTIFIER& id) {
  if (same_guid(id.Set, GUID_NULL)) return reply_set_list(call, sets);
  for (const KsItemSet<Item>& set : sets) {
    if (same_guid(*set.set, id.Set)) return {STATUS_SUCCESS, 0};
  }
  return {STATUS_PROPSET_NOT_FOUND, 0};
}

template <class Object>
IoOutcome dispatch_method(Object& object, const KsAutomationTable<Object>& table,
                          const KSIDENTIFIER& id, const IoctlCall& call) {
  if (id.Flags & KSMETHOD_TYPE_SETSUPPORT) return reply_set_support(call, table.methods, id);
  IoOutcome failure;
  const KsMethodItem<Object>* item = find_item(table.methods, id, failure);
  if (item == nullptr) return failure;
  if (call.input_size < item->min_method) return {kKsPolicy.below_min_input_status, 0};
  if (id.Flags & KSMETHOD_TYPE_BASICSUPPORT) {
    if (kKsPolicy.method_basic_support == MethodBasicSupport::kSupportedOnly) {
      return {STATUS_SUCCESS, 0};
    }
    const ULONG flags = item->flags;
    return reply(call, &flags, sizeof(flags));
  }
  if (kKsPolicy.method_flags_must_match_item &&
      (id.Flags & KSMETHOD_TYPE_MODIFY) != (item->flags & KSMETHOD_TYPE_MODIFY)) {
    return {kKsPolicy.method_flags_mismatch_status, 0};
  }
  if (auto refused = check_output(call, item->min_data)) return *refused;
  return (object.*(item->handler))(call);
}

template <class Object>
IoOutcome dispatch_property(Object& object, const KsAutomationTable<Object>& table,
                            const KSIDENTIFIER& id, const IoctlCall& call) {
  if (id.Flags & KSPROPERTY_TYPE_SETSUPPORT) return reply_set_support(call, table.properties, id);
  IoOutcome failure;
  const KsPropertyItem<Object>* item = find_item(table.properties, id, failure);
  if (item == nullptr) return failure;
  if (call.input_size < item->min_property) return {kKsPolicy.below_min_input_status, 0};
  if (id.Flags & KSPROPERTY_TYPE_BASICSUPPORT) {
    const ULONG access =
        (item->get ? KSPROPERTY_TYPE_GET : 0) | (item->set ? KSPROPERTY_TYPE_SET : 0);
    return reply(call, &access, sizeof(access));
  }
  KsHandler<Object> handler;
  switch (id.Flags & (KSPROPERTY_TYPE_GET | KSPROPERTY_TYPE_SET)) {
    case KSPROPERTY_TYPE_GET:
      handler = item->get;
      break;
    case KSPROPERTY_TYPE_SET:
      handler = item->set;
      break;
    default:
      return {kKsPolicy.property_operation_missing_status, 0};
  }
  if (handler == nullptr) return {kKsPolicy.unsupported_property_operation_status, 0};
  if (auto refused = check_output(call, item->min_data)) return *refused;
  return (object.*handler)(call);
}

template <class Object>
IoOutcome dispatch_ks_ioctl(Object& object, const KsAutomationTable<Object>& table,
                            const IoctlCall& call) {
  if (call.code != IOCTL_KS_METHOD && call.code != IOCTL_KS_PROPERTY) {
    return {STATUS_INVALID_DEVICE_REQUEST, 0};
  }
  KSIDENTIFIER id;
  if (auto refused = read_identifier(call, id)) return *refused;
  return call.code == IOCTL_KS_METHOD ? dispatch_method(object, table, id, call)
                                      : dispatch_property(object, table, id, call);
}

}  // namespace hilcap::ks
