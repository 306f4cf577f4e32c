#include "usbmon_record.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

namespace hilcap::testsupport::usbmon {

namespace {

template <class T>
T get(std::span<const std::uint8_t> b, std::size_t at) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v = static_cast<T>(v | (static_cast<T>(b[at + i]) << (8 * i)));
  return v;
}

ParseOutcome fail(std::string message) {
  return {false, std::move(message)};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::span<const std::uint8_t> Record::iso_packet(std::size_t i) const {
  if (i >= iso.size()) return {};
  const IsoDescriptor& d = iso[i];
  if (std::uint64_t{d.offset} + d.length > data.size()) return {};
  return std::span<const std::uint8_t>(data).subspan(d.offset, d.length);
}

ParseOutcome parse_record(std::span<const std::uint8_t> b, Record& r) {
  if (b.size() < kHeaderSize)
    return fail("record of " + std::to_string(b.size()) + " bytes, header needs 64");
  r = Record{};
  r.id = get<std::uint64_t>(b, 0);
  r.event = static_cast<char>(b[8]);
  r.transfer = static_cast<TransferKind>(b[9]);
  r.endpoint = b[10];
  r.device = b[11];
  r.bus = get<std::uint16_t>(b, 12);
  r.ts_sec = get<std::int64_t>(b, 16);
  r.ts_usec = get<std::int32_t>(b, 24);
  r.status = get<std::int32_t>(b, 28);
  r.length = get<std::uint32_t>(b, 32);
  r.len_cap = get<std::uint32_t>(b, 36);
  r.error_count = get<std::int32_t>(b, 40);
  r.interval = get<std::int32_t>(b, 48);
  r.start_frame = get<std::int32_t>(b, 52);
  r.xfer_flags = get<std::uint32_t>(b, 56);
  const std::uint32_t ndesc = get<std::uint32_t>(b, 60);
  if (r.transfer != TransferKind::kIsochronous && ndesc != 0)
    return fail("non-isochronous record with " + std::to_string(ndesc) + " descriptors");
  const std::uint64_t desc_bytes = std::uint64_t{ndesc} * kIsoDescriptorSize;
  if (desc_bytes > r.len_cap || kHeaderSize + std::uint64_t{r.len_cap} > b.size())
    return fail("len_cap " + std::to_string(r.len_cap) + " with " + std::to_string(ndesc) +
                " descriptors does not fit the " + std::to_string(b.size()) + "-byte record");
  for (std::uint32_t i = 0; i < ndesc; ++i) {
    const std::size_t at = kHeaderSize + i * kIsoDescriptorSize;
    r.iso.push_back(
        {get<std::int32_t>(b, at), get<std::uint32_t>(b, at + 4), get<std::uint32_t>(b, at + 8)});
  }
  const auto data = b.subspan(kHeaderSize + desc_bytes, r.len_cap - desc_bytes);
  r.data.assign(data.begin(), data.end());
  return {true, {}};
}

ParseOutcome read_hex_text(const std::filesystem::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path);
  if (!in) return fail("cannot open " + path.string());
  out.clear();
  std::string token;
  while (in >> token) {
    if (token.size() != 2 || hex_digit(token[0]) < 0 || hex_digit(token[1]) < 0)
      return fail(path.string() + ": not a hex byte: '" + token + "'");
    out.push_back(static_cast<std::uint8_t>(hex_digit(token[0]) * 16 + hex_digit(token[1])));
  }
  return {true, {}};
}

ParseOutcome read_pcap(const std::filesystem::path& path, std::vector<Record>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open " + path.string());
  const std::vector<std::uint8_t> file{std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()};
  return parse_pcap(file, out);
}

bool is_pcap(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return false;
  const std::uint32_t magic = get<std::uint32_t>(b, 0);
  return magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;  // microsecond / nanosecond
}

ParseOutcome parse_pcap(std::span<const std::uint8_t> b, std::vector<Record>& out) {
  if (b.size() < 24) return fail("pcap shorter than its 24-byte header");
  if (!is_pcap(b)) return fail("not a little-endian classic pcap file");
  const std::uint32_t linktype = get<std::uint32_t>(b, 20);
  if (linktype != kLinktypeUsbLinuxMmapped)
    return fail("pcap link type " + std::to_string(linktype) + ", expected 220");
  out.clear();
  std::size_t at = 24;
  while (at < b.size()) {
    if (b.size() - at < 16) return fail("pcap record header cut off at byte " + std::to_string(at));
    const std::uint32_t incl_len = get<std::uint32_t>(b, at + 8);
    at += 16;
    if (incl_len > b.size() - at)
      return fail("pcap record of " + std::to_string(incl_len) + " bytes runs past the file");
    Record r;
    const ParseOutcome parsed = parse_record(b.subspan(at, incl_len), r);
    if (!parsed.ok) return parsed;
    out.push_back(std::move(r));
    at += incl_len;
  }
  return {true, {}};
}

ParseOutcome read_hex_lines(const std::string& text, std::vector<HexLine>& out) {
  out.clear();
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    if (line.empty() || line.rfind("Converted", 0) == 0) continue;
    if (line.size() % 2 != 0)
      return fail("line " + std::to_string(number) + ": odd number of hex digits (" +
                  std::to_string(line.size()) + ")");
    HexLine h{number, {}};
    for (std::size_t i = 0; i < line.size(); i += 2) {
      const int hi = hex_digit(line[i]);
      const int lo = hex_digit(line[i + 1]);
      if (hi < 0 || lo < 0) return fail("line " + std::to_string(number) + ": not hex");
      h.bytes.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    out.push_back(std::move(h));
  }
  return {true, {}};
}

}  // namespace hilcap::testsupport::usbmon
