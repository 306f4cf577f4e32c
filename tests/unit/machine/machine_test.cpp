// The simulated machine as a Windows client finds and opens its devices:
// SetupDiGetClassDevs / SetupDiEnumDeviceInterfaces /
// SetupDiGetDeviceInterfaceDetail (the size query, cbSize checks and error
// codes Windows has, as Wine's conformance tests record them),
// SetupDiEnumDeviceInfo, SetupDiGetDeviceRegistryProperty,
// SetupDiDestroyDeviceInfoList, CreateFile on the interface paths, and a
// short real-time capture through KsCreatePin and IOCTL_KS_READ_STREAM.
// HILCAP_DEVICES (meson.build): data/camera_yuy2.json, a missing file,
// data/camera_nv12.json.
// clang-format off
#include <windows.h>
#include <setupapi.h>
#include <ks.h>
#include <ksmedia.h>
// clang-format on

#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr char kYuy2Path[] =
    "\\\\?\\root#hilcap_sim#0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global";
constexpr char kNv12Path[] =
    "\\\\?\\root#hilcap_sim#0002#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global";

struct DeviceSet {
  explicit DeviceSet(const GUID* guid, DWORD flags = DIGCF_PRESENT | DIGCF_DEVICEINTERFACE)
      : handle(SetupDiGetClassDevsA(guid, nullptr, nullptr, flags)) {}
  ~DeviceSet() {
    if (handle != INVALID_HANDLE_VALUE) SetupDiDestroyDeviceInfoList(handle);
  }
  DeviceSet(const DeviceSet&) = delete;
  DeviceSet& operator=(const DeviceSet&) = delete;
  HDEVINFO handle;
};

SP_DEVICE_INTERFACE_DATA interface_data() {
  SP_DEVICE_INTERFACE_DATA data{};
  data.cbSize = sizeof(data);
  return data;
}

// Every interface path of class `guid` in the set, through the two-step
// detail query.
std::vector<std::string> paths(HDEVINFO set, const GUID& guid) {
  std::vector<std::string> found;
  for (DWORD i = 0;; ++i) {
    SP_DEVICE_INTERFACE_DATA data = interface_data();
    if (!SetupDiEnumDeviceInterfaces(set, nullptr, &guid, i, &data)) {
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_ITEMS));
      return found;
    }
    EXPECT_TRUE(IsEqualGUID(data.InterfaceClassGuid, guid));
    EXPECT_EQ(data.Flags, static_cast<DWORD>(SPINT_ACTIVE));
    DWORD required = 0;
    EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(set, &data, nullptr, 0, &required, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    std::vector<std::byte> buffer(required);
    auto* detail = reinterpret_cast<SP_DEVICE_INTERFACE_DETAIL_DATA_A*>(buffer.data());
    detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A);
    EXPECT_TRUE(SetupDiGetDeviceInterfaceDetailA(set, &data, detail, required, nullptr, nullptr))
        << GetLastError();
    found.emplace_back(detail->DevicePath);
  }
}

// The two cameras that loaded are listed under KSCATEGORY_CAPTURE, with
// lowercase paths naming their index in HILCAP_DEVICES; the missing file's
// device is absent.
TEST(SetupDi, ListsTheCapturedDevicesOfHilcapDevices) {
  DeviceSet set(&KSCATEGORY_CAPTURE);
  ASSERT_NE(set.handle, INVALID_HANDLE_VALUE);
  EXPECT_EQ(paths(set.handle, KSCATEGORY_CAPTURE),
            (std::vector<std::string>{kYuy2Path, kNv12Path}));
}

// avshws registers KSCATEGORY_VIDEO and KSCATEGORY_VIDEO_CAMERA as well; an
// unrelated class lists nothing.
TEST(SetupDi, EveryDeviceHasItsThreeCategories) {
  for (const GUID* category : {&KSCATEGORY_VIDEO, &KSCATEGORY_VIDEO_CAMERA}) {
    DeviceSet set(category);
    const std::vector<std::string> found = paths(set.handle, *category);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_NE(found[0].find("#0000#"), std::string::npos);
  }
  DeviceSet none(&KSDATAFORMAT_TYPE_VIDEO);
  ASSERT_NE(none.handle, INVALID_HANDLE_VALUE);
  EXPECT_TRUE(paths(none.handle, KSDATAFORMAT_TYPE_VIDEO).empty());
}

