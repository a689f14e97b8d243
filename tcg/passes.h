// Optimization passes over one block. Each is a free function; optimize()
// runs them in the one order the project uses.
#pragma once

#include "tcg/ir.h"

namespace mimic::tcg {

// Propagates constants from single-definition temps, folds pure ops whose
// inputs are all constant, simplifies identities (x+0, x&~0, ...), resolves
// constant branches and removes the code they make unreachable.
void constantFoldPass(Block& b);

// Within straight-line stretches, forwards a guest register's value from an
// earlier get/put to a later get, and drops a put that a later put to the
// same slot overwrites before anything can observe it (a read of the state,
// a possible exception, a label or an exit).
void guestStatePass(Block& b);

// Removes labels no branch targets and code no path reaches (after an
// exit, an unconditional branch or a helper that never returns).
void unreachableCodePass(Block& b);

// Removes pure ops whose results are never used.
void deadCodePass(Block& b);

void optimize(Block& b);

// optimize() without guestStatePass: every guest instruction leaves the
// guest state complete in the state slots, so code may be entered or left
// at any instruction boundary (hot regions join overlapping blocks there;
// LLVM keeps the slots in registers anyway).
void optimizeKeepingInsnBoundaries(Block& b);

}  // namespace mimic::tcg
