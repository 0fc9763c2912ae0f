#include "pipeline/respiration.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

namespace nightsim::pipeline {

namespace {

// Power of the Hann-windowed x at `cycles_per_sample`: |Σ w_i x_i e^{−j2πfi}|², the
// phasor advanced by one multiplication per sample.
double WindowedPower(const std::vector<double>& x, double cycles_per_sample) {
  const std::size_t n = x.size();
  const double w_step = 2.0 * std::numbers::pi / static_cast<double>(n - 1);
  const std::complex<double> step = std::polar(1.0, -2.0 * std::numbers::pi * cycles_per_sample);
  std::complex<double> phasor = 1.0, acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += (0.5 - 0.5 * std::cos(w_step * static_cast<double>(i))) * x[i] * phasor;
    phasor *= step;
  }
  return std::norm(acc);
}

// The highest WindowedPower within half a DFT bin (1/(2n) cycles per sample) of f:
// a breathing rate that drifts in the window, or breaths of uneven length, spread its
// line and can put a notch at the mean frequency.
double LinePower(const std::vector<double>& x, double cycles_per_sample) {
  const double half_bin = 0.5 / static_cast<double>(x.size());
  double best = 0.0;
  for (int j = -2; j <= 2; ++j) best = std::max(best, WindowedPower(x, cycles_per_sample + 0.5 * j * half_bin));
  return best;
}

}  // namespace

void Detrend(std::vector<double>* x) {
  const std::size_t n = x->size();
  if (n == 0) return;
  if (n == 1) {
    (*x)[0] = 0.0;
    return;
  }
  // Least-squares line on t = i − (n−1)/2 (centred, so slope and mean decouple).
  const double tc = 0.5 * static_cast<double>(n - 1);
  double sx = 0.0, stx = 0.0, stt = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) - tc;
    sx += (*x)[i];
    stx += t * (*x)[i];
    stt += t * t;
  }
  const double mean = sx / static_cast<double>(n);
  const double slope = stx / stt;
  for (std::size_t i = 0; i < n; ++i) (*x)[i] -= mean + slope * (static_cast<double>(i) - tc);
}

RateEstimate EstimateRate(const std::vector<double>& x, double sample_rate_hz, double min_rate_bpm,
                          double max_rate_bpm) {
  RateEstimate out;
  const int n = static_cast<int>(x.size());
  if (n < 8 || !(sample_rate_hz > 0.0) || !(min_rate_bpm > 0.0) || !(max_rate_bpm > min_rate_bpm)) return out;
  const int kmin = std::max(1, static_cast<int>(std::floor(sample_rate_hz * 60.0 / max_rate_bpm)));
  const int kmax = std::min(static_cast<int>(std::ceil(sample_rate_hz * 60.0 / min_rate_bpm)), 2 * n / 3);
  if (kmax < kmin + 2) return out;
  // Prefix sums of x² give the per-lag energy normalisation in O(1).
  std::vector<double> energy(static_cast<std::size_t>(n) + 1, 0.0);
  for (int i = 0; i < n; ++i) energy[static_cast<std::size_t>(i) + 1] = energy[static_cast<std::size_t>(i)] + x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
  const int lo = kmin - 1;
  const int hi = std::min(kmax + 1, n - 1);
  std::vector<double> r(static_cast<std::size_t>(hi - lo + 1), 0.0);
  const double* xs = x.data();
  auto normalised = [&](int k, double s) {
    const double e1 = energy[static_cast<std::size_t>(n - k)];
    const double e2 = energy[static_cast<std::size_t>(n)] - energy[static_cast<std::size_t>(k)];
    r[static_cast<std::size_t>(k - lo)] = (e1 > 0.0 && e2 > 0.0) ? s / std::sqrt(e1 * e2) : 0.0;
  };
  // Four lags per pass: four independent sums instead of one chain of dependent adds.
  // Each lag's sum still adds its products in increasing i, so r is the same, bit for
  // bit, as one lag at a time.
  int k = lo;
  for (; k + 3 <= hi; k += 4) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    const int common = n - (k + 3);  // i < common: all four lags have a term (hi ≤ n − 1)
    for (int i = 0; i < common; ++i) {
      const double xi = xs[i];
      s0 += xi * xs[i + k];
      s1 += xi * xs[i + k + 1];
      s2 += xi * xs[i + k + 2];
      s3 += xi * xs[i + k + 3];
    }
    for (int i = common; i + k < n; ++i) s0 += xs[i] * xs[i + k];
    for (int i = common; i + k + 1 < n; ++i) s1 += xs[i] * xs[i + k + 1];
    for (int i = common; i + k + 2 < n; ++i) s2 += xs[i] * xs[i + k + 2];
    normalised(k, s0);
    normalised(k + 1, s1);
    normalised(k + 2, s2);
    normalised(k + 3, s3);
  }
  for (; k <= hi; ++k) {
    double s = 0.0;
    for (int i = 0; i + k < n; ++i) s += xs[i] * xs[i + k];
    normalised(k, s);
  }
  auto at = [&](int k) { return r[static_cast<std::size_t>(k - lo)]; };
  double best = 0.0;
  for (int k = kmin; k <= std::min(kmax, hi - 1); ++k) {
    if (at(k) >= at(k - 1) && at(k) > at(k + 1)) best = std::max(best, at(k));
  }
  if (!(best > 0.0)) return out;
  const int last = std::min(kmax, hi - 1);
  auto is_peak = [&](int k) { return at(k) >= at(k - 1) && at(k) > at(k + 1); };
  for (int k = kmin; k <= last; ++k) {
    if (!is_peak(k) || at(k) < 0.85 * best) continue;
    const double a = at(k - 1), b = at(k), c = at(k + 1);
    const double den = a - 2.0 * b + c;
    const double delta = den < 0.0 ? std::clamp(0.5 * (a - c) / den, -0.5, 0.5) : 0.0;
    const double lag = k + delta;
    // Octave check: the peak at `lag` may span m breaths (m ≥ 2) whose single-breath
    // peak stays below 85 % of it — breath depth and length vary from breath to breath,
    // and a long lag's normalised autocorrelation rests on few samples. Period lag/m
    // is a candidate when the autocorrelation repeats there too (a peak within
    // max(1 sample, 20 %) of lag/m, at least half as high) and the spectrum decides:
    // a breathing waveform's fundamental is its strongest line, so the candidate whose
    // rate carries the most power, more than lag's own, wins. A true period's
    // harmonics do not pass: their autocorrelation peaks are troughs or low, and their
    // lines weaker than the fundamental's.
    int breaths = 1;
    double line_power = -1.0;
    for (int m = 2; 60.0 * sample_rate_hz * m / lag <= max_rate_bpm; ++m) {
      const double period = lag / m;
      const double tolerance = std::max(1.0, 0.2 * period);
      bool repeats = false;
      for (int j = std::max(kmin, static_cast<int>(std::ceil(period - tolerance)));
           j <= std::min(k - 1, static_cast<int>(std::floor(period + tolerance))) && !repeats; ++j) {
        repeats = is_peak(j) && at(j) > 0.0 && at(j) >= 0.5 * b;
      }
      if (!repeats) continue;
      if (line_power < 0.0) line_power = LinePower(x, 1.0 / lag);
      const double power = LinePower(x, m / lag);
      if (power > line_power) {
        line_power = power;
        breaths = m;
      }
    }
    out.rate_bpm = 60.0 * sample_rate_hz * breaths / lag;
    out.periodicity = std::clamp(b - 0.25 * (a - c) * delta, -1.0, 1.0);
    out.valid = true;
    return out;
  }
  return out;
}

