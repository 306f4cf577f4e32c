// Every behaviour of the KS allocator and pin surface that Microsoft does not document,
// chosen once, here. Each field cites the row of
// shared/reference/ks-semantics.md that marks it UNCONFIRMED (or says it is a
// simulator-only choice). The allocator, the KS dispatcher and the tests all
// read kKsPolicy, so a choice can be flipped in one place once a real Windows
// trace is available.
#pragma once

#include <hilcap/ks.h>

#include <cstdint>

namespace hilcap {

enum class ServiceOrder { kOldestFirst, kNewestFirst };

enum class AllocatedFramesMeaning {
  kOutstanding,  // handed out and not yet freed: 0 <= AllocatedFrames <= Frames
  kPoolSize,     // frames materialised in the pool (always Frames here)
};

enum class MethodBasicSupport {
  kItemTypeFlags,  // a ULONG holding the item's KSMETHOD_TYPE_* flags (ReactOS)
  kSupportedOnly,  // success with no data: "the method is supported"
};

struct KsPolicy {
  // §3.6 "Which pending ALLOC is served first"; §9 q5; case 5.
  ServiceOrder pending_service_order;
  // §3.6 "Which free frame is handed out (LIFO/FIFO)"; §9 q5. Pool mode only:
  // capture mode always hands frames out in the order they were delivered.
  ServiceOrder ready_frame_order;
  // §3.4 AllocatedFrames; §9 q4; case 14.
  AllocatedFramesMeaning allocated_frames;

  // §3.1 "what the default allocator does when Frames = 0"; §9 q4.
  NTSTATUS zero_frames_status;
  // §3.5 KsValidateAllocatorCreateRequest (ReactOS-derived); §9 q11; case 16.
  NTSTATUS invalid_framing_status;
  ULONG allowed_options_flags;  // OPTIONF_* | REQUIREMENTF_{INPLACE..MUST_ALLOCATE}
  ULONG max_file_alignment;     // FileAlignment must be below PAGE_SIZE
  // Simulator choice (not in the reference): FileAlignment must be a mask
  // 2^k - 1, since it is documented as "alignment - 1".
  NTSTATUS non_mask_alignment_status;
  // §2.2 says Reserved "must be 0"; ReactOS does not check it.
  bool reject_nonzero_reserved;
  // Simulator resource limit (not Windows): the whole pool is pre-faulted.
  std::uint64_t max_pool_bytes;
  NTSTATUS pool_too_large_status;

  // §3.2 / §3.6 invalid FREE (double free, foreign pointer, p+1); §9 q6; case 17.
  NTSTATUS invalid_free_status;
  // §3.6 "Frames still outstanding when the allocator closes": any call on a
  // closed allocator, including the function table; §9 q6; case 8.
  NTSTATUS closed_handle_status;
  // §3.2 / §3.6 BytesReturned of a successful FREE; §9 q7.
  ULONG free_bytes_returned;
  // §3.3 AllocateFrame failure status when no frame is free; §9 q8; case 15.
  NTSTATUS allocate_frame_empty_status;
  // §3.3 / §4.6 FUNCTIONTABLE is kernel-only (DENY_USERMODE_ACCESS); case 15.
  bool deny_user_mode_function_table;
  NTSTATUS user_mode_denied_status;
  // §4.6 whether ALLOC/FREE are refused to user-mode requestors; §9 q9.
  bool deny_user_mode_alloc_free;

  // §1.4 whether KS checks request flags against the item type; §9 q2.
  bool method_flags_must_match_item;
  NTSTATUS method_flags_mismatch_status;
  // §4.4 input shorter than sizeof(KSIDENTIFIER), and shorter than MinMethod /
  // MinProperty (ReactOS codes); case 11.
  NTSTATUS short_input_status;
  NTSTATUS below_min_input_status;
  // §4.4 zero-length output (size query) and 0 < length < MinData; §9 q3;
  // cases 9, 10, 14.
  NTSTATUS size_query_status;
  NTSTATUS short_output_status;
  // §4.3 size query of the SETSUPPORT set list (ReactOS: STATUS_MORE_ENTRIES).
  NTSTATUS set_list_size_query_status;
  // §4.5 known set, unknown id; §9 q1; case 12.
  NTSTATUS unknown_id_status;
  // §4.5 GET on a set-only or SET on a get-only property; §9 q10; case 14.
  NTSTATUS unsupported_property_operation_status;
  // Simulator choice: a property request with neither or both of GET and SET.
  NTSTATUS property_operation_missing_status;
  // §4.3 BASICSUPPORT reply for a method (ReactOS returns the item flags); case 13.
  MethodBasicSupport method_basic_support;
  // Simulator choice: a NULL buffer with a non-zero length fails as the I/O
  // manager's probe would.
  NTSTATUS null_buffer_status;

