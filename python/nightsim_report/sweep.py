"""The report of a sweep's output folder (`nightsim sweep … --out DIR`): metric
distributions, Bland–Altman agreement of the sleep measures, the pooled confusion
matrix, metrics against every swept parameter, and the paired factor effects."""

import json
import math
import os

import matplotlib.pyplot as plt
import numpy as np

from .night import MEASURES, STAGE_NAMES, confusion_figure, confusion_from_metrics
from .page import Page, styled

#: Metrics drawn in the distribution, parameter and effect figures, when present:
#: one or two per area of docs/design.md §7. Every metric is in the tables.
KEY_METRICS = ("presence.f1", "identity.primary_fraction", "identity.idf1", "identity.switches",
               "resp.rate_mae_bpm", "intent.start_abs_error_min", "staging.accuracy", "staging.kappa",
               "alarm.sleep_lost_abs_min", "failure.wrong_epochs")

#: Sleep measures drawn as Bland–Altman plots (the rest of MEASURES are in the table).
BA_MEASURES = ("tst_min", "se_pct", "sol_min", "waso_min", "spt_min", "tib_min", "light_min", "deep_min",
               "rem_min", "rem_latency_min", "awakenings")

#: Epoch length the minute metrics are counted in (nightsim's 30-s epochs).
EPOCH_MIN = 0.5


def metric_resolution(metric, nights):
    """The smallest change `metric` can show between two nights, from its own
    quantization: minutes count epochs (EPOCH_MIN), counts and *_epochs are whole,
    fractions and rates over epochs move by one epoch in the shortest night
    (1 / epochs; % ×100), breathing rates by 0.01 bpm. A paired effect smaller than
    this is floating-point noise, not an effect."""
    epochs = [n["metrics"].get("join.epochs") for n in nights]
    epochs = min([e for e in epochs if e], default=960)
    leaf = metric.rsplit(".", 1)[-1]
    if metric.endswith("_min"):
        return EPOCH_MIN
    if metric.endswith("_epochs") or leaf in ("switches", "awakenings", "trips", "trips_eligible", "trips_detected",
                                               "decisions", "reacquire_failures", "false_session_starts", "epochs"):
        return 1.0
    if metric.endswith("_pct"):
        return 100.0 / epochs
    if metric.endswith("_bpm"):
        return 0.01
    return 1.0 / epochs


def is_effect(stat, resolution):
    """A paired effect counts when its interval excludes zero and its mean is at
    least the metric's resolution."""
    lo, hi, mean = stat.get("lower"), stat.get("upper"), stat.get("mean")
    if lo is None or hi is None or mean is None:
        return False
    return (lo > 0 or hi < 0) and abs(mean) >= resolution


def merged_arms(nights):
    """{label: merged label}: labels (scenario · factor arm) whose nights are the same
    nights (same content hashes, seed for seed) share one merged label, e.g. the
    plain night and an arm that changes nothing: one box, not two equal ones."""
    hashes = {}
    for n in nights:
        hashes.setdefault(_label(n), set()).add(n.get("hash"))
    by_set = {}
    for label in sorted(hashes):
        by_set.setdefault(frozenset(hashes[label]), []).append(label)
    return {label: " = ".join(group) for group in by_set.values() for label in group}


#: Fixed jitter seed: the same aggregate draws the same picture.
JITTER_SEED = 0


class SweepInputError(ValueError):
    """The folder is not a sweep output this report can read."""


def load_aggregate(folder):
    path = os.path.join(folder, "aggregate.json")
    if not os.path.isfile(path):
        raise SweepInputError(f"{folder}: no aggregate.json (not the --out folder of `nightsim sweep`)")
    try:
        with open(path, encoding="utf-8") as f:
            agg = json.load(f)
    except (OSError, ValueError) as e:
        raise SweepInputError(f"{path}: not readable JSON ({e})") from None
    if not isinstance(agg, dict) or not isinstance(agg.get("nights"), list):
        raise SweepInputError(f"{path}: no \"nights\" list (not a sweep aggregate)")
    return agg


