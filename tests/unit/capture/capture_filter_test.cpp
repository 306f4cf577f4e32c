// The capture filter as a Windows KS client sees it (CreateFile on a device
// interface path): the pin property set (KSPROPSETID_Pin: CTYPES, DATAFLOW,
// DATARANGES with the KSMULTIPLE_ITEM size conventions, CINSTANCES, ...) and
// KsCreatePin with its Windows error codes. Virtual time, real device model.
#include <gtest/gtest.h>
#include <hilcap/capture_filter.h>
#include <hilcap/ks.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>

#include <cstring>
#include <cwchar>
#include <vector>

#include "capture_rig.h"
#include "filter_rig.h"
#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::FilterRig;
using test::ks_ioctl;
using test::pin_property;
using test::PinRequest;

constexpr DWORD kSuccess = ERROR_SUCCESS;

// 640x480 YUY2 at 30 fps, as the example scenario's camera.
device::DeviceConfig vga_yuy2() {
  device::DeviceConfig config;
  config.format = {device::PixelFormat::kYuy2, 640, 480};
  config.payload = device::PayloadMode::kHeaderOnly;
  config.timing.cadence = device::FrameRate{30, 1};
  return config;
}

constexpr std::int64_t kInterval30Fps = 33'333'333;

template <class Value>
DWORD get_pin(HANDLE filter, ULONG id, Value& value, DWORD* returned = nullptr, ULONG pin_id = 0) {
  DWORD ignored = 0;
  if (ks_ioctl(filter, IOCTL_KS_PROPERTY, pin_property(id, pin_id), &value, sizeof(value),
               returned ? returned : &ignored, nullptr)) {
    return kSuccess;
  }
  return GetLastError();
}

// KSPROPERTY_PIN_CTYPES takes a bare KSPROPERTY: one pin type.
TEST(CaptureFilter, HasOnePinType) {
  FilterRig rig(test::small_device());
  ULONG types = 0;
  DWORD returned = 0;
  ASSERT_TRUE(
      ks_ioctl(rig.filter_handle(), IOCTL_KS_PROPERTY,
               test::identifier(KSPROPSETID_Pin, KSPROPERTY_PIN_CTYPES, KSPROPERTY_TYPE_GET),
               &types, sizeof(types), &returned, nullptr));
  EXPECT_EQ(types, 1u);
  EXPECT_EQ(returned, sizeof(ULONG));
}

// Pin 0 is the video capture pin: data flows out, it communicates both ways,
// its category is PIN_CATEGORY_CAPTURE and one instance is possible (avshws).
TEST(CaptureFilter, PinZeroIsTheVideoCapturePin) {
  FilterRig rig(test::small_device());
  KSPIN_DATAFLOW flow{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_DATAFLOW, flow), kSuccess);
  EXPECT_EQ(flow, KSPIN_DATAFLOW_OUT);
  KSPIN_COMMUNICATION communication{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_COMMUNICATION, communication), kSuccess);
  EXPECT_EQ(communication, KSPIN_COMMUNICATION_BOTH);
  GUID category{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_CATEGORY, category), kSuccess);
  EXPECT_TRUE(IsEqualGUID(category, PIN_CATEGORY_CAPTURE));
  KSPIN_CINSTANCES instances{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_CINSTANCES, instances), kSuccess);
  EXPECT_EQ(instances.PossibleCount, 1u);
  EXPECT_EQ(instances.CurrentCount, 0u);
  ULONG necessary = 0;
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_NECESSARYINSTANCES, necessary), kSuccess);
  EXPECT_EQ(necessary, 1u);
  wchar_t name[32] = {};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_NAME, name), kSuccess);
  EXPECT_EQ(std::wcscmp(name, L"Capture"), 0);
}

// A KSP_PIN naming a pin type the filter does not have fails, with the
// policy's status (ReactOS: STATUS_INVALID_PARAMETER).
TEST(CaptureFilter, UnknownPinIdIsRefused) {
  FilterRig rig(test::small_device());
  KSPIN_DATAFLOW flow{};
  EXPECT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_DATAFLOW, flow, nullptr, 1),
            ks::win32_error_from_ntstatus(kKsPolicy.unknown_pin_id_status));
}

