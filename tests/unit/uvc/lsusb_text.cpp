#include "lsusb_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>

namespace hilcap::uvc::testing {

namespace {

// One "Something Descriptor:" block of lsusb's output and its "key value" lines.
struct Block {
  std::string name;
  std::map<std::string, std::string> fields;  // first word of each value
  std::vector<std::string> warnings;
};

std::vector<std::uint8_t> hex_bytes(const std::string& text) {
  std::vector<std::uint8_t> bytes;
  std::istringstream in(text);
  std::string token;
  while (in >> token)
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(token, nullptr, 16)));
  return bytes;
}

std::vector<Block> split_blocks(const std::string& text,
                                std::vector<std::vector<std::uint8_t>>& undecoded) {
  static const std::regex kField(R"(^\s*([A-Za-z]\w*(?:\(\s*\d+\))?)\s+(\S+))");
  std::vector<Block> blocks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string body = line.substr(first);
    static const std::string kUndecoded = "INTERFACE CLASS:";
    if (body.rfind(kUndecoded, 0) == 0) {
      undecoded.push_back(hex_bytes(body.substr(kUndecoded.size())));
      continue;
    }
    if (body.back() == ':' && body.find("  ") == std::string::npos) {
      blocks.push_back(Block{body.substr(0, body.size() - 1), {}, {}});
      continue;
    }
    if (blocks.empty()) continue;
    if (body.rfind("Warning:", 0) == 0) {
      blocks.back().warnings.push_back(body);
      continue;
    }
    std::smatch m;
    if (!std::regex_search(body, m, kField)) continue;
    std::string key = m[1];
    key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
    blocks.back().fields.emplace(key, m[2]);
  }
  return blocks;
}

unsigned long num(const Block& b, const std::string& key) {
  const auto it = b.fields.find(key);
  if (it == b.fields.end()) return 0;
  return std::stoul(it->second, nullptr, 0);  // "0x..." or decimal
}

bool has(const Block& b, const std::string& key) {
  return b.fields.count(key) != 0;
}

const std::string& str(const Block& b, const std::string& key) {
  static const std::string kEmpty;
  const auto it = b.fields.find(key);
  return it == b.fields.end() ? kEmpty : it->second;
}

// "1.50" as lsusb prints a BCD version → 0x0150.
unsigned bcd(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return 0;
  return (std::stoul(text.substr(0, dot), nullptr, 16) << 8) |
         std::stoul(text.substr(dot + 1), nullptr, 16);
}

std::string join(const std::vector<unsigned long>& v) {
  return fmt::format("{}", fmt::join(v, ","));
}

// The canonical lines, written once for both sides.
std::string device_line(unsigned vid, unsigned pid, unsigned bcd_usb) {
  return fmt::format("device {:04x}:{:04x} bcdUSB 0x{:04x}", vid, pid, bcd_usb);
}
std::string interface_line(unsigned n, unsigned alt, unsigned cls, unsigned sub, unsigned eps) {
  return fmt::format("if {} alt {} class {} sub {} eps {}", n, alt, cls, sub, eps);
}
std::string endpoint_line(unsigned n, unsigned alt, unsigned addr, unsigned attr, unsigned mps,
                          int burst) {
  std::string s =
      fmt::format("if {} alt {} ep 0x{:02x} attr {} mps 0x{:04x}", n, alt, addr, attr, mps);
  if (burst >= 0) s += fmt::format(" burst {}", burst);
  return s;
}
std::string vc_header_line(unsigned n, unsigned bcd_uvc, unsigned long clock,
                           const std::vector<unsigned long>& collection) {
  return fmt::format("vc if {} bcdUVC 0x{:04x} clock {} collection {}", n, bcd_uvc, clock,
                     join(collection));
}
std::string entity_line(unsigned n, unsigned subtype, unsigned id, unsigned type) {
  return fmt::format("vc if {} entity {} id {} type 0x{:04x}", n, subtype, id, type);
}
std::string input_header_line(unsigned n, unsigned formats, unsigned ep) {
  return fmt::format("vs if {} input-header formats {} ep 0x{:02x}", n, formats, ep);
}
std::string format_line(unsigned n, unsigned index, unsigned subtype, unsigned frames,
                        const std::string& guid) {
  std::string s = fmt::format("vs if {} format {} subtype {} frames {}", n, index, subtype, frames);
  if (!guid.empty()) s += " guid " + guid;
  return s;
}
std::string color_line(unsigned n, unsigned format, unsigned p, unsigned t, unsigned m) {
  return fmt::format("vs if {} format {} color {}/{}/{}", n, format, p, t, m);
}