  // §1.9 STATUS_DEVICE_REMOVED -> Win32 mapping (not in Wine's table).
  DWORD device_removed_error;

  // --- The capture pin (§6, §7) ---
  // §6.3 / §7.1 what the pin does with the frames the device hands back at
  // STOP. true: they go to clients with DataUsed 0, as the stream class
  // "completes every outstanding read, unfilled ones with DataUsed 0" (and
  // avshws's CleanupReferences); false: the pin keeps them and posts them
  // again on the next ACQUIRE.
  bool stop_delivers_unfilled_frames;
  // §7.2 (UNCONFIRMED for the allocator; avshws requires it for the clock):
  // KsCreateAllocator on a pin only in STOP, one open allocator per pin.
  NTSTATUS pin_allocator_state_status;
  // Simulator choice, the device's ring contract (firmware-model README): a
  // pin's framing needs Frames <= ring depth and FrameSize >= one frame.
  NTSTATUS pin_framing_status;
  // Simulator choice: an ALLOC that would pend on the allocator of a closed pin
  // (nothing will ever fill a frame) fails at once with this.
  NTSTATUS closed_pin_alloc_status;
  // §1.9 the device is gone (surprise removal): pin properties, pending and
  // later ALLOCs.
  NTSTATUS device_gone_status;
  // Simulator choice: KSPROPERTY_HILCAP_FRAME_HEADER for a pointer that is not
  // a frame the client holds.
  NTSTATUS unknown_frame_status;

  // --- The capture filter and IOCTL_KS_READ_STREAM (docs/ks-win32.md) ---
  // KsCreatePin / KSP_PIN with a PinId the filter has no pin type for
  // (ReactOS KsValidateConnectRequest and KsPinPropertyHandler).
  NTSTATUS unknown_pin_id_status;
  // KsCreatePin on a filter whose pin type has all its instances (avshws:
  // one possible) (ReactOS IKsFilter_DispatchCreatePin).
  NTSTATUS pin_instances_exhausted_status;
  // Simulator choice: KSPIN_CONNECT.PinToHandle set (a kernel-to-kernel
  // connection to another filter's pin) is not supported.
  NTSTATUS pin_to_handle_status;
  // The connect's format says FormatSize bytes, fewer than a
  // KS_DATAFORMAT_VIDEOINFOHEADER holds (KsCreatePin copies FormatSize bytes).
  NTSTATUS short_format_status;
  // Which streaming style a capture pin uses is fixed when it leaves
  // KSSTATE_STOP: the client's allocator (KsCreateAllocator on the pin) if it
  // made one, else IOCTL_KS_READ_STREAM into the client's buffers.
  // READ_STREAM on a pin in KSSTATE_STOP:
  NTSTATUS read_stream_stopped_status;
  // READ_STREAM on a pin that streams through the client's allocator:
  NTSTATUS read_stream_allocator_mode_status;
  // What ends the reads still pending when the pin enters KSSTATE_STOP (the
  // issue's choice; the stream class completes them with DataUsed 0 instead).
  NTSTATUS read_stream_stop_status;
  // A header list that does not walk (Size < sizeof(KSSTREAM_HEADER), not a
  // multiple of 8, or past the buffer), and a read header whose DataUsed is
  // not 0 (ReactOS KsProbeStreamIrp; the DDI page says DataUsed "must be set to
  // zero" for a read).
  NTSTATUS read_stream_bad_header_status;
  // The IOCTL_KS_READ_STREAM page puts the headers in the input buffer, while
  // KS reads them from the output buffer (KsProbeStreamIrp probes the output
  // buffer). true: an empty output buffer with headers in the input buffer is
  // read from there.
  bool read_stream_headers_in_input;
  // A frame whose data does not fit the header's FrameExtent: the header
  // completes with DataUsed 0 and the frame counts as dropped (avssamp).
  bool read_stream_short_buffer_drops;
  // Simulator choice: frames of the pin's own allocator for READ_STREAM
  // (the device's ring depth, at most this many).
  ULONG read_stream_max_frames;

