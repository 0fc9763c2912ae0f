#pragma once
/// \file
/// How close simulated raw radar data is to a real recording of the same configuration:
/// the statistics a real chip's fingerprint shows (issue #20), each computed the same way
/// on both, side by side with a tolerance and a verdict. Reduction: per-chirp mean
/// removed, periodic Hann window, range FFT (not normalized: "FFT of counts"), chirps
/// averaged, per frame and RX.

#include <string>
#include <vector>

namespace nightsim::harness {

/// Raw frames in ADC counts, [frame][chirp][rx][sample] row-major.
struct CountsRecording {
  int frames{0};
  int chirps{0};
  int rx{0};
  int samples{0};
  double range_bin_m{0.0};   ///< range of one FFT bin, m (bins start at 0)
  std::vector<float> counts; ///< frames · chirps · rx · samples values
};

/// The statistics of one recording, per receiver.
struct RealismStats {
  std::vector<double> adc_sd_counts;        ///< standard deviation of the ADC samples (around the RX's mean)
  std::vector<double> leakage_above_floor_db;  ///< strongest mean return closer than 6 cm over the noise floor
  std::vector<double> noise_floor;          ///< frame-to-frame noise at the farthest bins (rms of successive differences / √2), FFT of counts
  double rx_spread_db{0.0};                 ///< 20 log10 of the largest over the smallest ADC standard deviation
};

/// Measures `recording` (at least 2 frames and 8 samples per chirp). Throws
/// std::invalid_argument when the shape does not match the data.
RealismStats MeasureRealism(const CountsRecording& recording);

/// One line of the comparison.
struct RealismRow {
  std::string statistic;  ///< e.g. "ADC standard deviation, RX 1 (counts)"
  double real{0.0};
  double simulated{0.0};
  std::string tolerance;  ///< e.g. "x2.5", "10 dB"
  bool pass{false};
};

/// The comparison the tolerances of issue #20 define: ADC standard deviation per RX within
/// ×2.5, leakage above the noise floor within 10 dB, noise floor within 6 dB, spread
/// between receivers within 6 dB. Receivers are paired by index (the fewer of the two).
std::vector<RealismRow> CompareRealism(const RealismStats& real, const RealismStats& simulated);

/// The rows as an aligned text table with a closing verdict line.
std::string FormatRealism(const std::vector<RealismRow>& rows);

}  // namespace nightsim::harness
