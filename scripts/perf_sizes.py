"""Sizes of a release dist/ for scripts/perf: raw, gzip -9 and brotli (quality 11) per kind of
file, for each build (docs/builds.md) — what a tablet downloads on its first visit (the rater
build, dist/rater/), what the host laptop downloads (the host build, dist/, without the
scanner worker), the scanner worker on its own — and the rater build as a multiple of a
minimal Leptos page built the same way — and, when given, the size probe of the rater's work
without its screens (perf/rater-core, src/bin/rater_core.rs): what the tablet's core costs above
the floor, and its screens and texts above the core. Prints `PERF|what|figure|budget` lines.

Usage: perf_sizes.py DIST FLOOR_DIST [CORE_DIST]
"""

import gzip
import pathlib
import sys

import brotli

KIB = 1024
BUDGET_BYTES = 120_000  # the 120 KB


def sizes(path: pathlib.Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11))


def kib(n: int) -> str:
    return f"{n / KIB:.1f} KiB"


def figure(total: tuple[int, int, int]) -> str:
    raw, gz, br = total
    return f"raw {kib(raw)}, gzip {kib(gz)}, brotli {kib(br)} ({br / 1000:.1f} KB)"


def add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def build_sizes(folder: pathlib.Path, skip=lambda p: False):
    """Total and per kind of every file directly in `folder`, but those `skip` names."""
    total, kinds = (0, 0, 0), {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not skip(p)):
        s = sizes(path)
        total = add(total, s)
        kind = {".wasm": "wasm", ".js": "JS", ".css": "CSS", ".html": "HTML"}.get(path.suffix, "other")
        kinds[kind] = add(kinds.get(kind, (0, 0, 0)), s)
    return total, kinds


def main() -> None:
    dist, floor = (pathlib.Path(p) for p in sys.argv[1:3])
    core = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else None
    rater, rater_kinds = build_sizes(dist / "rater")
    host, host_kinds = build_sizes(dist, skip=lambda p: p.name.startswith("qr_worker"))
    worker, _ = build_sizes(dist, skip=lambda p: not p.name.startswith("qr_worker"))
    for kind in ("wasm", "JS", "CSS", "HTML", "other"):
        if kind in rater_kinds:
            print(f"PERF|size: {kind} (rater build, tablet first visit)|{figure(rater_kinds[kind])}|")
    verdict = "within" if rater[2] <= BUDGET_BYTES else f"{(rater[2] - BUDGET_BYTES) / 1000:.1f} KB over"
    print(f"PERF|size: rater build, everything a tablet loads on first visit|{figure(rater)}|≤ 120 KB brotli ({verdict})")
    for kind in ("wasm", "JS", "CSS", "HTML", "other"):
        if kind in host_kinds:
            print(f"PERF|size: {kind} (host build)|{figure(host_kinds[kind])}|")
    print(f"PERF|size: host build, everything the laptop loads on first visit|{figure(host)}|")
    print(f"PERF|size: host scanner worker (loaded only when scanning)|{figure(worker)}|counted separately")
    floor_total, _ = build_sizes(floor)
    print(f"PERF|size: minimal Leptos CSR page, same profile (floor)|{figure(floor_total)}|")
    print(f"PERF|size: rater build ÷ floor (brotli)|{rater[2] / floor_total[2]:.1f}×|")
    print(f"PERF|size: host build ÷ floor (brotli)|{host[2] / floor_total[2]:.1f}×|")
    if core is not None:
        core_total, _ = build_sizes(core)
        over = (core_total[2] - BUDGET_BYTES) / 1000
        verdict = "within" if over <= 0 else f"{over:.1f} KB over with no screen at all"
        print(f"PERF|size: the rater's work without its screens (probe, perf/rater-core)|{figure(core_total)}|≤ 120 KB brotli ({verdict})")
        print(f"PERF|size: the rater's screens and texts (rater build − probe, brotli)|{kib(rater[2] - core_total[2])}|")


if __name__ == "__main__":
    main()
