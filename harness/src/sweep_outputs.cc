// The files a finished sweep (or a merge of its shards) writes.

#include <fmt/core.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/sweep_report.h"

namespace nightsim::harness {

int WriteSweepOutputs(const SweepSpec& spec, const SweepManifest& manifest,
                      const std::map<std::string, NightRecord>& records, const std::string& out_dir,
                      const std::string& baseline_path, std::FILE* print) {
  namespace fs = std::filesystem;
  fs::create_directories(out_dir);
  const SweepAggregate aggregate = AggregateSweep(spec, manifest, records);
  const std::string json_path = (fs::path(out_dir) / "aggregate.json").string();
  const std::string table_path = (fs::path(out_dir) / "aggregate.txt").string();
  WriteFileAtomically(json_path, aggregate.json);
  WriteFileAtomically(table_path, aggregate.table);
  if (print) fmt::print(print, "{}\naggregate: {}, {}\n", aggregate.table, json_path, table_path);
  if (baseline_path.empty()) return kExitOk;

  const GateReport report = EvaluateGates(spec, manifest, records, baseline_path);
  const std::string markdown = GateMarkdown(spec, report);
  const std::string xml_path = (fs::path(out_dir) / "gate.xml").string();
  const std::string md_path = (fs::path(out_dir) / "gate.md").string();
  WriteFileAtomically(xml_path, GateJUnitXml(spec, report));
  WriteFileAtomically(md_path, markdown);
  // GitHub Actions shows this file on the run's page; other CI systems read gate.xml.
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary != nullptr && *summary != '\0') {
    std::ofstream(summary, std::ios::app) << markdown << "\n";
  }
  if (print) fmt::print(print, "\n{}\ngate: {}, {}\n", markdown, xml_path, md_path);
  return report.Failed() ? kExitCheckFailed : kExitOk;
}

}  // namespace nightsim::harness
