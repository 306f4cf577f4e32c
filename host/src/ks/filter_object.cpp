#include "filter_object.h"

#include <hilcap/device/control.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cwchar>

#include "../capture/capture_driver.h"
#include "../capture/dma_ring_backend.h"
#include "handle_table.h"
#include "ks_automation.h"
#include "ks_time.h"
#include "pin_object.h"

namespace hilcap::ks {
namespace {

constexpr ULONG kPinTypes = 1;  // pin 0: video capture
constexpr ULONG kPinInstancesPossible = 1;
constexpr ULONG kPinInstancesNecessary = 1;
// 1/30 s in 100 ns units, announced when the device's cadence is unknown.
constexpr LONGLONG kDefaultAvgTimePerFrame = 333333;
// KSMULTIPLE_ITEM lists keep each item 8-byte aligned.
constexpr ULONG kItemAlignment = 8;
// The MediaCategories name of PINNAME_VIDEO_CAPTURE.
constexpr wchar_t kPinName[] = L"Capture";

ULONG aligned(ULONG size) {
  return (size + kItemAlignment - 1) & ~(kItemAlignment - 1);
}

struct PixelLayout {
  const GUID* subtype;
  WORD bits_per_pixel;
};

PixelLayout pixel_layout(device::PixelFormat format) {
  switch (format) {
    case device::PixelFormat::kYuy2:
      return {&MEDIASUBTYPE_YUY2, 16};
    case device::PixelFormat::kNv12:
      return {&MEDIASUBTYPE_NV12, 12};
    case device::PixelFormat::kGrey:
      return {&MEDIASUBTYPE_Y800, 8};
  }
  return {&GUID_NULL, 0};
}

// The FOURCC a KS_BITMAPINFOHEADER carries: GREY frames are announced as 'Y800'.
DWORD bitmap_compression(device::PixelFormat format) {
  return format == device::PixelFormat::kGrey ? MAKEFOURCC('Y', '8', '0', '0')
                                              : static_cast<DWORD>(format);
}

// The answer of a multiple-item property (KsHandleSizedListQuery): a size
// query, the size alone, the header alone, or the whole list.
IoOutcome reply_multiple_item(const IoctlCall& call, ULONG count, const void* items,
                              ULONG items_bytes) {
  const ULONG total = sizeof(KSMULTIPLE_ITEM) + items_bytes;
  if (call.output_size == 0) return {kKsPolicy.size_query_status, total};
  KSMULTIPLE_ITEM header{total, count};
  if (call.output_size == sizeof(ULONG)) {
    std::memcpy(call.output, &header.Size, sizeof(ULONG));
    return {STATUS_SUCCESS, sizeof(ULONG)};
  }
  if (call.output_size == sizeof(KSMULTIPLE_ITEM)) {
    std::memcpy(call.output, &header, sizeof(header));
    return {STATUS_SUCCESS, sizeof(KSMULTIPLE_ITEM)};
  }
  if (call.output_size < total) return {kKsPolicy.short_output_status, 0};
  std::memcpy(call.output, &header, sizeof(header));
  std::memcpy(static_cast<std::byte*>(call.output) + sizeof(header), items, items_bytes);
  return {STATUS_SUCCESS, total};
}

// A KSPROPERTY_PIN_* item: KSP_PIN in, `min_data` bytes out.
constexpr KsPropertyItem<FilterObject> pin_item(ULONG id, ULONG min_data,
                                                KsHandler<FilterObject> get) {
  return {id, sizeof(KSP_PIN), min_data, get, nullptr};
}

const KsPropertyItem<FilterObject> kPinProperties[] = {
    pin_item(KSPROPERTY_PIN_CINSTANCES, sizeof(KSPIN_CINSTANCES), &FilterObject::get_cinstances),
    {KSPROPERTY_PIN_CTYPES, sizeof(KSPROPERTY), sizeof(ULONG), &FilterObject::get_ctypes, nullptr},
    pin_item(KSPROPERTY_PIN_DATAFLOW, sizeof(KSPIN_DATAFLOW), &FilterObject::get_dataflow),
    pin_item(KSPROPERTY_PIN_DATARANGES, 0, &FilterObject::get_dataranges),
    {KSPROPERTY_PIN_DATAINTERSECTION, sizeof(KSP_PIN) + sizeof(KSMULTIPLE_ITEM), 0,
     &FilterObject::get_dataintersection, nullptr},
    pin_item(KSPROPERTY_PIN_INTERFACES, 0, &FilterObject::get_interfaces),
    pin_item(KSPROPERTY_PIN_MEDIUMS, 0, &FilterObject::get_mediums),
    pin_item(KSPROPERTY_PIN_COMMUNICATION, sizeof(KSPIN_COMMUNICATION),
             &FilterObject::get_communication),
    pin_item(KSPROPERTY_PIN_GLOBALCINSTANCES, sizeof(KSPIN_CINSTANCES),
             &FilterObject::get_global_cinstances),
    pin_item(KSPROPERTY_PIN_NECESSARYINSTANCES, sizeof(ULONG),
             &FilterObject::get_necessary_instances),
    pin_item(KSPROPERTY_PIN_CATEGORY, sizeof(GUID), &FilterObject::get_category),
    pin_item(KSPROPERTY_PIN_NAME, 0, &FilterObject::get_name),
};

const KsItemSet<KsPropertyItem<FilterObject>> kFilterPropertySets[] = {
    {&KSPROPSETID_Pin, kPinProperties},
};

const KsAutomationTable<FilterObject> kFilterAutomation{{}, kFilterPropertySets};

// The one interface and medium of the pin (KS's defaults).
KSPIN_INTERFACE standard_interface() {
  KSPIN_INTERFACE interface {};
  interface.Set = KSINTERFACESETID_Standard;
  interface.Id = KSINTERFACE_STANDARD_STREAMING;
  return interface;
}

KSPIN_MEDIUM standard_medium() {
  KSPIN_MEDIUM medium{};
  medium.Set = KSMEDIUMSETID_Standard;
  medium.Id = KSMEDIUM_TYPE_ANYINSTANCE;
  return medium;
}

bool same_identifier(const KSIDENTIFIER& a, const KSIDENTIFIER& b) {
  return same_guid(a.Set, b.Set) && a.Id == b.Id;
}

// A GUID of a caller's data range matches ours, or is the wildcard.
bool range_guid_matches(const GUID& theirs, const GUID& ours) {
  return same_guid(theirs, GUID_NULL) || same_guid(theirs, ours);
}

}  // namespace

KS_DATARANGE_VIDEO video_range(const device::FrameFormat& format, std::int64_t frame_interval_ns) {
  const PixelLayout layout = pixel_layout(format.pixel_format);
  const auto width = static_cast<LONG>(format.width);
  const auto height = static_cast<LONG>(format.height);
  const auto image_bytes = static_cast<ULONG>(format.frame_bytes());
  const LONGLONG interval =
      frame_interval_ns > 0 ? frame_interval_ns / kNsPer100Ns : kDefaultAvgTimePerFrame;
  const auto bits_per_second = static_cast<LONG>(
      std::min<LONGLONG>(0x7FFFFFFF, LONGLONG{image_bytes} * 8 * 10'000'000 / interval));

  KS_DATARANGE_VIDEO range{};
  range.DataRange.FormatSize = sizeof(KS_DATARANGE_VIDEO);
  range.DataRange.SampleSize = image_bytes;
  range.DataRange.MajorFormat = KSDATAFORMAT_TYPE_VIDEO;
  range.DataRange.SubFormat = *layout.subtype;
  range.DataRange.Specifier = KSDATAFORMAT_SPECIFIER_VIDEOINFO;
  range.bFixedSizeSamples = TRUE;
  range.bTemporalCompression = FALSE;
  range.StreamDescriptionFlags = KS_VIDEOSTREAM_CAPTURE;

  KS_VIDEO_STREAM_CONFIG_CAPS& caps = range.ConfigCaps;
  caps.guid = KSDATAFORMAT_SPECIFIER_VIDEOINFO;
  caps.VideoStandard = KS_AnalogVideo_None;
  caps.InputSize = {width, height};
  caps.MinCroppingSize = {width, height};
  caps.MaxCroppingSize = {width, height};
  caps.CropGranularityX = 1;
  caps.CropGranularityY = 1;
  caps.CropAlignX = 1;
  caps.CropAlignY = 1;
  caps.MinOutputSize = {width, height};
  caps.MaxOutputSize = {width, height};
  caps.OutputGranularityX = 0;
  caps.OutputGranularityY = 0;
  caps.MinFrameInterval = interval;
  caps.MaxFrameInterval = interval;
  caps.MinBitsPerSecond = bits_per_second;
  caps.MaxBitsPerSecond = bits_per_second;

  KS_VIDEOINFOHEADER& info = range.VideoInfoHeader;
  info.dwBitRate = static_cast<DWORD>(bits_per_second);
  info.AvgTimePerFrame = interval;
  info.bmiHeader.biSize = sizeof(KS_BITMAPINFOHEADER);
  info.bmiHeader.biWidth = width;
  info.bmiHeader.biHeight = height;
  info.bmiHeader.biPlanes = 1;
  info.bmiHeader.biBitCount = layout.bits_per_pixel;
  info.bmiHeader.biCompression = bitmap_compression(format.pixel_format);
  info.bmiHeader.biSizeImage = image_bytes;
  return range;
}

FilterObject::FilterObject(std::shared_ptr<FilterDevice> device)
    : KernelObject(kType),
      device_(std::move(device)),
      file_event_(std::make_shared<Event>(Event::ResetMode::kManual, false)),
      pins_open_(std::make_shared<std::atomic<ULONG>>(0)) {}

IoOutcome FilterObject::device_io_control(const IoctlCall& call) {
  return dispatch_ks_ioctl(*this, kFilterAutomation, call);
}

NTSTATUS FilterObject::match_format(const KSDATAFORMAT& header, const void* whole) const {
  const KS_DATARANGE_VIDEO& ours = device_->range;
  if (!same_guid(header.MajorFormat, ours.DataRange.MajorFormat) ||
      !same_guid(header.SubFormat, ours.DataRange.SubFormat) ||
      !same_guid(header.Specifier, ours.DataRange.Specifier)) {
    return STATUS_NO_MATCH;
  }
  if (header.FormatSize < sizeof(KS_DATAFORMAT_VIDEOINFOHEADER)) {
    return kKsPolicy.short_format_status;
  }
  KS_DATAFORMAT_VIDEOINFOHEADER format;
  std::memcpy(&format, whole, sizeof(format));
  const KS_BITMAPINFOHEADER& theirs = format.VideoInfoHeader.bmiHeader;
  const KS_BITMAPINFOHEADER& mine = ours.VideoInfoHeader.bmiHeader;
  // As avshws: the size and compression must be the range's (the height's
  // sign only says which way up), and the image must fit biSizeImage.
  if (theirs.biWidth != mine.biWidth || std::abs(theirs.biHeight) != mine.biHeight ||
      theirs.biCompression != mine.biCompression) {
    return STATUS_NO_MATCH;
  }
  if (theirs.biSizeImage < mine.biSizeImage) return STATUS_INVALID_PARAMETER;
  return STATUS_SUCCESS;
}

NTSTATUS FilterObject::create_pin(const KSPIN_CONNECT& connect, ACCESS_MASK access, HANDLE& pin) {
  if (connect.PinId >= kPinTypes) return kKsPolicy.unknown_pin_id_status;
  if (!same_identifier(connect.Interface, standard_interface()) ||
      !same_identifier(connect.Medium, standard_medium())) {
    return STATUS_NO_MATCH;
  }
  if (connect.PinToHandle != nullptr) return kKsPolicy.pin_to_handle_status;
  const void* const format = &connect + 1;
  KSDATAFORMAT header;
  std::memcpy(&header, format, sizeof(header));
  if (header.FormatSize < sizeof(KSDATAFORMAT)) return kKsPolicy.short_format_status;
  if (const NTSTATUS status = match_format(header, format); status != STATUS_SUCCESS) {
    return status;
  }
  if (!device_->device.connected()) return kKsPolicy.device_gone_status;

  std::lock_guard lock(create_mutex_);
  if (pins_open_->load() >= kPinInstancesPossible) {
    return kKsPolicy.pin_instances_exhausted_status;
  }
  auto driver = std::make_shared<CaptureDriver>(
      std::make_unique<DmaRingBackend>(device_->device, device_->pin_options));
  PinObjectOptions options;
  options.access = access;
  options.device_clock = device_->device_clock;
  options.reads_without_allocator = true;
  options.on_close = [open = pins_open_, device = device_] {
    open->fetch_sub(1);
    device->pins_open.fetch_sub(1);
  };
  HANDLE handle = HandleTable::instance().insert(
      std::make_shared<PinObject>(std::move(driver), std::move(options)));
  if (handle == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  pins_open_->fetch_add(1);
  device_->pins_open.fetch_add(1);
  pin = handle;
  return STATUS_SUCCESS;
}

NTSTATUS FilterObject::check_pin_id(const IoctlCall& call) const {
  KSP_PIN request;
  std::memcpy(&request, call.input, sizeof(request));
  return request.PinId < kPinTypes ? STATUS_SUCCESS : kKsPolicy.unknown_pin_id_status;
}

IoOutcome FilterObject::get_cinstances(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const KSPIN_CINSTANCES instances{kPinInstancesPossible, pins_open_->load()};
  return reply(call, &instances, sizeof(instances));
}

IoOutcome FilterObject::get_ctypes(const IoctlCall& call) {
  const ULONG types = kPinTypes;
  return reply(call, &types, sizeof(types));
}

IoOutcome FilterObject::get_dataflow(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const KSPIN_DATAFLOW flow = KSPIN_DATAFLOW_OUT;
  return reply(call, &flow, sizeof(flow));
}

IoOutcome FilterObject::get_dataranges(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  static_assert(sizeof(KS_DATARANGE_VIDEO) % kItemAlignment == 0);
  return reply_multiple_item(call, 1, &device_->range, sizeof(KS_DATARANGE_VIDEO));
}

IoOutcome FilterObject::get_dataintersection(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  // KSP_PIN, then a KSMULTIPLE_ITEM of the caller's data ranges: the first one
  // our range satisfies gives the format, our default one (a single format).
  const auto* in = static_cast<const std::byte*>(call.input);
  KSMULTIPLE_ITEM list;
  std::memcpy(&list, in + sizeof(KSP_PIN), sizeof(list));
  const ULONG available = call.input_size - sizeof(KSP_PIN);
  if (list.Size < sizeof(KSMULTIPLE_ITEM) || list.Size > available) {
    return {kKsPolicy.below_min_input_status, 0};
  }
  const KS_DATARANGE_VIDEO& ours = device_->range;
  bool matched = false;
  ULONG at = sizeof(KSMULTIPLE_ITEM);
  for (ULONG i = 0; i < list.Count && !matched; ++i) {
    if (list.Size - at < sizeof(KSDATARANGE)) return {kKsPolicy.below_min_input_status, 0};
    KSDATARANGE range;
    std::memcpy(&range, in + sizeof(KSP_PIN) + at, sizeof(range));
    if (range.FormatSize < sizeof(KSDATARANGE) || range.FormatSize > list.Size - at) {
      return {kKsPolicy.below_min_input_status, 0};
    }
    matched = range_guid_matches(range.MajorFormat, ours.DataRange.MajorFormat) &&
              range_guid_matches(range.SubFormat, ours.DataRange.SubFormat) &&
              range_guid_matches(range.Specifier, ours.DataRange.Specifier);
    at += aligned(range.FormatSize);
    if (at > list.Size) at = list.Size;
  }
  if (!matched) return {STATUS_NO_MATCH, 0};
  KS_DATAFORMAT_VIDEOINFOHEADER format{};
  format.DataFormat.FormatSize = sizeof(format);
  format.DataFormat.SampleSize = ours.DataRange.SampleSize;
  format.DataFormat.MajorFormat = ours.DataRange.MajorFormat;
  format.DataFormat.SubFormat = ours.DataRange.SubFormat;
  format.DataFormat.Specifier = ours.DataRange.Specifier;
  format.VideoInfoHeader = ours.VideoInfoHeader;
  return reply(call, &format, sizeof(format));
}

IoOutcome FilterObject::get_interfaces(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const KSPIN_INTERFACE interface = standard_interface();
  return reply_multiple_item(call, 1, &interface, sizeof(interface));
}

IoOutcome FilterObject::get_mediums(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const KSPIN_MEDIUM medium = standard_medium();
  return reply_multiple_item(call, 1, &medium, sizeof(medium));
}

IoOutcome FilterObject::get_communication(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const KSPIN_COMMUNICATION communication = KSPIN_COMMUNICATION_BOTH;
  return reply(call, &communication, sizeof(communication));
}

IoOutcome FilterObject::get_global_cinstances(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  // Every filter instance may make a pin; one at a time streams (the device).
  const KSPIN_CINSTANCES instances{KSINSTANCE_INDETERMINATE, device_->pins_open.load()};
  return reply(call, &instances, sizeof(instances));
}

IoOutcome FilterObject::get_necessary_instances(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  const ULONG necessary = kPinInstancesNecessary;
  return reply(call, &necessary, sizeof(necessary));
}

IoOutcome FilterObject::get_category(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  return reply(call, &PIN_CATEGORY_CAPTURE, sizeof(GUID));
}

IoOutcome FilterObject::get_name(const IoctlCall& call) {
  if (const NTSTATUS status = check_pin_id(call); status != STATUS_SUCCESS) return {status, 0};
  return reply(call, kPinName, sizeof(kPinName));
}

}  // namespace hilcap::ks
