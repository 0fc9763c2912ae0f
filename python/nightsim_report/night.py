"""The report of one night file: what the pipeline saw and decided vs the truth."""

import json

import matplotlib.pyplot as plt
import numpy as np
import matplotlib.colors as mcolors
import matplotlib.patheffects as patheffects
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter

from nightsim_data import Night, NightFileError

from .page import Page, fmt_value, styled

#: Default of ScoringOptions::identity_gate_m (harness/metrics.h): an estimate is
#: attributed to the nearest in-room body whose torso is within this distance.
IDENTITY_GATE_M = 0.3

#: Range-time map width: at most this many time columns, each the mean power of
#: up to FRAMES_PER_COLUMN frames, so a 9-h range file reads ~100k of its 648k frames.
MAP_COLUMNS = 1200
FRAMES_PER_COLUMN = 64

#: Respiration snippets: how many and how long.
SNIPPETS = 3
SNIPPET_S = 60.0

ROLE_COLOURS = {"primary": "tab:blue", "partner": "tab:orange"}
PET_COLOURS = ["tab:green", "tab:purple", "tab:brown", "tab:pink"]
UNMATCHED_COLOUR = "tab:red"

# Hypnogram rows (top to bottom, as sleep scorers draw them).
TRUTH_LEVELS = {0: 4, 4: 3, 1: 2, 2: 1, 3: 0}  # YASA W, REM, N1, N2, N3
TRUTH_LABELS = ["N3", "N2", "N1", "REM", "Wake"]
PIPE_LEVELS = {0: 3, 4: 2, 2: 1, 3: 0}  # YASA wake, REM, light, deep
PIPE_LABELS = ["deep", "light", "REM", "wake"]


def clock_formatter(start_clock_s, seconds=False):
    """Tick labels as HH:MM (or HH:MM:SS) of the clock, for an axis in seconds since
    the night's start."""
    def label(t_s, _pos=None):
        s = int(np.floor(start_clock_s + t_s + (0.0 if seconds else 30.0))) % 86400  # HH:MM rounds to the minute
        return f"{s // 3600:02d}:{s // 60 % 60:02d}" + (f":{s % 60:02d}" if seconds else "")
    return FuncFormatter(label)


#: Tick spacings of a time axis (s): the smallest giving at most ~10 ticks is used.
TICK_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def clock_ticks(ax, start_clock_s, first_s, last_s):
    """Ticks on whole clock minutes / hours (22:00, 23:00 …) between first_s and
    last_s (seconds since the night's start), labelled HH:MM, or HH:MM:SS below a minute."""
    span = max(last_s - first_s, 1.0)
    step = next((s for s in TICK_STEPS_S if span / s <= 10), TICK_STEPS_S[-1])
    first_clock = np.ceil((start_clock_s + first_s) / step) * step
    ticks = np.arange(first_clock, start_clock_s + last_s + 1e-9, step) - start_clock_s
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(clock_formatter(start_clock_s, seconds=step < 60))


