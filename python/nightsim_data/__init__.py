"""Read nightsim night files (HDF5, layout in docs/hdf5_layout.md) into numpy.

    from nightsim_data import Night, NightWindows

    with Night("out/default_s1.h5") as night:
        frames = night.radar(0, 30)           # seconds 0–30: complex64 [600, rx, bin] at 20 frames/s
        stages = night.truth()["stage"]       # YASA codes per 30-s epoch
        est = night.estimates()["stage"]      # the pipeline's, YASA codes

    windows = NightWindows.from_manifest("train_set/", split="train", window_epochs=20)
    x, labels = windows[0]["radar"], windows[0]["stage"]

Only numpy and h5py are needed (Debian: python3-numpy, python3-h5py); NightWindows
is a torch.utils.data.Dataset when PyTorch (python3-torch) is installed.
"""

from .reader import Night, NightFileError, SCHEMA_MAJOR, STREAM_COLUMNS
from .dataset import NightWindows

__all__ = ["Night", "NightFileError", "NightWindows", "SCHEMA_MAJOR", "STREAM_COLUMNS"]
