// The VideoStreaming interface's PROBE and COMMIT controls (UVC 4.3.1.1), as a
// device answers them: it negotiates what the host asks for into something it
// offers (format and frame indexes fixed, interval rounded to an offered one,
// frame and payload sizes filled in from the transport), and can be told to
// adjust, refuse, answer short or stall COMMIT.
#pragma once

#include <hilcap/device/uvc_protocol.h>
#include <hilcap/device_internal.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "control_request.h"
#include "uvc_device_config.h"

namespace hilcap::device::uvc {

class ProbeCommitResponder {
 public:
  // `config` must pass validate().
  explicit ProbeCommitResponder(UvcDeviceConfig config);

  // A class request on the VideoStreaming interface: SET_CUR and GET_CUR on
  // PROBE and COMMIT; GET_MIN, GET_MAX, GET_DEF and GET_RES on PROBE; GET_LEN
  // and GET_INFO on both. Anything else, a SET_CUR whose length is not the
  // version's block size, or a direction that does not match the request, is a
  // STALL. `out` holds the data stage of OUT requests, `in` receives IN data.
  ControlOutcome handle(const SetupPacket& setup, std::span<const std::uint8_t> out,
                        std::span<std::uint8_t> in);

  // The device's answer to a probe request: indexes fixed, the interval
  // chosen by the configured policy, sizes filled in.
  ProbeCommit negotiate(const ProbeCommit& request) const;
  // What the device streams with after COMMIT: the request made valid, with
  // the nearest offered interval. The interval policy does not apply: a
  // device commits to what it proposed.
  ProbeCommit accept(const ProbeCommit& request) const;
  ProbeCommit defaults() const;
  const ProbeCommit& probe() const { return probe_; }
  const std::optional<ProbeCommit>& committed() const { return committed_; }
  std::size_t block_size() const { return block_size_; }
  // Back to the power-on state (bus reset).
  void reset();

 private:
  ProbeCommit fix(const ProbeCommit& request, bool apply_policy) const;
  ProbeCommit resolve(std::uint8_t format_index, std::uint8_t frame_index,
                      std::uint32_t interval_100ns, std::uint16_t hint) const;
  ControlOutcome reply(const ProbeCommit& block, const SetupPacket& setup,
                       std::span<std::uint8_t> in) const;

  UvcDeviceConfig config_;
  std::size_t block_size_;
  ProbeCommit probe_;
  std::optional<ProbeCommit> committed_;
};

}  // namespace hilcap::device::uvc
