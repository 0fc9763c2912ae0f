#include "pipeline/range_fft.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace nightsim::pipeline {

RangeFft::RangeFft(int samples_per_chirp) : n_(samples_per_chirp) {
  if (n_ < 4 || (n_ & (n_ - 1)) != 0) {
    throw std::invalid_argument("RangeFft: samples_per_chirp must be a power of two >= 4, got " +
                                std::to_string(samples_per_chirp));
  }
  window_.resize(static_cast<std::size_t>(n_));
  double sum = 0.0;
  for (int i = 0; i < n_; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / n_);  // periodic Hann
    window_[static_cast<std::size_t>(i)] = static_cast<float>(w);
    sum += w;
  }
  // Dividing by the coherent gain makes a bin-centred tone of amplitude a read a/2.
  for (float& w : window_) w = static_cast<float>(w / sum);
  twiddle_.resize(static_cast<std::size_t>(n_ / 2));
  for (int k = 0; k < n_ / 2; ++k) {
    const double a = -2.0 * std::numbers::pi * k / n_;
    twiddle_[static_cast<std::size_t>(k)] = {static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a))};
  }
  int bits = 0;
  while ((1 << bits) < n_) ++bits;
  bit_reverse_.resize(static_cast<std::size_t>(n_));
  for (int i = 0; i < n_; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bit_reverse_[static_cast<std::size_t>(i)] = r;
  }
  work_.resize(static_cast<std::size_t>(n_));
}

void RangeFft::Transform(const RadarFrame& raw, int num_bins, std::vector<std::complex<float>>* range) {
  if (raw.level != RadarLevel::kRaw || raw.num_samples != n_ || raw.num_chirps < 1 || raw.num_rx < 1 ||
      raw.raw.size() != static_cast<std::size_t>(raw.num_chirps) * raw.num_rx * raw.num_samples) {
    throw std::invalid_argument("RangeFft: frame is not a raw frame of " + std::to_string(n_) +
                                " samples per chirp with consistent sizes");
  }
  if (num_bins < 1 || num_bins > n_ / 2) throw std::invalid_argument("RangeFft: num_bins out of range");
  range->assign(static_cast<std::size_t>(raw.num_rx) * num_bins, {0.0f, 0.0f});
  const float inv_chirps = 1.0f / static_cast<float>(raw.num_chirps);
  for (int c = 0; c < raw.num_chirps; ++c) {
    for (int rx = 0; rx < raw.num_rx; ++rx) {
      for (int i = 0; i < n_; ++i) {
        work_[static_cast<std::size_t>(bit_reverse_[static_cast<std::size_t>(i)])] =
            {raw.Raw(c, rx, i) * window_[static_cast<std::size_t>(i)], 0.0f};
      }
      // Iterative radix-2 decimation in time.
      for (int len = 2; len <= n_; len <<= 1) {
        const int half = len / 2;
        const int step = n_ / len;
        for (int start = 0; start < n_; start += len) {
          for (int k = 0; k < half; ++k) {
            const std::complex<float> t =
                twiddle_[static_cast<std::size_t>(k * step)] * work_[static_cast<std::size_t>(start + k + half)];
            const std::complex<float> u = work_[static_cast<std::size_t>(start + k)];
            work_[static_cast<std::size_t>(start + k)] = u + t;
            work_[static_cast<std::size_t>(start + k + half)] = u - t;
          }
        }
      }
      std::complex<float>* dst = &(*range)[static_cast<std::size_t>(rx) * num_bins];
      for (int b = 0; b < num_bins; ++b) dst[b] += work_[static_cast<std::size_t>(b)] * inv_chirps;
    }
  }
}

}  // namespace nightsim::pipeline
