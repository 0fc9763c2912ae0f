#include "pipeline/cell_assessment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "pipeline/respiration.h"
#include "frame/simd.h"

namespace nightsim::pipeline {

namespace {

double Variance(const std::vector<double>& x) {
  if (x.size() < 2) return 0.0;
  double m = 0.0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size());
}

// Bartlett beam toward a cell, y = a^H x / N (keeps a source's per-RX amplitude),
// for n frames from per-RX contiguous samples x[r][i]: y = w0·x0, then += w_r·x_r in
// RX order, the same operations per frame as beamforming frame by frame.
NIGHTSIM_TARGET_CLONES
void BeamSegment(const std::complex<float>* x, std::size_t rx_stride, int nr, const std::complex<float>* w, int n,
                 std::complex<float>* __restrict y) {
  const std::complex<float> w0 = w[0];
  for (int i = 0; i < n; ++i) y[i] = w0 * x[i];
  for (int r = 1; r < nr; ++r) {
    const std::complex<float> wr = w[r];
    const std::complex<float>* xr = x + static_cast<std::size_t>(r) * rx_stride;
    for (int i = 0; i < n; ++i) y[i] += wr * xr[i];
  }
}

// Bins whose samples are kept: the cells of one update (max_cells + far cells + the
// sticky stream cell) with room to spare.
constexpr std::size_t kKeptBins = 12;

}  // namespace

void CellAssessor::Beamform(const FrameRing& ring, int bin, const std::complex<float>* weights, int first, int n) {
  const int nr = ring.num_rx();
  const int nb = ring.num_bins();
  const std::size_t capacity = static_cast<std::size_t>(ring.capacity());
  const long long base = ring.pushed() - ring.size();  // frame number of ring frame 0
  const long long begin = base + first;
  const long long end = begin + n;
  BinSeries* entry = nullptr;
  for (BinSeries& e : series_) {
    if (e.bin == bin) {
      entry = &e;
      break;
    }
  }
  if (entry == nullptr) {
    if (series_.size() < kKeptBins) {
      series_.emplace_back();
      entry = &series_.back();
    } else {  // the least recently used bin makes room
      entry = &*std::min_element(series_.begin(), series_.end(),
                                 [](const BinSeries& a, const BinSeries& b) { return a.last_use < b.last_use; });
    }
    entry->bin = bin;
    entry->begin = entry->end = 0;
  }
  entry->last_use = ++uses_;
  entry->x.resize(capacity * static_cast<std::size_t>(nr));
  // Held frames must overlap the window and not start after it; otherwise start over.
  if (entry->end <= begin || entry->begin > begin || entry->end > end) entry->begin = entry->end = begin;
  for (long long k = entry->end; k < end; ++k) {
    const std::complex<float>* f = ring.Frame(static_cast<int>(k - base)) + bin;
    const std::size_t slot = static_cast<std::size_t>(k) % capacity;
    for (int r = 0; r < nr; ++r) entry->x[static_cast<std::size_t>(r) * capacity + slot] = f[r * nb];
  }
  entry->begin = begin;
  entry->end = end;
  // The window is at most two contiguous runs of the slots.
  beam_.resize(static_cast<std::size_t>(n));
  const std::size_t start = static_cast<std::size_t>(begin) % capacity;
  const int first_run = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(n), capacity - start));
  BeamSegment(entry->x.data() + start, capacity, nr, weights, first_run, beam_.data());
  if (first_run < n) BeamSegment(entry->x.data(), capacity, nr, weights, n - first_run, beam_.data() + first_run);
}

CellAssessor::CellAssessor(ArrayModel model, CellAssessorConfig config, double frame_rate_hz, double integration_s)
    : model_(std::move(model)),
      config_(config),
      frame_rate_hz_(frame_rate_hz),
      integration_db_(integration_s > 0.0 ? 10.0 * std::log10(integration_s) : 0.0) {
  if (!(integration_s >= 0.0)) throw std::invalid_argument("CellAssessor: integration_s must be >= 0");
  if (!(config_.window_s > 0.0) || !(frame_rate_hz > 0.0) || !(config_.decimated_rate_hz > 0.0) ||
      config_.decimated_rate_hz > frame_rate_hz || !(config_.min_rate_bpm > 0.0) ||
      !(config_.max_rate_bpm > config_.min_rate_bpm) || !(config_.max_radius_over_spread > 1.0)) {
    throw std::invalid_argument("CellAssessorConfig: window_s, rates and max_radius_over_spread must be positive and ordered");
  }
}