def runs(mask):
    """(first, length) of every run of True in a 1-D boolean array."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), (stops - starts).tolist()))


def body_colours(bodies):
    """A colour per body id: primary blue, partner orange, pets from a fixed list."""
    colours, used, pets = {}, set(), 0
    for body_id, role, _kind in bodies:
        if role in ROLE_COLOURS and role not in used:
            colours[body_id] = ROLE_COLOURS[role]
            used.add(role)
        else:
            colours[body_id] = PET_COLOURS[pets % len(PET_COLOURS)]
            pets += 1
    return colours


def attribute(est, body_epochs, bodies, gate_m=IDENTITY_GATE_M):
    """Per epoch: index of the body the pipeline was following (nearest in-room torso
    within gate_m of the tracked target, lowest index on ties, as the scorer does in
    harness/src/metrics.cc), -1 tracking nothing known, -2 not tracking."""
    n = len(est["tracking"])
    out = np.full(n, -2, dtype=int)
    r1 = est["target_range_m"]
    a1 = est["target_angle_rad"]
    best_d2 = np.full(n, np.inf)
    tracking = est["tracking"] == 1
    out[tracking] = -1
    for b, (body_id, _role, _kind) in enumerate(bodies):
        t = body_epochs[body_id]
        r2, a2 = t["range_m"][:n], t["azimuth_rad"][:n]
        # d² = r₁² + r₂² − 2 r₁ r₂ cos(θ₁ − θ₂) (law of cosines, device plane)
        d2 = r1 * r1 + r2 * r2 - 2.0 * r1 * r2 * np.cos(a1 - a2)
        ok = tracking & (t["in_room"][:n] == 1) & (d2 <= gate_m * gate_m) & (d2 < best_d2)
        out[ok] = b
        best_d2[ok] = d2[ok]
    return out


class NightData:
    """Everything the report draws, read once from the file."""

    def __init__(self, night):
        f = night.file
        a = f.attrs
        self.night = night
        self.start_clock_s = float(a.get("night_start_clock_s", 0.0))
        self.duration_s = float(a.get("duration_s", night.epochs * night.epoch_s))
        self.epoch_s = night.epoch_s
        self.truth = night.truth()
        self.est = night.estimates()
        self.n = min(len(self.truth["stage"]), len(self.est["stage"]))
        self.t_s = np.arange(self.n) * self.epoch_s
        self.bodies = night.bodies()
        self.body_epochs = {b[0]: night.body_epochs(b[0]) for b in self.bodies}
        self.colours = body_colours(self.bodies)
        truth_attrs = f["truth"].attrs
        self.primary = truth_attrs.get("primary", b"")
        self.primary = self.primary.decode() if isinstance(self.primary, bytes) else str(self.primary)
        self.alarm_s = _attr(f["app_settings"].attrs, "alarm_s") if "app_settings" in f else None
        self.smart_window_s = _attr(f["app_settings"].attrs, "smart_window_s") if "app_settings" in f else None
        self.ideal_alarm_s = _attr(truth_attrs, "ideal_alarm_s")
        self.alarms = night.alarms() if "pipeline/alarms" in f else {"fire_s": np.array([])}
        self.metrics = night.metrics()
        self.metrics_json = {}
        if "json" in f["metrics"].attrs:
            text = f["metrics"].attrs["json"]
            try:
                self.metrics_json = json.loads(text.decode() if isinstance(text, bytes) else text)
            except ValueError:
                self.metrics_json = {}
        self.parameters = [p.decode() if isinstance(p, bytes) else str(p) for p in f["parameters"][()]] \
            if "parameters" in f else []
        self.tracked = attribute(self.est, self.body_epochs, self.bodies)

    def axis_time(self, ax):
        clock_ticks(ax, self.start_clock_s, 0.0, self.duration_s)
        ax.set_xlim(0, self.duration_s)

    def mark_alarm(self, ax, label=True):
        """Alarm time, smart window, ideal moment and the pipeline's decisions."""
        if self.alarm_s is None:
            return
        if self.smart_window_s:
            # Behind everything else, so bands keep their colours inside the window.
            ax.axvspan(self.alarm_s - self.smart_window_s, self.alarm_s, color="gold", alpha=0.25, zorder=0,
                       label="smart window" if label else None)
        ax.axvline(self.alarm_s, color="red", lw=1.2, label="alarm time" if label else None)
        if self.ideal_alarm_s is not None:
            ax.axvline(self.ideal_alarm_s, color="green", ls="--", lw=1.2, label="ideal moment" if label else None)
        for i, fire_s in enumerate(self.alarms["fire_s"]):
            ax.axvline(fire_s, color="black", ls=":", lw=1.5, label="pipeline fired" if label and i == 0 else None)


def _attr(attrs, name):
    return float(attrs[name]) if name in attrs else None


def _edges(t_s, epoch_s):
    return np.append(t_s, t_s[-1] + epoch_s) if len(t_s) else t_s