struct FrameFacts {
  unsigned subtype = 0, index = 0, width = 0, height = 0;
  unsigned long min_bit_rate = 0, max_bit_rate = 0, buffer = 0, bytes_per_line = 0;
  unsigned long default_interval = 0;
  bool frame_based = false, continuous = false;
  std::vector<unsigned long> intervals;  // discrete, or min, max, step
};
std::string frame_line(unsigned n, unsigned format, const FrameFacts& f) {
  std::string s =
      fmt::format("vs if {} format {} frame {} subtype {} {}x{} bitrate {}-{} ", n, format, f.index,
                  f.subtype, f.width, f.height, f.min_bit_rate, f.max_bit_rate);
  s += f.frame_based ? fmt::format("bpl {}", f.bytes_per_line) : fmt::format("buf {}", f.buffer);
  s += fmt::format(" default {}", f.default_interval);
  if (f.continuous && f.intervals.size() == 3)
    s += fmt::format(" continuous {}-{}/{}", f.intervals[0], f.intervals[1], f.intervals[2]);
  else
    s += " intervals " + join(f.intervals);
  return s;
}
std::string still_line(unsigned n, const std::vector<std::string>& sizes) {
  return fmt::format("vs if {} still sizes {}", n, fmt::join(sizes, ","));
}

constexpr unsigned kSubtypeFrameFrameBased = device::uvc::kVsFrameFrameBased;

}  // namespace

LsusbDecode parse_lsusb_text(const std::string& text) {
  LsusbDecode out;
  unsigned itf = 0, alt = 0, cls = 0, sub = 0;
  unsigned format = 0;
  for (const Block& b : split_blocks(text, out.undecoded)) {
    if (b.name == "Device Descriptor") {
      out.lines.push_back(
          device_line(num(b, "idVendor"), num(b, "idProduct"), bcd(str(b, "bcdUSB"))));
    } else if (b.name == "Interface Descriptor") {
      itf = num(b, "bInterfaceNumber");
      alt = num(b, "bAlternateSetting");
      cls = num(b, "bInterfaceClass");
      sub = num(b, "bInterfaceSubClass");
      out.lines.push_back(interface_line(itf, alt, cls, sub, num(b, "bNumEndpoints")));
    } else if (b.name == "Endpoint Descriptor") {
      out.lines.push_back(endpoint_line(itf, alt, num(b, "bEndpointAddress"),
                                        num(b, "bmAttributes"), num(b, "wMaxPacketSize"),
                                        has(b, "bMaxBurst") ? int(num(b, "bMaxBurst")) : -1));
    } else if (b.name == "VideoControl Interface Descriptor") {
      const unsigned subtype = num(b, "bDescriptorSubtype");
      for (const std::string& w : b.warnings)
        out.warnings.push_back(fmt::format("VC subtype {}: {}", subtype, w));
      if (subtype == device::uvc::kVcHeader) {
        ++out.video_functions;
        const double mhz = std::stod(str(b, "dwClockFrequency"));
        std::vector<unsigned long> collection;
        for (unsigned long i = 0; i < num(b, "bInCollection"); ++i)
          collection.push_back(num(b, fmt::format("baInterfaceNr({})", i)));
        out.lines.push_back(
            vc_header_line(itf, bcd(str(b, "bcdUVC")), std::lround(mhz * 1e6), collection));
      } else {
        const bool terminal = has(b, "bTerminalID");
        out.lines.push_back(entity_line(itf, subtype, num(b, terminal ? "bTerminalID" : "bUnitID"),
                                        terminal ? num(b, "wTerminalType") : 0));
      }
    } else if (b.name == "VideoStreaming Interface Descriptor") {
      const unsigned subtype = num(b, "bDescriptorSubtype");
      for (const std::string& w : b.warnings)
        out.warnings.push_back(fmt::format("VS subtype {}: {}", subtype, w));
      switch (subtype) {
        case device::uvc::kVsInputHeader:
          out.lines.push_back(
              input_header_line(itf, num(b, "bNumFormats"), num(b, "bEndpointAddress")));
          break;
        case device::uvc::kVsFormatUncompressed:
        case device::uvc::kVsFormatMjpeg:
        case device::uvc::kVsFormatFrameBased:
          format = num(b, "bFormatIndex");
          out.lines.push_back(format_line(itf, format, subtype, num(b, "bNumFrameDescriptors"),
                                          str(b, "guidFormat")));
          break;
        case device::uvc::kVsFrameUncompressed:
        case device::uvc::kVsFrameMjpeg:
        case device::uvc::kVsFrameFrameBased: {
          FrameFacts f;
          f.subtype = subtype;
          f.index = num(b, "bFrameIndex");
          f.width = num(b, "wWidth");
          f.height = num(b, "wHeight");
          f.min_bit_rate = num(b, "dwMinBitRate");
          f.max_bit_rate = num(b, "dwMaxBitRate");
          f.frame_based = subtype == kSubtypeFrameFrameBased;
          f.buffer = num(b, "dwMaxVideoFrameBufferSize");
          f.bytes_per_line = num(b, "dwBytesPerLine");
          f.default_interval = num(b, "dwDefaultFrameInterval");
          const unsigned long n = num(b, "bFrameIntervalType");
          f.continuous = n == 0;
          if (f.continuous)
            f.intervals = {num(b, "dwMinFrameInterval"), num(b, "dwMaxFrameInterval"),
                           num(b, "dwFrameIntervalStep")};
          for (unsigned long i = 0; i < n; ++i)
            f.intervals.push_back(num(b, fmt::format("dwFrameInterval({})", i)));
          out.lines.push_back(frame_line(itf, format, f));
          break;
        }
        case device::uvc::kVsStillImageFrame: {
          std::vector<std::string> sizes;
          for (unsigned long i = 0; i < num(b, "bNumImageSizePatterns"); ++i)
            sizes.push_back(fmt::format("{}x{}", num(b, fmt::format("wWidth({})", i)),
                                        num(b, fmt::format("wHeight({})", i))));
          out.lines.push_back(still_line(itf, sizes));
          break;
        }
        case device::uvc::kVsColorFormat:
          out.lines.push_back(color_line(itf, format, num(b, "bColorPrimaries"),
                                         num(b, "bTransferCharacteristics"),
                                         num(b, "bMatrixCoefficients")));
          break;
        default:
          break;
      }
    }
  }
  return out;
}

