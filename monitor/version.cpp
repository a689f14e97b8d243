#include "monitor/version.h"

#include "src/mimic_version.h"

namespace mimic::monitor {

std::string packageString() { return std::string("mimic ") + MIMIC_VERSION; }

}  // namespace mimic::monitor
