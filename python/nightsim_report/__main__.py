"""Command line: `python3 -m nightsim_report {night,sweep} INPUT OUTPUT.html`.

Exit codes follow nightsim's: 0 written, 2 bad input (message on stderr, nothing
written); anything else is a bug and ends with a traceback (exit 1)."""

import sys

from nightsim_data import NightFileError

from . import SweepInputError, night_report, sweep_report
from .page import write_atomically


def main(argv):
    if len(argv) != 3 or argv[0] not in ("night", "sweep"):
        print("usage: python3 -m nightsim_report {night,sweep} INPUT OUTPUT.html", file=sys.stderr)
        return 2
    kind, source, out = argv
    try:
        text = night_report(source) if kind == "night" else sweep_report(source)
    except (NightFileError, SweepInputError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    write_atomically(out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
