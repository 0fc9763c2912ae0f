"""Tests of nightsim_data against files written by the nightsim binary.

Run by ctest (python.nightsim_data) with NIGHTSIM_BINARY and NIGHTSIM_SOURCE_DIR set;
by hand: NIGHTSIM_BINARY=build/nightsim NIGHTSIM_SOURCE_DIR=. PYTHONPATH=python \
/usr/bin/python3 -m unittest discover -s python/tests -v
"""

import csv
import json
import os
import pickle
import shutil
import subprocess
import tempfile
import unittest

try:
    import h5py  # noqa: F401
    import numpy as np
except ImportError:
    raise unittest.SkipTest("python3-h5py is not installed: apt-get install python3-numpy python3-h5py "
                            "(scripts/setup installs them)")

from nightsim_data import STREAM_COLUMNS, Night, NightFileError, NightWindows

BINARY = os.environ.get("NIGHTSIM_BINARY", "build/nightsim")
SOURCE = os.environ.get("NIGHTSIM_SOURCE_DIR", ".")
SHORT_NIGHT = os.path.join(SOURCE, "tests/harness/data/night_file/short_night.yaml")


def nightsim(*args):
    subprocess.run([BINARY, *args], check=True, stdout=subprocess.DEVNULL)


class NightFilesFromNightsim(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nightsim_python_")
        cls.run_stem = os.path.join(cls.dir, "run")
        nightsim("run", SHORT_NIGHT, "--seed", "3", "--export-frames", "--level", "range", "--out", cls.run_stem)
        cls.window_stem = os.path.join(cls.dir, "window")
        nightsim("run", SHORT_NIGHT, "--seed", "3", "--export-frames", "--level", "range", "--from", "23:00",
                 "--to", "300", "--out", cls.window_stem)
        cls.set_dir = os.path.join(cls.dir, "set")
        nightsim("generate", SHORT_NIGHT, "--nights", "2", "--seed", "8", "--level", "stream", "--out", cls.set_dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_range_frames_are_complex64_with_the_radar_shape(self):
        with Night(self.run_stem + ".h5") as night:
            cfg = night.radar_config()
            frames = night.radar(5, 35)  # seconds: frames 100–699 at 20 frames/s
            self.assertEqual(night.level, "range")
            self.assertEqual(frames.dtype, np.complex64)
            self.assertEqual(frames.shape, (600, cfg["rx_position_m"].shape[0], cfg["range_bins"]))
            self.assertEqual(night.radar_rows(), night.frames)
            self.assertEqual(night.frames, 12000)  # 10 min at 20 frames/s
            self.assertEqual(night.rows_per_epoch(), 600)
            self.assertTrue(np.all(np.isfinite(frames.view(np.float32))))
            self.assertGreater(np.abs(frames).max(), 0)

    def test_radar_takes_seconds_and_a_window_starts_at_its_first_frame(self):
        with Night(self.run_stem + ".h5") as whole, Night(self.window_stem + ".h5") as window:
            self.assertEqual((whole.radar_first_frame, whole.radar_end_frame), (0, 12000))
            self.assertEqual((window.radar_first_frame, window.radar_end_frame), (2400, 6000))
            self.assertEqual(window.stored_span_s(), (120.0, 300.0))
            self.assertEqual(window.radar_rows(), 3600)
            # The same seconds give the same frames, whichever file holds them.
            np.testing.assert_array_equal(window.radar(150, 180), whole.radar(150, 180))
            self.assertEqual(window.radar(150, 180).shape[0], 600)
            np.testing.assert_array_equal(window.radar(), whole.radar_rows_between(2400, 6000))
            np.testing.assert_array_equal(window.body_frames("alex")["chest_m"],
                                          whole.body_frames("alex")["chest_m"][2400:6000])
            self.assertEqual(window.radar_row_times_s()[0], 120.0)
            with self.assertRaises(ValueError):
                window.radar(0, 30)  # before the stored window
            self.assertEqual(len(NightWindows([self.window_stem + ".h5"], window_epochs=2)), 3)  # epochs 4–9

    def test_truth_and_estimates_match_the_plain_files_of_the_same_run(self):
        with Night(self.run_stem + ".h5") as night:
            with open(self.run_stem + ".hypnogram.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), night.epochs)
            self.assertEqual(night.people(), ["alex", "sam"])
            for person in night.people():
                self.assertEqual(night.hypnogram(person).tolist(), [int(r[person]) for r in rows])
            self.assertEqual(night.estimates()["stage"].tolist(), [int(r["pipeline"]) for r in rows])
            with open(self.run_stem + ".json") as f:
                metrics = json.load(f)["night"]["metrics"]
            mine = night.metrics()
            self.assertEqual(set(mine), set(metrics))
            for name, value in metrics.items():
                self.assertAlmostEqual(mine[name], value, places=5, msg=name)
            self.assertEqual([b[0] for b in night.bodies()], ["alex", "sam", "tom"])
            self.assertEqual(night.bodies()[2][1:], ("pet", "cat"))

    def test_body_frames_hold_breathing_at_frame_rate(self):
        with Night(self.run_stem + ".h5") as night:
            chest = night.body_frames("alex")["chest_m"]
            in_bed = night.body_frames("alex")["in_bed"]
            self.assertEqual(chest.shape, (night.frames,))
            # In bed the chest moves by millimetres (breathing); the waveform is not flat.
            moving = chest[in_bed == 1]
            self.assertGreater(moving.max() - moving.min(), 1e-3)
            self.assertLess(moving.max() - moving.min(), 3e-2)
            kinds = set(night.events()["kind"])
            self.assertIn("bedtime", kinds)

    def test_stream_level_and_manifest(self):
        with open(os.path.join(self.set_dir, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual([n["seed"] for n in manifest["nights"]], [8, 9])
        self.assertEqual(manifest["level"], "stream")
        with Night(os.path.join(self.set_dir, manifest["nights"][0]["file"])) as night:
            stream = night.stream()
            self.assertEqual(night.radar_rows(), 6000)  # 10 Hz for 10 min
            np.testing.assert_allclose(stream["time_s"], stream["frame_index"] / night.frame_rate_hz)
            x = night.radar(0, 30)  # seconds: 300 samples at 10 Hz
            self.assertEqual(x.shape, (300, len(STREAM_COLUMNS)))
            self.assertEqual(x.dtype, np.float32)

    def test_windows_yield_radar_with_per_epoch_labels(self):
        ds = NightWindows.from_manifest(self.set_dir, window_epochs=4, labels=("stage", "in_bed"))
        self.assertEqual(len(ds), 2 * 5)  # 20 epochs per night, windows of 4
        item = ds[7]
        self.assertEqual(item["night"], 1)
        self.assertEqual(item["first_epoch"], 8)
        self.assertEqual(item["radar"].shape, (4 * 300, len(STREAM_COLUMNS)))
        with Night(ds.paths[1]) as night:
            self.assertEqual(item["stage"].tolist(), night.hypnogram()[8:12].tolist())
        # A copy sent to a worker process opens its own files.
        clone = pickle.loads(pickle.dumps(ds))
        self.assertEqual(clone._open, {})
        self.assertEqual(clone[7]["stage"].tolist(), item["stage"].tolist())
        overlapping = NightWindows([self.run_stem + ".h5"], window_epochs=6, stride_epochs=2)
        self.assertEqual(len(overlapping), 8)  # starts 0, 2, …, 14
        self.assertEqual(overlapping[1]["radar"].shape[0], 6 * 600)

    def test_a_foreign_file_is_refused_with_a_clear_message(self):
        path = os.path.join(self.dir, "foreign.h5")
        with h5py.File(path, "w") as f:
            f["x"] = [1, 2, 3]
        with self.assertRaisesRegex(NightFileError, "not a nightsim night file"):
            Night(path)
        text = os.path.join(self.dir, "text.h5")
        with open(text, "w") as f:
            f.write("hello")
        with self.assertRaisesRegex(NightFileError, "not a readable HDF5 file"):
            Night(text)

    def test_imported_recordings_have_radar_data_and_report_truth_absent(self):
        radar = os.path.join(SOURCE, "..", "shared", "data", "radar")
        if not os.path.isdir(radar):
            self.skipTest("../shared/data/radar is not beside the checkout")
        ifx = os.path.join(self.dir, "ifx.h5")
        nightsim("import", os.path.join(radar, "infineon_bgt60tr13c_breathing"), "-o", ifx)
        with Night(ifx) as night:
            self.assertEqual((night.source, night.source_format, night.level), ("import", "ifxdaq", "raw"))
            self.assertFalse(night.has_truth)
            self.assertEqual(night.radar_type(), "fmcw")
            self.assertEqual(night.radar_rows_between(0, 256).shape, (256, 8, 3, 64))
            self.assertEqual(len(night.frame_times()), 256)
            for method in (night.truth, night.estimates, night.metrics, night.bodies):
                with self.assertRaisesRegex(NightFileError, "imported recording"):
                    method()
        a121 = os.path.join(self.dir, "a121.h5")
        nightsim("import", os.path.join(radar, "acconeer_a121_breathing", "breathing-sitting.h5"), "-o", a121)
        with Night(a121) as night:
            cfg = night.radar_config()
            self.assertEqual(night.radar_type(), "pulsed_coherent")
            self.assertEqual(night.radar().shape, (773, 1, 21))
            self.assertAlmostEqual(cfg["range_start_m"], 0.298, delta=1e-3)
            self.assertAlmostEqual(cfg["range_bin_m"], 0.060, delta=1e-3)
            times = night.frame_times()
            self.assertEqual(times[0], 0.0)
            self.assertAlmostEqual(np.diff(times).mean(), 0.05, delta=1e-4)


if __name__ == "__main__":
    unittest.main()
