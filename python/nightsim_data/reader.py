"""One night file as numpy arrays."""

import h5py
import numpy as np

#: Major version of the night-file layout this reader understands.
SCHEMA_MAJOR = 1

#: Columns of the stream level as returned by Night.radar() (in this order).
STREAM_COLUMNS = ("target", "distance_m", "respiration_m", "motion", "signal_quality")


class NightFileError(ValueError):
    """The file is not a nightsim night file this reader can read."""


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _table(group):
    """Every dataset of a group as {name: numpy array}; strings decoded."""
    out = {}
    for name, ds in group.items():
        if not isinstance(ds, h5py.Dataset):
            continue
        if h5py.check_string_dtype(ds.dtype) is not None:
            out[name] = np.array([_text(v) for v in ds[()]], dtype=object)
        else:
            out[name] = ds[()]
    return out


class Night:
    """A night file opened read-only. Use as a context manager or call close().

    Attributes: path, seed, scenario_name, scenario (resolved YAML text), level
    ("none", "raw", "range" or "stream"), epoch_s, epochs, frames, frame_rate_hz,
    schema_version, nightsim_version, night_key; source ("simulation", or "import"
    for a real recording written by `nightsim import`), source_format ("ifxdaq",
    "a121" or ""), source_path, has_truth (False for imported recordings: their truth,
    estimates, alarms and metrics raise NightFileError); and the frames stored:
    radar_first_frame, radar_end_frame (a window of the night with
    `run --export-frames --from/--to`; else 0 and frames).
    """

    def __init__(self, path):
        self.path = str(path)
        try:
            self.file = h5py.File(self.path, "r")
        except OSError as e:
            raise NightFileError(f"{self.path}: not a readable HDF5 file ({e})") from None
        a = self.file.attrs
        if "schema_version" not in a:
            self.file.close()
            raise NightFileError(f"{self.path}: an HDF5 file, but not a nightsim night file (no schema_version)")
        self.schema_version = _text(a["schema_version"])
        if int(self.schema_version.split(".")[0]) != SCHEMA_MAJOR:
            self.file.close()
            raise NightFileError(f"{self.path}: schema {self.schema_version}, this reader reads {SCHEMA_MAJOR}.x")
        self.nightsim_version = _text(a["nightsim_version"])
        self.seed = int(a["seed"])
        self.scenario_name = _text(a["scenario_name"])
        self.scenario = _text(a["scenario"])
        self.night_key = _text(a["night_key"])
        self.level = _text(a["radar_level"])
        self.epoch_s = float(a["epoch_s"])
        self.epochs = int(a["epochs"])
        self.frames = int(a["frames"])
        self.frame_rate_hz = float(a["frame_rate_hz"])
        # Written only for a window of the night (docs/hdf5_layout.md).
        self.radar_first_frame = int(a["radar_first_frame"]) if "radar_first_frame" in a else 0
        self.radar_end_frame = int(a["radar_end_frame"]) if "radar_end_frame" in a else self.frames
        # Schema 1.1: imported recordings say where they came from and hold no truth.
        self.source = _text(a["source"]) if "source" in a else "simulation"
        self.source_format = _text(a["source_format"]) if "source_format" in a else ""
        self.source_path = _text(a["source_path"]) if "source_path" in a else ""
        self.has_truth = "truth" in self.file

    def _require_truth(self, what):
        if not self.has_truth:
            raise NightFileError(
                f"{self.path}: {what} absent: an imported recording ({self.source_format or 'unknown format'}) "
                "holds radar data only")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.file.close()

    # -- radar ---------------------------------------------------------------

    def radar_config(self):
        """The radar configuration: attributes of /radar plus rx_position_m [rx, 3]."""
        g = self.file["radar"]
        # Numbers are numpy scalars; radar_type (schema 1.1) is a string.
        out = {k: (v.item() if hasattr(v, "item") else _text(v)) for k, v in g.attrs.items()}
        out["rx_position_m"] = g["rx_position_m"][()]
        return out

    def radar_type(self):
        """"fmcw", or "pulsed_coherent" for an imported Acconeer A121 (whose chirp and
        sample attributes are 0; range_start_m gives the range of bin 0)."""
        g = self.file["radar"]
        return _text(g.attrs["radar_type"]) if "radar_type" in g.attrs else "fmcw"

    def frame_times(self):
        """Time of every stored frame, s: /radar/time_s when present (measured frame
        times of an imported recording), else i / frame_rate_hz."""
        if "radar/time_s" in self.file:
            return self.file["radar/time_s"][()]
        rows = 0 if self.level == "stream" else self.radar_rows()
        return np.arange(rows) / self.frame_rate_hz

    def radar_rows(self):
        """Rows of radar data: frames (raw, range) or samples (stream); 0 when none."""
        if self.level == "none":
            return 0
        if self.level == "stream":
            return self.file["radar/stream/time_s"].shape[0]
        return self.file["radar/" + self.level].shape[0]

    def rows_per_epoch(self):
        """Radar rows per epoch: frames per epoch, or stream samples per epoch."""
        if self.level == "stream":
            return int(round(self.epoch_s * self.file["radar/stream"].attrs["sample_rate_hz"]))
        return int(round(self.epoch_s * self.frame_rate_hz))

    def stored_span_s(self):
        """(start_s, end_s): the part of the night whose radar data the file holds,
        seconds since the night's start (the whole night unless a window was exported)."""
        return self.radar_first_frame / self.frame_rate_hz, self.radar_end_frame / self.frame_rate_hz

    def radar(self, start_s=None, end_s=None):
        """Radar data of the seconds [start_s, end_s) since the night's start (default:
        all that is stored), at the file's level:
        range  complex64 [n, rx, bin]; raw float32 [n, chirp, rx, sample];
        stream float32 [n, 5] with the columns STREAM_COLUMNS.
        Frame i (at i / frame_rate_hz s) is included when its time lies in the span.
        Raises ValueError when the span reaches outside what the file stores
        (stored_span_s(); a window with `run --from/--to`). Row-based access:
        radar_rows_between()."""
        lo, hi = self.stored_span_s()
        start_s = lo if start_s is None else float(start_s)
        end_s = hi if end_s is None else float(end_s)
        if start_s < lo or end_s > hi or end_s < start_s:
            raise ValueError(f"{self.path}: seconds [{start_s:g}, {end_s:g}) are not inside the stored "
                             f"[{lo:g}, {hi:g}) s")
        if self.level == "stream":
            t = self.file["radar/stream/time_s"][()]
            first, stop = np.searchsorted(t, [start_s, end_s], side="left")
        else:
            first = int(np.ceil(start_s * self.frame_rate_hz - 1e-9)) - self.radar_first_frame
            stop = int(np.ceil(end_s * self.frame_rate_hz - 1e-9)) - self.radar_first_frame
        return self.radar_rows_between(max(0, int(first)), max(0, int(stop)))

    def radar_rows_between(self, first_row=0, stop_row=None):
        """Stored radar rows [first_row, stop_row), as radar() returns them. Row r is
        frame radar_first_frame + r (range, raw) or the r-th stream sample."""
        if self.level == "none":
            raise NightFileError(f"{self.path}: holds no radar data (run with --export-frames)")
        if self.level == "stream":
            g = self.file["radar/stream"]
            return np.stack([g[c][first_row:stop_row].astype(np.float32) for c in STREAM_COLUMNS], axis=1)
        return self.file["radar/" + self.level][first_row:stop_row]

    def radar_row_times_s(self):
        """Time of every stored radar row, seconds since the night's start."""
        if self.level == "stream":
            return self.file["radar/stream/time_s"][()]
        return (self.radar_first_frame + np.arange(self.radar_rows())) / self.frame_rate_hz

    def stream(self):
        """The stream level as {column: array}, with frame_index and time_s."""
        if self.level != "stream":
            raise NightFileError(f"{self.path}: holds {self.level} data, not stream")
        return _table(self.file["radar/stream"])

    # -- truth ---------------------------------------------------------------

    def truth(self):
        """Per-epoch truth of the primary as scored: stage (YASA: 0 W, 1 N1, 2 N2,
        3 N3, 4 REM, -1 out of bed), in_bed, in_zone, intent, resp_rate_bpm,
        gross_movement, time_s."""
        self._require_truth("truth")
        return _table(self.file["truth/primary"])

    def people(self):
        """Ids of the people, in scenario order."""
        return list(self.file["truth/people"].keys()) if "truth/people" in self.file else []

    def person(self, person_id):
        """Per-epoch truth of one person: stage (YASA), intent, in_bed, in_zone."""
        self._require_truth("truth")
        return _table(self.file["truth/people/" + person_id])

    def bodies(self):
        """[(id, role, kind)] of every body in scorer order."""
        self._require_truth("truth")
        t = self.file["truth"]
        return [(_text(i), _text(r), _text(k)) for i, r, k in zip(t["body_ids"][()], t["body_roles"][()], t["body_kinds"][()])]

    def body_epochs(self, body_id):
        """Per-epoch in_room, in_bed, range_m and azimuth_rad of a body seen from the device."""
        return _table(self.file[f"truth/bodies/{body_id}/epochs"])

    def body_frames(self, body_id):
        """A body's state at frame rate (files with radar data): torso_x/y/z_m,
        heading_rad, posture, in_room, in_bed, motion, chest_m, abdomen_m, heart_m."""
        key = f"truth/bodies/{body_id}/frames"
        if key not in self.file:
            raise NightFileError(f"{self.path}: no per-frame truth for {body_id!r} (written with radar data only)")
        return _table(self.file[key])

    def events(self):
        """Every body's truth events: time_s, body, kind, duration_s, value, detail."""
        self._require_truth("truth")
        return _table(self.file["truth/events"])

    def hypnogram(self, person_id=None):
        """YASA stage codes per epoch: the scored primary's, or a person's."""
        return (self.truth() if person_id is None else self.person(person_id))["stage"].astype(np.int8)

    # -- pipeline and metrics -------------------------------------------------

    def estimates(self):
        """The pipeline's per-epoch estimates; stage as YASA codes (0 wake, 2 light, 3 deep, 4 REM, -1 none)."""
        self._require_truth("pipeline estimates")
        return _table(self.file["pipeline/epochs"])

    def alarms(self):
        """The pipeline's alarm decisions: fire_s, stage_at_fire (YASA)."""
        self._require_truth("pipeline alarms")
        return _table(self.file["pipeline/alarms"])

    def metrics(self):
        """The night's metrics {name: value}."""
        self._require_truth("metrics")
        g = self.file["metrics"]
        return {_text(n): float(v) for n, v in zip(g["name"][()], g["value"][()])}
