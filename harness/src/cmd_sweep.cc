// `nightsim sweep FILE [-j N] [--out DIR] [--shard I/N] [--baseline BASELINE.json] [--seed S …] [--scenario X …]`:
// runs every night of a sweep (or one shard of it) on local cores, skipping nights
// already written, then aggregates and, with a baseline, gates.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <set>

#include "core/errors.h"
#include "command_line.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/sweep.h"
#include "harness/sweep_report.h"
#include "harness/sweep_runner.h"
#include "sweep_detail.h"

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdSweep(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string sweep_path, out, shard_text, baseline;
  std::vector<std::uint64_t> only_seeds;
  std::vector<std::string> only_scenarios;
  int jobs = DefaultJobs();
  options.add_options()
      ("help,h", "show this help")
      ("jobs,j", po::value(&jobs)->default_value(jobs), "nights run in parallel (local cores)")
      ("out", po::value(&out), "output folder (default out/sweep-<name>): nights/<hash>.json, aggregate.json/.txt")
      ("shard", po::value(&shard_text),
       "I/N: run only shard I (0-based) of N; N alone takes I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX. "
       "Inside a Slurm array job the shard comes from the environment by default. Join shards with nightsim merge.")
      ("baseline", po::value(&baseline), "aggregate.json of an earlier run: gate the metrics listed under gates: "
       "(exit 1 on a significant regression), write gate.xml (JUnit) and gate.md")
      ("seed", po::value(&only_seeds)->composing(),
       "run only this seed of the sweep's (repeatable); the nights keep their hashes and pair with a whole baseline")
      ("scenario", po::value(&only_scenarios)->composing(),
       "run only this scenario of the sweep's, by path as written in the file or by name (repeatable)")
      ("plan", "check the sweep file, print its nights and run nothing")
      ("list-knobs", "list the pipeline knobs a sweep file may set under pipeline:");
  const po::variables_map vm = ParseCommandLine(args, options, {{"sweep", &sweep_path}});
  if (vm.count("help")) {
    fmt::print("usage: nightsim sweep FILE [options]\n\n"
               "Runs every night of the sweep FILE (scenarios × parameter points × factor arms × seeds;\n"
               "schema in scenarios/README.md, \"Sweep files\"), writes one output per night named by its\n"
               "content hash, skips nights already written (rerun an interrupted sweep with the same\n"
               "command), then writes the aggregate: each metric's mean and 95 % CI per scenario and per\n"
               "parameter value, and each paired factor's effect.\n"
               "exit codes: 0 ok, 1 a gate or a night failed, 2 bad input (nothing run), 130 interrupted\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (vm.count("list-knobs")) {
    for (const auto& k : PipelineKnobs()) fmt::print("{:<42} {:<6} {}\n", k.name, k.type, k.description);
    return kExitOk;
  }
  if (sweep_path.empty()) throw InputError(InputProblem{"", 0, 0, "FILE", "a sweep file is required"});
  if (jobs < 1 || jobs > 1024) throw InputError(InputProblem{"", 0, 0, "--jobs", fmt::format("expected 1..1024, got {}", jobs)});

  // Everything is checked before the first night runs.
  const SweepSpec spec = SelectFromSweep(LoadSweep(sweep_path), only_seeds, only_scenarios);
  const SweepManifest manifest = ExpandSweep(spec);
  if (vm.count("plan")) {
    std::set<std::string> distinct;
    for (const SweepNight& n : manifest.nights) {
      distinct.insert(n.hash);
      fmt::print("{:>5} {} {} seed {}{}{}\n", n.index, n.hash, spec.scenarios[n.scenario].path, n.seed,
                 n.point.empty() ? "" : " " + n.PointText(), n.factor.empty() ? "" : " [" + n.factor + "=" + n.arm + "]");
    }
    fmt::print("{} manifest entries, {} distinct nights\n", manifest.nights.size(), distinct.size());
    return kExitOk;
  }
  SweepRunOptions run;
  run.jobs = jobs;
  if (!shard_text.empty()) run.shard = ParseShard(shard_text);
  else if (const auto env = ShardFromEnvironment()) run.shard = *env;
  if (!baseline.empty()) {
    if (run.shard.count > 1) {
      throw InputError(InputProblem{"", 0, 0, "--baseline", "a shard is not the whole sweep: gate with nightsim merge"});
    }
    if (!detail::ReadJsonFile(baseline).IsMap()) {
      throw InputError(InputProblem{baseline, 0, 0, "--baseline", "cannot read a sweep aggregate (JSON)"});
    }
  }
  run.out_dir = out.empty() ? "out/sweep-" + spec.name : out;

  const SweepRunSummary summary = RunSweepNights(spec, manifest, run);
  fmt::print(stderr, "{} run, {} already done{} in {:.1f} s wall; {:.2f} s wall per night on a worker, {:.1f} nights/min\n",
             summary.ran, summary.skipped,
             summary.failed.empty() ? "" : fmt::format(", {} FAILED", summary.failed.size()), summary.wall_s,
             summary.ran > 0 ? summary.night_wall_s / summary.ran : 0.0,
             summary.wall_s > 0 ? 60.0 * summary.ran / summary.wall_s : 0.0);
  for (const auto& f : summary.failed) fmt::print(stderr, "failed: {}\n", f);
  if (summary.interrupted) {
    fmt::print(stderr, "interrupted: finished nights are kept; rerun the same command to resume\n");
    return 130;
  }
  if (!summary.failed.empty()) return kExitCheckFailed;
  if (run.shard.count > 1) {
    fmt::print("shard {}/{} done: {} nights in {}/nights; join the shards with\n"
               "  nightsim merge {} <shard output folders…> --out DIR\n",
               run.shard.index, run.shard.count, summary.in_shard, run.out_dir, sweep_path);
    return kExitOk;
  }
  std::vector<std::size_t> missing;
  const auto records = CollectNightRecords(manifest, {run.out_dir}, &missing);
  if (!missing.empty()) {
    fmt::print(stderr, "error: {} nights have no output after the run\n", missing.size());
    return kExitCheckFailed;
  }
  return WriteSweepOutputs(spec, manifest, records, run.out_dir, baseline, stdout);
}

}  // namespace nightsim::harness
