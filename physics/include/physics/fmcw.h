#pragma once
/// \file
/// The FMCW signal model: derived radar constants, IF filters, the analytic
/// windowed DFT of a beat tone (range level), raw IF synthesis, receiver noise.
///
/// Conventions (both output levels follow them, so FFT(raw) equals range):
/// - A chirp's samples start at the start of the ramp: x[n] = A cos(2π S τ n / fs + φ0),
///   φ0 = 2π f0 τ − π S τ², τ = path / c (path = tx→scatterer→rx length).
/// - Range profile bin k of one chirp: X[k] = (1/Σw) Σ_n w[n] x[n] e^{−j2πkn/N} with the
///   periodic Hann window w[n] = ½ − ½ cos(2πn/N) (numpy: fft(w*x)/sum(w)), bins
///   0 … N/2−1; the frame's profile is the mean over its chirps. A tone of amplitude A
///   volts exactly on bin k reads A/2 there; its phase at the peak bin is
///   4πR/λc − π S τ² − π k, λc the wavelength at the centre of the sampled sweep.
/// - The IF is real, so each tone also has its mirrored negative-frequency image
///   (A/2) e^{−jφ0} W(k + p); both terms are always synthesized.

#include <array>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.h"
#include "core/scenario.h"
#include "physics/radar_config.h"

namespace nightsim::physics {

/// Boltzmann constant, J/K.
inline constexpr double kBoltzmannJPerK = 1.380649e-23;
/// Reference temperature of the noise figure, K.
inline constexpr double kNoiseTemperatureK = 290.0;
/// Impedance that converts received power to IF voltage, ohm.
inline constexpr double kLoadOhm = 50.0;

/// Quantities derived once from RadarParams. Precondition: CheckRadarParams reports no error.
struct FmcwConstants {
  double start_hz{0};            ///< f0, frequency at the first sample
  double slope_hz_per_s{0};      ///< S = B / T_chirp
  double sample_rate_hz{0};      ///< fs
  double centre_hz{0};           ///< f0 + S N / (2 fs): centre of the sampled sweep
  double wavelength_m{0};        ///< λc = c / centre_hz
  double chirp_repetition_s{0};  ///< chirp-to-chirp interval
  double frame_rate_hz{0};
  int samples{0};                ///< N, samples per chirp
  int bins{0};                   ///< N / 2 output range bins
  int chirps{0};                 ///< M, chirps per frame
  int num_rx{0};
  double bins_per_path_m{0};     ///< p = f_b N / fs per metre of path: S N / (fs c)
  double range_bin_m{0};         ///< c fs / (2 S N)
  double tx_power_w{0};
  double antenna_gain{0};        ///< boresight power gain of one antenna, linear
  double if_gain{0};             ///< receive chain voltage gain, linear: RF front end (rf_gain_db) and IF (if_gain_db)
  /// Gain of each RX relative to nominal (rx_gain_db), linear; applies to signals, not to the noise.
  std::array<double, kMaxRx> rx_gain{1.0, 1.0, 1.0, 1.0};
  /// Extra electrical length of each RX's path (rx_phase_deg at the centre wavelength), m.
  std::array<double, kMaxRx> rx_path_offset_m{};
  double thermal_sd_v{0};        ///< thermal noise per real IF sample: √(k T0 F (fs/2) R) · g_if
  double adc_lsb_v{0};           ///< 2 · full scale / 2^bits
  double adc_full_scale_v{0};    ///< clipping level (±), volts
  int adc_bits{0};

  /// Derives every field from `p`.
  static FmcwConstants From(const RadarParams& p);
  /// Fractional range-bin position of a path length, p = S (L/c) N / fs.
  double PathToBin(double path_m) const { return path_m * bins_per_path_m; }
};

/// |H(f)| of the IF chain: first-order high-pass at if_highpass_hz times a
/// fourth-order Butterworth low-pass at if_lowpass_hz. Zero-phase model: the
/// filters scale a beat tone but do not shift its phase. beat_hz >= 0.
double IfFilterGain(const RadarParams& p, double beat_hz);

/// One propagation path of one scatterer, as seen by each receive antenna at the
/// centre time of a frame.
struct Tone {
  std::array<double, kMaxRx> amplitude_v{};  ///< IF amplitude per RX, volts (>= 0)
  std::array<double, kMaxRx> path_m{};       ///< tx → … → rx path length per RX, m
  double path_rate_mps{0.0};                 ///< d(path)/dt, m/s, same for all RX
  int chirp{-1};  ///< -1: present in every chirp; else only in this chirp (fast clutter)
};

/// A range profile [rx][bin] kept as separate real and imaginary planes, with `pad`
/// spare bins on both sides of every RX row: kernels near the edges are added whole
/// (no clipping in the inner loop) and the spare bins are ignored. This is the
/// accumulator of the per-frame synthesis (it vectorizes; interleaved complex does not).
struct SplitProfile {
  int num_rx{0};            ///< RX rows
  int bins{0};              ///< range bins per row
  int pad{0};               ///< spare bins on each side of a row
  int stride{0};            ///< floats per RX row: bins + 2 pad
  std::vector<float> re;    ///< real parts [rx][−pad … bins + pad), volts
  std::vector<float> im;    ///< imaginary parts, same layout

