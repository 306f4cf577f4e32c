#!/usr/bin/env python3
"""Opens a hilcap HTML report in a real browser (headless Chromium) and checks
it as a user would see it (issue 14):

  1. runs the hilcap command after `--` ({page} stands for the page's path),
     which must end with one of --status;
  2. the page is self-contained: no <script src>, <link> or url() that would
     need a network;
  3. Chromium opens it from a file: no console message at all (the page logs
     nothing when all is well: an exception, a failed load or a console.error
     would show here), the page's script says it is done without problems
     (<html data-hilcap-ready="ok">);
  4. every chart has data: at least --min-charts charts, each with datasets,
     drawn points and painted pixels in its plot area (the page's own
     account, <html data-hilcap-charts>, read from the DOM Chromium dumps);
  5. a screenshot is kept as a test artefact next to the page
     (ARTEFACTS/NAME.png) with the page (ARTEFACTS/NAME.html).

Exit 0 when all holds, 1 otherwise, 77 (skipped) only when no Chromium is
installed (scripts/ensure-deps.sh installs Debian's `chromium`).
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def chromium_command(chromium, profile, extra):
    # --no-sandbox: CI runs as root in a container; a fresh profile per run,
    # and no network: a page that needs one fails its checks.
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}"] + extra


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="the artefacts' name")
    parser.add_argument("--artefacts", required=True, help="folder of the page and screenshot")
    parser.add_argument("--chromium", default="", help="the browser (default: chromium on PATH)")
    parser.add_argument("--kind", choices=["run", "suite", "sweep"], required=True)
    parser.add_argument("--min-charts", type=int, default=1)
    parser.add_argument("--status", default="0", help="exit statuses the command may end with")
    parser.add_argument("--window", default="1280,2400", help="the screenshot's WIDTH,HEIGHT")
    parser.add_argument("--page", default="",
                        help="where the command writes the page (default: ARTEFACTS/NAME.html, "
                             "given to it as {page})")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not os.access(chromium, os.X_OK):
        print("SKIP: no Chromium installed (apt-get install chromium; scripts/ensure-deps.sh)")
        return 77

    os.makedirs(args.artefacts, exist_ok=True)
    page = os.path.abspath(args.page or os.path.join(args.artefacts, args.name + ".html"))
    screenshot = os.path.abspath(os.path.join(args.artefacts, args.name + ".png"))
    profile = os.path.abspath(os.path.join(args.artefacts, args.name + ".chromium-profile"))
    for stale in (page, screenshot):
        if os.path.exists(stale):
            os.remove(stale)

    command = [part.replace("{page}", page) for part in args.command if part != "--"]
    made = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    allowed = {int(s) for s in args.status.split(",")}
    if made.returncode not in allowed:
        fail(f"{' '.join(command)} ended with {made.returncode} (expected {args.status}):\n"
             f"{made.stdout[-3000:]}\n{made.stderr[-3000:]}")
    if not os.path.isfile(page):
        fail(f"{' '.join(command)} wrote no page at {page}")
    text = open(page, encoding="utf-8").read()
    size = len(text.encode("utf-8"))

    # 2. Self-contained.
    for pattern in (r"<script[^>]*\bsrc\s*=", r"<link\b", r"<img[^>]*\bsrc\s*=\s*[\"']?https?:",
                    r"url\(\s*[\"']?https?:"):
        if re.search(pattern, text, re.IGNORECASE):
            fail(f"{page} is not self-contained: it has {pattern}")

    # 3. and 4. Open it, let its scripts run, read the DOM (in a window of
    # a screen's size: the charts size themselves to it).
    url = "file://" + page
    started = time.monotonic()
    opened = subprocess.run(
        chromium_command(chromium, profile, ["--enable-logging=stderr", "--v=0",
                                             f"--window-size={args.window}",
                                             "--virtual-time-budget=30000", "--dump-dom", url]),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    load_s = time.monotonic() - started
    if opened.returncode != 0:
        fail(f"chromium ended with {opened.returncode}:\n{opened.stderr[-3000:]}")
    console = [line for line in opened.stderr.splitlines() if ":CONSOLE" in line]
    if console:
        fail("the page wrote to the console:\n" + "\n".join(console[:20]))
    root = re.search(r"<html\b[^>]*>", opened.stdout)
    if not root:
        fail("chromium's DOM has no <html> element")
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', root.group(0)))
    ready = attributes.get("data-hilcap-ready")
    if ready is None:
        fail("the page's script did not finish (no data-hilcap-ready)")
    account = json.loads(html.unescape(attributes.get("data-hilcap-charts", "{}")))
    if ready != "ok":
        fail(f"the page's script had problems: {account.get('problems')}")
    charts = account.get("charts", [])
    if len(charts) < args.min_charts:
        fail(f"{len(charts)} charts drawn, expected at least {args.min_charts}")
    for chart in charts:
        where = f"chart {chart.get('id')} ({chart.get('title')})"
        if chart.get("datasets", 0) < 1 or chart.get("points", 0) < 1:
            fail(f"{where} has no data: {chart}")
        if chart.get("painted", 0) < 1 or chart.get("width", 0) < 1 or chart.get("height", 0) < 1:
            fail(f"{where} is not drawn: {chart}")
    data = re.search(r'<script type="application/json" id="hilcap-data">(.*?)</script>', text,
                     re.DOTALL)
    kind = json.loads(data.group(1)).get("kind") if data else None
    if kind != args.kind:
        fail(f"the page is a {kind!r} page, expected {args.kind!r}")

    # 5. The screenshot.
    width, height = args.window.split(",")
    shot = subprocess.run(
        chromium_command(chromium, profile, ["--hide-scrollbars", f"--window-size={width},{height}",
                                             "--virtual-time-budget=30000",
                                             f"--screenshot={screenshot}", url]),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    if shot.returncode != 0 or not os.path.isfile(screenshot) or os.path.getsize(screenshot) < 1000:
        fail(f"no screenshot at {screenshot}: chromium ended with {shot.returncode}\n"
             f"{shot.stderr[-2000:]}")
    shutil.rmtree(profile, ignore_errors=True)

    print(f"{args.name}: {kind} page {page}: {size} bytes, {len(charts)} charts with data, "
          f"drawn in {account.get('render_ms', 0):.0f} ms (chromium open + dump {load_s:.1f} s); "
          f"screenshot {screenshot}")
    for chart in charts:
        print(f"  {chart['id']}: {chart['points']} points, {chart['painted']} pixels sampled: "
              f"{chart['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
