#!/usr/bin/python3
"""What one `simulation:` switch costs the pipeline, and what it saves in time.

Runs the stress library (`nightsim stress`) once per value of one key of the scenario's
`simulation` section (scenarios/README.md), the first value being the reference, and
prints per value the CPU time per night and, per metric, how the nights changed against
the reference (same scenario and seed). Every stress scenario is used as it is, through a
one-line `extends:` file per value in --out; nothing in the repository is changed.

    bench/simulation_study.py --key cull_below_noise_db --values 0 -6 -20 --seeds 2
    bench/simulation_study.py --key multipath --values true false --filter couple
    bench/simulation_study.py --key leakage,rx_mismatch,dc_offset --values true false --seeds 1

--key takes several keys separated by commas: each value is given to all of them (the
chip's fingerprint on and off as a whole).

CPU time is the stress run's own (all its workers), divided by its nights: compare
values measured in the same session on an otherwise idle machine.
"""

import argparse
import json
import os
import resource
import subprocess
import sys

METRICS = [
    "presence.f1",
    "identity.primary_fraction",
    "identity.partner_min",
    "identity.pet_min",
    "resp.rate_mae_bpm",
    "staging.accuracy",
    "staging.kappa",
    "measures.tst_min.error",
    "alarm.in_light_or_wake",
]


def child_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_library(library, keys, value, folder):
    """One file per stress scenario: the scenario itself with simulation.<key> set for each key."""
    os.makedirs(folder, exist_ok=True)
    for name in sorted(f for f in os.listdir(library) if f.endswith(".yaml")):
        source = os.path.abspath(os.path.join(library, name))
        with open(source, encoding="utf-8") as f:
            first_line = f.readline()  # what the scenario stresses: the table's description
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write(first_line if first_line.startswith("#") else "\n")
            f.write(f"extends: {json.dumps(source)}\nsimulation:\n")
            f.writelines(f"  {key}: {value}\n" for key in keys)


def run_stress(args, folder, json_path):
    command = [args.nightsim, "stress", "--scenarios", folder, "--seeds", str(args.seeds), "-j", str(args.jobs),
               "--json", json_path, "--quiet"]
    if args.filter:
        command += ["--filter", args.filter]
    before = child_cpu_s()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"simulation_study: {' '.join(command)} failed (exit {result.returncode}):\n{result.stderr}")
    return child_cpu_s() - before


def per_night(json_path):
    with open(json_path, encoding="utf-8") as f:
        report = json.load(f)
    return {(s["name"], r["seed"]): r["metrics"] for s in report["scenarios"] for r in s["seeds"]}


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def compare(reference, other):
    lines = []
    for metric in METRICS:
        pairs = [(night, reference[night][metric], other[night][metric]) for night in sorted(reference)
                 if night in other and is_number(reference[night].get(metric)) and is_number(other[night].get(metric))]
        if not pairs:
            continue
        mean_ref = sum(a for _, a, _ in pairs) / len(pairs)
        mean_other = sum(b for _, _, b in pairs) / len(pairs)
        identical = sum(1 for _, a, b in pairs if a == b)
        night, a, b = max(pairs, key=lambda p: abs(p[2] - p[1]))
        where = f"{night[0]} seed {night[1]}" if a != b else "-"
        lines.append(f"  {metric:27s} {len(pairs):3d} {mean_ref:10.4f} {mean_other:10.4f} {identical:9d} "
                     f"{b - a:+10.4f}  {where}")
    return lines


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", required=True,
                        help="key of the simulation section, e.g. cull_below_noise_db; several separated by commas")
    parser.add_argument("--values", required=True, nargs="+", help="its values (YAML scalars); the first is the reference")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per scenario (default 2)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="nights in parallel (default 2)")
    parser.add_argument("--filter", help="only the scenarios whose file name contains this")
    parser.add_argument("--nightsim", default=os.path.join(here, "..", "build", "nightsim"), help="the binary")
    parser.add_argument("--library", default=os.path.normpath(os.path.join(here, "..", "scenarios", "stress")),
                        help="scenario folder")
    parser.add_argument("--out", default="simulation_study", help="working folder (libraries and JSON per value)")
    args = parser.parse_args()
    if len(args.values) < 2:
        parser.error("--values needs a reference and at least one other value")

    results = []
    for index, value in enumerate(args.values):
        folder = os.path.join(args.out, f"value{index}")
        write_library(args.library, args.key.split(","), value, folder)
        json_path = os.path.join(args.out, f"value{index}.json")
        cpu_s = run_stress(args, folder, json_path)
        nights = per_night(json_path)
        results.append((value, cpu_s / len(nights), nights))
        print(f"simulation.{args.key} = {value}: {len(nights)} nights, {cpu_s / len(nights):.2f} s CPU per night",
              file=sys.stderr)

    reference_value, reference_cpu, reference = results[0]
    print(f"simulation.{args.key} over {args.library} ({len(reference)} nights per value; reference {reference_value})")
    print(f"\n{'value':>10s} {'CPU s/night':>12s} {'vs reference':>13s}")
    for value, cpu, _ in results:
        print(f"{value:>10s} {cpu:12.2f} {cpu / reference_cpu:13.2f}")
    for value, _, nights in results[1:]:
        print(f"\n{args.key} = {value} against {reference_value}: per night (same scenario and seed)")
        print(f"  {'metric':27s} {'n':>3s} {'mean ref':>10s} {'mean':>10s} {'identical':>9s} {'largest':>10s}  where")
        print("\n".join(compare(reference, nights)))


if __name__ == "__main__":
    main()
