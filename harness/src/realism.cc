#include "harness/realism.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <unsupported/Eigen/FFT>

namespace nightsim::harness {
namespace {

constexpr double kNearRangeM = 0.06;  // "closer than 6 cm": where the leakage lies

double Db(double ratio) { return 20.0 * std::log10(ratio); }

}  // namespace

RealismStats MeasureRealism(const CountsRecording& r) {
  const std::size_t n = static_cast<std::size_t>(r.samples);
  if (r.frames < 2 || r.chirps < 1 || r.rx < 1 || r.samples < 8 ||
      r.counts.size() != static_cast<std::size_t>(r.frames) * r.chirps * r.rx * n) {
    throw std::invalid_argument("MeasureRealism: the recording's shape does not match its data");
  }
  const int bins = r.samples / 2;
  std::vector<double> window(n);
  for (std::size_t i = 0; i < n; ++i) window[i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / n);

  RealismStats s;
  s.adc_sd_counts.assign(r.rx, 0.0);
  std::vector<double> sum(r.rx, 0.0), sum2(r.rx, 0.0);
  // profile[frame][rx][bin]: the chirp-averaged FFT of counts.
  std::vector<std::complex<double>> profile(static_cast<std::size_t>(r.frames) * r.rx * bins);
  Eigen::FFT<double> fft;
  std::vector<double> x(n);
  std::vector<std::complex<double>> spectrum(n);
  for (int f = 0; f < r.frames; ++f) {
    for (int m = 0; m < r.chirps; ++m) {
      for (int a = 0; a < r.rx; ++a) {
        const float* chirp = r.counts.data() + ((static_cast<std::size_t>(f) * r.chirps + m) * r.rx + a) * n;
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          mean += chirp[i];
          sum[a] += chirp[i];
          sum2[a] += static_cast<double>(chirp[i]) * chirp[i];
        }
        mean /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = (chirp[i] - mean) * window[i];
        fft.fwd(spectrum, x);
        std::complex<double>* row = profile.data() + (static_cast<std::size_t>(f) * r.rx + a) * bins;
        for (int k = 0; k < bins; ++k) row[k] += spectrum[k] / static_cast<double>(r.chirps);
      }
    }
  }
  const double per_rx = static_cast<double>(r.frames) * r.chirps * n;
  for (int a = 0; a < r.rx; ++a) {
    const double mean = sum[a] / per_rx;
    s.adc_sd_counts[a] = std::sqrt(std::max(0.0, sum2[a] / per_rx - mean * mean));
  }
  // Farthest bins: the last sixteenth of the samples, at least four bins.
  const int far = std::min(bins, std::max(4, r.samples / 16));
  int near = 0;
  while (near < bins && near * r.range_bin_m < kNearRangeM) ++near;
  for (int a = 0; a < r.rx; ++a) {
    double diff2 = 0.0;
    for (int f = 1; f < r.frames; ++f) {
      for (int k = bins - far; k < bins; ++k) {
        diff2 += std::norm(profile[(static_cast<std::size_t>(f) * r.rx + a) * bins + k] -
                           profile[(static_cast<std::size_t>(f - 1) * r.rx + a) * bins + k]);
      }
    }
    const double floor = std::sqrt(diff2 / (2.0 * (r.frames - 1) * far));
    s.noise_floor.push_back(floor);
    double strongest = 0.0;
    for (int k = 0; k < near; ++k) {
      double mean_abs = 0.0;
      for (int f = 0; f < r.frames; ++f) mean_abs += std::abs(profile[(static_cast<std::size_t>(f) * r.rx + a) * bins + k]);
      strongest = std::max(strongest, mean_abs / r.frames);
    }
    s.leakage_above_floor_db.push_back(floor > 0.0 && strongest > 0.0 ? Db(strongest / floor) : 0.0);
  }
  const auto [lo, hi] = std::minmax_element(s.adc_sd_counts.begin(), s.adc_sd_counts.end());
  s.rx_spread_db = *lo > 0.0 ? Db(*hi / *lo) : 0.0;
  return s;
}

std::vector<RealismRow> CompareRealism(const RealismStats& real, const RealismStats& sim) {
  std::vector<RealismRow> rows;
  const std::size_t rx = std::min(real.adc_sd_counts.size(), sim.adc_sd_counts.size());
  for (std::size_t a = 0; a < rx; ++a) {
    const double ratio = sim.adc_sd_counts[a] / real.adc_sd_counts[a];
    rows.push_back({fmt::format("ADC standard deviation, RX {} (counts)", a + 1), real.adc_sd_counts[a],
                    sim.adc_sd_counts[a], "x2.5", ratio <= 2.5 && ratio >= 1.0 / 2.5});
  }
  for (std::size_t a = 0; a < rx; ++a) {
    rows.push_back({fmt::format("leakage (< 6 cm) above the floor, RX {} (dB)", a + 1),
                    real.leakage_above_floor_db[a], sim.leakage_above_floor_db[a], "10 dB",
                    std::fabs(sim.leakage_above_floor_db[a] - real.leakage_above_floor_db[a]) <= 10.0});
  }
  for (std::size_t a = 0; a < rx; ++a) {
    rows.push_back({fmt::format("noise floor at the farthest bins, RX {} (FFT of counts)", a + 1),
                    real.noise_floor[a], sim.noise_floor[a], "6 dB",
                    std::fabs(Db(sim.noise_floor[a] / real.noise_floor[a])) <= 6.0});
  }
  rows.push_back({"spread of ADC level between receivers (dB)", real.rx_spread_db, sim.rx_spread_db, "6 dB",
                  std::fabs(sim.rx_spread_db - real.rx_spread_db) <= 6.0});
  return rows;
}

std::string FormatRealism(const std::vector<RealismRow>& rows) {
  std::size_t width = 9;
  for (const RealismRow& row : rows) width = std::max(width, row.statistic.size());
  std::string out = fmt::format("{:<{}}  {:>10}  {:>10}  {:>9}  {}\n", "statistic", width, "real", "simulated",
                                "tolerance", "verdict");
  int passed = 0;
  for (const RealismRow& row : rows) {
    out += fmt::format("{:<{}}  {:>10.3g}  {:>10.3g}  {:>9}  {}\n", row.statistic, width, row.real, row.simulated,
                       row.tolerance, row.pass ? "ok" : "OUTSIDE");
    passed += row.pass ? 1 : 0;
  }
  out += fmt::format("{} of {} statistics within tolerance\n", passed, rows.size());
  return out;
}

}  // namespace nightsim::harness
