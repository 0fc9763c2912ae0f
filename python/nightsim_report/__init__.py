"""HTML reports of nightsim outputs (docs/design.md §8, "Reports").

    /usr/bin/python3 -m nightsim_report night NIGHT.h5 night.html
    /usr/bin/python3 -m nightsim_report sweep SWEEP_DIR sweep.html

`nightsim report` runs this module after checking its input. Each report is one
self-contained page: the figures are PNG images inlined as base64 data URIs.
Needs numpy, h5py and matplotlib (Debian: python3-numpy python3-h5py python3-matplotlib).
"""

from .night import night_report
from .sweep import SweepInputError, sweep_report

__all__ = ["night_report", "sweep_report", "SweepInputError"]
