#!/usr/bin/env bash
# The CI regression gate: runs sweeps/ci_stress.yaml (16 stress-library nights) in
# a fresh folder and gates it against the committed baseline sweeps/ci_baseline.json.
# Exit 1 when a gated metric got significantly worse; gate.xml (JUnit) and gate.md
# (Markdown) are left in OUT_DIR for the CI system to show.
#
# usage: ci_gate.sh NIGHTSIM_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
nightsim=$1
src=$2
out=$3
rm -rf "$out"
exec "$nightsim" sweep "$src/sweeps/ci_stress.yaml" -j "${NIGHTSIM_GATE_JOBS:-2}" --out "$out" \
  --baseline "$src/sweeps/ci_baseline.json"
