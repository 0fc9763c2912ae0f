#pragma once
/// \file
/// The radar data a pipeline receives. Nothing here names a body, a stage or any
/// other piece of ground truth: a frame is what a real sensor would hand over.

#include <array>
#include <complex>
#include <cstdint>
#include <vector>

namespace nightsim {

/// What a run synthesizes and hands downstream (docs/design.md §5).
enum class RadarLevel {
  kRaw,     ///< real IF samples [chirp][rx][sample]
  kRange,   ///< complex range profiles [rx][bin], chirp-integrated
  kStream,  ///< compact on-device stream (distance, waveform, motion, quality)
};

/// Position of one receive antenna in the device frame, metres.
/// Device frame: x to the device's right, y along boresight, z up.
struct AntennaPosition {
  double x_m{0.0};
  double y_m{0.0};
  double z_m{0.0};
};

/// The sensor's own configuration: what the device firmware knows about itself.
/// Sent once to a pipeline before the first frame.
struct RadarInfo {
  double start_hz{58.5e9};          ///< chirp start frequency
  double bandwidth_hz{4.0e9};       ///< swept bandwidth B
  double chirp_s{64e-6};            ///< ramp duration T_chirp (samples / sample rate)
  int samples_per_chirp{128};       ///< ADC samples per chirp
  double sample_rate_hz{2.0e6};     ///< ADC sample rate
  int chirps_per_frame{16};         ///< chirps integrated into one frame
  double frame_rate_hz{20.0};       ///< frames per second
  int range_bins{64};               ///< useful bins in a range profile (samples/2)
  double range_bin_m{0.0375};       ///< c / 2B
  double range_start_m{0.0};        ///< range of bin 0, m (nonzero only for imported pulsed radars)
  std::vector<AntennaPosition> rx;  ///< receive antennas (device frame)
  double carrier_hz() const { return start_hz + 0.5 * bandwidth_hz; }
  /// Time a range cell integrates per frame, s: samples × chirps / sample rate (its
  /// SNR grows in proportion); 0 when the chirp fields are 0 (imported pulsed radars).
  double integration_s() const {
    return sample_rate_hz > 0.0 ? samples_per_chirp * chirps_per_frame / sample_rate_hz : 0.0;
  }
  double wavelength_m() const { return 299792458.0 / carrier_hz(); }
};

/// One radar frame. Exactly one of `range` / `raw` is filled, per `level`.
struct RadarFrame {
  std::int64_t index{0};  ///< frame counter from the start of the night
  double time_s{0.0};     ///< seconds since the start of the night
  RadarLevel level{RadarLevel::kRange};
  int num_rx{0};
  int num_bins{0};     ///< range bins per rx (range level)
  int num_chirps{0};   ///< chirps (raw level)
  int num_samples{0};  ///< samples per chirp (raw level)
  std::vector<std::complex<float>> range;  ///< [rx][bin], row-major
  std::vector<float> raw;                  ///< [chirp][rx][sample], row-major

  std::complex<float> Range(int rx, int bin) const { return range[static_cast<std::size_t>(rx) * num_bins + bin]; }
  float Raw(int chirp, int rx, int sample) const {
    return raw[(static_cast<std::size_t>(chirp) * num_rx + rx) * num_samples + sample];
  }
};

}  // namespace nightsim