BreathDetector::BreathDetector(BreathDetectorConfig config) : config_(config) {}

void BreathDetector::Reset() {
  const BreathDetectorConfig config = config_;
  *this = BreathDetector(config);
}

std::optional<Breath> BreathDetector::Push(double time_s, double displacement_mm) {
  if (started_ && time_s - last_time_s_ > config_.max_interval_s) Reset();
  if (!started_) {
    started_ = true;
    last_time_s_ = time_s;
    baseline_ = displacement_mm;
    smooth_ = 0.0;
    extreme_ = 0.0;
    extreme_time_s_ = time_s;
    return std::nullopt;
  }
  const double dt = std::max(time_s - last_time_s_, 0.0);
  last_time_s_ = time_s;
  baseline_ += (1.0 - std::exp(-dt / config_.baseline_tau_s)) * (displacement_mm - baseline_);
  smooth_ += (1.0 - std::exp(-dt / config_.smooth_tau_s)) * ((displacement_mm - baseline_) - smooth_);
  const double v = smooth_;
  const double h = std::max(config_.min_hysteresis_mm, config_.hysteresis_frac * depth_ema_mm_);
  if (rising_) {
    if (v > extreme_) {
      extreme_ = v;
      extreme_time_s_ = time_s;
      return std::nullopt;
    }
    if (v >= extreme_ - h) return std::nullopt;
    // Peak confirmed by a turn larger than the hysteresis.
    const double peak = extreme_;
    const double peak_time_s = extreme_time_s_;
    rising_ = false;
    extreme_ = v;
    extreme_time_s_ = time_s;
    if (last_breath_s_ >= 0.0 && peak_time_s - last_breath_s_ < 60.0 / config_.max_rate_bpm) return std::nullopt;
    Breath b;
    b.time_s = peak_time_s;
    b.depth_mm = have_trough_ ? std::max(0.0, peak - last_trough_) : 0.0;
    const double interval = last_breath_s_ >= 0.0 ? peak_time_s - last_breath_s_ : 0.0;
    b.interval_s = interval <= config_.max_interval_s ? interval : 0.0;
    last_breath_s_ = peak_time_s;
    if (b.depth_mm > 0.0) depth_ema_mm_ = depth_ema_mm_ > 0.0 ? 0.8 * depth_ema_mm_ + 0.2 * b.depth_mm : b.depth_mm;
    return b;
  }
  if (v < extreme_) {
    extreme_ = v;
    extreme_time_s_ = time_s;
  } else if (v > extreme_ + h) {
    last_trough_ = extreme_;
    have_trough_ = true;
    rising_ = true;
    extreme_ = v;
    extreme_time_s_ = time_s;
  }
  return std::nullopt;
}

}  // namespace nightsim::pipeline
