#pragma once
/// \file
/// The first half of nightsim's own pipeline: radar processing, presence, primary-
/// user tracking and respiration, behind the nightsim::Pipeline interface.
///
/// Chain, per frame: [RangeFft for raw frames] → BinStatistics (clutter removal)
/// + FrameRing. Per update (every block_s, 2 s by default): RangeAngleMap →
/// peaks → CellAssessor per cell → PrimaryTracker → PresenceDetector → the
/// primary's displacement stream → BreathDetector. Per epoch (emitted
/// finalize_delay_s after its end, never revised): EpochEstimate + RespirationFeatures.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/bin_statistics.h"
#include "pipeline/cell_assessment.h"
#include "pipeline/frame_ring.h"
#include "pipeline/presence.h"
#include "pipeline/primary_tracker.h"
#include "pipeline/range_angle.h"
#include "pipeline/range_fft.h"
#include "pipeline/respiration.h"

namespace nightsim::pipeline {

/// Every tunable of TrackingPipeline, with its default. Stage settings are nested.
struct TrackingConfig {
  // --- radar processing
  /// ±1: the sensor's inter-antenna phase convention (ArrayModel). A real-IF FMCW
  /// sensor reads a bin phase of +2π f0 τ, growing with the path length, so an antenna
  /// a plane wave reaches earlier (shorter path, p_k·u > 0) lags: ψ_k = −(2π/λ) p_k·u.
  /// +1 mirrors every azimuth and elevation (the scorer then sees the target on the
  /// wrong side of boresight).
  double phase_sign{-1.0};
  double block_s{2.0};                     ///< cadence of the heavy work (map, assessments, decisions);
                                           ///< also the respiration stream's latency
  double map_window_s{10.0};               ///< covariance window of the range–angle map
  Beamformer beamformer{Beamformer::kBartlett};
  int num_angles{13};                      ///< azimuth grid of the map
  double max_abs_azimuth_rad{1.05};        ///< map grid half-width (60°)
  double capon_loading{0.05};              ///< Capon diagonal loading, fraction of trace/N
  double zone_max_range_m{1.5};            ///< cells beyond are not assessed (detection zone)
  double detect_snr_db{12.0};              ///< map SNR of a cell worth assessing
  int min_peak_separation_bins{3};         ///< non-maximum suppression along range
  int max_cells{5};                        ///< cells assessed per update, strongest first
  /// While nobody is tracked (or a far track is), peaks beyond zone_max_range_m up to
  /// here are assessed too, for PrimaryTracker's lone-far-sleeper rule only (a device
  /// standing away from the bed). ≤ zone_max_range_m: no far search.
  double far_zone_max_range_m{2.4};
  int far_max_cells{2};                    ///< far cells assessed per update, strongest first
  double noise_tau_s{30.0};                ///< smoothing of the noise-floor estimate
  /// Cells nearer than this many range resolutions (c / 2B) are never assessed: a real
  /// sensor's strongest return is its transmitter's leakage at range 0, spread over
  /// the main lobe of the range response (±2 resolutions with a Hann window), and its
  /// jitter would read as a moving reflector. Within tracker.min_range_m at the default
  /// radar, so it matters for short-range sensors only.
  double leakage_cells{3.0};
  CellAssessorConfig cell;                 ///< respiration assessment of one cell
  // --- movement
  double motion_ratio_threshold{0.35};     ///< fast (frame-to-frame) share of dynamic power meaning gross movement
  double motion_min_snr_db{10.0};          ///< and fast power this far above noise
  double motion_margin_m{0.3};             ///< movement is looked for this far around the track
  // --- tracking, presence
  TrackerConfig tracker;
  PresenceConfig presence;
  double presence_quality_ref{0.6};        ///< cell quality that counts as full presence evidence
  /// Another person than the primary (a partner alone in bed) keeps counting as
  /// presence this long after their breathing was last recognised: a weaker, farther
  /// sleeper passes the person test only intermittently (as a coasting track does).
  double other_person_hold_s{30.0};
  // --- respiration and epochs
  BreathDetectorConfig breath;
  double decision_lag_s{10.0};             ///< per-second decisions are read this much later (detection delay)
  double rate_margin_s{10.0};              ///< the epoch's rate uses the waveform epoch ± this
  double min_rate_window_s{20.0};          ///< least contiguous clean waveform for a rate
  double min_periodicity{0.3};             ///< least autocorrelation for a reported rate
  double min_rate_bpm{4.0};                ///< epoch rate search range
  double max_rate_bpm{40.0};
  double finalize_delay_s{30.0};           ///< an epoch is emitted this long after its end
  double stream_buffer_s{600.0};           ///< undrained respiration stream kept at most this long

  /// Throws std::invalid_argument naming the first inconsistent field.
  void Validate() const;
};

/// The radar-processing / presence / tracking / respiration pipeline. Deterministic,
/// causal (an epoch's estimate depends only on frames before its end +
/// LatencyS()), and bounded in memory. Fills present, presence_confidence, session,
/// tracking, target_range_m, target_angle_rad, resp_rate_bpm and movement; leaves
/// intent and stage to the later stages.
///
/// `present` and `session` are about a person in bed — the primary, or a partner
/// alone while the primary is away — never a pet or a fan (PrimaryTracker's person
/// test). `tracking`, the target position and every respiration figure are the
/// primary's only: the nearest person on the configured side. The target position is
/// the strongest breathing part of the tracked body, in practice the near side of the
/// torso, which lies 0.1–0.2 m nearer the device than the torso centre.
class TrackingPipeline : public Pipeline {
 public:
  /// Validates `config` (throws std::invalid_argument).
  explicit TrackingPipeline(TrackingConfig config = {});
  ~TrackingPipeline() override;