  // --- Win32 ---
  // WaitForMultipleObjects with bWaitAll and the same handle twice
  // (NtWaitForMultipleObjects: STATUS_INVALID_PARAMETER_MIX); duplicates in a
  // wait for any are allowed.
  DWORD wait_all_duplicate_error;
};

inline constexpr KsPolicy kKsPolicy{
    .pending_service_order = ServiceOrder::kOldestFirst,
    .ready_frame_order = ServiceOrder::kOldestFirst,
    .allocated_frames = AllocatedFramesMeaning::kOutstanding,

    .zero_frames_status = STATUS_INVALID_PARAMETER,
    .invalid_framing_status = STATUS_INVALID_PARAMETER,
    .allowed_options_flags = KSALLOCATOR_OPTIONF_VALID | KSALLOCATOR_REQUIREMENTF_INPLACE_MODIFIER |
                             KSALLOCATOR_REQUIREMENTF_SYSTEM_MEMORY |
                             KSALLOCATOR_REQUIREMENTF_FRAME_INTEGRITY |
                             KSALLOCATOR_REQUIREMENTF_MUST_ALLOCATE,
    .max_file_alignment = 4095,
    .non_mask_alignment_status = STATUS_INVALID_PARAMETER,
    .reject_nonzero_reserved = false,
    .max_pool_bytes = std::uint64_t{1} << 32,
    .pool_too_large_status = STATUS_INSUFFICIENT_RESOURCES,

    .invalid_free_status = STATUS_INVALID_PARAMETER,
    .closed_handle_status = STATUS_INVALID_HANDLE,
    .free_bytes_returned = 0,
    .allocate_frame_empty_status = STATUS_INSUFFICIENT_RESOURCES,
    .deny_user_mode_function_table = true,
    .user_mode_denied_status = STATUS_INVALID_DEVICE_REQUEST,
    .deny_user_mode_alloc_free = false,

    .method_flags_must_match_item = false,
    .method_flags_mismatch_status = STATUS_INVALID_PARAMETER,
    .short_input_status = STATUS_INVALID_BUFFER_SIZE,
    .below_min_input_status = STATUS_INVALID_PARAMETER,
    .size_query_status = STATUS_BUFFER_OVERFLOW,
    .short_output_status = STATUS_BUFFER_TOO_SMALL,
    .set_list_size_query_status = STATUS_BUFFER_OVERFLOW,
    .unknown_id_status = STATUS_NOT_FOUND,
    .unsupported_property_operation_status = STATUS_INVALID_DEVICE_REQUEST,
    .property_operation_missing_status = STATUS_INVALID_PARAMETER,
    .method_basic_support = MethodBasicSupport::kItemTypeFlags,
    .null_buffer_status = STATUS_ACCESS_VIOLATION,

    .device_removed_error = ERROR_DEV_NOT_EXIST,

    .stop_delivers_unfilled_frames = true,
    .pin_allocator_state_status = STATUS_INVALID_DEVICE_STATE,
    .pin_framing_status = STATUS_INVALID_PARAMETER,
    .closed_pin_alloc_status = STATUS_INVALID_DEVICE_STATE,
    .device_gone_status = STATUS_DEVICE_NOT_CONNECTED,
    .unknown_frame_status = STATUS_INVALID_PARAMETER,

    .unknown_pin_id_status = STATUS_INVALID_PARAMETER,
    .pin_instances_exhausted_status = STATUS_UNSUCCESSFUL,
    .pin_to_handle_status = STATUS_NOT_SUPPORTED,
    .short_format_status = STATUS_INVALID_PARAMETER,
    .read_stream_stopped_status = STATUS_INVALID_DEVICE_STATE,
    .read_stream_allocator_mode_status = STATUS_INVALID_DEVICE_REQUEST,
    .read_stream_stop_status = STATUS_CANCELLED,
    .read_stream_bad_header_status = STATUS_INVALID_BUFFER_SIZE,
    .read_stream_headers_in_input = true,
    .read_stream_short_buffer_drops = true,
    .read_stream_max_frames = 8,

    .wait_all_duplicate_error = ERROR_INVALID_PARAMETER,
};

}  // namespace hilcap
