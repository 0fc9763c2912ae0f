// Known-answer tests of each pipeline stage on synthetic inputs.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "core/rng.h"
#include "pipeline/bin_statistics.h"
#include "pipeline/cell_assessment.h"
#include "pipeline/frame_ring.h"
#include "pipeline/phase_extraction.h"
#include "pipeline/presence.h"
#include "pipeline/primary_tracker.h"
#include "pipeline/range_angle.h"
#include "pipeline/range_fft.h"
#include "pipeline/respiration.h"
#include "synthetic_frames.h"

namespace nightsim::pipeline {
namespace {

using testing::DefaultRadar;
using testing::Scatterer;
using testing::Scene;

constexpr double kPi = std::numbers::pi;

// Tests that a bin-centred beat tone lands in its bin with the right amplitude and phase.
TEST(RangeFftTest, ToneAtABinReadsHalfItsAmplitudeWithItsPhase) {
  RadarFrame f;
  f.level = RadarLevel::kRaw;
  f.num_rx = 1;
  f.num_chirps = 2;
  f.num_samples = 128;
  f.raw.resize(2 * 128);
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 128; ++i) f.raw[static_cast<std::size_t>(c * 128 + i)] = static_cast<float>(3.0 * std::cos(2 * kPi * 10 * i / 128.0 + 0.7));
  RangeFft fft(128);
  std::vector<std::complex<float>> range;
  fft.Transform(f, 64, &range);
  ASSERT_EQ(range.size(), 64u);
  EXPECT_NEAR(std::abs(range[10]), 1.5, 1e-4);
  EXPECT_NEAR(std::arg(range[10]), 0.7, 1e-4);
  EXPECT_LT(std::abs(range[13]), 1e-4);  // Hann: nothing beyond the neighbours
}

TEST(RangeFftTest, RejectsNonPowerOfTwo) { EXPECT_THROW(RangeFft(100), std::invalid_argument); }

// Tests that the raw synthesis through RangeFft agrees with the range-level closed form.
TEST(RangeFftTest, RawPathMatchesRangeLevelClosedForm) {
  const RadarInfo radar = DefaultRadar();
  Scene scene;
  scene.noise_sigma = 0.0;
  scene.scatterers.push_back({.range_m = 0.6, .azimuth_rad = 0.2, .amplitude = 0.1});
  const RadarFrame raw = testing::MakeRawFrame(radar, scene, 3, 2);
  const RadarFrame ref = testing::MakeRangeFrame(radar, scene, 3);
  RangeFft fft(radar.samples_per_chirp);
  std::vector<std::complex<float>> range;
  fft.Transform(raw, radar.range_bins, &range);
  const int bin = 16;  // 0.6 m / 3.75 cm
  for (int rx = 0; rx < 3; ++rx) {
    EXPECT_NEAR(std::abs(range[static_cast<std::size_t>(rx * 64 + bin)]), std::abs(ref.Range(rx, bin)), 2e-3);
    EXPECT_NEAR(std::abs(std::arg(range[static_cast<std::size_t>(rx * 64 + bin)] * std::conj(ref.Range(rx, bin)))), 0.0, 2e-2);
  }
}

// Tests the circle fit on an exact arc.
TEST(PhaseExtractionTest, CircleFitRecoversCentreAndRadiusOfAQuarterArc) {
  std::vector<std::complex<float>> pts;
  for (int i = 0; i < 50; ++i) pts.push_back(std::complex<float>(std::complex<double>(1.0, -1.0) + std::polar(2.0, 0.3 + 1.6 * i / 49.0)));
  const CircleFit fit = FitCircle(pts.data(), static_cast<int>(pts.size()));
  ASSERT_TRUE(fit.ok);
  EXPECT_NEAR(fit.centre.real(), 1.0, 1e-4);
  EXPECT_NEAR(fit.centre.imag(), -1.0, 1e-4);
  EXPECT_NEAR(fit.radius, 2.0, 1e-4);
}

// Tests DC/arc correction: a breathing reflector on top of strong static clutter
// gives its displacement back, wrapped several times.
TEST(PhaseExtractionTest, ArcDemodulationRecoversAWrappingDisplacement) {
  const double lambda = 0.00496;
  const std::complex<double> clutter(0.8, 0.5);
  std::vector<std::complex<float>> y;
  std::vector<double> truth;
  for (int i = 0; i < 400; ++i) {
    const double d_mm = 5.0 * std::sin(2 * kPi * 0.25 * i / 20.0);  // 10 mm p-p: ~25 rad
    truth.push_back(d_mm);
    y.push_back(std::complex<float>(clutter + std::polar(0.1, 4 * kPi * d_mm * 1e-3 / lambda)));
  }
  std::vector<double> d;
  const Demodulation dm = ExtractDisplacement(y.data(), 400, lambda, 10.0, &d);
  ASSERT_EQ(dm.mode, DemodMode::kArc);
  EXPECT_NEAR(dm.radius, 0.1, 1e-4);
  const double offset = d[0] - truth[0];
  for (int i = 0; i < 400; ++i) ASSERT_NEAR(d[static_cast<std::size_t>(i)] - offset, truth[static_cast<std::size_t>(i)], 1e-3) << i;
}

// The scalar phase computation ExtractDisplacement's arc mode had before its phase
// loop was vectorised (A&S 4.4.49 atan2, then unwrapping), kept as the reference.
std::vector<double> ScalarArcDisplacementMm(const std::vector<std::complex<float>>& y, std::complex<double> centre,
                                            double lambda) {
  auto atan2_as = [](double yv, double xv) {
    const double ax = std::abs(xv), ay = std::abs(yv);
    const double hi = std::max(ax, ay);
    if (hi == 0.0) return 0.0;
    const double a = std::min(ax, ay) / hi;
    const double s = a * a;
    double r = 0.0028662257;
    for (double c : {-0.0161657367, 0.0429096138, -0.0752896400, 0.1065626393, -0.1420889944, 0.1999355085,
                     -0.3333314528}) {
      r = r * s + c;
    }
    r = (r * s + 1.0) * a;
    if (ay > ax) r = 0.5 * kPi - r;
    if (xv < 0.0) r = kPi - r;
    return yv < 0.0 ? -r : r;
  };
  const double mm_per_rad = lambda / (4.0 * kPi) * 1e3;
  std::vector<double> d(y.size());
  double previous = 0.0, unwrapped = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::complex<double> v = std::complex<double>(y[i]) - centre;
    const double phase = atan2_as(v.imag(), v.real());
    if (i == 0) {
      unwrapped = phase;
    } else {
      double step = phase - previous;
      if (step > kPi) step -= 2.0 * kPi;
      else if (step < -kPi) step += 2.0 * kPi;
      unwrapped += step;
    }
    previous = phase;
    d[i] = unwrapped * mm_per_rad;
  }
  return d;
}