  /// Throws std::invalid_argument for a radar the pipeline cannot use (no RX or more
  /// than 4, several without a horizontal baseline, non-positive frame rate) or an
  /// invalid epoch length. One RX works without direction (every azimuth 0). Any
  /// frame rate, bin count and range of bin 0 (RadarInfo::range_start_m) work;
  /// levels are relative to the measured noise, so range data may be in any unit.
  void Start(const RadarInfo& radar, const AppSettings& settings) override;
  /// `range` or `raw` frames (throws std::invalid_argument for `stream` frames,
  /// frames before Start(), or a size change). Allocation-free except at updates
  /// that grow internal buffers for the first time.
  void OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>* out,
               std::vector<AlarmDecision>* alarms) override;
  void Finish(std::vector<EpochEstimate>* out, std::vector<AlarmDecision>* alarms) override;
  /// finalize_delay_s.
  double LatencyS() const override;

  /// Moves the respiration feature records finalised so far (one per emitted
  /// epoch, in order) to the end of `out`.
  void TakeFeatures(std::vector<RespirationFeatures>* out);
  /// Moves the primary's respiration stream samples produced so far (one per frame
  /// while tracked, in time order) to the end of `out`. At most stream_buffer_s of
  /// undrained samples are kept.
  void TakeRespStream(std::vector<RespSample>* out);
  /// Latency of the respiration stream: a sample is out at most this long after its frame.
  double RespStreamLatencyS() const;

  /// State after the latest update (for reports and tests).
  const TrackState& track() const;
  const PresenceState& presence() const;
  /// Cells assessed at the latest update, increasing range.
  const std::vector<CellAssessment>& cells() const { return cells_; }
  /// Time of the frame that triggered the latest update (every block_s), −1 before the first.
  double last_update_s() const { return last_update_s_; }
  /// Noise variance per RX sample of a range bin, as estimated at the latest update
  /// (in the frames' own unit squared).
  double noise_var() const { return noise_var_; }

 private:
  struct Stages;
  struct SecondRecord {
    double time_s{0.0};
    double confidence{0.0};
    bool present{false};
    bool session{false};
    bool tracking{false};
    bool moving{false};
    double quality{0.0};
    double range_m{0.0};
    double azimuth_rad{0.0};
    double elevation_rad{0.0};  // of the tracked cell; NaN when there is none
  };
  struct StreamPoint {
    double time_s{0.0};
    double displacement_mm{0.0};
    bool clean{false};          // tracked cell, no movement
    bool segment_start{false};
  };

  void Update(double time_s);
  // First bin at or beyond `range_m`, last bin within it (bin b lies at
  // range_start_m + b · range_bin_m); may be outside [0, num_bins_).
  int FirstBinFrom(double range_m) const;
  int LastBinWithin(double range_m) const;
  bool MotionAround(double range_lo_m, double range_hi_m) const;
  void AppendStream(int bin, const std::vector<double>& displacement_mm, const std::vector<double>& times_s,
                    bool clean);
  void EmitReady(double time_s, std::vector<EpochEstimate>* out);
  // `at_end`: emitted by Finish(), possibly with fewer than decision_lag_s of data after its start.
  void EmitEpoch(std::int64_t epoch, std::vector<EpochEstimate>* out, bool at_end = false);
  void Prune();

  TrackingConfig config_;
  RadarInfo radar_;
  AppSettings settings_;
  std::unique_ptr<Stages> stages_;
  bool started_{false};
  int num_rx_{0};
  int num_bins_{0};
  int stats_bins_{0};  // bins of the detection zone and a margin (noise floor, motion)
  int all_bins_{0};    // bins with statistics: stats_bins_ and the far search
  int first_cell_bin_{0};  // nearest bin a cell may come from (nightstand, leakage)
  int frames_per_block_{1};
  int frames_in_block_{0};
  double last_frame_s_{0.0};
  double last_update_s_{-1.0};
  bool any_frame_{false};
  double noise_var_{0.0};
  bool noise_init_{false};
  std::vector<std::complex<float>> profile_;
  std::vector<CellPeak> peaks_;
  std::vector<CellPeak> far_peaks_;
  std::vector<CellAssessment> cells_;
  std::vector<std::vector<double>> cell_displacement_;  // full-rate displacement per assessed cell
  std::vector<std::vector<double>> cell_times_;
  std::vector<double> scratch_;
  std::vector<double> fast_;                             // fast power per bin, last block
  std::vector<double> dyn_;                              // dynamic power per bin, last window/block
  std::deque<SecondRecord> records_;
  std::deque<StreamPoint> stream_;
  std::deque<Breath> breaths_;
  std::deque<RespSample> stream_out_;
  std::vector<RespirationFeatures> features_out_;
  int stream_bin_{-1};
  double stream_last_s_{-1.0};
  double stream_last_mm_{0.0};
  std::int64_t next_epoch_{0};
  double other_quality_{0.0};      // last quality of another person (held other_person_hold_s)
  double other_seen_s_{-1e300};    // when it was seen
};

}  // namespace nightsim::pipeline
