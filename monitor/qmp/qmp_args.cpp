#include "monitor/qmp/qmp_args.h"

#include <fmt/format.h>

namespace mimic::qmp {

namespace {

// A JSON integer that fits int64, as QEMU's QNum. 1.0 and 2^63 do not.
bool isInt64(const Json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return true;
  return v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
}

bool matches(const Json& v, ArgType t) {
  switch (t) {
    case ArgType::Int: return isInt64(v);
    case ArgType::String: return v.is_string();
    case ArgType::Bool: return v.is_boolean();
    case ArgType::StringList:
      if (!v.is_array()) return false;
      for (const Json& e : v)
        if (!e.is_string()) return false;
      return true;
  }
  return false;
}

const char* typeName(ArgType t) {
  switch (t) {
    case ArgType::Int: return "integer";
    case ArgType::String: return "string";
    case ArgType::Bool: return "boolean";
    case ArgType::StringList: return "array";
  }
  return "value";
}

}  // namespace

std::optional<QmpError> checkArguments(const Json& args, const std::vector<ArgSpec>& schema) {
  for (const ArgSpec& a : schema) {
    auto it = args.find(a.name);
    if (it == args.end()) {
      if (a.optional) continue;
      return QmpError{kGenericError, fmt::format("Parameter '{}' is missing", a.name)};
    }
    if (!matches(*it, a.type))
      return QmpError{kGenericError, fmt::format("Invalid parameter type for '{}', expected: {}", a.name, typeName(a.type))};
  }
  for (auto it = args.begin(); it != args.end(); ++it) {
    bool known = false;
    for (const ArgSpec& a : schema) known = known || it.key() == a.name;
    if (!known) return QmpError{kGenericError, fmt::format("Parameter '{}' is unexpected", it.key())};
  }
  return std::nullopt;
}

int64_t argInt(const Json& args, const char* name) {
  const Json& v = args.at(name);
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}

std::string argString(const Json& args, const char* name) { return args.at(name).get<std::string>(); }

}  // namespace mimic::qmp
