// The baseline x86-64 backend: compiles one IR block straight to host code
// with a linear-scan register allocator over the block, the softmmu TLB
// hit path inline and its miss path out of line, and patchable jumps for
// block chaining.
#pragma once

#include <memory>

#include "tcg/backend.h"
#include "tcg/cpu.h"

namespace mimic::tcg {
class ExecEngine;
}

namespace mimic::x64 {

constexpr size_t kDefaultCodeBufferSize = 512u << 20;   // reserved lazily; Linux boots fill 64 MiB several times

// `code_buffer_size` bounds the host code kept at once; when it is full the
// engine flushes every translation and starts over.
std::unique_ptr<tcg::Backend> makeCodegen(tcg::Cpu& cpu, tcg::ExecEngine& engine,
                                          size_t code_buffer_size = kDefaultCodeBufferSize);

}  // namespace mimic::x64
