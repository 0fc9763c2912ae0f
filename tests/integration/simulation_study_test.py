#!/usr/bin/python3
"""bench/simulation_study.py against the built binary, on the two short test nights."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

NIGHTSIM = os.environ["NIGHTSIM_BINARY"]
SOURCE = os.environ["NIGHTSIM_SOURCE_DIR"]
SCRIPT = os.path.join(SOURCE, "bench", "simulation_study.py")
LIBRARY = os.path.join(SOURCE, "tests", "harness", "data", "night_file")


def executable_scripts():
    """Every executable *.py of the checkout (build folders left out)."""
    for folder, dirs, files in os.walk(SOURCE):
        dirs[:] = [d for d in dirs if not d.startswith(("build", ".")) and d != "__pycache__"]
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and os.access(path, os.X_OK):
                yield path


class ScriptsRunWithDebiansPython(unittest.TestCase):
    """The python3 first on PATH may be a pyenv or venv one without numpy/h5py
    (issue #26): scripts the project runs name Debian's interpreter."""

    def test_every_executable_script_names_usr_bin_python3(self):
        scripts = list(executable_scripts())
        self.assertIn(SCRIPT, scripts)
        for path in scripts:
            with open(path) as f:
                self.assertEqual(f.readline().rstrip("\n"), "#!/usr/bin/python3", path)

    def test_a_broken_python3_first_on_path_does_not_matter(self):
        with tempfile.TemporaryDirectory() as bin_dir:
            fake = os.path.join(bin_dir, "python3")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\necho 'not this python' >&2\nexit 1\n")
            os.chmod(fake, 0o755)
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
            r = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("usage", r.stdout)


def study(out, *args):
    return subprocess.run([sys.executable, SCRIPT, "--nightsim", NIGHTSIM, "--library", LIBRARY, "--out", out,
                           "--seeds", "2", "-j", "2", *args], capture_output=True, text=True)


def comparison(stdout, title):
    """The metric rows of one comparison block: metric -> (n, identical, largest)."""
    block = stdout.split(title, 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in block.splitlines():
        m = re.match(r"\s+(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+([+-]\d+\.\d+)", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(5)), float(m.group(6)))
    return rows


class SimulationStudy(unittest.TestCase):
    def test_a_switch_changes_nights_and_the_reference_repeats_itself(self):
        with tempfile.TemporaryDirectory() as out:
            result = study(out, "--key", "multipath", "--values", "true", "false", "true")
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(out, "value1", "minute_night.yaml"), encoding="utf-8") as f:
                self.assertIn("simulation:\n  multipath: false\n", f.read())
            cpu = re.findall(r"^\s+(true|false)\s+(\d+\.\d+)\s+(\d+\.\d+)$", result.stdout, re.M)
            self.assertEqual([v for v, _, _ in cpu], ["true", "false", "true"])
            self.assertEqual(float(cpu[0][2]), 1.0)
            # Without multipath the chest paths change, so the respiration estimates do.
            changed = comparison(result.stdout, "multipath = false against true")
            self.assertEqual(changed["presence.f1"][0], 4)
            self.assertLess(changed["resp.rate_mae_bpm"][1], 4)
            # The reference run again: every night the same, to the last digit.
            same = comparison(result.stdout, "multipath = true against true")
            self.assertGreaterEqual(len(same), 5)
            for metric, (n, identical, largest) in same.items():
                self.assertEqual(identical, n, metric)
                self.assertEqual(largest, 0.0, metric)

    def test_a_value_out_of_range_stops_with_the_scenario_error(self):
        with tempfile.TemporaryDirectory() as out:
            result = study(out, "--key", "cull_below_noise_db", "--values", "0", "-30")
            self.assertNotEqual(result.returncode, 0)
            self.assertRegex(result.stderr, r"minute_night\.yaml:\d+:\d+: simulation\.cull_below_noise_db: "
                                            r"expected a value in \[-20, 80\] dB, got -30")


if __name__ == "__main__":
    unittest.main()
