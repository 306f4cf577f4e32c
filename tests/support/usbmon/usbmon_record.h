// Test-only reader for Linux usbmon captures: the binary ("mmapped") record
// that the kernel's usbmon gives and that pcap stores with
// LINKTYPE_USB_LINUX_MMAPPED (220): a 64-byte header, the isochronous packet
// descriptors, then the captured data. Reads the hex-text form of one record,
// classic pcap files, and hex lines of payload heads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace hilcap::testsupport::usbmon {

inline constexpr std::size_t kHeaderSize = 64;
inline constexpr std::size_t kIsoDescriptorSize = 16;
inline constexpr std::uint32_t kLinktypeUsbLinuxMmapped = 220;

enum class TransferKind : std::uint8_t {
  kIsochronous = 0,
  kInterrupt = 1,
  kControl = 2,
  kBulk = 3
};

struct IsoDescriptor {
  std::int32_t status = 0;
  std::uint32_t offset = 0;  // into the data
  std::uint32_t length = 0;
};

struct Record {
  std::uint64_t id = 0;
  char event = 0;  // 'S' submit, 'C' complete, 'E' error
  TransferKind transfer = TransferKind::kBulk;
  std::uint8_t endpoint = 0;
  std::uint8_t device = 0;
  std::uint16_t bus = 0;
  std::int64_t ts_sec = 0;
  std::int32_t ts_usec = 0;
  std::int32_t status = 0;
  std::uint32_t length = 0;   // urb length (actual length for 'C')
  std::uint32_t len_cap = 0;  // captured bytes after the header, descriptors included
  std::int32_t error_count = 0;
  std::int32_t interval = 0;
  std::int32_t start_frame = 0;
  std::uint32_t xfer_flags = 0;
  std::vector<IsoDescriptor> iso;
  std::vector<std::uint8_t> data;  // captured data after the descriptors

  // Isochronous packet i's bytes; empty when its range is not in the capture.
  std::span<const std::uint8_t> iso_packet(std::size_t i) const;
  std::int64_t timestamp_us() const { return ts_sec * 1000000 + ts_usec; }
};

struct ParseOutcome {
  bool ok = false;
  std::string error;
};

// One record from its bytes.
ParseOutcome parse_record(std::span<const std::uint8_t> bytes, Record& out);

// Space-separated hex bytes ("00 f8 07 ...") to bytes.
ParseOutcome read_hex_text(const std::filesystem::path& path, std::vector<std::uint8_t>& out);

// Every record of a classic pcap file with link type 220.
ParseOutcome read_pcap(const std::filesystem::path& path, std::vector<Record>& out);
ParseOutcome parse_pcap(std::span<const std::uint8_t> file, std::vector<Record>& out);
bool is_pcap(std::span<const std::uint8_t> file);

// A file of lines with one unspaced hex string each (payload heads); other
// lines ("Converted Monotonic Time: ...") are skipped. An odd-length or
// non-hex line is an error naming its line number.
struct HexLine {
  std::size_t line_number = 0;
  std::vector<std::uint8_t> bytes;
};
ParseOutcome read_hex_lines(const std::string& text, std::vector<HexLine>& out);

}  // namespace hilcap::testsupport::usbmon