// Tests that the vectorised arc demodulation (whichever clone the CPU runs) gives the
// scalar reference's displacement bit for bit, points on every side of the centre
// and exactly at it included.
TEST(PhaseExtractionTest, ArcDemodulationIsBitIdenticalToTheScalarReference) {
  const double lambda = 0.00496;
  const std::complex<double> clutter(-0.3, 0.7);
  std::vector<std::complex<float>> y;
  for (int i = 0; i < 401; ++i) {
    const double d_mm = 4.0 * std::sin(2 * kPi * 0.3 * i / 20.0) + 0.01 * std::sin(17.0 * i);
    y.push_back(std::complex<float>(clutter + std::polar(0.2 + 0.01 * std::cos(5.0 * i), 4 * kPi * d_mm * 1e-3 / lambda)));
  }
  const CircleFit fit = FitCircle(y.data(), static_cast<int>(y.size()));
  ASSERT_TRUE(fit.ok);
  y[7] = std::complex<float>(fit.centre);  // a point on the centre (to float precision)
  std::vector<double> d;
  const Demodulation dm = ExtractDisplacement(y.data(), static_cast<int>(y.size()), lambda, 10.0, &d);
  ASSERT_EQ(dm.mode, DemodMode::kArc);
  const CircleFit refit = FitCircle(y.data(), static_cast<int>(y.size()));
  const std::vector<double> reference = ScalarArcDisplacementMm(y, refit.centre, lambda);
  ASSERT_EQ(d.size(), reference.size());
  for (std::size_t i = 0; i < d.size(); ++i) ASSERT_EQ(d[i], reference[i]) << i;  // exact, not near
}

