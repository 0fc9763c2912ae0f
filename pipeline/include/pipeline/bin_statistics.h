#pragma once
/// \file
/// Static-clutter removal and slow-time statistics per range bin, in bounded memory.

#include <array>
#include <complex>
#include <vector>

namespace nightsim::pipeline {

/// Most receive antennas the statistics support.
inline constexpr int kMaxRx = 4;

/// Spatial (across-RX) covariance of one range bin, Hermitian, in (per-RX sample
/// amplitude)² units. Element (i, j) = E[x_i conj(x_j)].
struct SpatialCov {
  int num_rx{0};
  std::array<std::complex<double>, kMaxRx * kMaxRx> m{};
  std::complex<double> operator()(int i, int j) const { return m[static_cast<std::size_t>(i * kMaxRx + j)]; }
  std::complex<double>& operator()(int i, int j) { return m[static_cast<std::size_t>(i * kMaxRx + j)]; }
  /// Sum of the diagonal: total power over the RX.
  double Trace() const;
};

/// Per-bin statistics of the range profiles, accumulated per block (typically
/// 1 s of frames) and kept over a sliding window of blocks. Removing the mean of
/// the window is the static-clutter removal: the bed frame, walls and furniture
/// are constant in a bin and vanish from the covariance, while a breathing chest
/// (a rotation of the bin's phasor around the clutter) and any movement remain.
/// Within a block, samples are accumulated in float relative to the previous
/// block's mean (small, well-conditioned sums even under clutter 80 dB above the
/// noise); closed blocks hold absolute sums in double, where the cancellation
/// E[|x|²] − |E[x]|² costs ~1e-8 of the noise power at worst.
/// Memory is window_blocks × bins × rx², independent of night length; the
/// per-frame path does not allocate and window queries are O(1) (cached at EndBlock).
class BinStatistics {
 public:
  /// 1 ≤ num_rx ≤ kMaxRx, num_bins ≥ 1, window_blocks ≥ 1; throws std::invalid_argument.
  BinStatistics(int num_rx, int num_bins, int window_blocks);

  /// Adds one profile to the open block: RX r's bins start at profile + r·stride
  /// (stride ≥ num_bins; only the first num_bins bins are used).
  void AddFrame(const std::complex<float>* profile, int stride);
  /// Closes the open block (if it has frames), slides the window, refreshes the caches.
  void EndBlock();

  int num_rx() const { return num_rx_; }
  int num_bins() const { return num_bins_; }
  /// Closed blocks currently in the window.
  int blocks() const { return static_cast<int>(count_); }

  /// Clutter-removed spatial covariance over the window: E[x x^H] − E[x] E[x]^H.
  const SpatialCov& WindowCovariance(int bin) const { return window_cov_[static_cast<std::size_t>(bin)]; }
  /// Total clutter-removed power (trace) over the last closed block only.
  double BlockVariance(int bin) const { return block_var_[static_cast<std::size_t>(bin)]; }
  /// Mean over the last closed block of Σ_rx |x_n − x_{n−1}|² / 2. White noise of
  /// variance σ² per RX gives num_rx·σ²; a slow breathing rotation gives little;
  /// gross movement (decorrelated frame to frame) gives about the total power.
  double FastPower(int bin) const { return fast_[static_cast<std::size_t>(bin)]; }

 private:
  // Sums of a closed block or of the window, in double: one flat array of streams over
  // bins ([stream][bin]: Σx re and im per RX, Σ|x|² per RX, Σ x_i x_j* re and im per
  // cross pair i < j), so the per-bin loops vectorise and the window adds it in one loop.
  // Σ x_i x_i* is real, so only its real part is kept.
  struct Block {
    int frames{0};
    int diffs{0};              // frame differences in d2
    std::vector<double> sums;  // see above
    std::vector<double> d2;    // [bin] Σ_rx |Δx|²
  };
  // Offsets of the streams in a sums array.
  std::size_t S1Re(int rx) const { return static_cast<std::size_t>(rx * num_bins_); }
  std::size_t S1Im(int rx) const { return static_cast<std::size_t>((num_rx_ + rx) * num_bins_); }
  std::size_t Power(int rx) const { return static_cast<std::size_t>((2 * num_rx_ + rx) * num_bins_); }
  std::size_t CrossRe(int q) const { return static_cast<std::size_t>((3 * num_rx_ + q) * num_bins_); }
  std::size_t CrossIm(int q) const { return static_cast<std::size_t>((3 * num_rx_ + cross_pairs_ + q) * num_bins_); }
  void RecomputeWindow();
  void AddToWindow(const Block& b, bool subtract);  // subtract: evict b from the window sums
  void RefreshCaches();

  int num_rx_;
  int num_bins_;
  int cross_pairs_;  // pairs i < j
  // Open block: float, structure of arrays ([component][bin]) so the per-frame
  // loops are simple streams over bins; values are taken about ref (small sums).
  int open_frames_{0};
  int open_diffs_{0};
  std::vector<float> ref_re_, ref_im_;    // [rx][bin]
  std::vector<float> prev_re_, prev_im_;  // [rx][bin] last profile
  std::vector<float> x_re_, x_im_;        // [rx][bin] this frame about ref (scratch)
  std::vector<float> s1_re_, s1_im_;      // [rx][bin]
  std::vector<float> pow_;                // [rx][bin] Σ |x − ref|²
  std::vector<float> cross_re_, cross_im_;  // [cross pair][bin] Σ (x_i − r_i)(x_j − r_j)*, i < j
  std::vector<float> d2_;                 // [bin]
  bool has_previous_{false};
  std::vector<Block> ring_;
  std::size_t next_{0};
  std::size_t count_{0};
  std::vector<double> win_;  // window sums, laid out as Block::sums
  double win_frames_{0.0};
  std::vector<double> cov_;  // window covariance entries laid out as Block::sums, before window_cov_ (scratch)
  std::vector<SpatialCov> window_cov_;
  std::vector<double> block_var_;
  std::vector<double> fast_;
};

}  // namespace nightsim::pipeline
