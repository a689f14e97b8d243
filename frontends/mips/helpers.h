// Helpers called from translated MIPS code, with their IR descriptors.
#pragma once

#include "frontends/mips/cpu_state.h"
#include "tcg/ir.h"

namespace mimic::mips::helpers {

extern const tcg::HelperInfo raise;         // (excode) never returns
extern const tcg::HelperInfo raiseCpu;      // (ce) Coprocessor Unusable
extern const tcg::HelperInfo mfc0;          // (reg << 3 | sel) -> value
extern const tcg::HelperInfo mtc0;          // (reg << 3 | sel, value)
extern const tcg::HelperInfo eret;
extern const tcg::HelperInfo deret;
extern const tcg::HelperInfo di;            // -> old Status
extern const tcg::HelperInfo ei;            // -> old Status
extern const tcg::HelperInfo wait;          // (pc of the next instruction)
extern const tcg::HelperInfo tlbp, tlbr, tlbwi, tlbwr;
extern const tcg::HelperInfo rdhwr;         // (reg) -> value; RI when not allowed
extern const tcg::HelperInfo ll;            // (vaddr) -> value; records the link
extern const tcg::HelperInfo sc;            // (vaddr, value) -> 1 stored / 0 not
extern const tcg::HelperInfo sdbbp;
extern const tcg::HelperInfo swl;           // (vaddr, value)
extern const tcg::HelperInfo swr;
extern const tcg::HelperInfo cfc1;          // (fs) -> value
extern const tcg::HelperInfo ctc1;          // (fs, value); may raise FPE

}  // namespace mimic::mips::helpers