def parse_point(text):
    """"a=1,b=x" → {"a": "1", "b": "x"}."""
    out = {}
    for part in filter(None, (text or "").split(",")):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def as_number(text):
    try:
        v = float(text)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def distinct_nights(nights):
    """One entry per content hash: a factor arm equal to a plain night is one night."""
    seen, out = set(), []
    for n in nights:
        if n.get("hash") in seen:
            continue
        seen.add(n.get("hash"))
        out.append(n)
    return out


def _label(n):
    name = os.path.splitext(os.path.basename(n["scenario"]))[0]
    return f"{name} · {n['factor']}={n['arm']}" if n.get("factor") else name


def _grid(count, cols=3, w=3.7, h=2.7):
    rows = max(1, math.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows), squeeze=False)
    flat = axes.ravel()
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat


def distribution_figure(nights, metrics):
    merged = merged_arms(nights)
    labels = sorted(set(merged.values()))
    # Each distinct night once, under its merged label.
    nights = [dict(n, merged_label=merged[_label(n)]) for n in distinct_nights(nights)]
    rng = np.random.default_rng(JITTER_SEED)
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics):
        data = [[n["metrics"][metric] for n in nights if n["merged_label"] == lab and metric in n["metrics"]
                 and n["metrics"][metric] is not None and math.isfinite(n["metrics"][metric])] for lab in labels]
        present = [i for i, v in enumerate(data) if v]
        if present:
            ax.boxplot([data[i] for i in present], positions=present, widths=0.5, showfliers=False)
            for i in present:
                ax.plot(i + rng.uniform(-0.15, 0.15, len(data[i])), data[i], "o", ms=3, alpha=0.7, color="tab:blue")
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=7)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set_title(metric, fontsize=9)
    fig.tight_layout()
    return fig


def bland_altman_figure(nights, measures):
    fig, axes = _grid(len(measures))
    for ax, m in zip(axes, measures):
        pairs = [(n["metrics"].get(f"measures.{m}.truth"), n["metrics"].get(f"measures.{m}.est")) for n in nights]
        pairs = np.array([(t, e) for t, e in pairs if t is not None and e is not None and math.isfinite(t)
                          and math.isfinite(e)], dtype=float).reshape(-1, 2)
        ax.set_title(m, fontsize=9)
        if len(pairs) == 0:
            ax.text(0.5, 0.5, "no nights with both values", ha="center", va="center", transform=ax.transAxes)
            continue
        mean = pairs.mean(axis=1)
        diff = pairs[:, 1] - pairs[:, 0]
        ax.plot(mean, diff, "o", ms=4, color="tab:blue", alpha=0.8)
        bias = diff.mean()
        ax.axhline(bias, color="black", lw=1, label=f"bias {bias:.3g}")
        if len(diff) > 1:
            # 95 % limits of agreement: bias ± 1.96 SD of the differences (Bland & Altman 1986).
            sd = diff.std(ddof=1)
            for y in (bias - 1.96 * sd, bias + 1.96 * sd):
                ax.axhline(y, color="tab:red", ls="--", lw=1)
            ax.plot([], [], color="tab:red", ls="--", label=f"LoA ±{1.96 * sd:.3g}")
        ax.axhline(0, color="0.7", lw=0.8)
        ax.set_xlabel("mean of truth and pipeline", fontsize=7)
        ax.set_ylabel("pipeline − truth", fontsize=7)
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def parameter_figure(nights, groups, scenario, parameter, metrics):
    """Per-night metric vs the parameter's value, with the group mean and bootstrap CI."""
    fig, axes = _grid(len(metrics))
    plain = [n for n in nights if n["scenario"] == scenario and not n.get("factor")]
    gs = [g for g in groups if g["scenario"] == scenario and g["parameter"] == parameter]
    values = [g["value"] for g in gs]
    numeric = all(as_number(v) is not None for v in values)
    pos = {v: (as_number(v) if numeric else i) for i, v in enumerate(values)}
    for ax, metric in zip(axes, metrics):
        xs, ys = [], []
        for n in plain:
            v = parse_point(n["point"]).get(parameter)
            y = n["metrics"].get(metric)
            if v in pos and y is not None and math.isfinite(y):
                xs.append(pos[v])
                ys.append(y)
        ax.plot(xs, ys, "o", ms=4, alpha=0.6, color="tab:blue", label="nights")
        # The mean beside the nights, not on top of them.
        span = (max(pos.values()) - min(pos.values())) if pos else 0
        shift = 0.03 * (span if span > 0 else 1)
        for g in gs:
            s = g["metrics"].get(metric)
            if s and s.get("mean") is not None:
                lo, hi = s.get("lower", s["mean"]), s.get("upper", s["mean"])
                ax.errorbar(pos[g["value"]] + shift, s["mean"], yerr=[[s["mean"] - lo], [hi - s["mean"]]], fmt="s",
                            color="black", ms=5, capsize=3)
        if not numeric:
            ax.set_xticks(range(len(values)), values, fontsize=7)
        ax.set_xlabel(parameter, fontsize=8)
        ax.set_title(metric, fontsize=9)
    fig.tight_layout()
    return fig


