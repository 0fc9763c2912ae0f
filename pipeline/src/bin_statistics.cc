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

}  // namespace

double SpatialCov::Trace() const {
  double t = 0.0;
  for (int i = 0; i < num_rx; ++i) t += (*this)(i, i).real();
  return t;
}

BinStatistics::BinStatistics(int num_rx, int num_bins, int window_blocks)
    : num_rx_(num_rx), num_bins_(num_bins), pairs_(num_rx * (num_rx + 1) / 2) {
  if (num_rx < 1 || num_rx > kMaxRx || num_bins < 1 || window_blocks < 1) {
    throw std::invalid_argument("BinStatistics: need 1 <= num_rx <= 4, num_bins >= 1, window_blocks >= 1");
  }
  int p = 0;
  for (int i = 0; i < num_rx_; ++i)
    for (int j = i; j < num_rx_; ++j) pair_index_[static_cast<std::size_t>(i * kMaxRx + j)] = p++;
  const std::size_t nb = static_cast<std::size_t>(num_bins_);
  const std::size_t nr = static_cast<std::size_t>(num_rx_);
  const std::size_t np = static_cast<std::size_t>(pairs_);
  const std::size_t nc = np - nr;
  for (auto* v : {&ref_re_, &ref_im_, &prev_re_, &prev_im_, &x_re_, &x_im_, &s1_re_, &s1_im_, &pow_}) v->assign(nr * nb, 0.0f);
  cross_re_.assign(nc * nb, 0.0f);
  cross_im_.assign(nc * nb, 0.0f);
  d2_.assign(nb, 0.0f);
  ring_.resize(static_cast<std::size_t>(window_blocks));
  for (Block& b : ring_) {
    b.s1.assign(nb * nr, {});
    b.s2.assign(nb * np, {});
    b.d2.assign(nb, 0.0);
  }
  win_s1_.assign(nb * nr, {});
  win_s2_.assign(nb * np, {});
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
  // std::complex<double> arrays may be read as interleaved (re, im) doubles.
  AddOrSubtract(2 * win_s1_.size(), subtract, reinterpret_cast<const double*>(b.s1.data()),
                reinterpret_cast<double*>(win_s1_.data()));
  AddOrSubtract(2 * win_s2_.size(), subtract, reinterpret_cast<const double*>(b.s2.data()),
                reinterpret_cast<double*>(win_s2_.data()));
  win_frames_ = subtract ? win_frames_ - b.frames : win_frames_ + b.frames;
}

void BinStatistics::RecomputeWindow() {
  std::fill(win_s1_.begin(), win_s1_.end(), std::complex<double>{});
  std::fill(win_s2_.begin(), win_s2_.end(), std::complex<double>{});
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
  for (int bin = 0; bin < nb; ++bin) {
    const std::size_t bn = static_cast<std::size_t>(bin * nr);
    const std::size_t bp = static_cast<std::size_t>(bin * pairs_);
    std::complex<double> ref[kMaxRx];
    std::complex<double> s1[kMaxRx];
    for (int i = 0; i < nr; ++i) {
      const std::size_t k = static_cast<std::size_t>(i * nb + bin);
      ref[i] = {ref_re_[k], ref_im_[k]};
      s1[i] = {s1_re_[k], s1_im_[k]};
      b.s1[bn + i] = s1[i] + n * ref[i];
    }
    // Absolute sums from sums about the reference r:
    // Σ x_i x_j* = Σ(x−r)_i(x−r)_j* + Σ(x−r)_i r_j* + r_i Σ(x−r)_j* + n r_i r_j*.
    int q = 0;
    for (int i = 0; i < nr; ++i) {
      for (int j = i; j < nr; ++j) {
        std::complex<double> about;
        if (i == j) {
          about = pow_[static_cast<std::size_t>(i * nb + bin)];
        } else {
          about = {cross_re_[static_cast<std::size_t>(q * nb + bin)], cross_im_[static_cast<std::size_t>(q * nb + bin)]};
          ++q;
        }
        b.s2[bp + static_cast<std::size_t>(pair_index_[static_cast<std::size_t>(i * kMaxRx + j)])] =
            about + s1[i] * std::conj(ref[j]) + ref[i] * std::conj(s1[j]) + n * ref[i] * std::conj(ref[j]);
      }
    }
    b.d2[static_cast<std::size_t>(bin)] = d2_[static_cast<std::size_t>(bin)];
    // The next block is taken about this block's mean, which follows slow drift.
    for (int i = 0; i < nr; ++i) {
      const std::complex<double> mean = b.s1[bn + i] / n;
      ref_re_[static_cast<std::size_t>(i * nb + bin)] = static_cast<float>(mean.real());
      ref_im_[static_cast<std::size_t>(i * nb + bin)] = static_cast<float>(mean.imag());
    }
  }
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
  const Block& newest = ring_[(next_ + ring_.size() - 1) % ring_.size()];
  const double frames = win_frames_;
  for (int bin = 0; bin < num_bins_; ++bin) {
    const std::size_t bn = static_cast<std::size_t>(bin * nr);
    const std::size_t bp = static_cast<std::size_t>(bin * pairs_);
    SpatialCov& c = window_cov_[static_cast<std::size_t>(bin)];
    // Entries beyond num_rx stay zero from the constructor; the others are all written.
    if (frames < 2.0) {
      c = SpatialCov{nr, {}};
    } else {
      for (int i = 0; i < nr; ++i) {
        for (int j = i; j < nr; ++j) {
          c(i, j) = win_s2_[bp + static_cast<std::size_t>(pair_index_[static_cast<std::size_t>(i * kMaxRx + j)])] / frames -
                    win_s1_[bn + i] * std::conj(win_s1_[bn + j]) / (frames * frames);
          c(j, i) = std::conj(c(i, j));
        }
        c(i, i) = {std::max(0.0, c(i, i).real()), 0.0};
      }
    }
    double v = 0.0;
    const double n = newest.frames;
    for (int i = 0; i < nr; ++i) {
      v += newest.s2[bp + static_cast<std::size_t>(pair_index_[static_cast<std::size_t>(i * kMaxRx + i)])].real() / n -
           std::norm(newest.s1[bn + i] / n);
    }
    block_var_[static_cast<std::size_t>(bin)] = std::max(0.0, v);
    fast_[static_cast<std::size_t>(bin)] = newest.diffs > 0 ? newest.d2[static_cast<std::size_t>(bin)] / (2.0 * newest.diffs) : 0.0;
  }
}

}  // namespace nightsim::pipeline