std::vector<std::string> canonical_lines(const ParsedDevice& parsed) {
  std::vector<std::string> lines;
  if (parsed.device)
    lines.push_back(
        device_line(parsed.device->vendor_id, parsed.device->product_id, parsed.device->bcd_usb));
  const Configuration& cfg = parsed.configuration;
  for (const Interface& itf : cfg.interfaces)
    for (const AltSetting& a : itf.alt_settings) {
      lines.push_back(interface_line(a.interface_number, a.alternate_setting, a.interface_class,
                                     a.interface_subclass, a.num_endpoints));
      for (const Endpoint& ep : a.endpoints)
        lines.push_back(endpoint_line(a.interface_number, a.alternate_setting, ep.address,
                                      ep.attributes, ep.max_packet_size_raw,
                                      ep.companion ? int(ep.companion->max_burst) : -1));
    }
  for (const VideoFunction& fn : cfg.video_functions) {
    const unsigned vc = fn.control_interface;
    std::vector<unsigned long> collection(fn.header.streaming_interfaces.begin(),
                                          fn.header.streaming_interfaces.end());
    lines.push_back(vc_header_line(vc, fn.bcd_uvc(), fn.header.clock_frequency_hz, collection));
    for (const VideoEntity& e : fn.entities) {
      static constexpr unsigned kSubtype[] = {
          device::uvc::kVcInputTerminal, device::uvc::kVcOutputTerminal,
          device::uvc::kVcSelectorUnit,  device::uvc::kVcProcessingUnit,
          device::uvc::kVcExtensionUnit, device::uvc::kVcEncodingUnit};
      lines.push_back(entity_line(vc, kSubtype[static_cast<int>(e.kind)], e.id, e.terminal_type));
    }
    for (const StreamingInterface& si : fn.streaming) {
      const unsigned n = si.interface_number;
      lines.push_back(input_header_line(n, si.header.num_formats, si.header.endpoint_address));
      for (const Format& f : si.formats) {
        const bool has_guid =
            f.kind == FormatKind::kUncompressed || f.kind == FormatKind::kFrameBased;
        lines.push_back(format_line(n, f.index, f.subtype, f.num_frame_descriptors,
                                    has_guid ? guid_string(f.guid) : ""));
        for (const Frame& fr : f.frames) {
          FrameFacts ff;
          ff.subtype = fr.subtype;
          ff.index = fr.index;
          ff.width = fr.width;
          ff.height = fr.height;
          ff.min_bit_rate = fr.min_bit_rate;
          ff.max_bit_rate = fr.max_bit_rate;
          ff.frame_based = f.kind == FormatKind::kFrameBased;
          ff.buffer = fr.max_video_frame_buffer_size;
          ff.bytes_per_line = fr.bytes_per_line;
          ff.default_interval = fr.default_interval;
          ff.continuous = fr.intervals.continuous;
          if (ff.continuous)
            ff.intervals = {fr.intervals.min, fr.intervals.max, fr.intervals.step};
          else
            ff.intervals.assign(fr.intervals.discrete.begin(), fr.intervals.discrete.end());
          lines.push_back(frame_line(n, f.index, ff));
        }
        for (const StillImageFrame& s : si.still_frames) {
          if (s.format_index != f.index) continue;
          std::vector<std::string> sizes;
          for (const StillImageFrame::Size& size : s.sizes)
            sizes.push_back(fmt::format("{}x{}", size.width, size.height));
          lines.push_back(still_line(n, sizes));
        }
        if (f.color)
          lines.push_back(color_line(n, f.index, f.color->color_primaries,
                                     f.color->transfer_characteristics,
                                     f.color->matrix_coefficients));
      }
    }
  }
  return lines;
}

}  // namespace hilcap::uvc::testing
