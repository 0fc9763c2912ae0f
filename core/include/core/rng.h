#pragma once
/// \file
/// Counter-based random streams (docs/design.md §9). Every draw is a pure function of
/// (run seed, stable entity id, purpose, counter), computed by Random123's
/// Philox4x64: key = {seed, entity}, counter = {purpose, index, 0, 0}. Streams of
/// different entities or purposes never share state, so adding a pet leaves every
/// other body's draws bit-identical. Distributions are written here, on top of the
/// raw 64-bit words, because std:: distributions differ between standard libraries.

#include <cstdint>
#include <span>
#include <string_view>

namespace nightsim {

/// FNV-1a 64 offset basis: the hash of no bytes.
inline constexpr std::uint64_t kFnv1aOffsetBasis = 0xcbf29ce484222325ull;

/// FNV-1a 64 of `bytes`, continuing from `hash` (chain calls to hash several pieces).
std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t hash = kFnv1aOffsetBasis);

/// Stable 64-bit id of a name from a scenario (FNV-1a): same name, same id, always.
std::uint64_t StableId(std::string_view name);

/// One independent random stream. Cheap to copy; copying forks the position.
class RandomStream {
 public:
  /// A stream for (run seed, entity id, purpose id), positioned at counter 0.
  RandomStream(std::uint64_t seed, std::uint64_t entity_id, std::uint64_t purpose_id);
  /// Convenience: ids from names via StableId.
  RandomStream(std::uint64_t seed, std::string_view entity, std::string_view purpose);

  /// A child stream: same seed and entity, purpose mixed with `sub_purpose`.
  RandomStream Derive(std::string_view sub_purpose) const;
  /// A child stream indexed by an integer (e.g. one stream per breath or frame).
  RandomStream Derive(std::uint64_t index) const;

  /// Next raw 64-bit word.
  std::uint64_t NextU64();
  /// Uniform on the open interval (0, 1); 53 random bits.
  double Uniform01();
  /// Uniform on [lo, hi).
  double Uniform(double lo, double hi);
  /// Uniform integer in [0, n). Precondition: n > 0.
  std::uint64_t UniformInt(std::uint64_t n);
  /// Normal(mean, sd) by the Box–Muller transform. sd >= 0.
  double Normal(double mean = 0.0, double sd = 1.0);
  /// Exponential with the given rate (events per unit). rate > 0.
  double Exponential(double rate);
  /// Gamma(shape k, scale θ) by Marsaglia–Tsang. k > 0, θ > 0.
  double Gamma(double shape, double scale);
  /// exp(Normal(mu, sigma)).
  double LogNormal(double mu, double sigma);
  /// Poisson(mean): inversion for small means, PTRS (Hörmann 1993) above 10.
  std::int64_t Poisson(double mean);
  /// true with probability p (clamped to [0, 1]).
  bool Bernoulli(double p);
  /// Index drawn with probability proportional to weights (non-negative, sum > 0).
  std::size_t Categorical(std::span<const double> weights);

  /// Words drawn so far (the position in the stream).
  std::uint64_t position() const { return position_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t entity_id() const { return entity_; }
  std::uint64_t purpose_id() const { return purpose_; }

 private:
  std::uint64_t seed_;
  std::uint64_t entity_;
  std::uint64_t purpose_;
  std::uint64_t position_{0};  // words consumed
  std::uint64_t block_[4]{};   // last Philox output block
  std::uint64_t block_index_{~0ull};
  double spare_normal_{0.0};
  bool has_spare_normal_{false};
};

}  // namespace nightsim
