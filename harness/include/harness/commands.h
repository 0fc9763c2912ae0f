#pragma once
/// \file
/// Entry points of the subcommands (one source file each in harness/src/cmd_*.cc).
/// Each takes the arguments after the subcommand name and returns an exit code.

#include <string>
#include <vector>

namespace nightsim::harness {

/// `nightsim validate FILE [--set name=value …]`
int CmdValidate(const std::vector<std::string>& args);

/// `nightsim run SCENARIO [--seed N] [--set name=value …] [--level L] [--out PATH]`
int CmdRun(const std::vector<std::string>& args);

/// `nightsim hypnograms SCENARIO --nights N --out DIR [--seed S]`: truth of N nights
/// (JSON + CSV per night and person) and the realism table.
int CmdHypnograms(const std::vector<std::string>& args);

/// `nightsim stress [--seeds N] [--first-seed S] [--json FILE] [-j N] [--scenarios DIR] [--filter SUBSTR]`:
/// the stress library, one row per scenario (harness/stress.h).
int CmdStress(const std::vector<std::string>& args);

/// `nightsim sweep FILE [-j N] [--out DIR] [--shard I/N] [--baseline BASELINE.json]`:
/// every night of a sweep file, resumable; the aggregate; the CI gate (harness/sweep.h).
int CmdSweep(const std::vector<std::string>& args);

/// `nightsim merge SWEEP SHARD_DIR... [--out DIR] [--baseline BASELINE.json]`: joins shard outputs.
int CmdMerge(const std::vector<std::string>& args);

/// `nightsim train [--nights N] [--seed S] [--out DIR] [-j N]` and
/// `nightsim train --evaluate [--nights N] [--seed S] [--models DIR] [--scenario FILE …]`:
/// trains / evaluates the intent and staging models (harness/training.h).
int CmdTrain(const std::vector<std::string>& args);

/// `nightsim score NIGHT.h5 PREDICTIONS.csv [--out FILE.json]`: scores a pipeline's
/// per-epoch estimates (CSV, harness/predictions_csv.h) against a night file's truth.
int CmdScore(const std::vector<std::string>& args);

/// `nightsim generate SCENARIO --nights N --out DIR [--level L] [-j N] [--seed S]`:
/// a training set of night files with hypnograms and manifest.json.
int CmdGenerate(const std::vector<std::string>& args);

/// `nightsim realism RECORDING [SCENARIO]`: simulates a real recording's device and
/// compares the fingerprint statistics (harness/realism.h) with the recording's.
int CmdRealism(const std::vector<std::string>& args);

/// `nightsim report NIGHT.h5|SWEEP_DIR -o FILE.html`: a self-contained HTML report of a
/// night file or a sweep output folder (figures by python/nightsim_report).
int CmdReport(const std::vector<std::string>& args);

/// `nightsim import PATH -o OUT.h5 [--level raw|range] [--format ifxdaq|a121]`: a real
/// radar recording as a night file without truth (harness/recording_import.h).
int CmdImport(const std::vector<std::string>& args);

/// `nightsim analyze NIGHT.h5 [-o OUT] [--bed-side left|right]`: nightsim's pipeline on
/// a night file's radar frames (a real recording or an exported night), without truth
/// (harness/analysis.h).
int CmdAnalyze(const std::vector<std::string>& args);

}  // namespace nightsim::harness