// Tests that a short arc (back-facing sleeper, 0.2 mm) falls back to linear
// demodulation with the right waveform shape and sign.
TEST(PhaseExtractionTest, ShortArcUsesLinearDemodulationWithTheArcSign) {
  const double lambda = 0.00496;
  std::vector<std::complex<float>> y;
  std::vector<double> truth;
  for (int i = 0; i < 400; ++i) {
    const double d_mm = 0.1 * std::sin(2 * kPi * 0.25 * i / 20.0);
    truth.push_back(d_mm);
    const double noise = 1e-4 * std::sin(37.0 * i);  // breaks exact circularity
    y.push_back(std::complex<float>(std::complex<double>(0.3, 0.2) + std::polar(0.1 + noise, 1.0 + 4 * kPi * d_mm * 1e-3 / lambda)));
  }
  std::vector<double> d;
  const Demodulation dm = ExtractDisplacement(y.data(), 400, lambda, 3.0, &d);
  ASSERT_EQ(dm.mode, DemodMode::kLinear);
  double sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < 400; ++i) {
    sxy += d[static_cast<std::size_t>(i)] * truth[static_cast<std::size_t>(i)];
    sxx += d[static_cast<std::size_t>(i)] * d[static_cast<std::size_t>(i)];
    syy += truth[static_cast<std::size_t>(i)] * truth[static_cast<std::size_t>(i)];
  }
  EXPECT_GT(sxy / std::sqrt(sxx * syy), 0.99);  // same shape, same sign
}

// Tests the autocorrelation rate on an asymmetric breath waveform.
TEST(RespirationTest, RateOfAnAsymmetricBreathIsExact) {
  for (double bpm : {8.0, 12.5, 15.0, 21.0, 28.0}) {
    std::vector<double> x;
    for (int i = 0; i < 300; ++i) x.push_back(3.0 * testing::BreathShape(i / 10.0 * bpm / 60.0));
    Detrend(&x);
    const RateEstimate r = EstimateRate(x, 10.0, 4.0, 40.0);
    ASSERT_TRUE(r.valid) << bpm;
    EXPECT_NEAR(r.rate_bpm, bpm, 0.15) << bpm;
    EXPECT_GT(r.periodicity, 0.8);
  }
}

TEST(RespirationTest, NoiseHasNoRate) {
  std::vector<double> x;
  for (int i = 0; i < 300; ++i) x.push_back(testing::Gaussian(5, static_cast<std::uint64_t>(i)));
  const RateEstimate r = EstimateRate(x, 10.0, 4.0, 40.0);
  EXPECT_LT(r.periodicity, 0.3);
}

// Tests streaming breath detection: one breath per cycle, right intervals and depth.
TEST(RespirationTest, BreathDetectorFindsEveryBreath) {
  BreathDetector det;
  std::vector<Breath> breaths;
  for (int i = 0; i < 20 * 60; ++i) {
    const double t = i / 20.0;
    const double d = 4.0 * testing::BreathShape(t * 12.0 / 60.0) + 0.01 * std::sin(13.0 * t);
    if (auto b = det.Push(t, d)) breaths.push_back(*b);
  }
  ASSERT_GE(breaths.size(), 10u);
  ASSERT_LE(breaths.size(), 12u);
  for (std::size_t i = 2; i < breaths.size(); ++i) {
    EXPECT_NEAR(breaths[i].interval_s, 5.0, 0.2);
    EXPECT_NEAR(breaths[i].depth_mm, 4.0, 1.0);  // baseline/smoothing filters shave a little
  }
}

// Tests that static clutter vanishes from the window covariance while a rotating
// phasor (breathing) keeps its power, and that white noise reads σ² per RX.
TEST(BinStatisticsTest, StaticClutterIsRemovedAndMotionKept) {
  BinStatistics stats(3, 4, 5);
  std::vector<std::complex<float>> profile(12);
  for (int n = 0; n < 100; ++n) {
    const std::complex<double> moving = std::polar(0.2, 2 * kPi * n / 25.0);  // 4 turns per window
    for (int rx = 0; rx < 3; ++rx) {
      profile[static_cast<std::size_t>(rx * 4 + 0)] = std::complex<float>(5.0, -2.0);            // clutter only
      profile[static_cast<std::size_t>(rx * 4 + 1)] = std::complex<float>(std::complex<double>(5.0, -2.0) + moving);
      profile[static_cast<std::size_t>(rx * 4 + 2)] = 0.0f;
      profile[static_cast<std::size_t>(rx * 4 + 3)] = 0.0f;
    }
    stats.AddFrame(profile.data(), 4);
    if (n % 20 == 19) stats.EndBlock();
  }
  EXPECT_EQ(stats.blocks(), 5);
  EXPECT_NEAR(stats.WindowCovariance(0).Trace(), 0.0, 1e-9);
  EXPECT_NEAR(stats.WindowCovariance(1).Trace(), 3 * 0.04, 1e-6);
  EXPECT_LT(stats.FastPower(1), 0.2 * stats.WindowCovariance(1).Trace());  // smooth rotation
}

