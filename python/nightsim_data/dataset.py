"""Fixed-length windows of many nights, for training."""

import json
import os

import numpy as np

from .reader import Night

try:  # PyTorch is optional (Debian: python3-torch)
    from torch.utils.data import Dataset as _Base
except ImportError:  # pragma: no cover - depends on the machine
    _Base = object

#: Per-epoch labels a window can carry (columns of /truth/primary).
LABELS = ("stage", "in_bed", "in_zone", "intent", "resp_rate_bpm", "gross_movement")


class NightWindows(_Base):
    """Windows of `window_epochs` consecutive epochs from many night files.

    Item i is a dict: "radar" (the window's radar rows, see Night.radar), one array
    per label in `labels` with window_epochs values, "night" (index into `paths`)
    and "first_epoch". Windows start every `stride_epochs` epochs (default: no
    overlap). Files are opened lazily, once per process: each DataLoader worker
    opens its own handles (h5py handles must not cross a fork).
    """

    def __init__(self, paths, window_epochs=10, stride_epochs=None, labels=("stage", "in_bed", "intent")):
        self.paths = [str(p) for p in paths]
        self.window_epochs = int(window_epochs)
        self.stride_epochs = int(stride_epochs or window_epochs)
        if self.window_epochs < 1 or self.stride_epochs < 1:
            raise ValueError("window_epochs and stride_epochs must be >= 1")
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; choose from {LABELS}")
        self.labels = tuple(labels)
        self._index = []  # (night, first_epoch)
        self._rows_per_epoch = []
        for n, path in enumerate(self.paths):
            with Night(path) as night:
                if night.level == "none":
                    raise ValueError(f"{path}: holds no radar data (generate it with a --level)")
                rows = night.rows_per_epoch()
                # Only windows whose radar rows are all present: the last epoch may be cut
                # short, and a file may hold a window of the night (Night.stored_span_s).
                lo_s, hi_s = night.stored_span_s()
                first_usable = int(np.ceil(lo_s / night.epoch_s - 1e-9))
                usable = min(night.epochs, int(np.floor(hi_s / night.epoch_s + 1e-9)))
                self._rows_per_epoch.append(rows)
                for first in range(first_usable, usable - self.window_epochs + 1, self.stride_epochs):
                    self._index.append((n, first))
        self._pid = None
        self._open = {}

    @classmethod
    def from_manifest(cls, manifest, split=None, **kwargs):
        """The nights of a `nightsim generate` manifest (a manifest.json or its folder),
        optionally of one split ("train", "val" or "test")."""
        path = os.path.join(manifest, "manifest.json") if os.path.isdir(manifest) else manifest
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        folder = os.path.dirname(path)
        files = [os.path.join(folder, n["file"]) for n in m["nights"] if split is None or n["split"] == split]
        return cls(files, **kwargs)

    def __len__(self):
        return len(self._index)

    def _night(self, n):
        if self._pid != os.getpid():  # a new worker process: never reuse the parent's handles
            self._pid = os.getpid()
            self._open = {}
        if n not in self._open:
            self._open[n] = Night(self.paths[n])
        return self._open[n]

    def __getitem__(self, i):
        n, first = self._index[i]
        night = self._night(n)
        rows = self._rows_per_epoch[n]
        last = first + self.window_epochs
        # By rows, so every item has exactly `rows` per epoch whatever the rounding of times.
        if night.level == "stream":
            first_row = int(np.searchsorted(night.radar_row_times_s(), first * night.epoch_s))
        else:
            first_row = first * rows - night.radar_first_frame
        item = {"radar": night.radar_rows_between(first_row, first_row + self.window_epochs * rows), "night": n,
                "first_epoch": first}
        if not self.labels:
            return item
        night._require_truth("labels (truth)")  # an imported recording has radar data only
        group = night.file["truth/primary"]
        for label in self.labels:
            item[label] = group[label][first:last]
        return item

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_open"] = {}
        state["_pid"] = None
        return state