  /// Sizes the planes and zeroes them.
  void Reset(int rx_count, int bin_count, int pad_bins);
  /// Zeroes both planes.
  void Zero();
  /// Real plane of RX `rx`, at bin 0 (valid from −pad to bins + pad − 1).
  float* Re(int rx) { return re.data() + static_cast<std::size_t>(rx) * stride + pad; }
  /// Imaginary plane of RX `rx`, at bin 0.
  float* Im(int rx) { return im.data() + static_cast<std::size_t>(rx) * stride + pad; }
  /// out[rx·bins + k] = base[rx·bins + k] + (re + j im)[rx][k]. Sizes: num_rx · bins.
  void AddTo(std::span<const std::complex<float>> base, std::span<std::complex<float>> out) const;
};

/// Synthesizes range profiles and raw IF samples from tones.
/// Range buffers are [rx][bin] (bins = N/2), raw buffers [chirp][rx][sample].
/// Not thread-safe (the raw synthesis uses scratch space): one synthesizer per thread.
class FmcwSynthesizer {
 public:
  /// Largest half-width of the fast kernel, bins, when not given.
  static constexpr int kDefaultHalfSpanBins = 11;
  /// Largest phase turn over half a frame's chirps for which a tone's raw samples are
  /// interpolated between three chirps instead of synthesized at every chirp, rad
  /// (interpolation error ≤ 0.064 θ³ ≈ 6e-5 of the tone's amplitude).
  static constexpr double kMaxInterpolatedTurnRad = 0.1;

  /// Precondition: CheckRadarParams(p) reports no error; half_span_bins in [1, N/2] (clamped).
  explicit FmcwSynthesizer(const RadarParams& p, int half_span_bins = kDefaultHalfSpanBins);

  const FmcwConstants& constants() const { return k_; }

  /// Normalized periodic-Hann kernel W(κ)/Σw at fractional bin offset κ (exact closed form:
  /// W = ½D(κ) − ¼D(κ−1) − ¼D(κ+1), D the Dirichlet kernel).
  std::complex<double> Kernel(double kappa) const;

  /// Adds the chirp-averaged profile of `tone` to `profile` ([rx][bin]) exactly on every
  /// bin, in double precision (used for the static scene). Tones with chirp >= 0 add 1/M.
  void AddRangeExact(const Tone& tone, std::span<std::complex<double>> profile) const;

  /// Kernel width, in quads of bins (a window of 4q bins around the tone: bins at
  /// |κ| >= 2q are left out), for a tone of amplitude `amplitude_v` whose left-out
  /// sidelobes must stay below `floor_v` in every bin: the smallest q with
  /// (A/2) max_{|κ| >= 2q} |W(κ)| < floor_v, at most max_quads(). floor_v <= 0: max_quads().
  int QuadsFor(double amplitude_v, double floor_v) const;
  /// Widest kernel, quads: ⌈(half_span_bins + 1) / 2⌉.
  int max_quads() const { return max_quads_; }
  /// Spare bins a SplitProfile needs on each side for AddRangeFast: 4 max_quads().
  int pad_bins() const { return 4 * max_quads_; }

  /// Same as AddRangeExact, but from the interpolated kernel table, within 4q bins of the
  /// tone and of its image (q = QuadsFor(max amplitude, floor_v)); fast path for moving
  /// scatterers. Errors: the left-out sidelobes (below floor_v), table interpolation
  /// ≈ 2e-5 of the peak, float rounding. `out` has num_rx rows, bins and pad_bins().
  void AddRangeFast(const Tone& tone, double floor_v, SplitProfile* out) const;

  /// AddRangeFast of every tone in turn (the same result, bit for bit), batched.
  void AddRangeFast(std::span<const Tone> tones, double floor_v, SplitProfile* out) const;