// Tests that the window covariance, block variance and fast power equal a direct
// two-pass computation in double for 1, 2 and 4 RX (no cross pair, one, six), and that
// the covariance is exactly Hermitian with a real diagonal and zeros beyond num_rx.
TEST(BinStatisticsTest, MatchesTwoPassEstimatesForEveryRxCount) {
  constexpr int kBins = 7, kWindowBlocks = 3, kBlockFrames = 20, kBlocks = 8;
  for (int nr : {1, 2, 4}) {
    BinStatistics stats(nr, kBins, kWindowBlocks);
    RandomStream noise(7, "bin_statistics_test", "noise");
    std::vector<std::vector<std::complex<float>>> frames;
    for (int n = 0; n < kBlocks * kBlockFrames; ++n) {
      std::vector<std::complex<float>> profile(static_cast<std::size_t>(nr * kBins));
      for (int rx = 0; rx < nr; ++rx) {
        for (int b = 0; b < kBins; ++b) {
          const std::complex<double> clutter(3.0 + b, -1.0 - rx);
          const std::complex<double> moving = std::polar(0.1 * b, 0.2 * n + 0.7 * rx);
          const double noise_re = noise.Normal(0.0, 0.05);
          const double noise_im = noise.Normal(0.0, 0.05);
          profile[static_cast<std::size_t>(rx * kBins + b)] =
              std::complex<float>(clutter + moving + std::complex<double>(noise_re, noise_im));
        }
      }
      stats.AddFrame(profile.data(), kBins);
      frames.push_back(std::move(profile));
      if (n % kBlockFrames == kBlockFrames - 1) stats.EndBlock();
    }
    ASSERT_EQ(stats.blocks(), kWindowBlocks);
    const auto x = [&](int n, int rx, int b) {
      return std::complex<double>(frames[static_cast<std::size_t>(n)][static_cast<std::size_t>(rx * kBins + b)]);
    };
    const int total = kBlocks * kBlockFrames;
    for (int b = 0; b < kBins; ++b) {
      const SpatialCov& c = stats.WindowCovariance(b);
      const int first = total - kWindowBlocks * kBlockFrames;
      for (int i = 0; i < kMaxRx; ++i) {
        for (int j = 0; j < kMaxRx; ++j) {
          if (i >= nr || j >= nr) {
            EXPECT_EQ(c(i, j), std::complex<double>{});
            continue;
          }
          std::complex<double> mi, mj, sij;
          for (int n = first; n < total; ++n) {
            mi += x(n, i, b);
            mj += x(n, j, b);
          }
          mi /= total - first;
          mj /= total - first;
          for (int n = first; n < total; ++n) sij += (x(n, i, b) - mi) * std::conj(x(n, j, b) - mj);
          EXPECT_NEAR(std::abs(c(i, j) - sij / double(total - first)), 0.0, 1e-6) << nr << " rx, bin " << b;
          EXPECT_EQ(c(j, i), std::conj(c(i, j)));
        }
        if (i < nr) {
          EXPECT_EQ(c(i, i).imag(), 0.0);
        }
      }
      double block_var = 0.0, d2 = 0.0;
      for (int rx = 0; rx < nr; ++rx) {
        std::complex<double> m;
        for (int n = total - kBlockFrames; n < total; ++n) m += x(n, rx, b);
        m /= kBlockFrames;
        for (int n = total - kBlockFrames; n < total; ++n) {
          block_var += std::norm(x(n, rx, b) - m) / kBlockFrames;
          d2 += std::norm(x(n, rx, b) - x(n - 1, rx, b));
        }
      }
      EXPECT_NEAR(stats.BlockVariance(b), block_var, 1e-6);
      EXPECT_NEAR(stats.FastPower(b), d2 / (2.0 * kBlockFrames), 1e-6);
    }
  }
}

