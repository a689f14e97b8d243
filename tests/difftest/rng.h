// Deterministic pseudo-random numbers for the difftest generator.
//
// The standard library's distributions are not specified bit-exactly, so the
// generator uses only this small splitmix64-based source: the same seed gives
// the same program with any compiler and standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace difftest {

class Rng {
 public:
  // The seed is scrambled first: with a plain linear start, seeds s and s+1
  // would give the same stream shifted by one draw.
  explicit Rng(uint64_t seed) : state_(mix(seed ^ 0x6a09e667f3bcc909ull)) {}

  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t next64() { return mix(state_ += 0x9e3779b97f4a7c15ull); }
  uint32_t u32() { return static_cast<uint32_t>(next64() >> 32); }

  // Uniform in [0, n); n > 0.  The multiply-shift bias is negligible here.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((static_cast<uint64_t>(u32()) * n) >> 32); }
  // Uniform in [lo, hi] (inclusive).
  int32_t range(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>(below(static_cast<uint32_t>(hi - lo + 1)));
  }
  // True with probability num/den.
  bool chance(uint32_t num, uint32_t den) { return below(den) < num; }

  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(static_cast<uint32_t>(v.size()))]; }
  template <typename T>
  T pick(std::initializer_list<T> v) { return *(v.begin() + below(static_cast<uint32_t>(v.size()))); }

  // Index chosen with the given weights (at least one must be positive).
  size_t weighted(const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    double r = (static_cast<double>(next64() >> 11) / 9007199254740992.0) * total;
    for (size_t i = 0; i < w.size(); i++) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    for (size_t i = w.size(); i-- > 0;)
      if (w[i] > 0) return i;
    return 0;
  }

 private:
  uint64_t state_;
};

}  // namespace difftest
