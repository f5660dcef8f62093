"""Benchmark the studio: server start to ready, and prompt -> animation playing in the page.

    python bench/bench_studio.py                                     # the demo's model (demo_out/hf_upload)
    python bench/bench_studio.py --checkpoint checkpoints/best_model.pt --repeats 20
    python bench/bench_studio.py --repeats 3 --screenshot docs/studio.png   # the README's picture

Start: `stick-gen studio` as a subprocess, from launch to its "ready" line (model loaded, page served).
Playing: in Debian's headless chromium (Playwright), from the click on Generate to the canvas player having
drawn the take's first frame (it counts takes in data-take), median of --repeats takes on a warm server (2
warm-up takes first); each take uses another seed, so nothing is cached. Timed twice: in the page (a click
listener and a MutationObserver on the canvas, performance.now(): what a person sees) and from Python around
Playwright's click and wait (which adds Playwright's own round trips; how earlier figures were taken). Also
the server's own share (the status line's "ready in") and, without a browser, the same request through
gradio_client (the player document as JSON).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from typing import Optional

from common import machine

DRAWN = "(before) => Number(document.querySelector('#player canvas')?.dataset.take || 0) > before"
TAKES = "() => Number(document.querySelector('#player canvas')?.dataset.take || 0)"
STOPWATCH = """() => {
  const canvas = document.querySelector('#player canvas');
  document.querySelector('#generate').addEventListener('click', () => { window.clickedAt = performance.now(); }, true);
  new MutationObserver(() => { window.drawnAt = performance.now(); })
    .observe(canvas, {attributes: true, attributeFilter: ['data-take']});
}"""
"""In the page: when the Generate click arrives, and when the player marks a new take's first frame drawn."""

DOWNLOADED = "(name) => [...document.querySelectorAll('#downloads a')].some(a => (a.download || '').endsWith(name))"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(checkpoint: str, port: int):
    """``(process, seconds from launch to the ready line)``."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "stick_gen.cli", "studio", "--checkpoint", checkpoint,
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if "stick-gen studio:" in line:
            return process, time.perf_counter() - began
    raise SystemExit(f"the studio did not start (exit status {process.wait()})")


def browser_takes(url: str, repeats: int, prompt: str, screenshot: Optional[str] = None):
    """``(click -> playing seconds in the page, the same from Python, server seconds)`` per take, in headless chromium."""
    from playwright.sync_api import sync_playwright

    in_page, playing, server = [], [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_selector("#generate")
        page.evaluate(STOPWATCH)
        page.fill("#prompt textarea", prompt)
        for take in range(repeats + 2):
            page.fill("#seed input", str(1000 + take))
            before = page.evaluate(TAKES)
            began = time.perf_counter()
            page.click("#generate")
            page.wait_for_function(DRAWN, arg=before, polling=10)
            seconds = time.perf_counter() - began
            clicked, drawn = page.evaluate("() => [window.clickedAt, window.drawnAt]")
            status = page.inner_text("#status")
            # the take's downloads render after it plays; wait for them, so no take overlaps the last
            page.wait_for_function(DOWNLOADED, arg=f"seed{1000 + take}.gif", polling=50)
            if take >= 2:
                in_page.append((drawn - clicked) / 1000)
                playing.append(seconds)
                server.append(float(re.search(r"ready in ([0-9.]+) s", status).group(1)))
        if screenshot:
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.get_by_text("Two people playing catch", exact=True).first.click()
            page.fill("#seed input", "3")
            before = page.evaluate(TAKES)
            page.click("#generate")
            page.wait_for_function(DRAWN, arg=before, polling=10)
            page.wait_for_function(DOWNLOADED, arg="seed3.gif", polling=50)
            page.wait_for_timeout(1500)  # a frame of the clip with both actors moving
            page.screenshot(path=screenshot, full_page=True)
        browser.close()
    return in_page, playing, server


def client_takes(url: str, repeats: int, prompt: str):
    from gradio_client import Client

    client = Client(url, verbose=False)
    times = []
    for take in range(repeats + 2):
        began = time.perf_counter()
        client.predict(prompt, 2000 + take, "auto", 10.0, 384, api_name="/generate")
        if take >= 2:
            times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="demo_out/hf_upload")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--prompt", default="A person walks forward and waves")
    parser.add_argument("--screenshot", help="also save a screenshot of a take here (PNG)")
    args = parser.parse_args()

    port = free_port()
    process, ready = start(args.checkpoint, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        print(f"machine: {machine()}")
        print(f"model: {args.checkpoint}; prompt {args.prompt!r}, 10 s clip, 384 px")
        print(f"server start to ready: {ready:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        try:
            in_page, playing, server = browser_takes(url, args.repeats, args.prompt, args.screenshot)
        except ImportError:
            print("no playwright: browser figures skipped")
        else:
            print(f"click -> first frame drawn in the canvas, in the page, median of {len(in_page)}: "
                  f"{statistics.median(in_page):.3f} s (min {min(in_page):.3f}, max {max(in_page):.3f})")
            print(f"the same from Python around Playwright, median of {len(playing)}: {statistics.median(playing):.3f} s "
                  f"(min {min(playing):.3f}, max {max(playing):.3f}); server's share {statistics.median(server):.3f} s")
        through = client_takes(url, args.repeats, args.prompt)
        print(f"gradio_client round trip (the player document), median of {len(through)}: "
              f"{statistics.median(through):.3f} s")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