// Tests direction finding and the range–angle map on a single source.
TEST(RangeAngleTest, SingleSourceDirectionAndMapPeak) {
  const RadarInfo radar = DefaultRadar();
  const ArrayModel model = MakeArrayModel(radar, 1.0);
  EXPECT_EQ(model.az_a, 0);
  EXPECT_EQ(model.az_b, 1);
  EXPECT_EQ(model.el_b, 2);
  for (double az : {-0.6, -0.2, 0.0, 0.35, 0.8}) {
    BinStatistics stats(3, 8, 10);
    std::vector<std::complex<float>> profile(24);
    std::complex<double> a[3];
    SteeringVector(model, az, 0.1, a);
    for (int n = 0; n < 200; ++n) {
      const std::complex<double> s = std::polar(0.1, 0.3 * n);
      for (int rx = 0; rx < 3; ++rx) {
        for (int b = 0; b < 8; ++b) profile[static_cast<std::size_t>(rx * 8 + b)] = 0.0f;
        profile[static_cast<std::size_t>(rx * 8 + 5)] = std::complex<float>(1.0 + s * a[rx]);
      }
      stats.AddFrame(profile.data(), 8);
      if (n % 20 == 19) stats.EndBlock();
    }
    const Direction d = EstimateDirection(stats.WindowCovariance(5), model);
    EXPECT_NEAR(d.azimuth_rad, az, 1e-3);
    EXPECT_NEAR(d.elevation_rad, 0.1, 1e-3);
    // The map scans azimuth at zero elevation; the 0.1-rad elevation is a steering
    // mismatch that Capon (sharper, more sensitive) tolerates less than Bartlett.
    for (Beamformer bf : {Beamformer::kBartlett, Beamformer::kCapon}) {
      RangeAngleMap map(model, bf, 25, 1.05, 0.01);
      map.Compute(stats, 0, 7);
      int best = 0;
      for (int k = 1; k < 25; ++k) best = map.Power(5, k) > map.Power(5, best) ? k : best;
      EXPECT_NEAR(map.GridAzimuthRad(best), az, 0.15);
    }
    RangeAngleMap map(model, Beamformer::kBartlett, 25, 1.05, 0.0);
    map.Compute(stats, 0, 7);
    const auto peaks = map.DetectPeaks(stats, 1e-8, 10.0, 2, 0.0375);
    ASSERT_EQ(peaks.size(), 1u);
    EXPECT_EQ(peaks[0].bin, 5);
  }
}

// Tests the presence confidence, hysteresis and the 5-minute session rule.
TEST(PresenceTest, SessionStartsAfterFiveMinutesAndEndsOnSustainedAbsence) {
  PresenceDetector p(PresenceConfig{});
  double first_present = -1, session_on = -1, session_off = -1;
  for (int t = 0; t < 3000; ++t) {
    const double evidence = t < 1000 ? 1.0 : 0.0;
    const PresenceState s = p.Update(t, evidence);
    if (s.present && first_present < 0) first_present = t;
    if (s.session && session_on < 0) session_on = t;
    if (session_on >= 0 && !s.session && session_off < 0) session_off = t;
  }
  EXPECT_NEAR(first_present, 6.0, 2.0);  // EMA τ = 8 s reaches 0.5 after ~5.5 s
  EXPECT_GT(session_on, first_present + 300.0 - 1e-9);
  EXPECT_LT(session_on, first_present + 302.0);
  EXPECT_GT(session_off, 1000.0 + 900.0);
  EXPECT_LT(session_off, 1000.0 + 930.0);
}

TEST(PresenceTest, ShortAbsencesDoNotRestartThePresenceRun) {
  PresenceDetector p(PresenceConfig{});
  bool session = false;
  for (int t = 0; t < 400; ++t) {
    const bool gap = (t >= 100 && t < 130) || (t >= 200 && t < 230);
    session = p.Update(t, gap ? 0.0 : 1.0).session || session;
  }
  EXPECT_TRUE(session);
}

// A breathing cell; the default reflectivity (dB(Hz)) is a torso's near side with the reference radar.
CellAssessment Cell(int bin, double range_m, double az, double rate, double quality = 0.8, double refl = 67.0) {
  CellAssessment c;
  c.bin = bin;
  c.range_m = range_m;
  c.azimuth_rad = az;
  c.rate_bpm = rate;
  c.quality = quality;
  c.reflectivity_db = refl;
  return c;
}

