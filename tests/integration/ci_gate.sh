#!/usr/bin/env bash
# The CI regression gate: runs sweeps/ci_stress.yaml (16 stress-library nights) in
# a fresh folder and gates it against the committed baseline sweeps/ci_baseline.json.
# Exit 1 when a gated metric got significantly worse; gate.xml (JUnit) and gate.md
# (Markdown) are left in OUT_DIR for the CI system to show.
#
# With NIGHTSIM_BATCH_REDUCED=1 (the sanitizer stage of scripts/test, where a night
# costs ~7x its Release time) the same sweep runs with its first seed and its first
# four scenarios only (a sleeper alone, a couple, a cat at the feet, a dog between them;
# not the fan room, ~3 min alone under the sanitizers): 4 whole nights through the
# same sweep runner, aggregate and gate (paired with the baseline's seed-1 nights). The sweep file is copied into
# OUT_DIR/src/sweeps/ beside a link OUT_DIR/src/scenarios -> SOURCE_DIR/scenarios, so its
# scenario paths — the baseline's pairing keys — stay exactly as written.
#
# usage: ci_gate.sh NIGHTSIM_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
nightsim=$1
src=$2
out=$3
rm -rf "$out"
sweep="$src/sweeps/ci_stress.yaml"
if [[ -n ${NIGHTSIM_BATCH_REDUCED:-} && ${NIGHTSIM_BATCH_REDUCED} != 0 ]]; then
  mkdir -p "$out/src/sweeps"
  ln -s "$src/scenarios" "$out/src/scenarios"
  grep -q '^seeds: \[1, 2\]$' "$sweep" || { echo "FAIL: ci_gate.sh: cannot reduce $sweep (no 'seeds: [1, 2]' line)"; exit 1; }
  # Keep the first four entries of the scenarios: list.
  sed 's/^seeds: \[1, 2\]$/seeds: [1]/' "$sweep" |
    awk '/^scenarios:$/ {in_list = 1; print; next}
         in_list && /^  - / {if (++kept <= 4) print; next}
         {in_list = 0; print}' >"$out/src/sweeps/ci_stress.yaml"
  [[ $(grep -c '^  - \.\./scenarios/' "$out/src/sweeps/ci_stress.yaml") == 4 ]] ||
    { echo "FAIL: ci_gate.sh: cannot reduce $sweep to four scenarios"; exit 1; }
  sweep="$out/src/sweeps/ci_stress.yaml"
fi
exec "$nightsim" sweep "$sweep" -j "${NIGHTSIM_GATE_JOBS:-2}" --out "$out" \
  --baseline "$src/sweeps/ci_baseline.json"
