#!/usr/bin/python3
"""Renders `nightsim report` pages in headless Chromium and checks the screenshots
show the figures.

usage: report_render_test.py NIGHTSIM_BINARY SOURCE_DIR WORK_DIR

For the night page (a 10-minute night with range frames) and the sweep page (the
small report sweep): screenshot the page, and the same page with its images hidden
(CSS visibility: hidden, so the layout is identical). The pixels that differ are the
figures as the browser drew them: they must cover a substantial part of the
screenshot, in many colours, some of them saturated (plot lines, heat maps). The
same check on a copy whose image data is corrupted (what a browser shows for a
broken data URI) must fail, so the check is known to catch missing or broken
figures. Then figure by figure: the page's DOM after loading (--dump-dom, with a
script that records every image's decoded size) must show each inlined figure
decoded at a real size, and the broken copy must show each one broken.
Exit 77 (ctest: skipped) when chromium or matplotlib is absent.
"""

import os
import re
import shutil
import subprocess
import sys

SKIP = 77
WINDOW = (1200, 5000)  # px; tall enough to hold several figures of either page


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(browser, html_path, png_path, profile):
    # --no-sandbox: the tests may run as root (containers); the page is our own file.
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={profile}", f"--screenshot={png_path}",
                    f"--window-size={WINDOW[0]},{WINDOW[1]}", "file://" + os.path.abspath(html_path)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    if not os.path.exists(png_path):
        raise SystemExit(f"FAIL: chromium wrote no screenshot {png_path}")


def drawn_figures(shot_png, hidden_png):
    """What the images add to the screenshot: (fraction of pixels that differ from the
    page with images hidden, distinct colours among them, fraction of saturated ones)."""
    import matplotlib.image as mpimg
    import numpy as np
    shot = mpimg.imread(shot_png)[..., :3].astype(float)
    hidden = mpimg.imread(hidden_png)[..., :3].astype(float)
    if shot.shape != hidden.shape:
        return 0.0, 0, 0.0
    differ = np.any(np.abs(shot - hidden) > 0.02, axis=-1)
    colours = len(np.unique((shot[differ] * 255).astype(np.uint8), axis=0)) if differ.any() else 0
    # Saturated: channels differ by > 0.15 (text, axes and borders are grey; plots are not).
    saturated = ((shot.max(axis=-1) - shot.min(axis=-1)) > 0.15) & differ
    return float(differ.mean()), colours, float(saturated.mean())


#: What the figures must add to a screenshot (measured: ~5-15 % of the pixels,
#: over a thousand colours; a broken image adds an icon and its alt text: ~0.5 %, ~300 colours).
MIN_FIGURE_FRACTION = 0.01
MIN_COLOURS = 500
MIN_SATURATED_FRACTION = 0.002


def problems_of(browser, text, work, name):
    """Why the figures of page `text` do not show ("" when they do)."""
    hidden = text.replace("</head>", "<style>img { visibility: hidden; }</style></head>", 1)
    shots = []
    for variant, body in (("page", text), ("hidden", hidden)):
        html_path = os.path.join(work, f"{name}.{variant}.html")
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(body)
        png = os.path.join(work, f"{name}.{variant}.png")
        screenshot(browser, html_path, png, os.path.join(work, "profile"))
        shots.append(png)
    fraction, colours, saturated = drawn_figures(*shots)
    print(f"{name}: figures cover {fraction:.3f} of the screenshot, {colours} colours, {saturated:.4f} saturated")
    problems = []
    if fraction < MIN_FIGURE_FRACTION:
        problems.append(f"figures cover {fraction:.3f} of the screenshot (< {MIN_FIGURE_FRACTION})")
    if colours < MIN_COLOURS:
        problems.append(f"{colours} colours in the figures (< {MIN_COLOURS})")
    if saturated < MIN_SATURATED_FRACTION:
        problems.append(f"{saturated:.4f} saturated pixels (< {MIN_SATURATED_FRACTION})")
    return "; ".join(problems)


#: Records every image's decoded size (0: broken) on <body> once the page has loaded.
RECORD_SIZES = ("<script>window.addEventListener('load', () => document.body.setAttribute('data-figures', "
                "Array.from(document.images).map(i => i.complete ? i.naturalWidth + 'x' + i.naturalHeight : '0x0')"
                ".join(' ')))</script></body>")


def figure_sizes(browser, text, work, name):
    """[(width, height)] of every image of page `text` as chromium decoded it."""
    html_path = os.path.join(work, f"{name}.sizes.html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", RECORD_SIZES, 1))
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
                          f"--user-data-dir={os.path.join(work, 'profile')}", "--dump-dom",
                          "file://" + os.path.abspath(html_path)],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    found = re.search(r'data-figures="([^"]*)"', dom)
    if not found:
        raise SystemExit(f"FAIL: {name}: the page's script did not record the figures' sizes")
    return [tuple(int(v) for v in size.split("x")) for size in found.group(1).split()]


def check_page(browser, page_path, work, name, min_figures):
    with open(page_path, encoding="utf-8") as f:
        page = f.read()
    count = len(re.findall(r'<img src="data:image/png;base64,', page))
    if count < min_figures:
        raise SystemExit(f"FAIL: {name}: {count} inlined figures, expected at least {min_figures}")
    problems = problems_of(browser, page, work, name)
    if problems:
        raise SystemExit(f"FAIL: {name}: {problems}")
    broken = re.sub(r'(src="data:image/png;base64,)[A-Za-z0-9+/=]+"', r'\1AAAA"', page)
    if not problems_of(browser, broken, work, name + ".broken"):
        raise SystemExit(f"FAIL: {name}: the check passes a page whose images are broken; it proves nothing")
    # Figure by figure: each decoded at a real size (matplotlib's are hundreds of px).
    sizes = figure_sizes(browser, page, work, name)
    print(f"{name}: figures decoded at {' '.join(f'{w}x{h}' for w, h in sizes)}")
    if len(sizes) != count or any(w < 200 or h < 150 for w, h in sizes):
        raise SystemExit(f"FAIL: {name}: {count} figures inlined, decoded sizes {sizes}")
    if any(w > 0 for w, _ in figure_sizes(browser, broken, work, name + ".broken")):
        raise SystemExit(f"FAIL: {name}: a corrupted figure decoded; the per-figure check proves nothing")


def main(binary, source, work):
    browser = chromium()
    if browser is None:
        print("SKIP: chromium is not installed (apt-get install chromium; scripts/setup installs it)")
        return SKIP
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("SKIP: python3-matplotlib is not installed (scripts/setup installs it)")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    def nightsim(*args):
        subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL)

    night = os.path.join(work, "night")
    nightsim("run", os.path.join(source, "tests/harness/data/night_file/short_night.yaml"), "--seed", "3",
             "--export-frames", "--level", "range", "--out", night)
    nightsim("report", night + ".h5", "-o", os.path.join(work, "night.html"))
    sweep = os.path.join(work, "sweep")
    nightsim("sweep", os.path.join(source, "tests/harness/data/sweeps/report.yaml"), "-j", "2", "--out", sweep)
    nightsim("report", sweep, "-o", os.path.join(work, "sweep.html"))
    check_page(browser, os.path.join(work, "night.html"), work, "night", 8)
    # Distributions, Bland–Altman, confusion, reading (the cat changes no metric: no effects figure).
    check_page(browser, os.path.join(work, "sweep.html"), work, "sweep", 4)
    print("PASS: both reports render with their figures")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