// KSPROPERTY_PIN_DATARANGES: a KSMULTIPLE_ITEM and one KS_DATARANGE_VIDEO
// describing the device's format (YUY2 FOURCC subtype, VIDEOINFO specifier,
// the frame size, AvgTimePerFrame in 100 ns units).
TEST(CaptureFilter, DataRangeDescribesTheDevicesFormat) {
  FilterRig rig(vga_yuy2(), kInterval30Fps);
  const KS_DATARANGE_VIDEO range = rig.range();
  EXPECT_EQ(range.DataRange.FormatSize, sizeof(KS_DATARANGE_VIDEO));
  EXPECT_TRUE(IsEqualGUID(range.DataRange.MajorFormat, KSDATAFORMAT_TYPE_VIDEO));
  EXPECT_TRUE(IsEqualGUID(range.DataRange.SubFormat, MEDIASUBTYPE_YUY2));
  EXPECT_TRUE(IsEqualGUID(range.DataRange.Specifier, KSDATAFORMAT_SPECIFIER_VIDEOINFO));
  EXPECT_EQ(range.DataRange.SampleSize, 640u * 480u * 2u);
  EXPECT_EQ(MEDIASUBTYPE_YUY2.Data1, MAKEFOURCC('Y', 'U', 'Y', '2'));
  const KS_BITMAPINFOHEADER& bmi = range.VideoInfoHeader.bmiHeader;
  EXPECT_EQ(bmi.biSize, sizeof(KS_BITMAPINFOHEADER));
  EXPECT_EQ(bmi.biWidth, 640);
  EXPECT_EQ(bmi.biHeight, 480);
  EXPECT_EQ(bmi.biBitCount, 16);
  EXPECT_EQ(bmi.biCompression, MAKEFOURCC('Y', 'U', 'Y', '2'));
  EXPECT_EQ(bmi.biSizeImage, 640u * 480u * 2u);
  EXPECT_EQ(range.VideoInfoHeader.AvgTimePerFrame, 333333);
  EXPECT_EQ(range.ConfigCaps.MinFrameInterval, 333333);
  EXPECT_EQ(range.ConfigCaps.MaxOutputSize.cx, 640);
}

// The size conventions of a multiple-item property (KsHandleSizedListQuery):
// a zero-length buffer is a size query (ERROR_MORE_DATA with the size), a
// ULONG gets the size, a KSMULTIPLE_ITEM the header, a short one fails.
TEST(CaptureFilter, DataRangesFollowTheMultipleItemSizeConventions) {
  FilterRig rig(test::small_device());
  const HANDLE filter = rig.filter_handle();
  const ULONG total = sizeof(KSMULTIPLE_ITEM) + sizeof(KS_DATARANGE_VIDEO);
  DWORD returned = 0;
  EXPECT_FALSE(ks_ioctl(filter, IOCTL_KS_PROPERTY, pin_property(KSPROPERTY_PIN_DATARANGES), nullptr,
                        0, &returned, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
  EXPECT_EQ(returned, total);
  ULONG size = 0;
  ASSERT_EQ(get_pin(filter, KSPROPERTY_PIN_DATARANGES, size, &returned), kSuccess);
  EXPECT_EQ(size, total);
  EXPECT_EQ(returned, sizeof(ULONG));
  KSMULTIPLE_ITEM item{};
  ASSERT_EQ(get_pin(filter, KSPROPERTY_PIN_DATARANGES, item, &returned), kSuccess);
  EXPECT_EQ(item.Size, total);
  EXPECT_EQ(item.Count, 1u);
  EXPECT_EQ(returned, sizeof(KSMULTIPLE_ITEM));
  std::vector<std::byte> short_buffer(total - 8);
  EXPECT_FALSE(ks_ioctl(filter, IOCTL_KS_PROPERTY, pin_property(KSPROPERTY_PIN_DATARANGES),
                        short_buffer.data(), static_cast<DWORD>(short_buffer.size()), &returned,
                        nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
}

// The standard streaming interface and the standard medium, one each.
TEST(CaptureFilter, InterfacesAndMediumsAreTheStandardOnes) {
  FilterRig rig(test::small_device());
  struct {
    KSMULTIPLE_ITEM item;
    KSIDENTIFIER identifier;
  } reply{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_INTERFACES, reply), kSuccess);
  EXPECT_EQ(reply.item.Count, 1u);
  EXPECT_TRUE(IsEqualGUID(reply.identifier.Set, KSINTERFACESETID_Standard));
  EXPECT_EQ(reply.identifier.Id, static_cast<ULONG>(KSINTERFACE_STANDARD_STREAMING));
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_MEDIUMS, reply), kSuccess);
  EXPECT_TRUE(IsEqualGUID(reply.identifier.Set, KSMEDIUMSETID_Standard));
  EXPECT_EQ(reply.identifier.Id, static_cast<ULONG>(KSMEDIUM_TYPE_ANYINSTANCE));
}

// KSPROPERTY_PIN_DATAINTERSECTION: a caller's range with wildcards gets the
// device's format; a range of another major type gets STATUS_NO_MATCH.
TEST(CaptureFilter, DataIntersectionReturnsTheFormat) {
  FilterRig rig(vga_yuy2(), kInterval30Fps);
  struct {
    KSP_PIN pin;
    KSMULTIPLE_ITEM item;
    KSDATARANGE range;
  } request{};
  request.pin = pin_property(KSPROPERTY_PIN_DATAINTERSECTION);
  request.item = {sizeof(KSMULTIPLE_ITEM) + sizeof(KSDATARANGE), 1};
  request.range.FormatSize = sizeof(KSDATARANGE);
  request.range.MajorFormat = KSDATAFORMAT_TYPE_VIDEO;  // subtype, specifier: wildcards
  KS_DATAFORMAT_VIDEOINFOHEADER format{};
  DWORD returned = 0;
  ASSERT_TRUE(ks_ioctl(rig.filter_handle(), IOCTL_KS_PROPERTY, request, &format, sizeof(format),
                       &returned, nullptr))
      << GetLastError();
  EXPECT_EQ(returned, sizeof(format));
  EXPECT_TRUE(IsEqualGUID(format.DataFormat.SubFormat, MEDIASUBTYPE_YUY2));
  EXPECT_EQ(format.VideoInfoHeader.bmiHeader.biWidth, 640);
  request.range.MajorFormat = MEDIASUBTYPE_NV12;  // not a major type
  EXPECT_FALSE(ks_ioctl(rig.filter_handle(), IOCTL_KS_PROPERTY, request, &format, sizeof(format),
                        &returned, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MATCH));
}

// KsCreatePin with the device's format makes a pin in KSSTATE_STOP; the
// filter counts it (CINSTANCES), and no more once it is closed.
TEST(KsCreatePin, OpensAPinInStop) {
  FilterRig rig(vga_yuy2(), kInterval30Fps);
  PinRequest request = rig.request();
  HANDLE pin = nullptr;
  ASSERT_EQ(rig.create_pin(request, pin), kSuccess);
  ASSERT_NE(pin, nullptr);
  KSSTATE state = KSSTATE_RUN;
  ASSERT_EQ(test::get_state(pin, state), kSuccess);
  EXPECT_EQ(state, KSSTATE_STOP);
  KSPIN_CINSTANCES instances{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_CINSTANCES, instances), kSuccess);
  EXPECT_EQ(instances.CurrentCount, 1u);
  ASSERT_TRUE(CloseHandle(pin));
  rig.forget(pin);
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_CINSTANCES, instances), kSuccess);
  EXPECT_EQ(instances.CurrentCount, 0u);
}

