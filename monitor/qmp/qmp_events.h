// Machine events as QMP events:
//   {"timestamp": {"seconds": S, "microseconds": US}, "event": "STOP"}
// STOP, RESUME, POWERDOWN carry no data; RESET and SHUTDOWN carry
// {"guest": bool, "reason": ...} with QEMU's ShutdownCause names.
#pragma once

#include "monitor/event_mailbox.h"
#include "monitor/qmp/qmp_json.h"

namespace mimic::qmp {

Json eventMessage(const monitor::TimedEvent& ev);

}  // namespace mimic::qmp
