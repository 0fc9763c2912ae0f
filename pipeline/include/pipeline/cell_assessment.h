#pragma once
/// \file
/// Respiration assessment of one range–angle cell over a window of recent frames.

#include <vector>

#include "pipeline/frame_ring.h"
#include "pipeline/phase_extraction.h"
#include "pipeline/range_angle.h"

namespace nightsim::pipeline {

/// Settings of CellAssessor.
struct CellAssessorConfig {
  double window_s{20.0};                ///< analysis window (most recent frames)
  double max_radius_over_spread{10.0};  ///< arc-fit acceptance (see ExtractDisplacement)
  double min_rate_bpm{5.0};             ///< autocorrelation search range
  double max_rate_bpm{45.0};
  double decimated_rate_hz{2.5};        ///< rate of the low-passed waveform (block means); its
                                        ///< Nyquist (1.25 Hz) is above any breathing rate searched
};

/// What a cell's window says about respiration there.
struct CellAssessment {
  int bin{0};
  double range_m{0.0};
  double azimuth_rad{0.0};
  double elevation_rad{0.0};
  double snr_db{0.0};           ///< map SNR of the cell
  double quality{0.0};          ///< periodicity × respiration-band fraction, 0..1
  double periodicity{0.0};      ///< autocorrelation at the breathing lag, 0..1
  double resp_fraction{0.0};    ///< share of displacement-velocity variance below ~1 Hz (of that below ~2.5 Hz), 0..1
  double rate_bpm{0.0};         ///< 0 when no periodicity was found
  double depth_mm{0.0};         ///< 5–95 % spread of the low-passed displacement
  double radius{0.0};           ///< amplitude of the moving reflector, per-RX units
  /// Range-compensated strength, dB(Hz): 20·log10(radius · (range/1 m)² / σ_noise) −
  /// 10·log10(integration_s / 1 s), the moving reflector's carrier-to-noise density at
  /// 1 m. Referred to the integration time, it is the same for a body whatever the
  /// chirp configuration; for a radar without one (integration 0) it is the cell's SNR.
  double reflectivity_db{0.0};
  double fast_ratio{0.0};       ///< frame-to-frame share of the cell's dynamic power, 0..1: ~0.05–0.2 for
                                ///< breathing, ~1 for decorrelated motion (fan blades, gross movement).
                                ///< Set by the caller from BinStatistics (the assessor sees one beam only).
  DemodMode mode{DemodMode::kNone};
};

/// Beamforms one cell's slow-time signal from a FrameRing, demodulates it
/// (ExtractDisplacement) and measures its respiration. Buffers are reused: no
/// allocation after the first calls. The per-RX samples of the last few bins
/// assessed are kept contiguous, so assessing a bin again (the usual case: the
/// tracked body stays in its bin) gathers only the frames new since from the ring.
class CellAssessor {
 public:
  /// `integration_s`: RadarInfo::integration_s() (0: strengths stay cell SNRs).
  /// Throws std::invalid_argument on non-positive window or rates or a negative integration.
  CellAssessor(ArrayModel model, CellAssessorConfig config, double frame_rate_hz, double integration_s);

  /// Assesses `peak` over the last window of `ring` with noise variance `noise_var`
  /// per RX sample. Keeps the full-rate displacement for displacement_mm()/times_s().
  CellAssessment Assess(const FrameRing& ring, const CellPeak& peak, double noise_var);

  /// Full-rate displacement (mm) of the last Assess, oldest first, and its frame times.
  const std::vector<double>& displacement_mm() const { return displacement_mm_; }
  const std::vector<double>& times_s() const { return times_s_; }
  /// Exchanges the kept displacement and times with `displacement_mm` / `times_s`
  /// (no copy); later assessments reuse the vectors received.
  void SwapSeries(std::vector<double>* displacement_mm, std::vector<double>* times_s) {
    displacement_mm_.swap(*displacement_mm);
    times_s_.swap(*times_s);
  }

 private:
  // One bin's samples of consecutive frames, per RX, by frame number
  // (FrameRing::pushed() order): RX r of frame k at x[r·capacity + k % capacity].
  struct BinSeries {
    int bin{-1};
    long long begin{0};  // first frame held
    long long end{0};    // one past the last frame held
    long long last_use{0};
    std::vector<std::complex<float>> x;
  };
  // Fills beam_ with the beam toward `weights` of bin `bin` over `n` frames from
  // ring frame `first` on.
  void Beamform(const FrameRing& ring, int bin, const std::complex<float>* weights, int first, int n);

  ArrayModel model_;
  CellAssessorConfig config_;
  std::vector<BinSeries> series_;
  long long uses_{0};
  double frame_rate_hz_;
  double integration_db_;  // 10·log10(integration_s / 1 s), 0 without one
  std::vector<std::complex<float>> beam_;
  std::vector<double> displacement_mm_;
  std::vector<double> times_s_;
  std::vector<double> full_;
  std::vector<double> low_;
  std::vector<double> sorted_;
};

}  // namespace nightsim::pipeline