  /// Where one kernel window goes, for tones whose bins and coefficients change every frame
  /// while the windows stay (a resting period): the tone of entry `entry` (sign +1) or its
  /// image (sign −1, the conjugate coefficient), shifted by a multiple of N.
  struct KernelPlacement {
    int entry{0};              ///< index into AddKernels' per-entry arrays
    int rx{0};                 ///< RX row
    float sign{1.0f};          ///< +1 the tone, −1 its image
    double offset_bins{0.0};   ///< added to the centre (a multiple of N)
    int quads{1};              ///< window width, quads of bins (1 <= quads <= max_quads())
  };
  /// Adds, in placement order, the window coeff · W(k − centre)/Σw on the 4·quads bins k
  /// around centre = sign·bin_of[entry] + offset_bins, coeff = re[entry] + j·sign·im[entry]
  /// (volts: (A/2)·Doppler·e^{jφ0}), to RX row rx of `out` (num_rx rows, bins, pad_bins());
  /// windows that miss bins [0, bins) entirely are skipped.
  void AddKernels(std::span<const KernelPlacement> placements, const double* bin_of, const float* re,
                  const float* im, SplitProfile* out) const;

  /// Adds tones to a raw frame ([chirp][rx][sample], every chirp). Tones present in every
  /// chirp whose phase turns by at most kMaxInterpolatedTurnRad between the centre and
  /// the first or last chirp (breathing, resting bodies) are synthesized at three chirp
  /// times — the first, the frame centre and the last — and interpolated quadratically in
  /// between; faster tones and single-chirp tones are synthesized at every chirp. The path
  /// at chirp m is path_m + path_rate_mps (t_m − t_centre), chirps centred on the frame time.
  /// Every sample is the same float sum, in tone order, as adding the tones' chirps one
  /// after the other (the chirps are prepared first, then accumulated row by row; on x86-64
  /// with GCC the kernels also have AVX2 clones, without FMA, so bit-identical).
  void AddRaw(std::span<const Tone> tones, std::span<float> raw) const;

  /// Adds a stationary tone (rate ignored, all chirps) to one chirp's worth of samples
  /// ([rx][sample]) in double precision.
  void AddRawStationary(const Tone& tone, std::span<double> chirp_samples) const;

  /// Range profiles of a raw frame ([chirp][rx][sample] → [rx][bin]): the windowed DFT
  /// convention above, averaged over chirps. O(M·rx·N²); for tests and offline tools.
  void RangeFromRaw(std::span<const float> raw, std::span<std::complex<double>> profile) const;

  /// Adds the range profile ([rx][bin]) of a signal that is the same in every chirp of the
  /// frame, given as one chirp's samples ([rx][sample], volts): the windowed DFT convention
  /// above, in double precision. O(rx·N²); for constructors and tests.
  void AddRangeOfChirp(std::span<const double> chirp_samples, std::span<std::complex<double>> profile) const;

  /// Time of chirp m relative to the frame time, s: (m − (M−1)/2) · T_rep.
  double ChirpOffsetS(int m) const { return (m - 0.5 * (k_.chirps - 1)) * k_.chirp_repetition_s; }

  /// Largest half-width of the fast kernel, bins.
  int half_span_bins() const { return half_span_; }

 private:
  // What a kernel window reads of the synthesizer, copied into locals once per batch of
  // windows: the windows store through memcpy, which may alias anything, so members read
  // inside the loop would be loaded again for every window.
  struct KernelTable {
    const float* data;
    int bins;
    int row_floats;             // floats per table row
    const int* window_offset;   // [q]: first float of a q-quad window in a row
  };
  KernelTable Table() const { return {table_.data(), k_.bins, row_floats_, window_offset_.data()}; }
  static void AddKernel(const KernelTable& table, double centre_bin, float coeff_re, float coeff_im, int quads,
                        float* re, float* im);
  // profile_row[k] += norm · Σ_n w[n] x[n] e^{−j2πkn/N} for the N/2 bins of one RX.
  template <typename Sample>
  void AddWindowedDft(const Sample* x, double norm, std::complex<double>* profile_row) const;
  // Factor of a tone's amplitude after averaging the frame's chirps (DopplerFactor, or 1/M).
  double ChirpAveraging(const Tone& tone) const;
  // Raw synthesis works in blocks of 16 samples: sample 16a + b of a chirp of a tone is
  // Re(start_a · rotor_b). A prepared chirp ("job") is [rotor re ×16 | rotor im ×16 |
  // start re × blocks | start im × blocks] floats.
  static constexpr int kChirpBlock = 16;
  std::size_t ChirpJobFloats() const { return 2 * kChirpBlock + 2 * static_cast<std::size_t>(chirp_blocks_); }
  // Prepares four chirps x[n] = A cos(ω n + φ0), n < N, at once; rotors[l] (ChirpJobFloats()
  // floats) receives chirp l.
  void PrepareChirps4(const double* phase_rad, const double* omega_rad, const double* amplitude_v,
                      float* const* rotors) const;
  // x[n] += every job's chirp, in the order given (n < N, in float).
  void AccumulateChirps(const float* rotors, std::span<const int> jobs, float* x) const;