CellAssessment CellAssessor::Assess(const FrameRing& ring, const CellPeak& peak, double noise_var) {
  CellAssessment out;
  out.bin = peak.bin;
  out.range_m = peak.range_m;
  out.azimuth_rad = peak.azimuth_rad;
  out.elevation_rad = peak.elevation_rad;
  out.snr_db = peak.snr_db;
  const int window = static_cast<int>(std::lround(config_.window_s * frame_rate_hz_));
  const int n = std::min(ring.size(), window);
  const int first = ring.size() - n;
  const int nr = ring.num_rx();
  std::complex<double> a[kMaxRx];
  SteeringVector(model_, peak.azimuth_rad, peak.elevation_rad, a);
  std::complex<float> w[kMaxRx];
  for (int r = 0; r < nr; ++r) w[r] = std::complex<float>(std::conj(a[r]) / static_cast<double>(nr));
  times_s_.resize(static_cast<std::size_t>(n));
  ring.CopyTimesS(first, n, times_s_.data());
  Beamform(ring, peak.bin, w, first, n);
  const Demodulation demod = ExtractDisplacement(beam_.data(), n, model_.wavelength_m,
                                                 config_.max_radius_over_spread, &displacement_mm_);
  out.mode = demod.mode;
  out.radius = demod.radius;
  const double sigma = std::sqrt(std::max(noise_var, 1e-300));
  if (demod.radius > 0.0) {
    const double r2 = std::max(peak.range_m, 0.05) * std::max(peak.range_m, 0.05);
    out.reflectivity_db = 20.0 * std::log10(demod.radius * r2 / sigma) - integration_db_;  // amplitude ∝ √σ_rcs / R²
  }
  if (demod.mode == DemodMode::kNone) return out;

  // Respiration-band share in the velocity domain: breathing is smooth, so its
  // velocity survives a block-mean low-pass (≲1 Hz); an erratic phase (fan blades,
  // gross movement) has broadband velocity that does not.
  const int m = std::max(1, static_cast<int>(std::lround(frame_rate_hz_ / config_.decimated_rate_hz)));
  const int blocks = n / m;
  if (blocks < 8) return out;
  const double fs_low = frame_rate_hz_ / m;
  low_.resize(static_cast<std::size_t>(blocks));
  const int offset = n - blocks * m;  // align blocks to the newest sample
  for (int b = 0; b < blocks; ++b) {
    double s = 0.0;
    for (int j = 0; j < m; ++j) s += displacement_mm_[static_cast<std::size_t>(offset + b * m + j)];
    low_[static_cast<std::size_t>(b)] = s / m;
  }
  // Reference band: velocity of half-length block means (Nyquist ~2.5 Hz at the
  // defaults). Against full-rate velocity, white phase noise of a weak cell would
  // swamp the ratio; against this, noise counts only up to a few hertz.
  const int m_ref = std::max(1, m / 2);
  const int ref_blocks = n / m_ref;
  const int ref_offset = n - ref_blocks * m_ref;
  const double fs_ref = frame_rate_hz_ / m_ref;
  full_.resize(static_cast<std::size_t>(std::max(ref_blocks - 1, 0)));
  double previous = 0.0;
  for (int b = 0; b < ref_blocks; ++b) {
    double sum = 0.0;
    for (int j = 0; j < m_ref; ++j) sum += displacement_mm_[static_cast<std::size_t>(ref_offset + b * m_ref + j)];
    const double mean = sum / m_ref;
    if (b > 0) full_[static_cast<std::size_t>(b - 1)] = (mean - previous) * fs_ref;
    previous = mean;
  }
  const double v_full = Variance(full_);
  sorted_.resize(static_cast<std::size_t>(blocks - 1));
  for (int b = 0; b + 1 < blocks; ++b) {
    sorted_[static_cast<std::size_t>(b)] = (low_[static_cast<std::size_t>(b + 1)] - low_[static_cast<std::size_t>(b)]) * fs_low;
  }
  const double v_low = Variance(sorted_);
  out.resp_fraction = v_full > 0.0 ? std::min(1.0, v_low / v_full) : 0.0;

  Detrend(&low_);
  const RateEstimate rate = EstimateRate(low_, fs_low, config_.min_rate_bpm, config_.max_rate_bpm);
  if (rate.valid) {
    out.rate_bpm = rate.rate_bpm;
    out.periodicity = std::max(0.0, rate.periodicity);
  }
  out.quality = std::clamp(out.periodicity * out.resp_fraction, 0.0, 1.0);
  sorted_ = low_;
  const std::size_t lo = sorted_.size() / 20;
  const std::size_t hi = sorted_.size() - 1 - lo;
  std::nth_element(sorted_.begin(), sorted_.begin() + static_cast<std::ptrdiff_t>(lo), sorted_.end());
  const double p_lo = sorted_[lo];
  std::nth_element(sorted_.begin(), sorted_.begin() + static_cast<std::ptrdiff_t>(hi), sorted_.end());
  out.depth_mm = sorted_[hi] - p_lo;
  return out;
}

}  // namespace nightsim::pipeline