// A format the device does not offer fails with ERROR_NO_MATCH
// (STATUS_NO_MATCH), as avshws answers: another subtype, size or FOURCC.
TEST(KsCreatePin, AFormatTheDeviceDoesNotOfferIsNoMatch) {
  FilterRig rig(vga_yuy2(), kInterval30Fps);
  HANDLE pin = nullptr;
  PinRequest nv12 = rig.request();
  nv12.format.DataFormat.SubFormat = MEDIASUBTYPE_NV12;
  EXPECT_EQ(rig.create_pin(nv12, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  PinRequest wider = rig.request();
  wider.format.VideoInfoHeader.bmiHeader.biWidth = 1280;
  EXPECT_EQ(rig.create_pin(wider, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  PinRequest fourcc = rig.request();
  fourcc.format.VideoInfoHeader.bmiHeader.biCompression = MAKEFOURCC('N', 'V', '1', '2');
  EXPECT_EQ(rig.create_pin(fourcc, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  PinRequest specifier = rig.request();
  specifier.format.DataFormat.Specifier = KSDATAFORMAT_SPECIFIER_NONE;
  EXPECT_EQ(rig.create_pin(specifier, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  PinRequest interface = rig.request();
  interface.connect.Interface.Id = KSINTERFACE_STANDARD_LOOPED_STREAMING;
  EXPECT_EQ(rig.create_pin(interface, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  PinRequest medium = rig.request();
  medium.connect.Medium.Set = KSINTERFACESETID_Standard;
  EXPECT_EQ(rig.create_pin(medium, pin), static_cast<DWORD>(ERROR_NO_MATCH));
  // A bottom-up height is the same size.
  PinRequest upside_down = rig.request();
  upside_down.format.VideoInfoHeader.bmiHeader.biHeight = -480;
  EXPECT_EQ(rig.create_pin(upside_down, pin), kSuccess);
}

// The other refusals: a bad PinId or image size (ERROR_INVALID_PARAMETER),
// a format shorter than a VIDEOINFOHEADER, a second instance on one filter
// (ERROR_GEN_FAILURE), a handle that is not a filter, NULL arguments.
TEST(KsCreatePin, RefusalsCarryTheirWindowsErrors) {
  FilterRig rig(vga_yuy2(), kInterval30Fps);
  HANDLE pin = nullptr;
  PinRequest bad_pin = rig.request();
  bad_pin.connect.PinId = 1;
  EXPECT_EQ(rig.create_pin(bad_pin, pin),
            ks::win32_error_from_ntstatus(kKsPolicy.unknown_pin_id_status));
  PinRequest small_image = rig.request();
  small_image.format.VideoInfoHeader.bmiHeader.biSizeImage = 1000;
  EXPECT_EQ(rig.create_pin(small_image, pin), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  PinRequest short_format = rig.request();
  short_format.format.DataFormat.FormatSize = sizeof(KSDATAFORMAT);
  EXPECT_EQ(rig.create_pin(short_format, pin),
            ks::win32_error_from_ntstatus(kKsPolicy.short_format_status));
  PinRequest connected = rig.request();
  connected.connect.PinToHandle = rig.filter_handle();
  EXPECT_EQ(rig.create_pin(connected, pin),
            ks::win32_error_from_ntstatus(kKsPolicy.pin_to_handle_status));

  PinRequest first = rig.request();
  ASSERT_EQ(rig.create_pin(first, pin), kSuccess);
  PinRequest second = rig.request();
  HANDLE other = nullptr;
  EXPECT_EQ(rig.create_pin(second, other),
            ks::win32_error_from_ntstatus(kKsPolicy.pin_instances_exhausted_status));
  EXPECT_EQ(ks::win32_error_from_ntstatus(kKsPolicy.pin_instances_exhausted_status),
            static_cast<DWORD>(ERROR_GEN_FAILURE));

  EXPECT_EQ(KsCreatePin(pin, &first.connect, GENERIC_READ, &other),
            static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(KsCreatePin(rig.filter_handle(), nullptr, GENERIC_READ, &other),
            static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  EXPECT_EQ(KsCreatePin(rig.filter_handle(), &first.connect, GENERIC_READ, nullptr),
            static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  EXPECT_EQ(KsCreatePin2(rig.filter_handle(), &first.connect, GENERIC_READ, &other),
            HRESULT_FROM_WIN32(ERROR_GEN_FAILURE));
}

// Each CreateFile is a filter instance with a pin of its own; the device is
// one piece of hardware, so a second instance's pin cannot leave STOP while
// the first holds it (STATUS_SHARING_VIOLATION, avshws).
TEST(KsCreatePin, FilterInstancesShareOneDevice) {
  FilterRig rig(test::small_device());
  const HANDLE first = rig.pin();
  const HANDLE second_filter = rig.filter().open();
  ASSERT_NE(second_filter, nullptr);
  PinRequest request = rig.request();
  HANDLE second = nullptr;
  ASSERT_EQ(KsCreatePin(second_filter, &request.connect, GENERIC_READ, &second), kSuccess);
  KSPIN_CINSTANCES global{};
  ASSERT_EQ(get_pin(rig.filter_handle(), KSPROPERTY_PIN_GLOBALCINSTANCES, global), kSuccess);
  EXPECT_EQ(global.CurrentCount, 2u);
  ASSERT_EQ(test::set_state(first, KSSTATE_ACQUIRE), kSuccess);
  EXPECT_EQ(test::set_state(second, KSSTATE_ACQUIRE), static_cast<DWORD>(ERROR_SHARING_VIOLATION));
  ASSERT_EQ(test::set_state(first, KSSTATE_STOP), kSuccess);
  EXPECT_EQ(test::set_state(second, KSSTATE_ACQUIRE), kSuccess);
  EXPECT_TRUE(CloseHandle(second));
  EXPECT_TRUE(CloseHandle(second_filter));
}

// KsCreateAllocator on a pin made by KsCreatePin gives the allocator style
// (ALLOC/FREE) as on a CapturePin: both styles exist on the same pin type.
TEST(KsCreatePin, TheAllocatorStyleWorksOnTheSamePin) {
  FilterRig rig(test::small_device());
  const HANDLE pin = rig.pin();
  HANDLE allocator = nullptr;
  KSALLOCATOR_FRAMING framing = test::framing(2, rig.frame_bytes());
  ASSERT_EQ(KsCreateAllocator(pin, &framing, &allocator), kSuccess);
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  test::Overlapped o;
  PVOID frame = nullptr;
  EXPECT_FALSE(test::alloc(allocator, &frame, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  rig.run_until(test::grid_time(0));
  ASSERT_TRUE(o.signalled());
  EXPECT_EQ(test::header_of(allocator, frame).FrameInfo.PictureNumber, 1);
  // With the client's allocator in charge, READ_STREAM is refused (policy).
  test::Read read(rig.frame_bytes());
  EXPECT_FALSE(read.issue(pin));
  EXPECT_EQ(GetLastError(),
            ks::win32_error_from_ntstatus(kKsPolicy.read_stream_allocator_mode_status));
  ASSERT_TRUE(test::free_frame(allocator, frame));
  EXPECT_TRUE(CloseHandle(allocator));
}

}  // namespace
}  // namespace hilcap
