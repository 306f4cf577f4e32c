// hilcap capture device: datasheet.
//
// The whole interface between a host driver and the simulated capture device.
// host/ includes only these headers; everything else in firmware-model/ is the
// device's implementation.
//
// Data path (a descriptor-ring DMA engine):
//   1. The host posts empty buffers on the SubmissionRing (rings.h), each a
//      BufferDescriptor (ring_entries.h) of at least frame_format().frame_bytes().
//   2. In RUN, frame k is due at start + k * interval (exact rational
//      arithmetic, no drift; jitter, bursts and stalls as configured). When a
//      frame is due the device takes the oldest posted buffer and fills it
//      (FrameHeader at the start, frame_header.h), and after the DMA time posts
//      a CompletionEntry on the CompletionRing.
//   3. interrupt_latency later the device asserts its InterruptLine
//      (interrupt_line.h, level-triggered with an acknowledge register).
//   4. The host's completion path acknowledges, drains the completion ring,
//      verifies frames if it likes (verify_frame) and posts buffers again.
//
// Starvation: a frame that is due when no buffer is posted is dropped; its
// sequence number is used up (sequence gaps equal drops), DropCount grows, and
// the next delivered frame carries CompletionFlags::kDiscontinuity.
//
// Control (control.h): pin state STOP / ACQUIRE / PAUSE / RUN, the KS frame
// counters, the connected status register and the interrupt acknowledge.
//
// Time (timebase.h): the device reads no clock and never sleeps; it runs on the
// Timebase it is given, virtual or real, with the same code.
#pragma once

#include <hilcap/device/control.h>
#include <hilcap/device/frame_format.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/device/ring_entries.h>
#include <hilcap/device/rings.h>
#include <hilcap/device/timebase.h>
