"""HTML page assembly: one self-contained file, figures inlined as PNG data URIs."""

import base64
import functools
import html
import io
import math
import os

import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered by batch jobs and tests
import matplotlib.pyplot as plt  # noqa: E402

#: Resolution of the embedded figures; 100 dpi keeps a whole-night page a few MB.
FIGURE_DPI = 100

_RC = {"font.size": 9, "axes.titlesize": 10, "figure.max_open_warning": 0}


def styled(report):
    """Draws `report` in one fixed style, whatever the user's matplotlibrc says, without
    changing the caller's settings (the module may be imported in a notebook)."""
    @functools.wraps(report)
    def wrapper(*args, **kwargs):
        with plt.style.context("default"), plt.rc_context(_RC):
            return report(*args, **kwargs)
    return wrapper

_STYLE = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1150px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
figure { margin: 0.6em 0; } figure img { max-width: 100%; display: block; }
figcaption, .note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; } pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


def figure_data_uri(fig):
    """The figure as a PNG data URI; closes the figure. The PNG carries no
    software/version text, so it does not change with the matplotlib release alone."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def fmt_value(value, digits=4):
    """A number for a table cell: n/a for NaN/None, integers without decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    if v == int(v) and abs(v) < 1e12:
        return str(int(v))
    return f"{v:.{digits}g}"


class Page:
    """An HTML page built section by section."""

    def __init__(self, title):
        self.title = title
        self.parts = []

    def heading(self, text, level=2):
        self.parts.append(f"<h{level}>{esc(text)}</h{level}>")

    def paragraph(self, text, cls="note"):
        self.parts.append(f'<p class="{cls}">{esc(text)}</p>')

    def figure(self, fig, caption, alt=None):
        self.parts.append(f'<figure><img src="{figure_data_uri(fig)}" alt="{esc(alt or caption)}">'
                          f"<figcaption>{esc(caption)}</figcaption></figure>")

    def table(self, header, rows):
        out = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"]
        for row in rows:
            out.append("<tr>" + "".join(f"<td>{esc(fmt_value(c) if not isinstance(c, str) else c)}</td>"
                                        for c in row) + "</tr>")
        out.append("</table>")
        self.parts.append("".join(out))

    def preformatted(self, summary, text):
        self.parts.append(f"<details><summary>{esc(summary)}</summary><pre>{esc(text)}</pre></details>")

    def html(self):
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{esc(self.title)}</title><style>{_STYLE}</style></head><body>\n"
                f"<h1>{esc(self.title)}</h1>\n" + "\n".join(self.parts) + "\n</body></html>\n")


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary name in the same folder, renamed
    when complete: a reader never sees a half-written page."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
