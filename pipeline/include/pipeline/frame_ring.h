#pragma once
/// \file
/// A fixed-capacity history of recent range profiles, for window re-analysis.

#include <complex>
#include <vector>

namespace nightsim::pipeline {

/// The most recent `capacity` range profiles ([rx][bin] each) with their times.
/// Memory is capacity × rx × bins complex floats, independent of night length;
/// pushing never allocates.
class FrameRing {
 public:
  /// All arguments ≥ 1; throws std::invalid_argument otherwise.
  FrameRing(int capacity_frames, int num_rx, int num_bins);

  /// Appends one profile of num_rx × num_bins values ([rx][bin]); drops the oldest when full.
  void Push(const std::complex<float>* profile, double time_s);

  int size() const { return size_; }          ///< stored frames
  int capacity() const { return capacity_; }  ///< maximum stored frames
  int num_rx() const { return num_rx_; }
  int num_bins() const { return num_bins_; }
  /// Profiles pushed since construction: the i-th stored frame is the
  /// (pushed() − size() + i)-th ever pushed, a number that stays with the frame.
  long long pushed() const { return pushed_; }

  /// Profile of the i-th stored frame, 0 = oldest. Precondition: 0 ≤ i < size().
  const std::complex<float>* Frame(int i) const {
    return &data_[static_cast<std::size_t>(Slot(i)) * num_rx_ * num_bins_];
  }
  /// Time of the i-th stored frame, seconds since night start.
  double TimeS(int i) const { return times_s_[static_cast<std::size_t>(Slot(i))]; }
  /// Times of stored frames first, …, first + n − 1 into out[0, n): TimeS(first + i)
  /// each. Precondition: 0 ≤ first, n ≥ 0, first + n ≤ size().
  void CopyTimesS(int first, int n, double* out) const;

 private:
  int Slot(int i) const {
    const int k = head_ - size_ + i;  // in (−capacity, capacity): one wrap at most, no division
    return k < 0 ? k + capacity_ : (k >= capacity_ ? k - capacity_ : k);
  }

  int capacity_;
  int num_rx_;
  int num_bins_;
  int head_{0};  // next slot to write
  int size_{0};
  long long pushed_{0};
  std::vector<std::complex<float>> data_;
  std::vector<double> times_s_;
};

}  // namespace nightsim::pipeline
