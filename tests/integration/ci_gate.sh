#!/usr/bin/env bash
# The CI regression gate: runs sweeps/ci_stress.yaml (16 stress-library nights) in
# a fresh folder and gates it against the committed baseline sweeps/ci_baseline.json.
# Exit 1 when a gated metric got significantly worse; gate.xml (JUnit) and gate.md
# (Markdown) are left in OUT_DIR for the CI system to show.
#
# With NIGHTSIM_BATCH_REDUCED=1 (the sanitizer stage of scripts/test, where a night
# costs ~7x its Release time) the same sweep runs with its first seed and its first
# four scenarios only (a sleeper alone, a couple, a cat at the feet, a dog between them;
# not the fan room, ~3 min alone under the sanitizers), chosen with `sweep --seed
# --scenario`: 4 whole nights through the same sweep runner, aggregate and gate, paired
# with the baseline's seed-1 nights (the selected nights keep their hashes and keys).
#
# usage: ci_gate.sh NIGHTSIM_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
nightsim=$1
src=$2
out=$3
rm -rf "$out"
sweep="$src/sweeps/ci_stress.yaml"
select=()
if [[ -n ${NIGHTSIM_BATCH_REDUCED:-} && ${NIGHTSIM_BATCH_REDUCED} != 0 ]]; then
  select=(--seed 1 --scenario solo_sleeper --scenario couple_partner_late --scenario pet_cat_at_feet
          --scenario pet_dog_between)
fi
exec "$nightsim" sweep "$sweep" "${select[@]}" -j "${NIGHTSIM_GATE_JOBS:-2}" --out "$out" \
  --baseline "$src/sweeps/ci_baseline.json"