// SetupDiGetDeviceInterfaceDetail's argument checks (Wine's devinst.c
// records Windows's answers): NULL with a size, a wrong cbSize (then
// RequiredSize is not written), the W form's size in WCHARs.
TEST(SetupDi, InterfaceDetailChecksItsArguments) {
  DeviceSet set(&KSCATEGORY_CAPTURE);
  SP_DEVICE_INTERFACE_DATA data = interface_data();
  ASSERT_TRUE(SetupDiEnumDeviceInterfaces(set.handle, nullptr, &KSCATEGORY_CAPTURE, 0, &data));
  const DWORD expected = offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_A, DevicePath) +
                         static_cast<DWORD>(std::strlen(kYuy2Path) + 1);
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(set.handle, &data, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(set.handle, &data, nullptr, 100, nullptr, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_USER_BUFFER));
  DWORD size = 0;
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(set.handle, &data, nullptr, 0, &size, nullptr));
  EXPECT_EQ(size, expected);

  std::vector<std::byte> buffer(2 * expected);
  auto* detail = reinterpret_cast<SP_DEVICE_INTERFACE_DETAIL_DATA_A*>(buffer.data());
  for (DWORD wrong : {DWORD{0}, expected}) {
    detail->cbSize = wrong;
    size = 0xdeadbeef;
    EXPECT_FALSE(
        SetupDiGetDeviceInterfaceDetailA(set.handle, &data, detail, 2 * expected, &size, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_USER_BUFFER));
    EXPECT_EQ(size, 0xdeadbeefu);
  }
  detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A);
  EXPECT_FALSE(
      SetupDiGetDeviceInterfaceDetailA(set.handle, &data, detail, expected - 1, &size, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  size = 0xdeadbeef;
  ASSERT_TRUE(
      SetupDiGetDeviceInterfaceDetailA(set.handle, &data, detail, expected, &size, nullptr));
  EXPECT_EQ(size, expected);
  EXPECT_STREQ(detail->DevicePath, kYuy2Path);

  // The W form: the same path in WCHARs; DeviceInfoData is filled even by
  // the size query.
  SP_DEVINFO_DATA device{};
  device.cbSize = sizeof(device);
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailW(set.handle, &data, nullptr, 0, &size, &device));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(size, offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath) +
                      (std::strlen(kYuy2Path) + 1) * sizeof(WCHAR));
  EXPECT_TRUE(IsEqualGUID(device.ClassGuid, GUID_DEVCLASS_CAMERA));
  std::vector<std::byte> wide(size);
  auto* wdetail = reinterpret_cast<SP_DEVICE_INTERFACE_DETAIL_DATA_W*>(wide.data());
  wdetail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W);
  ASSERT_TRUE(SetupDiGetDeviceInterfaceDetailW(set.handle, &data, wdetail, size, nullptr, nullptr));
  EXPECT_EQ(std::wstring(wdetail->DevicePath),
            std::wstring(kYuy2Path, kYuy2Path + std::strlen(kYuy2Path)));

  // An SP_DEVICE_INTERFACE_DATA that is none: ERROR_INVALID_PARAMETER.
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(set.handle, nullptr, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

// A wrong cbSize of SP_DEVICE_INTERFACE_DATA, an unknown set, a destroyed set.
TEST(SetupDi, EnumerationChecksItsArguments) {
  HDEVINFO set = SetupDiGetClassDevsA(&KSCATEGORY_CAPTURE, nullptr, nullptr,
                                      DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
  ASSERT_NE(set, INVALID_HANDLE_VALUE);
  SP_DEVICE_INTERFACE_DATA data{};
  data.cbSize = 28;
  EXPECT_FALSE(SetupDiEnumDeviceInterfaces(set, nullptr, &KSCATEGORY_CAPTURE, 0, &data));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_USER_BUFFER));
  data = interface_data();
  EXPECT_FALSE(SetupDiEnumDeviceInterfaces(nullptr, nullptr, &KSCATEGORY_CAPTURE, 0, &data));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_FALSE(SetupDiGetDeviceInterfaceDetailA(nullptr, &data, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  ASSERT_TRUE(SetupDiDestroyDeviceInfoList(set));
  EXPECT_FALSE(SetupDiDestroyDeviceInfoList(set));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_FALSE(SetupDiEnumDeviceInterfaces(set, nullptr, &KSCATEGORY_CAPTURE, 0, &data));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// SetupDiGetClassDevs: a NULL class needs DIGCF_ALLCLASSES
// (ERROR_INVALID_PARAMETER), unknown flags are ERROR_INVALID_FLAGS; the
// devices' setup class is Camera.
TEST(SetupDi, ClassDevsFlags) {
  EXPECT_EQ(SetupDiGetClassDevsA(nullptr, nullptr, nullptr, DIGCF_PRESENT), INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  EXPECT_EQ(SetupDiGetClassDevsA(&KSCATEGORY_CAPTURE, nullptr, nullptr, 0x100),
            INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_FLAGS));
  for (const auto& [guid, flags] :
       {std::pair<const GUID*, DWORD>{nullptr, DIGCF_ALLCLASSES | DIGCF_PRESENT},
        std::pair<const GUID*, DWORD>{&GUID_DEVCLASS_CAMERA, DIGCF_PRESENT}}) {
    DeviceSet set(guid, flags);
    ASSERT_NE(set.handle, INVALID_HANDLE_VALUE);
    SP_DEVINFO_DATA device{};
    device.cbSize = sizeof(device);
    ASSERT_TRUE(SetupDiEnumDeviceInfo(set.handle, 0, &device));
    EXPECT_TRUE(IsEqualGUID(device.ClassGuid, GUID_DEVCLASS_CAMERA));
    ASSERT_TRUE(SetupDiEnumDeviceInfo(set.handle, 1, &device));
    EXPECT_FALSE(SetupDiEnumDeviceInfo(set.handle, 2, &device));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_ITEMS));
  }
}

// The friendly name says which scenario plays the device.
TEST(SetupDi, FriendlyNameNamesTheScenario) {
  DeviceSet set(&KSCATEGORY_CAPTURE);
  SP_DEVINFO_DATA device{};
  device.cbSize = sizeof(device);
  ASSERT_TRUE(SetupDiEnumDeviceInfo(set.handle, 1, &device));
  DWORD type = 0;
  DWORD required = 0;
  EXPECT_FALSE(SetupDiGetDeviceRegistryPropertyA(set.handle, &device, SPDRP_FRIENDLYNAME, &type,
                                                 nullptr, 0, &required));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  std::vector<BYTE> name(required);
  ASSERT_TRUE(SetupDiGetDeviceRegistryPropertyA(set.handle, &device, SPDRP_FRIENDLYNAME, &type,
                                                name.data(), required, nullptr));
  EXPECT_EQ(type, static_cast<DWORD>(REG_SZ));
  EXPECT_STREQ(reinterpret_cast<const char*>(name.data()),
               "hilcap simulated camera (camera_nv12.json)");
  EXPECT_FALSE(SetupDiGetDeviceRegistryPropertyA(set.handle, &device, 0x09, &type, name.data(),
                                                 required, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_DATA));
}

// CreateFile opens a filter on an interface path (compared without regard
// to case); any other path is ERROR_FILE_NOT_FOUND.
TEST(CreateFile, OpensTheFilterOfAnInterfacePath) {
  const HANDLE filter = CreateFileA(kYuy2Path, GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                    OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  ASSERT_NE(filter, INVALID_HANDLE_VALUE);
  ULONG types = 0;
  KSPROPERTY property{};
  property.Set = KSPROPSETID_Pin;
  property.Id = KSPROPERTY_PIN_CTYPES;
  property.Flags = KSPROPERTY_TYPE_GET;
  DWORD returned = 0;
  EXPECT_TRUE(DeviceIoControl(filter, IOCTL_KS_PROPERTY, &property, sizeof(property), &types,
                              sizeof(types), &returned, nullptr));
  EXPECT_EQ(types, 1u);
  EXPECT_TRUE(CloseHandle(filter));

  std::string upper(kYuy2Path);
  for (char& ch : upper)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const HANDLE again =
      CreateFileA(upper.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(again, INVALID_HANDLE_VALUE);
  EXPECT_TRUE(CloseHandle(again));
  const std::wstring wide(kNv12Path, kNv12Path + std::strlen(kNv12Path));
  const HANDLE w = CreateFileW(wide.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(w, INVALID_HANDLE_VALUE);
  EXPECT_TRUE(CloseHandle(w));

  EXPECT_EQ(CreateFileA("\\\\?\\root#hilcap_sim#0001#{65e8773d-8f56-11d0-a3b9-00a0c9223196}"
                        "\\global",
                        GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
            INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(CreateFileA("/etc/passwd", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
            INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(CreateFileA(kYuy2Path, GENERIC_READ, 0, nullptr, CREATE_NEW, 0, nullptr),
            INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_EXISTS));
  const HANDLE always = CreateFileA(kYuy2Path, GENERIC_READ, 0, nullptr, OPEN_ALWAYS, 0, nullptr);
  ASSERT_NE(always, INVALID_HANDLE_VALUE);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
  EXPECT_TRUE(CloseHandle(always));
}

// A short capture in real time on the NV12 camera (60 fps): KsCreatePin with
// its format, PAUSE, three reads outstanding, RUN, WaitForMultipleObjects; frames
// 1, 2, 3 arrive in order with times on the 60 fps grid; STOP.
TEST(Machine, CapturesInRealTime) {
  const HANDLE filter = CreateFileA(kNv12Path, GENERIC_READ, 0, nullptr, OPEN_EXISTING,
                                    FILE_FLAG_OVERLAPPED, nullptr);
  ASSERT_NE(filter, INVALID_HANDLE_VALUE);
  KSP_PIN ranges{};
  ranges.Property.Set = KSPROPSETID_Pin;
  ranges.Property.Id = KSPROPERTY_PIN_DATARANGES;
  ranges.Property.Flags = KSPROPERTY_TYPE_GET;
  struct {
    KSMULTIPLE_ITEM item;
    KS_DATARANGE_VIDEO range;
  } reply{};
  DWORD returned = 0;
  ASSERT_TRUE(DeviceIoControl(filter, IOCTL_KS_PROPERTY, &ranges, sizeof(ranges), &reply,
                              sizeof(reply), &returned, nullptr));
  EXPECT_TRUE(IsEqualGUID(reply.range.DataRange.SubFormat, MEDIASUBTYPE_NV12));
  EXPECT_EQ(reply.range.VideoInfoHeader.bmiHeader.biSizeImage, 160u * 120u * 3u / 2u);
  EXPECT_EQ(reply.range.VideoInfoHeader.AvgTimePerFrame, 166666);

  struct {
    KSPIN_CONNECT connect;
    KS_DATAFORMAT_VIDEOINFOHEADER format;
  } request{};
  request.connect.Interface.Set = KSINTERFACESETID_Standard;
  request.connect.Medium.Set = KSMEDIUMSETID_Standard;
  request.connect.Priority.PriorityClass = KSPRIORITY_NORMAL;
  request.format.DataFormat.FormatSize = sizeof(request.format);
  request.format.DataFormat.MajorFormat = KSDATAFORMAT_TYPE_VIDEO;
  request.format.DataFormat.SubFormat = MEDIASUBTYPE_NV12;
  request.format.DataFormat.Specifier = KSDATAFORMAT_SPECIFIER_VIDEOINFO;
  request.format.VideoInfoHeader = reply.range.VideoInfoHeader;
  HANDLE pin = nullptr;
  ASSERT_EQ(KsCreatePin(filter, &request.connect, GENERIC_READ, &pin),
            static_cast<DWORD>(ERROR_SUCCESS));

  struct Read {
    KSSTREAM_HEADER header;
    KS_FRAME_INFO info;
  };
  // Reads queue from PAUSE on (in STOP they are refused).
  KSPROPERTY state{};
  state.Set = KSPROPSETID_Connection;
  state.Id = KSPROPERTY_CONNECTION_STATE;
  state.Flags = KSPROPERTY_TYPE_SET;
  KSSTATE pause = KSSTATE_PAUSE;
  ASSERT_TRUE(DeviceIoControl(pin, IOCTL_KS_PROPERTY, &state, sizeof(state), &pause, sizeof(pause),
                              &returned, nullptr));
  const ULONG frame_bytes = reply.range.VideoInfoHeader.bmiHeader.biSizeImage;
  std::vector<Read> reads(3);
  std::vector<std::vector<BYTE>> buffers(3, std::vector<BYTE>(frame_bytes));
  std::vector<OVERLAPPED> overlapped(3);
  std::vector<HANDLE> events(3);
  for (std::size_t i = 0; i < 3; ++i) {
    events[i] = CreateEvent(nullptr, TRUE, FALSE, nullptr);
    overlapped[i].hEvent = events[i];
    reads[i].header.Size = sizeof(Read);
    reads[i].header.FrameExtent = frame_bytes;
    reads[i].header.Data = buffers[i].data();
    EXPECT_FALSE(DeviceIoControl(pin, IOCTL_KS_READ_STREAM, nullptr, 0, &reads[i], sizeof(Read),
                                 &returned, &overlapped[i]));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  }
  KSSTATE run = KSSTATE_RUN;
  ASSERT_TRUE(DeviceIoControl(pin, IOCTL_KS_PROPERTY, &state, sizeof(state), &run, sizeof(run),
                              &returned, nullptr));
  EXPECT_EQ(WaitForMultipleObjects(3, events.data(), TRUE, 10'000), WAIT_OBJECT_0);
  for (std::size_t i = 0; i < 3; ++i) {
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(pin, &overlapped[i], &bytes, FALSE)) << GetLastError();
    EXPECT_EQ(bytes, sizeof(Read));
    EXPECT_EQ(reads[i].info.PictureNumber, static_cast<LONGLONG>(i + 1));
    EXPECT_EQ(reads[i].header.DataUsed, frame_bytes);
    // Frame k is due k / 60 s after RUN; its time is within a few ms of it.
    EXPECT_NEAR(static_cast<double>(reads[i].header.PresentationTime.Time),
                static_cast<double>(i) * 166666.7, 50'000.0);
  }
  KSSTATE stop = KSSTATE_STOP;
  EXPECT_TRUE(DeviceIoControl(pin, IOCTL_KS_PROPERTY, &state, sizeof(state), &stop, sizeof(stop),
                              &returned, nullptr));
  for (HANDLE e : events)
    CloseHandle(e);
  EXPECT_TRUE(CloseHandle(pin));
  EXPECT_TRUE(CloseHandle(filter));
}

}  // namespace
