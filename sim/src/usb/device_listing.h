// What `hilcap devices` prints: the UVC devices present, each video function
// with its streaming interfaces, how they stream (bulk, or isochronous with
// their bandwidth), and every format with its frame sizes and intervals; as a
// readable listing or as JSON.
#pragma once

#include <hilcap/uvc/usb_devices.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hilcap::sim {

std::string devices_text(const std::vector<uvc::UvcDeviceInfo>& devices);

// [{"id": "046d:0825", "vendor_id": 1133, ..., "functions": [{"streaming":
// [{"interface": 1, "transport": {...}, "formats": [{"name": "YUY2", "frames":
// [{"width": 640, "height": 480, "intervals_100ns": [333333, ...]}]}]}]}]}]
nlohmann::json devices_json(const std::vector<uvc::UvcDeviceInfo>& devices);

}  // namespace hilcap::sim
