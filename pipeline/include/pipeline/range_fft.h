#pragma once
/// \file
/// Range FFT for `raw` frames: the on-chip step a `range`-level frame already had.

#include <complex>
#include <vector>

#include "frame/radar_frame.h"

namespace nightsim::pipeline {

/// Turns real IF samples [chirp][rx][sample] into chirp-integrated complex range
/// profiles [rx][bin]: Hann window, FFT over the samples of each chirp, coherent
/// mean over the chirps of the frame. A unit-amplitude beat tone centred on a bin
/// gives a value of magnitude 0.5 there (the window's coherent gain is divided out).
class RangeFft {
 public:
  /// `samples_per_chirp` must be a power of two ≥ 4; throws std::invalid_argument.
  explicit RangeFft(int samples_per_chirp);

  /// Fills `range` ([rx][bin], `num_bins` ≤ samples/2 bins per RX) from `raw`.
  /// Throws std::invalid_argument when `raw` is not a raw frame of this sample count.
  void Transform(const RadarFrame& raw, int num_bins, std::vector<std::complex<float>>* range);

 private:
  int n_;
  std::vector<float> window_;                  // Hann, scaled by 1 / sum(window)
  std::vector<std::complex<float>> twiddle_;   // e^{-j 2π k / n}, k < n/2
  std::vector<int> bit_reverse_;
  std::vector<std::complex<float>> work_;      // one chirp's spectrum
};

}  // namespace nightsim::pipeline