def _stage_line(codes, levels):
    y = np.array([levels.get(int(c), np.nan) for c in codes], dtype=float)
    return np.append(y, y[-1] if len(y) else np.nan)


# -- figures -------------------------------------------------------------------

def hypnogram_figure(d):
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(11, 4.2), sharex=True)
    edges = _edges(d.t_s, d.epoch_s)
    truth = d.truth["stage"][:d.n]
    pipe = d.est["stage"][:d.n]
    a1.step(edges, _stage_line(truth, TRUTH_LEVELS), where="post", color="tab:blue", lw=1.4)
    a1.set_yticks(range(5), TRUTH_LABELS)
    a1.set_ylim(-0.5, 4.5)
    a1.set_title(f"truth: {d.primary or 'primary'} (YASA stages; gaps: out of bed)")
    a2.step(edges, _stage_line(pipe, PIPE_LEVELS), where="post", color="tab:orange", lw=1.4)
    a2.set_yticks(range(4), PIPE_LABELS)
    a2.set_ylim(-0.5, 3.5)
    a2.set_title("pipeline (4 classes; gaps: no estimate)")
    for ax, codes in ((a1, truth), (a2, pipe)):
        for first, length in runs(codes < 0):
            ax.axvspan(first * d.epoch_s, (first + length) * d.epoch_s, color="0.9", lw=0)
        d.mark_alarm(ax, label=ax is a1)
        ax.grid(axis="y", color="0.9")
        d.axis_time(ax)
    if d.alarm_s is not None:
        # Outside the axes: inside, it hid the in-bed wake before sleep (top left).
        a1.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0, fontsize=7)
    fig.tight_layout()
    return fig


def band_rows(ax, rows, d):
    """Horizontal bands: rows = [(label, [(mask, colour)])], top to bottom."""
    for i, (label, layers) in enumerate(rows):
        y = len(rows) - 1 - i
        for mask, colour in layers:
            spans = [(f * d.epoch_s, n * d.epoch_s) for f, n in runs(mask)]
            ax.broken_barh(spans, (y - 0.4, 0.8), color=colour, lw=0)
    ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    d.axis_time(ax)


def identity_figure(d):
    rows = []
    layers = []
    for b, (body_id, _role, _kind) in enumerate(d.bodies):
        layers.append((d.tracked == b, d.colours[body_id]))
    layers.append((d.tracked == -1, UNMATCHED_COLOUR))
    rows.append(("pipeline follows", layers))
    for body_id, role, kind in d.bodies:
        e = d.body_epochs[body_id]
        rows.append((f"{body_id} ({role})", [(e["in_room"][:d.n] == 1, _light(d.colours[body_id])),
                                             (e["in_bed"][:d.n] == 1, d.colours[body_id])]))
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(rows) + 1.4))
    band_rows(ax, rows, d)
    d.mark_alarm(ax, label=False)
    handles = [Patch(color=d.colours[b], label=f"{b} ({r}, {k})") for b, r, k in d.bodies]
    handles += [Patch(color=UNMATCHED_COLOUR, label=f"tracking, no body within {IDENTITY_GATE_M} m"),
                Patch(color=_light("tab:gray"), label="body rows: light = in room, dark = in bed")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=7, frameon=False)
    ax.set_title("who the pipeline was following, coloured by the true body (blank: not tracking)")
    fig.tight_layout()
    return fig


def _light(colour):
    r, g, b = mcolors.to_rgb(colour)
    return (1 - 0.35 * (1 - r), 1 - 0.35 * (1 - g), 1 - 0.35 * (1 - b))


