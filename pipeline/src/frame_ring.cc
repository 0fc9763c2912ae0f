#include "pipeline/frame_ring.h"

#include <algorithm>
#include <stdexcept>

namespace nightsim::pipeline {

FrameRing::FrameRing(int capacity_frames, int num_rx, int num_bins)
    : capacity_(capacity_frames), num_rx_(num_rx), num_bins_(num_bins) {
  if (capacity_frames < 1 || num_rx < 1 || num_bins < 1) {
    throw std::invalid_argument("FrameRing: capacity_frames, num_rx and num_bins must be >= 1");
  }
  data_.resize(static_cast<std::size_t>(capacity_) * num_rx_ * num_bins_);
  times_s_.resize(static_cast<std::size_t>(capacity_));
}

void FrameRing::Push(const std::complex<float>* profile, double time_s) {
  const std::size_t per = static_cast<std::size_t>(num_rx_) * num_bins_;
  std::copy(profile, profile + per, &data_[static_cast<std::size_t>(head_) * per]);
  times_s_[static_cast<std::size_t>(head_)] = time_s;
  head_ = (head_ + 1) % capacity_;
  size_ = std::min(size_ + 1, capacity_);
  ++pushed_;
}

void FrameRing::CopyTimesS(int first, int n, double* out) const {
  if (n <= 0) return;
  // The stored frames are at most two contiguous runs of slots.
  const int start = Slot(first);
  const int first_run = std::min(n, capacity_ - start);
  std::copy_n(&times_s_[static_cast<std::size_t>(start)], first_run, out);
  std::copy_n(times_s_.data(), n - first_run, out + first_run);
}

}  // namespace nightsim::pipeline
