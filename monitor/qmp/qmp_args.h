// A QMP command's arguments checked against its schema the way QEMU's
// generated code does it: members in declaration order (missing, then
// wrong type), then anything the schema does not know.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "monitor/qmp/qmp_json.h"

namespace mimic::qmp {

enum class ArgType { Int, String, Bool, StringList };

struct ArgSpec {
  const char* name;
  ArgType type;
  bool optional = false;
};

// Checks `args` (an object). On failure returns the error QEMU gives:
// "Parameter 'x' is missing", "Invalid parameter type for 'x', expected:
// integer", "Parameter 'x' is unexpected".
std::optional<QmpError> checkArguments(const Json& args, const std::vector<ArgSpec>& schema);

// Typed access after checkArguments() passed.
int64_t argInt(const Json& args, const char* name);
std::string argString(const Json& args, const char* name);

}  // namespace mimic::qmp