def presence_intent_figure(d):
    t, x = d.truth, d.est
    n = d.n
    rows = [
        ("truth: in bed", [(t["in_bed"][:n] == 1, "tab:blue")]),
        ("pipeline: present", [(x["present"][:n] == 1, "tab:orange")]),
        ("pipeline: session", [(x["session"][:n] == 1, "tab:brown")]),
        ("truth: intent", [(t["intent"][:n] == 1, "tab:blue")]),
        ("pipeline: intent", [(x["intent"][:n] == 1, "tab:orange")]),
    ]
    fig, (ax, ac) = plt.subplots(2, 1, figsize=(11, 4.4), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    band_rows(ax, rows, d)
    d.mark_alarm(ax)
    ax.set_title("presence and sleep intent, truth (blue) vs pipeline (orange)")
    if d.alarm_s is not None:  # in the confidence panel, where it hides no band
        handles, labels = ax.get_legend_handles_labels()
        ac.legend(handles, labels, loc="center", fontsize=7, ncol=4)
    ac.plot(d.t_s + d.epoch_s / 2, x["presence_confidence"][:n], color="tab:orange", lw=1)
    ac.set_ylim(-0.05, 1.05)
    ac.set_ylabel("presence\nconfidence")
    d.axis_time(ac)
    fig.tight_layout()
    return fig


def alarm_figure(d):
    """Zoom on the smart window: both hypnograms around the alarm."""
    start = max(0.0, d.alarm_s - (d.smart_window_s or 0.0) - 900.0)
    stop = min(d.duration_s, d.alarm_s + 300.0)
    fig, ax = plt.subplots(figsize=(11, 2.8))
    edges = _edges(d.t_s, d.epoch_s)
    # One shared axis, 4 classes: truth N1/N2 shown as light, N3 as deep.
    four = {0: 3, 4: 2, 1: 1, 2: 1, 3: 0}
    ax.step(edges, _stage_line(d.truth["stage"][:d.n], four), where="post", color="tab:blue", lw=2, label="truth")
    ax.step(edges, _stage_line(d.est["stage"][:d.n], PIPE_LEVELS) + 0.08, where="post", color="tab:orange", lw=1.5,
            label="pipeline")
    ax.set_yticks(range(4), PIPE_LABELS)
    ax.set_ylim(-0.5, 3.5)
    d.mark_alarm(ax)
    clock_ticks(ax, d.start_clock_s, start, stop)
    ax.set_xlim(start, stop)
    ax.legend(loc="upper left", fontsize=7, ncol=6)
    ax.set_title("the alarm moment (truth N1/N2 drawn as light)")
    fig.tight_layout()
    return fig


def _block_rows(rows, columns, per_column):
    """[(first, stop)] row slices: `columns` blocks over `rows`, up to `per_column` rows each."""
    block = max(1, int(np.ceil(rows / columns)))
    return [(s, min(rows, s + min(block, per_column))) for s in range(0, rows, block)], block


def _profiles(night, cfg, first, stop):
    """Complex range profiles [n, rx, bin] of stored rows [first, stop): range frames
    as stored; raw frames through a range FFT of each chirp (Hann window; bin k at
    k·c/2B) integrated over the frame's chirps."""
    x = night.radar_rows_between(first, stop)
    if night.level == "raw":
        samples = x.shape[-1]
        x = np.fft.rfft(x * np.hanning(samples), axis=-1)[..., :int(cfg["range_bins"])].mean(axis=1)
    return x


def range_power_map(night):
    """(power_db [bins, columns], column_times_s, range_m) of range or raw frames with
    the static background removed: the per-bin complex mean over the night (walls,
    furniture, the bed: everything that does not move) is subtracted before the power
    is taken, so what moves — breathing, turning, walking — stands out. Read in
    slices, twice (mean, then power), so memory stays bounded however long the night."""
    cfg = night.radar_config()
    bin_m = float(cfg["range_bin_m"])
    rows = night.radar_rows()
    slices, block = _block_rows(rows, MAP_COLUMNS, FRAMES_PER_COLUMN)
    total, count = 0, 0
    for first, stop in slices:
        x = _profiles(night, cfg, first, stop)
        total = total + x.sum(axis=0)
        count += x.shape[0]
    background = total / max(count, 1)  # [rx, bin]
    cols = []
    for first, stop in slices:
        x = _profiles(night, cfg, first, stop)
        cols.append(np.mean(np.abs(x - background) ** 2, axis=(0, 1)))
    p = np.array(cols).T
    db = 10.0 * np.log10(p + 1e-30)
    times = (night.radar_first_frame + np.array([s for s, _ in slices]) + block / 2.0) / night.frame_rate_hz
    return db, times, block, bin_m


def range_time_figure(d):
    night = d.night
    fig, ax = plt.subplots(figsize=(11, 4.2))
    note = ""
    if night.level in ("range", "raw"):
        db, times, block, bin_m = range_power_map(night)
        lo, hi = np.percentile(db, [5, 99.5])
        bins = db.shape[0]
        dt = block / night.frame_rate_hz
        im = ax.imshow(db, origin="lower", aspect="auto", cmap="viridis", vmin=lo, vmax=hi,
                       extent=(times[0] - dt / 2, times[-1] + dt / 2, 0, bins * bin_m), interpolation="nearest")
        fig.colorbar(im, ax=ax, pad=0.01).set_label("power of what moves (dB)")
        note = (f"Power of the {night.level} radar data at each range (averaged over the receivers"
                f"{' and chirps' if night.level == 'raw' else ''}) after the static background was removed: the "
                f"average echo of each range bin over the whole night (walls, furniture, the bed) is subtracted "
                f"first, so only what moves — breathing, turning over, walking — shows. Each column of the image "
                f"covers {dt:.3g} s of the night, averaged over up to {FRAMES_PER_COLUMN} frames from it. Thick "
                f"lines: each body's true range (to the torso's centre, per epoch). The pipeline's target (points) "
                f"is the range bin of the strongest breathing echo — the body's surface facing the device, in "
                f"steps of one range bin ({100 * bin_m:.1f} cm) — so it lies a little nearer than the torso's "
                f"centre")
    elif night.level == "stream":
        s = night.stream()
        seen = s["target"] == 1
        ax.scatter(s["time_s"][seen], s["distance_m"][seen], s=1, c=s["signal_quality"][seen], cmap="viridis",
                   vmin=0, vmax=1, rasterized=True, label="stream distance (colour: signal quality)")
        note = "stream level: the on-device stream's target distance (no range profiles stored)"
    else:
        note = "no radar frames were exported (level none): only the tracked range vs the bodies' true ranges"
    # Overlays: each body's true range (epoch mean) and the pipeline's target.
    for body_id, role, _kind in d.bodies:
        e = d.body_epochs[body_id]
        r = np.where(e["in_room"][:d.n] == 1, e["range_m"][:d.n], np.nan)
        # Thick, with a white edge: visible on every colour of the map.
        ax.plot(d.t_s + d.epoch_s / 2, r, color=d.colours[body_id], lw=3.0, label=f"{body_id} ({role}) true range",
                path_effects=[patheffects.Stroke(linewidth=5.0, foreground="white"), patheffects.Normal()])
    tr = np.where(d.est["tracking"][:d.n] == 1, d.est["target_range_m"][:d.n], np.nan)
    ax.plot(d.t_s + d.epoch_s / 2, tr, "o", ms=2.5, color="white", mec="black", mew=0.6, label="pipeline target")
    ax.set_ylabel("range (m)")
    d.axis_time(ax)
    if night.level in ("range", "raw"):
        ax.set_ylim(0, min(ax.get_ylim()[1], 6.0))
    ax.legend(loc="upper right", fontsize=7, ncol=2)
    ax.set_title("range–time map")
    fig.tight_layout()
    return fig, note


def _snippet_starts(d):
    """Epochs for the snippets: spread over the epochs where the primary is in bed and tracked."""
    # Only epochs whose frames the file stores (a window with `run --from/--to`).
    lo_s, hi_s = d.night.stored_span_s()
    e = np.arange(d.n)
    stored = (e * d.epoch_s >= lo_s) & (e * d.epoch_s + SNIPPET_S <= hi_s)
    ok = np.flatnonzero((d.truth["in_bed"][:d.n] == 1) & (d.tracked >= 0) & stored)
    if len(ok) == 0:
        ok = np.flatnonzero((d.truth["in_bed"][:d.n] == 1) & stored)
    if len(ok) == 0:
        return []
    picks = np.unique(ok[np.linspace(0, len(ok) - 1, SNIPPETS + 2).astype(int)[1:-1]])
    return [int(e) * d.epoch_s for e in picks]


def _estimated_displacement(d, start_s, stop_s):
    """(t_s, displacement_m) the radar data show in [start_s, stop_s): the stream's
    respiration, or the phase of the range bin at the pipeline's target
    (x = λ φ / 4π), or None when the file holds no radar data."""
    night = d.night
    if night.level == "stream":
        s = night.stream()
        m = (s["time_s"] >= start_s) & (s["time_s"] < stop_s)
        return s["time_s"][m], s["respiration_m"][m].astype(float)
    if night.level not in ("range", "raw"):
        return None
    cfg = night.radar_config()
    e = min(int(start_s // d.epoch_s), d.n - 1)
    target_m = d.est["target_range_m"][e]
    if not target_m > 0:
        return None
    k = int(round(target_m / float(cfg["range_bin_m"])))
    lo_s, hi_s = night.stored_span_s()
    start_s, stop_s = max(start_s, lo_s), min(stop_s, hi_s)
    if stop_s <= start_s:
        return None
    x = night.radar(start_s, stop_s)
    if night.level == "raw":
        samples = x.shape[-1]
        x = np.fft.rfft(x * np.hanning(samples), axis=-1).mean(axis=1)  # [n, rx, bin]: chirps integrated
    z = x[:, 0, min(k, x.shape[-1] - 1)]
    phase = np.unwrap(np.angle(z))
    disp = float(cfg["wavelength_m"]) / (4 * np.pi) * phase
    first = int(np.ceil(start_s * night.frame_rate_hz - 1e-9))
    return (first + np.arange(len(disp))) / night.frame_rate_hz, disp


def least_squares_gain(x, reference):
    """The gain g minimising |reference − g·x|²: <x, reference> / <x, x> (negative when
    x is in antiphase); 1 when x is all zero."""
    x, reference = np.asarray(x, dtype=float), np.asarray(reference, dtype=float)
    power = float(np.dot(x, x))
    return float(np.dot(x, reference)) / power if power > 0 else 1.0


def respiration_figures(d):
    figs = []
    has_frames = d.night.level != "none" and d.primary and f"truth/bodies/{d.primary}/frames" in d.night.file
    if has_frames:
        frames = d.night.body_frames(d.primary)
        chest = frames["chest_m"].astype(float)
        starts = _snippet_starts(d)
        if starts:
            fig, axes = plt.subplots(len(starts), 1, figsize=(11, 2.0 * len(starts) + 0.4), squeeze=False)
            for ax, start_s in zip(axes[:, 0], starts):
                stop_s = min(start_s + SNIPPET_S, d.duration_s)
                # Body frames start at the stored window's first frame.
                f0 = d.night.radar_first_frame
                i0, i1 = int(start_s * d.night.frame_rate_hz), int(stop_s * d.night.frame_rate_hz)
                i0, i1 = max(i0, f0), min(i1, f0 + len(chest))
                t = np.arange(i0, i1) / d.night.frame_rate_hz
                truth_mm = (chest[i0 - f0:i1 - f0] - np.mean(chest[i0 - f0:i1 - f0])) * 1e3
                ax.plot(t, truth_mm, color="tab:blue", lw=1.2, label=f"truth: {d.primary} chest")
                est = _estimated_displacement(d, start_s, stop_s)
                if est is not None and len(est[0]) > 1 and len(t) > 1:
                    te, x = est
                    x = x - np.polyval(np.polyfit(te, x, 1), te)  # drift removed, as the stream does
                    # The radar sees the surface towards the device (often in antiphase with
                    # the chest's own displacement) and a smaller excursion: scale it to the
                    # truth by least squares, gain = <x, truth> / <x, x> (negative: flipped).
                    x = x * 1e3  # mm, as the truth: the gain is then a plain ratio
                    gain = least_squares_gain(np.interp(t, te, x), truth_mm)
                    ax.plot(te, gain * x, color="tab:orange", lw=1.0, label=f"radar × {gain:.3g} (least squares)")
                e = int(start_s // d.epoch_s)
                rt, rx = d.truth["resp_rate_bpm"][e], d.est["resp_rate_bpm"][e]
                ax.set_title(f"rate truth {fmt_value(rt, 3)} / pipeline {fmt_value(rx if rx > 0 else None, 3)} bpm",
                             fontsize=8, loc="right")
                clock_ticks(ax, d.start_clock_s, t[0] if len(t) else start_s, stop_s)
                ax.set_ylabel("mm")
                ax.legend(loc="upper left", fontsize=7, ncol=2)
            fig.tight_layout()
            figs.append((fig, "Respiration snippets: the primary's true chest displacement at frame rate (mm) vs "
                              "the displacement in the radar data (stream respiration, or the phase of the range "
                              "bin at the pipeline's target, x = λφ/4π), means and drift removed. The radar sees "
                              "the surface towards the device, which can move in antiphase and less than the "
                              "chest: for comparing shape and timing, its trace is scaled to the truth by least "
                              "squares (the factor in the legend; negative: flipped)."))
    # Always: per-epoch breathing rate, truth vs the pipeline's estimate.
    fig, ax = plt.subplots(figsize=(11, 2.8))
    mid = d.t_s + d.epoch_s / 2
    est = d.est["resp_rate_bpm"][:d.n].astype(float)
    ax.plot(mid, d.truth["resp_rate_bpm"][:d.n], color="tab:blue", lw=1.5, label="truth")
    ax.plot(mid, np.where(est > 0, est, np.nan), "o", ms=2.5, color="tab:orange", label="pipeline")
    ax.set_ylabel("breaths/min")
    d.axis_time(ax)
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title("respiration rate per epoch")
    fig.tight_layout()
    figs.append((fig, "Per-epoch breathing rate: truth (mean, undefined out of bed or in apnea) vs the pipeline "
                      "(points; missing when not measured)."))
    return figs, has_frames


def confusion_figure(counts, labels, title):
    """Counts [truth, estimate] with row-normalised colour."""
    counts = np.asarray(counts, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    frac = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    fig, ax = plt.subplots(figsize=(4.6, 3.9))
    ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, f"{int(counts[i, j])}\n{100 * frac[i, j]:.0f} %", ha="center", va="center", fontsize=8,
                    color="white" if frac[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("pipeline")
    ax.set_ylabel("truth")
    ax.set_title(title)
    fig.tight_layout()
    return fig


STAGE_NAMES = ("wake", "light", "deep", "rem")
MEASURES = ("tib_min", "spt_min", "tst_min", "se_pct", "sol_min", "waso_min", "light_min", "deep_min", "rem_min",
            "light_pct", "deep_pct", "rem_pct", "rem_latency_min", "awakenings")


def confusion_from_metrics(metrics):
    """The staging confusion matrix from staging.confusion.<truth>_as_<estimate>, or None."""
    if not any(k.startswith("staging.confusion.") for k in metrics):
        return None
    return [[metrics.get(f"staging.confusion.{r}_as_{c}", 0.0) for c in STAGE_NAMES] for r in STAGE_NAMES]


def metric_tables(page, metrics):
    rows = [(m, metrics.get(f"measures.{m}.truth"), metrics.get(f"measures.{m}.est"),
             metrics.get(f"measures.{m}.error")) for m in MEASURES if f"measures.{m}.truth" in metrics]
    if rows:
        page.paragraph("Sleep measures (Menghini et al. 2021): truth, pipeline, error = pipeline − truth.")
        page.table(["measure", "truth", "pipeline", "error"], rows)
    groups = {}
    for name in sorted(metrics):
        if name.startswith(("measures.", "staging.confusion.")):
            continue
        groups.setdefault(name.split(".")[0], []).append((name, metrics[name]))
    for group, items in groups.items():
        page.paragraph(f"{group}")
        page.table(["metric", "value"], items)


@styled
def night_report(path):
    """The HTML text of the report of the night file at `path`. Raises NightFileError."""
    with Night(path) as night:
        for group in ("truth/primary", "pipeline/epochs", "metrics"):
            if group not in night.file:
                raise NightFileError(f"{path}: no /{group} (not a complete night file)")
        d = NightData(night)
        page = Page(f"nightsim night report: {night.scenario_name}, seed {night.seed}")
        page.table(["field", "value"], [
            ("file", path), ("scenario", night.scenario_name), ("seed", str(night.seed)),
            ("radar data", night.level), ("epochs", str(d.n)), ("nightsim", night.nightsim_version),
            ("night key", night.night_key), ("primary", d.primary or "none"),
            ("parameters", ", ".join(d.parameters) or "none")])
        m = d.metrics
        page.heading("Hypnogram: truth vs pipeline")
        page.figure(hypnogram_figure(d), f"Staging accuracy {fmt_value(m.get('staging.accuracy'), 3)}, "
                                         f"Cohen's κ {fmt_value(m.get('staging.kappa'), 3)}.")
        page.heading("Identity: who the pipeline followed")
        page.figure(identity_figure(d),
                    f"Tracked target attributed to the nearest in-room body within {IDENTITY_GATE_M} m, as the "
                    f"scorer does. Primary fraction {fmt_value(m.get('identity.primary_fraction'), 3)}, "
                    f"switches {fmt_value(m.get('identity.switches'))}, IDF1 {fmt_value(m.get('identity.idf1'), 3)}.")
        page.heading("Presence and intent")
        page.figure(presence_intent_figure(d), f"Presence F1 {fmt_value(m.get('presence.f1'), 3)}; intent start "
                                               f"error {fmt_value(m.get('intent.start_error_min'), 3)} min.")
        page.heading("Alarm")
        if d.alarm_s is None:
            page.paragraph("No alarm was set for this night.")
        else:
            fired = ", ".join(clock_formatter(d.start_clock_s)(t, None) for t in d.alarms["fire_s"]) or "never"
            ideal = clock_formatter(d.start_clock_s)(d.ideal_alarm_s, None) if d.ideal_alarm_s is not None else "n/a"
            page.figure(alarm_figure(d),
                        f"Alarm {clock_formatter(d.start_clock_s)(d.alarm_s, None)}, smart window "
                        f"{fmt_value((d.smart_window_s or 0) / 60)} min; ideal moment {ideal}; pipeline fired "
                        f"{fired}; sleep lost vs ideal {fmt_value(m.get('alarm.sleep_lost_min'), 3)} min.")
        page.heading("Range–time map")
        fig, note = range_time_figure(d)
        if night.level == "none":
            page.paragraph("No radar frames were exported for this night (radar level none); rerun with "
                           "`nightsim run --export-frames --level range` for a range–time map.")
        page.figure(fig, note + "." if night.level in ("range", "raw") else
                    note + ". Lines: each body's true range (epoch mean, to the torso's centre); points: the "
                    "pipeline's target.")
        page.heading("Respiration")
        figs, has_frames = respiration_figures(d)
        if not has_frames:
            page.paragraph("No per-frame truth in this file (no radar data exported): per-epoch rates only.")
        for fig, caption in figs:
            page.figure(fig, caption)
        page.heading("Metrics")
        conf = confusion_from_metrics(m)
        if conf is not None:
            page.figure(confusion_figure(conf, STAGE_NAMES, "staging confusion (epochs)"),
                        "Rows: truth stage (N1+N2 = light); columns: the pipeline's.")
        metric_tables(page, m)
        page.preformatted("resolved scenario", night.scenario)
        return page.html()