  RadarParams params_;
  FmcwConstants k_;
  int half_span_;
  int max_quads_;
  static constexpr int kTableSteps = 256;  // kernel table resolution, steps per bin
  // Kernel table, per step f and quad of bins: [re ×4 | im ×4 | Δre ×4 | Δim ×4] (a window is
  // one contiguous block), Δ = row f+1 − row f; bin j of a row is the kernel at
  // κ = j − 2·max_quads + 1 − f / kTableSteps. Each row twice: quads from bin 0 and from bin 2.
  std::vector<float> table_;
  int row_floats_{0};               // floats per table row: 16 (2 max_quads − 1)
  std::vector<int> window_offset_;  // [q], q = 0 … max_quads: see KernelTable
  std::vector<double> sidelobe_;  // [d]: max |W(κ)| over |κ| >= d, d = 0 … N/2
  std::vector<std::complex<double>> twiddle_;  // e^{−j2πk/N}, k = 0..N−1
  std::vector<double> window_;
  int chirp_blocks_{0};  // ⌈N / 16⌉
  mutable std::array<std::vector<float>, 3> nodes_;  // AddRaw: chirp samples at the three nodes [rx][sample]
  // AddRaw scratch: prepared chirps, the output row of each, and the jobs grouped by row.
  // AddRangeFast (batch) scratch: per tone and RX, its bin, half amplitude (with the
  // chirp-averaging factor), kernel width and RX; its phase and the phase's sine and cosine.
  struct BatchEntry {
    double bin{0.0};
    float half_amplitude_v{0.0f};
    int quads{1};
    int rx{0};
  };
  mutable std::vector<BatchEntry> batch_;
  mutable std::vector<double> batch_phase_;
  mutable std::vector<float> batch_sin_, batch_cos_;
  mutable std::vector<float> chirp_rotors_;
  mutable std::vector<int> job_row_;
  mutable std::vector<double> job_phase_, job_omega_, job_amplitude_;
  mutable std::vector<int> row_start_;
  mutable std::vector<int> row_fill_;
  mutable std::vector<int> row_jobs_;
};

/// Receiver noise: white Gaussian noise per IF sample, drawn from the radar's own random
/// stream (entity "radar", purpose "noise", Derive(frame index)), so it is identical
/// whatever bodies are in the room.
///
/// Cheap deterministic normals: a fixed table T of 2^16 complex standard normals is built
/// once per process (Philox + Box–Muller, its own fixed key), together with its Hann-
/// filtered copy F_i = ½T_i − ¼(T_{i−1} + T_{i+1}). Each (frame, rx) row of the range
/// level, and each (frame, chirp, rx) row of the raw level, draws one 64-bit Philox word:
/// two table offsets a, b and one or two angles. Raw row value i is √2 (T[a+i]·cos θ +
/// T[b+i]·sin θ) (real parts); range row bin k is the Hann-windowed DFT of such noise,
/// (F[a+k] e^{jθ1} + F[b+k] e^{jθ2}) / √2 scaled, with the exact real-signal edge terms
/// at bins 0 and N/2−1. That is exactly Gaussian with the right variance and neighbour
/// correlation; rows are independent up to the rare overlap of two table windows with
/// matching angles. Cost: one Philox word and two table reads per value.
class NoiseSource {
 public:
  /// `seed` is the run seed.
  explicit NoiseSource(std::uint64_t seed);

  /// The random words of one frame's range noise, one per RX row.
  struct RangeNoiseDraws {
    std::array<std::uint64_t, kMaxRx> word{};
  };

  /// Draws frame `frame_index`'s range-noise words (k.num_rx of them) and asks the cache
  /// for the table rows AddRangeNoise will read with them. The rows lie at random offsets
  /// of a ~1 MB table, so the noise would otherwise wait on memory: call it some work
  /// ahead of AddRangeNoise.
  RangeNoiseDraws DrawRangeNoise(std::int64_t frame_index, const FmcwConstants& k) const;

  /// Adds the noise that chirp averaging of M windowed DFTs of white noise of standard
  /// deviation `sd_v` per sample leaves in each bin, with the Hann window's correlation
  /// between neighbouring bins: E|n_k|² = 1.5 sd² / (N M), from the frame's `draws`.
  /// `out` has k.num_rx rows of k.bins.
  void AddRangeNoise(const RangeNoiseDraws& draws, const FmcwConstants& k, double sd_v, SplitProfile* out) const;

  /// Adds white noise of standard deviation `sd_v` to every raw sample.
  void AddRawNoise(std::int64_t frame_index, const FmcwConstants& k, double sd_v, std::span<float> raw) const;

 private:
  RandomStream stream_;  // (seed, "radar", "noise"): hashed once, derived per frame
};

/// ADC: rounds every sample to the LSB (half to even) and clips to ±full scale. Returns
/// the number of clipped samples.
int QuantizeRaw(const FmcwConstants& k, std::span<float> raw);

}  // namespace nightsim::physics
