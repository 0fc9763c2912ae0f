#pragma once
/// \file
/// How a hot per-element loop gets an AVX2 clone beside its baseline code (used by
/// physics/ and pipeline/, which both build on frame/).
//
// A function marked NIGHTSIM_TARGET_CLONES is compiled twice, for baseline x86-64 and
// for AVX2, and the loader picks one by the CPU. Vectorisation only widens loops whose
// elements are computed independently; GCC never reorders a floating-point sum without
// -ffast-math, so reductions stay sequential. Each value thus sees the same IEEE
// operations in the same order in either clone (AVX2 brings wider registers, not FMA),
// and results are bit-identical on any machine.
// NIGHTSIM_NO_TARGET_CLONES builds the baseline code alone (to check that identity).

/// NIGHTSIM_TARGET_CLONES: marks a function for an AVX2 clone beside the baseline one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(NIGHTSIM_NO_TARGET_CLONES)
#define NIGHTSIM_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NIGHTSIM_TARGET_CLONES
#endif