// Tests acquisition of the nearest person, refusal of a far partner and a weak pet.
TEST(PrimaryTrackerTest, AcquiresTheNearestPersonNeverThePartnerOrPet) {
  PrimaryTracker t(TrackerConfig{}, BedSide::kLeft);
  EXPECT_FALSE(t.IsHumanLike(Cell(20, 0.75, -0.3, 25.0)));             // pet-fast breathing
  EXPECT_FALSE(t.IsHumanLike(Cell(20, 0.75, -0.3, 18.0, 0.8, 37.0)));  // pet-weak reflector
  EXPECT_FALSE(t.IsHumanLike(Cell(20, 0.75, 1.2, 15.0)));              // toward the headboard wall
  EXPECT_TRUE(t.IsHumanLike(Cell(20, 0.75, -0.9, 15.0)));              // toward the foot: fine
  // Partner alone at 1.4 m: never acquired.
  for (int s = 0; s < 60; ++s) EXPECT_FALSE(t.Update(s, {Cell(37, 1.4, -0.1, 12.0)}, false).tracking);
  // The user joins at 0.6 m: acquired after the confirmation time.
  TrackState st;
  for (int s = 60; s < 75; ++s) st = t.Update(s, {Cell(16, 0.6, -0.3, 16.0), Cell(37, 1.4, -0.1, 12.0)}, false);
  ASSERT_TRUE(st.tracking);
  EXPECT_EQ(st.cell, 0);
  EXPECT_NEAR(st.range_m, 0.6, 1e-9);
  // The user leaves: the track coasts, then ends; it does not jump to the partner.
  int lost_at = -1;
  for (int s = 75; s < 200; ++s) {
    st = t.Update(s, {Cell(37, 1.4, -0.1, 12.0)}, false);
    EXPECT_NE(st.cell, 0);
    if (!st.tracking && lost_at < 0) lost_at = s;
  }
  EXPECT_NEAR(lost_at, 75 + 30, 1);
  // Returns: re-acquired.
  for (int s = 200; s < 215; ++s) st = t.Update(s, {Cell(17, 0.64, -0.3, 15.0), Cell(37, 1.4, -0.1, 12.0)}, false);
  EXPECT_TRUE(st.tracking);
  EXPECT_NEAR(st.range_m, 0.64, 1e-9);
}

// Tests the lone-far-sleeper rule: with nobody near, the only breathing body in view
// (a torso seen as two peaks 0.19 m apart) beyond far_acquire_min_range_m is acquired
// after far_acquire_confirm_s; a second breathing body anywhere (a pet, a partner
// nearer or farther) prevents it or ends the far track; a lone body at a partner's
// range (1.6 m) is never acquired.
TEST(PrimaryTrackerTest, ALoneFarSleeperIsTrackedOnlyWhenAlone) {
  const TrackerConfig config;
  {
    PrimaryTracker t(config, BedSide::kLeft);
    TrackState st;
    int acquired_at = -1;
    for (int s = 0; s < 120 && acquired_at < 0; s += 2) {
      st = t.Update(s, {Cell(54, 2.02, 0.0, 15.0, 0.75, 70.0), Cell(59, 2.21, 0.0, 15.1, 0.75, 65.0)}, false);
      if (st.tracking) acquired_at = s;
      else EXPECT_TRUE(st.acquiring) << s;
    }
    EXPECT_NEAR(acquired_at, config.far_acquire_confirm_s, 2.0);
    EXPECT_NEAR(st.range_m, 2.02, 1e-9);
    // After a turn-over the torso shows 0.15 m farther, its near side 11 dB weaker:
    // reassessed, and still the lone far body.
    for (int s = 120; s < 200; s += 2) {
      st = t.Update(s, {Cell(58, 2.17, -0.07, 16.0, 0.7, 57.0), Cell(63, 2.36, -0.03, 16.0, 0.7, 59.3)}, false);
      EXPECT_TRUE(st.tracking) << s;
      EXPECT_GE(st.cell, 0) << s;
    }
    // A cat arrives (fast breathing, nearer): the far track ends after pattern_confirm_s.
    int lost_at = -1;
    for (int s = 200; s < 300; s += 2) {
      st = t.Update(s, {Cell(40, 1.5, -0.2, 26.0, 0.8, 55.0), Cell(58, 2.17, -0.07, 16.0, 0.7, 65.0)}, false);
      if (!st.tracking && lost_at < 0) lost_at = s;
    }
    EXPECT_NEAR(lost_at, 200 + config.pattern_confirm_s, 2.0);
    EXPECT_FALSE(st.tracking);
  }
  {
    // A second person at another rate (a partner farther, or nearer beyond the near
    // zone): nobody is acquired.
    PrimaryTracker t(config, BedSide::kLeft);
    for (int s = 0; s < 600; s += 2) {
      EXPECT_FALSE(t.Update(s, {Cell(54, 2.02, 0.0, 15.0, 0.75, 70.0), Cell(63, 2.36, 0.3, 11.0, 0.75, 69.0)}, false)
                       .tracking);
      EXPECT_FALSE(t.Update(s + 1, {Cell(46, 1.72, 0.3, 11.0, 0.75, 69.0), Cell(54, 2.02, 0.0, 15.0, 0.75, 70.0)},
                            false)
                       .tracking);
    }
  }
  {
    // A partner alone at 1.6 m (the user not yet in bed, or in the restroom) is never
    // taken for a far user.
    PrimaryTracker t(config, BedSide::kLeft);
    for (int s = 0; s < 600; s += 2) EXPECT_FALSE(t.Update(s, {Cell(43, 1.6, -0.1, 12.0, 0.8, 69.0)}, false).tracking);
  }
}