def effects_figure(effects, metrics, resolutions):
    """Forest plot: one panel per metric, one row per (scenario, factor): mean paired
    difference changed − reference with its bootstrap CI; red where it is an effect
    (is_effect at the metric's resolution)."""
    fig, axes = _grid(len(metrics), cols=2, w=5.5, h=0.45 * len(effects) + 1.3)
    labels = [f"{os.path.splitext(os.path.basename(e['scenario']))[0]}: {e['factor']} "
              f"({e['changed']} − {e['reference']})" for e in effects]
    for ax, metric in zip(axes, metrics):
        for i, e in enumerate(effects):
            s = e["metrics"].get(metric)
            if not s or s.get("mean") is None:
                continue
            lo, hi = s.get("lower", s["mean"]), s.get("upper", s["mean"])
            colour = "tab:red" if is_effect(s, resolutions[metric]) else "tab:blue"
            ax.errorbar(s["mean"], i, xerr=[[s["mean"] - lo], [hi - s["mean"]]], fmt="o", color=colour, capsize=3)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.invert_yaxis()
        ax.set_title(metric, fontsize=9)
    fig.tight_layout()
    return fig


@styled
def sweep_report(folder):
    """The HTML text of the report of a sweep output folder. Raises SweepInputError."""
    agg = load_aggregate(folder)
    nights = agg["nights"]
    distinct = distinct_nights(nights)
    groups = agg.get("groups", [])
    effects = agg.get("effects", [])
    boot = agg.get("bootstrap", {})
    ci = f"{100 * boot.get('level', 0.95):.0f} % bootstrap CI ({boot.get('resamples', '?')} resamples)"
    present = set().union(*(n["metrics"].keys() for n in nights)) if nights else set()
    metrics = [m for m in KEY_METRICS if m in present]

    page = Page(f"nightsim sweep report: {agg.get('sweep', os.path.basename(folder))}")
    scenarios = sorted({n["scenario"] for n in nights})
    page.table(["field", "value"], [
        ("folder", folder), ("sweep", str(agg.get("sweep", ""))), ("nightsim", str(agg.get("nightsim_version", ""))),
        ("nights", f"{len(nights)} ({len(distinct)} distinct)"), ("scenarios", ", ".join(scenarios)),
        ("seeds", str(len({n['seed'] for n in nights}))),
        ("pipeline knobs", ", ".join(f"{k}={v}" for k, v in agg.get("pipeline", {}).items()) or "defaults")])
    if not nights:
        page.paragraph("The sweep has no nights.")
        return page.html()

    page.heading("Metric distributions per scenario")
    page.figure(distribution_figure(nights, metrics),
                "Every distinct night of the sweep (points; boxes: quartiles, whiskers to 1.5 IQR), by scenario and "
                "factor arm; arms that are the same nights (an arm that changes nothing, and the plain night) share "
                "one box, labelled a = b.")

    page.heading("Agreement of the sleep measures (Bland–Altman)")
    ba = [m for m in BA_MEASURES if f"measures.{m}.truth" in present]
    if ba:
        page.figure(bland_altman_figure(distinct, ba),
                    "Pipeline − truth against their mean, one point per distinct night; bias (black) and 95 % limits "
                    "of agreement, bias ± 1.96 SD (red, from two nights on).")
    rows = []
    for m in MEASURES:
        d = [n["metrics"].get(f"measures.{m}.error") for n in distinct]
        d = np.array([x for x in d if x is not None and math.isfinite(x)], dtype=float)
        if len(d):
            sd = d.std(ddof=1) if len(d) > 1 else float("nan")
            rows.append((m, str(len(d)), d.mean(), sd, d.mean() - 1.96 * sd, d.mean() + 1.96 * sd))
    if rows:
        page.table(["measure", "nights", "bias", "SD", "LoA low", "LoA high"], rows)

    page.heading("Staging confusion matrix (all distinct nights)")
    total = None
    for n in distinct:
        c = confusion_from_metrics(n["metrics"])
        if c is not None:
            total = np.array(c) if total is None else total + np.array(c)
    if total is None:
        page.paragraph("No night has staging confusion counts.")
    else:
        page.figure(confusion_figure(total, STAGE_NAMES, "epochs, pooled"),
                    "Rows: truth stage (N1+N2 = light); columns: the pipeline's; colour and % per row.")

    page.heading("Metrics against the swept parameters")
    swept = sorted({(g["scenario"], g["parameter"]) for g in groups if g.get("parameter")})
    if not swept:
        page.paragraph("No parameter takes more than one value in this sweep.")
    for scenario, parameter in swept:
        page.figure(parameter_figure(nights, groups, scenario, parameter, metrics),
                    f"{scenario}: plain nights (points) and the mean with its {ci} (black) at each value of "
                    f"{parameter}.")

    page.heading("Counterfactual effects (paired factors)")
    if not effects:
        page.paragraph("The sweep has no paired factors.")
    else:
        all_names = sorted(set().union(*(e["metrics"].keys() for e in effects)) | set(metrics))
        resolutions = {m: metric_resolution(m, distinct) for m in all_names}

        def nothing(metric):  # every factor leaves the metric unchanged (below its resolution)
            stats = [e["metrics"].get(metric) or {} for e in effects]
            return all(abs(s.get(k) or 0) < resolutions[metric] for s in stats for k in ("mean", "lower", "upper"))

        drawn = [m for m in metrics if not nothing(m)]
        if drawn:
            page.figure(effects_figure(effects, drawn, resolutions),
                        f"Mean paired difference changed − reference over (point, seed) pairs with its {ci}; red "
                        "where it is an effect: the interval excludes zero and the mean is at least the metric's "
                        "resolution (the smallest change it can show: one epoch, one count, 0.01 bpm).")
        unchanged = [m for m in metrics if m not in drawn]
        if unchanged:
            page.paragraph("No factor changes " + ", ".join(unchanged) + " (every paired difference below the "
                           "metric's resolution): not drawn.")
        rows = []
        for e in effects:
            for name, s in sorted(e["metrics"].items()):
                if is_effect(s, resolutions[name]):
                    rows.append((f"{e['factor']} in {e['scenario']}", name, str(e.get("pairs", "")), s.get("mean"),
                                 s.get("lower"), s.get("upper"), resolutions[name]))
        if rows:
            page.paragraph("Every effect: the interval excludes zero and the mean is at least the metric's "
                           "resolution:")
            page.table(["factor", "metric", "pairs", "mean", "lower", "upper", "resolution"], rows)
        else:
            page.paragraph("No factor has an effect on any metric (interval excluding zero, mean at least the "
                           "metric's resolution).")

    page.heading("Groups: mean and CI per scenario and parameter value")
    rows = []
    for g in groups:
        where = g["scenario"] + (f" {g['parameter']}={g['value']}" if g.get("parameter") else "")
        for m in metrics:
            s = g["metrics"].get(m)
            if s:
                rows.append((where, m, str(s.get("n", "")), s.get("mean"), s.get("lower"), s.get("upper")))
    page.table(["group", "metric", "n", "mean", "lower", "upper"], rows)
    return page.html()
