#include "pipeline/bin_statistics.h"

#include <algorithm>
#include <stdexcept>

#include "frame/simd.h"

namespace nightsim::pipeline {

namespace {

// The per-frame streams over range bins, as free functions on distinct (restrict)
// arrays: in this form GCC vectorises them, inside the member loops it does not.
// Each bin is computed on its own (no sum across bins), so the AVX2 clones give the
// same floats as the baseline code.

// x ← src − ref, deinterleaved from the (re, im) pairs of src, with Σ(x − ref),
// Σ|x − ref|², and Σ|x − prev|² for the frame-difference power; prev ← src.
NIGHTSIM_TARGET_CLONES
void AccumulateRx(int nb, const float* __restrict src, float* __restrict x_re, float* __restrict x_im,
                  float* __restrict prev_re, float* __restrict prev_im, const float* __restrict ref_re,
                  const float* __restrict ref_im, float* __restrict s1_re, float* __restrict s1_im,
                  float* __restrict pw, float* __restrict d2) {
  for (int b = 0; b < nb; ++b) {
    const float re = src[2 * b];
    const float im = src[2 * b + 1];
    const float dre = re - prev_re[b];
    const float dim = im - prev_im[b];
    d2[b] += dre * dre + dim * dim;
    prev_re[b] = re;
    prev_im[b] = im;
    const float xr = re - ref_re[b];
    const float xi = im - ref_im[b];
    x_re[b] = xr;
    x_im[b] = xi;
    s1_re[b] += xr;
    s1_im[b] += xi;
    pw[b] += xr * xr + xi * xi;
  }
}

// Σ x_i x_j* for one RX pair.
NIGHTSIM_TARGET_CLONES
void AccumulateCross(int nb, const float* __restrict ar, const float* __restrict ai, const float* __restrict br,
                     const float* __restrict bi, float* __restrict cr, float* __restrict ci) {
  for (int b = 0; b < nb; ++b) {
    cr[b] += ar[b] * br[b] + ai[b] * bi[b];
    ci[b] += ai[b] * br[b] - ar[b] * bi[b];
  }
}

// w ← w + b or w ← w − b over n doubles: the same value as w + (±1)·b, which is an
// exact sign change, in a form GCC vectorises.
NIGHTSIM_TARGET_CLONES
void AddOrSubtract(std::size_t n, bool subtract, const double* __restrict b, double* __restrict w) {
  if (subtract) {
    for (std::size_t k = 0; k < n; ++k) w[k] -= b[k];
  } else {
    for (std::size_t k = 0; k < n; ++k) w[k] += b[k];
  }
}

// Per-block and per-window streams. Each writes out what the complex<double> code
// computed for one bin (products (ac − bd) + j(ad + bc), conj as a sign change, a
// division by a real double dividing each part), in the same order.

// Σ|x|² of one RX from its sums about the reference r (real part of the pair formula
// in EndBlock with i = j, whose two middle terms are equal).
NIGHTSIM_TARGET_CLONES
void AbsolutePower(int nb, double n, const float* __restrict pw, const float* __restrict s1_re,
                   const float* __restrict s1_im, const float* __restrict ref_re, const float* __restrict ref_im,
                   double* __restrict out) {
  for (int b = 0; b < nb; ++b) {
    const double sr = s1_re[b], si = s1_im[b], rr = ref_re[b], ri = ref_im[b];
    const double s_r = sr * rr + si * ri;
    out[b] = ((static_cast<double>(pw[b]) + s_r) + s_r) + ((n * rr) * rr + (n * ri) * ri);
  }
}

// Σ x_i x_j* of one cross pair from its sums about the reference r (see EndBlock).
NIGHTSIM_TARGET_CLONES
void AbsoluteCross(int nb, double n, const float* __restrict c_re, const float* __restrict c_im,
                   const float* __restrict si_re, const float* __restrict si_im, const float* __restrict sj_re,
                   const float* __restrict sj_im, const float* __restrict ri_re, const float* __restrict ri_im,
                   const float* __restrict rj_re, const float* __restrict rj_im, double* __restrict out_re,
                   double* __restrict out_im) {
  for (int b = 0; b < nb; ++b) {
    const double sir = si_re[b], sii = si_im[b], sjr = sj_re[b], sji = sj_im[b];
    const double rir = ri_re[b], rii = ri_im[b], rjr = rj_re[b], rji = rj_im[b];
    const double nrir = n * rir, nrii = n * rii;
    out_re[b] = ((static_cast<double>(c_re[b]) + (sir * rjr + sii * rji)) + (rir * sjr + rii * sji)) +
                (nrir * rjr + nrii * rji);
    out_im[b] = ((static_cast<double>(c_im[b]) + (sii * rjr - sir * rji)) + (rii * sjr - rir * sji)) +
                (nrii * rjr - nrir * rji);
  }
}

// Σx of one component from its sum about the reference; the reference moves to the
// block's mean.
NIGHTSIM_TARGET_CLONES
void AbsoluteSum(int nb, double n, const float* __restrict s1, float* __restrict ref, double* __restrict out) {
  for (int b = 0; b < nb; ++b) {
    out[b] = static_cast<double>(s1[b]) + n * static_cast<double>(ref[b]);
    ref[b] = static_cast<float>(out[b] / n);
  }
}

// Window variance of one RX: max(0, Σ|x|²/f − |Σx|²/f²).
NIGHTSIM_TARGET_CLONES
void WindowPower(int nb, double f, const double* __restrict pw, const double* __restrict s_re,
                 const double* __restrict s_im, double* __restrict out) {
  const double ff = f * f;
  for (int b = 0; b < nb; ++b) {
    const double v = pw[b] / f - (s_re[b] * s_re[b] + s_im[b] * s_im[b]) / ff;
    out[b] = v > 0.0 ? v : 0.0;  // std::max(0.0, v)
  }
}

// Window covariance of one cross pair: Σ x_i x_j*/f − Σx_i (Σx_j)*/f².
NIGHTSIM_TARGET_CLONES
void WindowCross(int nb, double f, const double* __restrict c_re, const double* __restrict c_im,
                 const double* __restrict si_re, const double* __restrict si_im, const double* __restrict sj_re,
                 const double* __restrict sj_im, double* __restrict out_re, double* __restrict out_im) {
  const double ff = f * f;
  for (int b = 0; b < nb; ++b) {
    out_re[b] = c_re[b] / f - (si_re[b] * sj_re[b] + si_im[b] * sj_im[b]) / ff;
    out_im[b] = c_im[b] / f - (si_im[b] * sj_re[b] - si_re[b] * sj_im[b]) / ff;
  }
}

// v += Σ|x|²/n − |Σx/n|² for one RX of the newest block.
NIGHTSIM_TARGET_CLONES
void AddBlockPower(int nb, double n, const double* __restrict pw, const double* __restrict s_re,
                   const double* __restrict s_im, double* __restrict v) {
  for (int b = 0; b < nb; ++b) {
    const double mr = s_re[b] / n, mi = s_im[b] / n;
    v[b] += pw[b] / n - (mr * mr + mi * mi);
  }
}

}  // namespace

double SpatialCov::Trace() const {
  double t = 0.0;
  for (int i = 0; i < num_rx; ++i) t += (*this)(i, i).real();
  return t;
}

BinStatistics::BinStatistics(int num_rx, int num_bins, int window_blocks)
    : num_rx_(num_rx), num_bins_(num_bins), cross_pairs_(num_rx * (num_rx - 1) / 2) {
  if (num_rx < 1 || num_rx > kMaxRx || num_bins < 1 || window_blocks < 1) {
    throw std::invalid_argument("BinStatistics: need 1 <= num_rx <= 4, num_bins >= 1, window_blocks >= 1");
  }
  const std::size_t nb = static_cast<std::size_t>(num_bins_);
  const std::size_t nr = static_cast<std::size_t>(num_rx_);
  const std::size_t nc = static_cast<std::size_t>(cross_pairs_);
  for (auto* v : {&ref_re_, &ref_im_, &prev_re_, &prev_im_, &x_re_, &x_im_, &s1_re_, &s1_im_, &pow_}) v->assign(nr * nb, 0.0f);
  cross_re_.assign(nc * nb, 0.0f);
  cross_im_.assign(nc * nb, 0.0f);
  d2_.assign(nb, 0.0f);
  const std::size_t sums = (3 * nr + 2 * nc) * nb;
  ring_.resize(static_cast<std::size_t>(window_blocks));
  for (Block& b : ring_) {
    b.sums.assign(sums, 0.0);
    b.d2.assign(nb, 0.0);
  }
  win_.assign(sums, 0.0);
  cov_.assign(sums, 0.0);
  window_cov_.assign(nb, SpatialCov{num_rx_, {}});
  block_var_.assign(nb, 0.0);
  fast_.assign(nb, 0.0);
}

void BinStatistics::AddFrame(const std::complex<float>* profile, int stride) {
  const int nr = num_rx_;
  const int nb = num_bins_;
  // std::complex<float> arrays may be read as interleaved (re, im) floats.
  const float* in = reinterpret_cast<const float*>(profile);
  if (!has_previous_) {
    // The first frame seeds the reference (≈ the static clutter) and the previous frame.
    for (int r = 0; r < nr; ++r) {
      for (int b = 0; b < nb; ++b) {
        const std::size_t k = static_cast<std::size_t>(r * nb + b);
        ref_re_[k] = prev_re_[k] = in[2 * (r * stride + b)];
        ref_im_[k] = prev_im_[k] = in[2 * (r * stride + b) + 1];
      }
    }
  }
  for (int r = 0; r < nr; ++r) {
    const std::size_t o = static_cast<std::size_t>(r * nb);
    // On the very first frame prev = x, so the frame difference adds zero.
    AccumulateRx(nb, in + 2 * r * stride, &x_re_[o], &x_im_[o], &prev_re_[o], &prev_im_[o], &ref_re_[o],
                 &ref_im_[o], &s1_re_[o], &s1_im_[o], &pow_[o], d2_.data());
  }
  int q = 0;
  for (int i = 0; i < nr; ++i) {
    for (int j = i + 1; j < nr; ++j, ++q) {
      const std::size_t oi = static_cast<std::size_t>(i * nb);
      const std::size_t oj = static_cast<std::size_t>(j * nb);
      const std::size_t oq = static_cast<std::size_t>(q * nb);
      AccumulateCross(nb, &x_re_[oi], &x_im_[oi], &x_re_[oj], &x_im_[oj], &cross_re_[oq], &cross_im_[oq]);
    }
  }
  if (has_previous_) ++open_diffs_;
  has_previous_ = true;
  ++open_frames_;
}

void BinStatistics::AddToWindow(const Block& b, bool subtract) {
  AddOrSubtract(win_.size(), subtract, b.sums.data(), win_.data());
  win_frames_ = subtract ? win_frames_ - b.frames : win_frames_ + b.frames;
}

void BinStatistics::RecomputeWindow() {
  std::fill(win_.begin(), win_.end(), 0.0);
  win_frames_ = 0.0;
  for (std::size_t k = 0; k < count_; ++k) AddToWindow(ring_[k], false);
}

void BinStatistics::EndBlock() {
  if (open_frames_ == 0) return;
  Block& b = ring_[next_];
  if (count_ == ring_.size()) AddToWindow(b, true);  // evict the oldest block
  const int nr = num_rx_;
  const int nb = num_bins_;
  const double n = open_frames_;
  b.frames = open_frames_;
  b.diffs = open_diffs_;
  double* sums = b.sums.data();
  const auto at = [nb](int stream) { return static_cast<std::size_t>(stream * nb); };
  // Absolute sums from sums about the reference r:
  // Σ x_i x_j* = Σ(x−r)_i(x−r)_j* + Σ(x−r)_i r_j* + r_i Σ(x−r)_j* + n r_i r_j*.
  for (int i = 0; i < nr; ++i) {
    AbsolutePower(nb, n, &pow_[at(i)], &s1_re_[at(i)], &s1_im_[at(i)], &ref_re_[at(i)], &ref_im_[at(i)],
                  sums + Power(i));
  }
  int q = 0;
  for (int i = 0; i < nr; ++i) {
    for (int j = i + 1; j < nr; ++j, ++q) {
      AbsoluteCross(nb, n, &cross_re_[at(q)], &cross_im_[at(q)], &s1_re_[at(i)], &s1_im_[at(i)], &s1_re_[at(j)],
                    &s1_im_[at(j)], &ref_re_[at(i)], &ref_im_[at(i)], &ref_re_[at(j)], &ref_im_[at(j)],
                    sums + CrossRe(q), sums + CrossIm(q));
    }
  }
  // Last, as it moves the reference: the next block is taken about this block's mean,
  // which follows slow drift.
  for (int i = 0; i < nr; ++i) {
    AbsoluteSum(nb, n, &s1_re_[at(i)], &ref_re_[at(i)], sums + S1Re(i));
    AbsoluteSum(nb, n, &s1_im_[at(i)], &ref_im_[at(i)], sums + S1Im(i));
  }
  std::copy(d2_.begin(), d2_.end(), b.d2.begin());
  for (auto* v : {&s1_re_, &s1_im_, &pow_, &cross_re_, &cross_im_, &d2_}) std::fill(v->begin(), v->end(), 0.0f);
  open_frames_ = 0;
  open_diffs_ = 0;
  next_ = (next_ + 1) % ring_.size();
  if (count_ < ring_.size()) ++count_;
  // Running window sums, re-summed once per window so rounding cannot accumulate.
  if (next_ == 0) {
    RecomputeWindow();
  } else {
    AddToWindow(b, false);
  }
  RefreshCaches();
}

void BinStatistics::RefreshCaches() {
  const int nr = num_rx_;
  const int nb = num_bins_;
  const Block& newest = ring_[(next_ + ring_.size() - 1) % ring_.size()];
  const double frames = win_frames_;
  if (frames < 2.0) {
    std::fill(window_cov_.begin(), window_cov_.end(), SpatialCov{nr, {}});
  } else {
    const double* w = win_.data();
    double* c = cov_.data();
    for (int i = 0; i < nr; ++i) WindowPower(nb, frames, w + Power(i), w + S1Re(i), w + S1Im(i), c + Power(i));
    int q = 0;
    for (int i = 0; i < nr; ++i) {
      for (int j = i + 1; j < nr; ++j, ++q) {
        WindowCross(nb, frames, w + CrossRe(q), w + CrossIm(q), w + S1Re(i), w + S1Im(i), w + S1Re(j), w + S1Im(j),
                    c + CrossRe(q), c + CrossIm(q));
      }
    }
    // Spread into the per-bin matrices, one entry at a time over all bins. Entries
    // beyond num_rx stay zero from the constructor; the others are all written.
    SpatialCov* m = window_cov_.data();
    for (int i = 0; i < nr; ++i) {
      const double* d = c + Power(i);
      for (int bin = 0; bin < nb; ++bin) m[bin](i, i) = {d[bin], 0.0};
    }
    q = 0;
    for (int i = 0; i < nr; ++i) {
      for (int j = i + 1; j < nr; ++j, ++q) {
        const double* re = c + CrossRe(q);
        const double* im = c + CrossIm(q);
        for (int bin = 0; bin < nb; ++bin) {
          m[bin](i, j) = {re[bin], im[bin]};
          m[bin](j, i) = {re[bin], -im[bin]};  // conj
        }
      }
    }
  }
  const double n = newest.frames;
  const double* s = newest.sums.data();
  std::fill(block_var_.begin(), block_var_.end(), 0.0);
  for (int i = 0; i < nr; ++i) AddBlockPower(nb, n, s + Power(i), s + S1Re(i), s + S1Im(i), block_var_.data());
  for (double& v : block_var_) v = std::max(0.0, v);
  if (newest.diffs > 0) {
    const double two_diffs = 2.0 * newest.diffs;
    for (int bin = 0; bin < nb; ++bin) fast_[static_cast<std::size_t>(bin)] = newest.d2[static_cast<std::size_t>(bin)] / two_diffs;
  } else {
    std::fill(fast_.begin(), fast_.end(), 0.0);
  }
}

}  // namespace nightsim::pipeline