// Tests that movement keeps a track alive and that a sustained change of breathing
// pattern at the track triggers a reassessment that drops a non-person.
TEST(PrimaryTrackerTest, MovementKeepsTheTrackAndAPatternChangeReassesses) {
  PrimaryTracker t(TrackerConfig{}, BedSide::kRight);
  TrackState st;
  for (int s = 0; s < 12; ++s) st = t.Update(s, {Cell(16, 0.6, 0.3, 14.0)}, false);
  ASSERT_TRUE(st.tracking);
  for (int s = 12; s < 100; ++s) st = t.Update(s, {}, /*motion_near_track=*/true);
  EXPECT_TRUE(st.tracking);
  EXPECT_TRUE(st.coasting);
  // Same place, a person breathing 9 /min faster (the partner rolled into the user's
  // spot): reassessed after pattern_confirm_s; the only eligible person is the new one.
  for (int s = 100; s < 125; ++s) st = t.Update(s, {Cell(16, 0.6, 0.3, 23.0, 0.8, 65.0)}, false);
  EXPECT_TRUE(st.tracking);
  EXPECT_NEAR(st.rate_bpm, 23.0, 1e-9);  // the track was re-initialised on the new body
  // Then only a pet-weak breather there (the cat in the warm spot): never associated,
  // so the track ends after lost_after_s.
  int lost_at = -1;
  for (int s = 125; s < 200; ++s) {
    st = t.Update(s, {Cell(16, 0.6, 0.3, 22.0, 0.8, 52.0)}, false);
    EXPECT_EQ(st.cell, -1) << s;
    if (!st.tracking && lost_at < 0) lost_at = s;
  }
  EXPECT_NEAR(lost_at, 124 + 30, 1);
}

// Tests that a body counts as a person by its strongest cell: weak parts of a
// sleeper join a strong one, a pet-weak body alone is never acquired, and a tracked
// sleeper's faster (REM) breathing keeps the track.
TEST(PrimaryTrackerTest, PersonsAreRecognisedByTheirStrongestPart) {
  PrimaryTracker t(TrackerConfig{}, BedSide::kLeft);
  TrackState st;
  for (int s = 0; s < 60; ++s) {
    st = t.Update(s, {Cell(20, 0.75, -0.4, 26.0, 0.8, 52.0), Cell(26, 0.97, -0.7, 18.0, 0.8, 53.0)}, false);
    EXPECT_FALSE(st.tracking) << s;  // pets: weak, one of them also fast
    EXPECT_FALSE(st.acquiring) << s;
    EXPECT_EQ(st.other_person_quality, 0.0) << s;
  }
  // A sleeper: a strong near side at 0.6 m and weaker flank and abdomen cells.
  const std::vector<CellAssessment> sleeper = {Cell(16, 0.6, -0.2, 15.0, 0.6, 70.0), Cell(20, 0.75, -0.5, 15.0, 0.9, 56.0),
                                               Cell(24, 0.9, -0.1, 15.0, 0.7, 55.0)};
  for (int s = 60; s < 75; ++s) st = t.Update(s, sleeper, false);
  ASSERT_TRUE(st.tracking);
  EXPECT_EQ(st.cell, 0);  // the strongest part gives the position
  EXPECT_NEAR(st.range_m, 0.6, 1e-9);
  EXPECT_NEAR(st.quality, 0.9, 1e-9);  // the best-breathing part gives the quality
  // REM: the rate climbs over a minute to 27 /min, above an adult's resting range:
  // still the same track.
  std::vector<CellAssessment> rem = sleeper;
  for (int s = 75; s < 200; ++s) {
    for (CellAssessment& c : rem) c.rate_bpm = std::min(27.0, 15.0 + 0.2 * (s - 75));
    st = t.Update(s, rem, false);
    EXPECT_TRUE(st.tracking) << s;
    EXPECT_EQ(st.cell, 0) << s;
  }
}

// Tests that a person other than the tracked one shows as other_person_quality (the
// partner keeps the room occupied), and that the tracked body itself does not.
TEST(PrimaryTrackerTest, ReportsAnotherPersonInBed) {
  PrimaryTracker t(TrackerConfig{}, BedSide::kLeft);
  TrackState st;
  for (int s = 0; s < 30; ++s) st = t.Update(s, {Cell(37, 1.4, -0.1, 12.0, 0.7, 65.0)}, false);
  EXPECT_FALSE(st.tracking);  // too far to be the user
  EXPECT_NEAR(st.other_person_quality, 0.7, 1e-9);
  for (int s = 30; s < 45; ++s) st = t.Update(s, {Cell(16, 0.6, -0.3, 15.0, 0.8), Cell(37, 1.4, -0.1, 12.0, 0.7, 65.0)}, false);
  ASSERT_TRUE(st.tracking);
  EXPECT_NEAR(st.other_person_quality, 0.7, 1e-9);
  st = t.Update(45, {Cell(16, 0.6, -0.3, 15.0, 0.8)}, false);
  EXPECT_EQ(st.other_person_quality, 0.0);
}

