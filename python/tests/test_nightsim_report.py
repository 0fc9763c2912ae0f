"""Tests of nightsim_report (the HTML reports) against files the nightsim binary writes.

Run by ctest (python.nightsim_report) with NIGHTSIM_BINARY and NIGHTSIM_SOURCE_DIR set;
by hand: NIGHTSIM_BINARY=build/nightsim NIGHTSIM_SOURCE_DIR=. PYTHONPATH=python \
/usr/bin/python3 -m unittest discover -s python/tests -p 'test_nightsim_report.py' -v
"""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import h5py
    import matplotlib
    import numpy as np
except ImportError:
    raise unittest.SkipTest("python3-matplotlib or python3-h5py is not installed: apt-get install python3-matplotlib "
                            "python3-h5py (scripts/setup installs them)")

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

from nightsim_data import Night, NightFileError  # noqa: E402
from nightsim_report import SweepInputError, night_report, sweep_report  # noqa: E402
from nightsim_report.night import attribute, least_squares_gain, range_power_map, runs  # noqa: E402
from nightsim_report.sweep import (distinct_nights, is_effect, load_aggregate, merged_arms,  # noqa: E402
                                   metric_resolution, parse_point)

BINARY = os.environ.get("NIGHTSIM_BINARY", "build/nightsim")
SOURCE = os.environ.get("NIGHTSIM_SOURCE_DIR", ".")
SHORT_NIGHT = os.path.join(SOURCE, "tests/harness/data/night_file/short_night.yaml")
REPORT_SWEEP = os.path.join(SOURCE, "tests/harness/data/sweeps/report.yaml")
IMAGE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def nightsim(*args):
    subprocess.run([BINARY, *args], check=True, stdout=subprocess.DEVNULL)


