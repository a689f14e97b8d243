// JSON as QMP speaks it: objects keep their member order, and text is
// written on one line the way QEMU writes it ({"a": 1, "b": [1, 2]}),
// ending with \r\n.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mimic::qmp {

using Json = nlohmann::ordered_json;

// One message as sent: QEMU's spacing, non-ASCII and control characters
// escaped (invalid UTF-8 becomes U+FFFD), then "\r\n".
std::string toWire(const Json& message);

// QMP error classes used here.
inline constexpr const char* kGenericError = "GenericError";
inline constexpr const char* kCommandNotFound = "CommandNotFound";

struct QmpError {
  std::string cls = kGenericError;
  std::string desc;
};

// {"error": {"class": ..., "desc": ...}}, with "id" first when the request had one.
Json errorReply(const QmpError& e, const Json* id);
// {"return": value}, with "id" after it when the request had one.
Json returnReply(const Json& value, const Json* id);

// Parses one complete JSON text as QEMU would accept it (duplicate keys are
// an error). On failure returns false and sets err to "JSON parse error, ...".
bool parseJson(std::string_view text, Json& out, std::string& err);

}  // namespace mimic::qmp