TEST(PrimaryTrackerTest, SwitchesToAPersistentlyNearerPerson) {
  PrimaryTracker t(TrackerConfig{}, BedSide::kLeft);
  TrackState st;
  for (int s = 0; s < 12; ++s) st = t.Update(s, {Cell(25, 0.95, -0.2, 14.0)}, false);
  ASSERT_NEAR(st.range_m, 0.95, 1e-9);
  for (int s = 12; s < 50; ++s) st = t.Update(s, {Cell(15, 0.55, -0.3, 16.0), Cell(25, 0.95, -0.2, 14.0)}, false);
  EXPECT_NEAR(st.range_m, 0.55, 0.01);
}


// Tests that copying a run of frame times across the ring's wrap gives TimeS of each.
TEST(FrameRingTest, CopiedTimesMatchTimeSAcrossTheWrap) {
  FrameRing ring(5, 1, 1);
  const std::complex<float> profile{};
  for (int k = 0; k < 7; ++k) ring.Push(&profile, 0.5 * k);
  for (int first = 0; first < ring.size(); ++first) {
    for (int n = 0; first + n <= ring.size(); ++n) {
      std::vector<double> times(static_cast<std::size_t>(n), -1.0);
      ring.CopyTimesS(first, n, times.data());
      for (int i = 0; i < n; ++i) EXPECT_EQ(times[static_cast<std::size_t>(i)], ring.TimeS(first + i));
    }
  }
}

// Tests that an assessor that keeps bins' samples from earlier assessments (and moves
// between more bins than it keeps) assesses exactly as a fresh one, bit for bit,
// while the ring fills, wraps and the steering changes.
TEST(CellAssessorTest, KeptSamplesGiveTheSameAssessmentAsAFreshAssessor) {
  const RadarInfo radar = DefaultRadar();
  const ArrayModel model = MakeArrayModel(radar, 1.0);
  constexpr int kBins = 20;
  const CellAssessorConfig config;
  const double rate_hz = 20.0;
  FrameRing ring(static_cast<int>(config.window_s * rate_hz), 3, kBins);
  CellAssessor kept(model, config, rate_hz, 1.024e-3);
  std::vector<std::complex<float>> profile(3 * kBins);
  for (int n = 0; n < 1400; ++n) {
    for (int rx = 0; rx < 3; ++rx) {
      for (int b = 0; b < kBins; ++b) {
        const double d = 0.5 * std::sin(2 * kPi * 0.25 * n / rate_hz + b) + 0.01 * std::sin(13.0 * n + rx);
        profile[static_cast<std::size_t>(rx * kBins + b)] =
            std::complex<float>(std::complex<double>(0.5, 0.2 * b) + std::polar(0.1, d + 0.7 * rx));
      }
    }
    ring.Push(profile.data(), n / rate_hz);
    if (n % 40 != 39) continue;
    // Every bin once in a while (more than are kept), bin 3 every time.
    for (int bin : {3, (n / 40) % kBins, (n / 40 * 7) % kBins}) {
      CellPeak peak;
      peak.bin = bin;
      peak.range_m = 0.5 + 0.05 * bin;
      peak.azimuth_rad = 0.01 * (n % 37) - 0.2;  // a steering that changes between updates
      peak.elevation_rad = 0.05;
      CellAssessor fresh(model, config, rate_hz, 1.024e-3);
      const CellAssessment a = kept.Assess(ring, peak, 1e-4);
      const CellAssessment b = fresh.Assess(ring, peak, 1e-4);
      ASSERT_EQ(a.quality, b.quality) << n << " " << bin;
      ASSERT_EQ(a.rate_bpm, b.rate_bpm);
      ASSERT_EQ(a.depth_mm, b.depth_mm);
      ASSERT_EQ(a.radius, b.radius);
      ASSERT_EQ(kept.displacement_mm(), fresh.displacement_mm()) << n << " " << bin;
      ASSERT_EQ(kept.times_s(), fresh.times_s());
    }
  }
}

}  // namespace
}  // namespace nightsim::pipeline
