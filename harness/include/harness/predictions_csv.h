#pragma once
/// \file
/// The predictions file through which a pipeline written in any language is scored
/// (`nightsim score NIGHT.h5 PREDICTIONS.csv`): one CSV row per epoch of the night.
///
/// Format (also in README, "Scoring your own pipeline"):
/// - Lines starting with '#' and blank lines are ignored; CRLF line ends are accepted.
/// - The first other line is the header: comma-separated column names, each at most
///   once, in any order. `stage` is required, and `epoch` (index from 0) or `time_s`
///   (any time inside the epoch, seconds since the night start) or both.
///   Optional: present, presence_confidence, session, tracking, target_range_m,
///   target_angle_rad, resp_rate_bpm, movement, intent, alarm_fire_s, alarm_stage.
/// - Every epoch of the night appears exactly once, in any order.
/// - stage: wake, light, deep, rem or none (case-insensitive; W, N1, N2, N3, R and
///   REM are accepted too), or a YASA integer code: 0 W, 1 N1, 2 N2, 3 N3, 4 REM,
///   −1 or −2 none. N1 and N2 are light, N3 deep.
/// - Flags (present, session, tracking, intent): 0/1, true/false, yes/no.
/// - Numbers: decimal, finite. An empty field takes the column's default.
/// - alarm_fire_s: the moment the smart alarm fired, seconds since the night start,
///   in the row of the epoch it fired in (empty in every other row); alarm_stage: the
///   stage the pipeline believed at that moment (default: the row's stage).
/// - Columns left out are not scored (Predictions::parts): present → presence,
///   session → the session figures, tracking + target_range_m + target_angle_rad
///   (all three or none) → identity, resp_rate_bpm → respiration, intent → intent,
///   alarm_fire_s → alarm. Their fields hold neutral values (present and session =
///   (stage != none), which only the sleep measures' window start may use; flags
///   false; numbers 0) that no metric reads. Staging is always scored.
/// Fields are not quoted (every value is a number or a label).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/metrics.h"

namespace nightsim::harness {

/// What a predictions file says: one estimate per epoch (sorted by epoch), the
/// alarm decisions, and which parts its columns allow to score.
struct Predictions {
  std::vector<EpochEstimate> estimates;
  std::vector<AlarmDecision> alarms;
  ScoredParts parts;  ///< from the header's columns (see the file comment)
};

/// The night a predictions file must fit.
struct PredictionsNight {
  std::int64_t epochs{0};  ///< number of epochs (rows required)
  double epoch_s{30.0};    ///< epoch length, s
};

/// Most problems listed in one InputError (a broken file would otherwise print
/// one message per line).
inline constexpr std::size_t kMaxPredictionProblems = 20;

/// Parses the text of a predictions file named `file` (for messages). Throws
/// InputError listing every problem (up to kMaxPredictionProblems, then a count),
/// each naming file:line and the column: a malformed header, an unknown or repeated
/// column, identity columns given only in part, a row with the wrong number of fields, an unknown stage label, a value
/// that is not a number or flag, an epoch or time outside the night, epoch and
/// time_s that disagree, an epoch given twice, epochs missing (wrong number of rows).
Predictions ParsePredictionsCsv(std::string_view text, const std::string& file, const PredictionsNight& night);

/// Reads and parses the file at `path`. Throws InputError when it cannot be read.
Predictions ReadPredictionsCsv(const std::string& path, const PredictionsNight& night);

/// A predictions file with every column for `estimates` (nightsim's own pipeline's
/// output, for example), numbers written to round-trip exactly.
std::string PredictionsCsv(std::span<const EpochEstimate> estimates, std::span<const AlarmDecision> alarms,
                           double epoch_s);

}  // namespace nightsim::harness