def images(page):
    """Every inlined figure of a page, decoded to an RGBA array."""
    return [mpimg.imread(io.BytesIO(base64.b64decode(b)), format="png") for b in IMAGE.findall(page)]


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nightsim_report_")
        cls.range = os.path.join(cls.dir, "range")
        nightsim("run", SHORT_NIGHT, "--seed", "3", "--export-frames", "--level", "range", "--out", cls.range)
        cls.none = os.path.join(cls.dir, "none")
        nightsim("run", SHORT_NIGHT, "--seed", "3", "--out", cls.none)
        cls.set = os.path.join(cls.dir, "set")
        nightsim("generate", SHORT_NIGHT, "--nights", "1", "--seed", "3", "--level", "stream", "--out", cls.set)
        cls.stream = os.path.join(cls.set, "short_night_s3.h5")
        cls.sweep = os.path.join(cls.dir, "sweep")
        nightsim("sweep", REPORT_SWEEP, "-j", "2", "--out", cls.sweep)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def assertFigures(self, page, at_least):
        figs = images(page)
        self.assertGreaterEqual(len(figs), at_least)
        for f in figs:
            rgb = f[..., :3]
            # Drawn figures: not blank, and more than one colour on them.
            self.assertGreater(float(np.mean(rgb < 0.95)), 0.01)
            self.assertGreater(len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0)), 8)
        self.assertNotRegex(page, r'(src|href)="https?:')  # self-contained: nothing fetched
        self.assertTrue(page.startswith("<!DOCTYPE html>"))

    def test_range_level_night_has_every_figure_and_a_range_time_map(self):
        page = night_report(self.range + ".h5")
        # hypnogram, identity, presence, alarm, range-time, snippets, rate, confusion
        self.assertFigures(page, 8)
        for text in ("Hypnogram: truth vs pipeline", "who the pipeline followed", "Power of the range radar data",
                     "Respiration snippets", "smart window", "Sleep measures",
                     # the map's caption in plain words: background removal, the target's offset
                     "the static background was removed", "Each column of the image covers",
                     "a little nearer than the torso", "scaled to the truth by least squares"):
            self.assertIn(text, page.replace("Identity: who", "who"))
        self.assertNotIn("one column per", page)

    def test_range_map_removes_the_static_background(self):
        # With the per-bin night mean removed, what does not move is gone: the bins
        # beyond everyone (> 2.15 m) and next to the device are far below the bins
        # where the primary breathes (~0.7–1.0 m).
        with Night(self.range + ".h5") as night:
            db, _times, _block, bin_m = range_power_map(night)
        breathing = db[int(0.7 / bin_m):int(1.0 / bin_m)].mean()
        self.assertGreater(breathing - db[int(2.15 / bin_m):].mean(), 20.0)
        self.assertGreater(breathing - db[:int(0.3 / bin_m)].mean(), 20.0)

    def test_radar_trace_is_flipped_and_scaled_to_the_truth(self):
        t = np.linspace(0, 60, 1200)
        truth = 3.0 * np.sin(2 * np.pi * t / 4.0)
        radar = -truth / 3.0 + 0.01 * np.cos(7 * t)  # inverted, 3× smaller, a little noise
        self.assertAlmostEqual(least_squares_gain(radar, truth), -3.0, delta=0.05)
        self.assertEqual(least_squares_gain(np.zeros(5), np.ones(5)), 1.0)

    def test_stream_level_night_plots_the_stream_distance(self):
        page = night_report(self.stream)
        self.assertFigures(page, 7)
        self.assertIn("the on-device stream", page)

    def test_night_without_frames_says_so_and_still_draws_rates(self):
        page = night_report(self.none + ".h5")
        self.assertFigures(page, 6)
        self.assertIn("No radar frames were exported", page)
        self.assertIn("No per-frame truth in this file", page)
        self.assertNotIn("Respiration snippets", page)

    def test_the_same_night_gives_the_same_page(self):
        self.assertEqual(night_report(self.none + ".h5"), night_report(self.none + ".h5"))

    def test_attribution_is_the_scorers(self):
        # The identity timeline attributes epochs as the scorer does: its primary
        # fraction is the stored metric.
        with Night(self.range + ".h5") as night:
            bodies = night.bodies()
            body_epochs = {b[0]: night.body_epochs(b[0]) for b in bodies}
            tracked = attribute(night.estimates(), body_epochs, bodies)
            primary = [i for i, b in enumerate(bodies) if b[1] == "primary"][0]
            in_bed = body_epochs[bodies[primary][0]]["in_bed"] == 1
            metric = night.metrics()["identity.primary_fraction"]
        self.assertGreater(in_bed.sum(), 0)
        self.assertAlmostEqual(float(np.mean(tracked[in_bed] == primary)), metric, places=9)

    def test_runs_finds_every_run(self):
        self.assertEqual(runs([0, 1, 1, 0, 1]), [(1, 2), (4, 1)])
        self.assertEqual(runs([]), [])
        self.assertEqual(runs([1, 1]), [(0, 2)])

    def test_sweep_report_draws_every_section(self):
        page = sweep_report(self.sweep)
        # distributions, Bland–Altman, confusion, reading; the cat changes no metric here
        # (effects of 1e-6 are below every resolution), so no effects figure but a note
        self.assertFigures(page, 4)
        for text in ("Metric distributions", "Bland–Altman", "Staging confusion matrix", "reading", "Counterfactual",
                     "No factor changes presence.f1", "No factor has an effect on any metric",
                     "share one box, labelled a = b"):
            self.assertIn(text, page)
        agg = load_aggregate(self.sweep)
        distinct = distinct_nights(agg["nights"])
        self.assertEqual(len(distinct), len({n["hash"] for n in agg["nights"]}))
        self.assertEqual({parse_point(n["point"]).get("reading") for n in agg["nights"]}, {"5", "20"})

    def test_effects_below_the_resolution_are_not_effects(self):
        nights = [{"metrics": {"join.epochs": 20}}]
        self.assertEqual(metric_resolution("resp.rate_mae_bpm", nights), 0.01)
        self.assertEqual(metric_resolution("presence.f1", nights), 0.05)
        self.assertEqual(metric_resolution("identity.switches", nights), 1.0)
        self.assertEqual(metric_resolution("intent.start_abs_error_min", nights), 0.5)
        self.assertFalse(is_effect({"mean": 1e-6, "lower": 5e-7, "upper": 2e-6}, 0.01))
        self.assertTrue(is_effect({"mean": 0.2, "lower": 0.1, "upper": 0.3}, 0.01))
        self.assertFalse(is_effect({"mean": 0.2, "lower": -0.1, "upper": 0.3}, 0.01))

    def test_arms_that_are_the_same_nights_merge(self):
        nights = [{"scenario": "a.yaml", "hash": "1"}, {"scenario": "a.yaml", "factor": "pet", "arm": "absent", "hash": "1"},
                  {"scenario": "a.yaml", "factor": "pet", "arm": "present", "hash": "2"}]
        self.assertEqual(sorted(set(merged_arms(nights).values())), ["a = a · pet=absent", "a · pet=present"])

    def test_bad_inputs_are_refused_with_the_file_named(self):
        foreign = os.path.join(self.dir, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = [1]
        with self.assertRaisesRegex(NightFileError, "foreign.h5: an HDF5 file, but not a nightsim night file"):
            night_report(foreign)
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty, exist_ok=True)
        with self.assertRaisesRegex(SweepInputError, "no aggregate.json"):
            sweep_report(empty)
        # The module's command line: exit 2, nothing written.
        out = os.path.join(self.dir, "x.html")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        r = subprocess.run([sys.executable, "-m", "nightsim_report", "sweep", empty, out], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no aggregate.json", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_command_line_writes_the_page(self):
        out = os.path.join(self.dir, "night.html")
        r = subprocess.run([BINARY, "report", self.stream, "-o", out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertFigures(f.read(), 7)
        self.assertEqual(sorted(os.listdir(self.dir)).count("night.html"), 1)
        self.assertFalse([n for n in os.listdir(self.dir) if n.endswith(".tmp") or ".tmp." in n])
        manifest = json.load(open(os.path.join(self.set, "manifest.json")))
        self.assertEqual(manifest["nights"][0]["file"], "short_night_s3.h5")


if __name__ == "__main__":
    unittest.main()
