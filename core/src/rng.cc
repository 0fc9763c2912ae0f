#include "core/rng.h"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace nightsim {
namespace {

// SplitMix64 finalizer: mixes two ids into one without structure.
std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t hash) {
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;  // FNV prime
  }
  return hash;
}

std::uint64_t StableId(std::string_view name) { return Fnv1a(name); }

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t entity_id, std::uint64_t purpose_id)
    : seed_(seed), entity_(entity_id), purpose_(purpose_id) {}

RandomStream::RandomStream(std::uint64_t seed, std::string_view entity, std::string_view purpose)
    : RandomStream(seed, StableId(entity), StableId(purpose)) {}

RandomStream RandomStream::Derive(std::string_view sub_purpose) const {
  return RandomStream(seed_, entity_, Mix(purpose_, StableId(sub_purpose)));
}

RandomStream RandomStream::Derive(std::uint64_t index) const {
  return RandomStream(seed_, entity_, Mix(purpose_ ^ 0x5bd1e995ull, index));
}

std::uint64_t RandomStream::NextU64() {
  const std::uint64_t block = position_ >> 2;
  if (block != block_index_) {
    r123::Philox4x64 philox;
    const r123::Philox4x64::ctr_type ctr = {{purpose_, block, 0, 0}};
    const r123::Philox4x64::key_type key = {{seed_, entity_}};
    const auto out = philox(ctr, key);
    for (int i = 0; i < 4; ++i) block_[i] = out.v[i];
    block_index_ = block;
  }
  return block_[position_++ & 3];
}

double RandomStream::Uniform01() {
  // 53 random bits, centred in their cell: never exactly 0 or 1.
  return (static_cast<double>(NextU64() >> 11) + 0.5) * 0x1.0p-53;
}

double RandomStream::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }

std::uint64_t RandomStream::UniformInt(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("UniformInt: n must be > 0");
  const std::uint64_t threshold = (0 - n) % n;  // rejection removes modulo bias
  for (;;) {
    const std::uint64_t x = NextU64();
    if (x >= threshold) return x % n;
  }
}

double RandomStream::Normal(double mean, double sd) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + sd * spare_normal_;
  }
  // Box–Muller: two uniforms give two independent standard normals.
  const double r = std::sqrt(-2.0 * std::log(Uniform01()));
  const double theta = 2.0 * std::numbers::pi * Uniform01();
  spare_normal_ = r * std::sin(theta);
  has_spare_normal_ = true;
  return mean + sd * r * std::cos(theta);
}

double RandomStream::Exponential(double rate) {
  if (!(rate > 0)) throw std::invalid_argument("Exponential: rate must be > 0");
  return -std::log(Uniform01()) / rate;
}

double RandomStream::Gamma(double shape, double scale) {
  if (!(shape > 0) || !(scale > 0)) throw std::invalid_argument("Gamma: shape and scale must be > 0");
  if (shape < 1.0) {
    // Boost small shapes: Gamma(k) = Gamma(k + 1) · U^(1/k).
    return Gamma(shape + 1.0, scale) * std::pow(Uniform01(), 1.0 / shape);
  }
  // Marsaglia & Tsang (2000).
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = Normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = Uniform01();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

double RandomStream::LogNormal(double mu, double sigma) { return std::exp(Normal(mu, sigma)); }

std::int64_t RandomStream::Poisson(double mean) {
  if (!(mean >= 0)) throw std::invalid_argument("Poisson: mean must be >= 0");
  if (mean == 0) return 0;
  if (mean < 10.0) {
    // Knuth: multiply uniforms until the product drops below e^-mean.
    const double limit = std::exp(-mean);
    std::int64_t k = 0;
    double p = Uniform01();
    while (p > limit) {
      ++k;
      p *= Uniform01();
    }
    return k;
  }
  // PTRS, transformed rejection with squeeze (Hörmann 1993).
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = Uniform01() - 0.5;
    const double v = Uniform01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <= -mean + k * loglam - std::lgamma(k + 1.0)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

bool RandomStream::Bernoulli(double p) { return Uniform01() < p; }

std::size_t RandomStream::Categorical(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0)) throw std::invalid_argument("Categorical: weights must be >= 0");
    total += w;
  }
  if (!(total > 0)) throw std::invalid_argument("Categorical: weights must sum to > 0");
  double target = Uniform01() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (target < weights[i]) return i;
    target -= weights[i];
  }
  // Rounding can leave target just past the last positive weight.
  for (std::size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

}  // namespace nightsim
