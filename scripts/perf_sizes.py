"""Sizes of a release dist/ for scripts/perf: raw, gzip -9 and brotli (quality 11) per file,
what a tablet downloads on its first visit (everything but the host's scanner worker), the
scanner worker on its own, and the first visit as a multiple of a minimal Leptos page built
the same way. Prints `PERF|what|figure|budget` lines.

Usage: perf_sizes.py DIST FLOOR_DIST
"""

import gzip
import pathlib
import sys

import brotli

KIB = 1024


def sizes(path: pathlib.Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11))


def kib(n: int) -> str:
    return f"{n / KIB:.1f} KiB"


def figure(total: tuple[int, int, int]) -> str:
    raw, gz, br = total
    return f"raw {kib(raw)}, gzip {kib(gz)}, brotli {kib(br)}"


def add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def main() -> None:
    dist, floor = (pathlib.Path(p) for p in sys.argv[1:3])
    first_visit = (0, 0, 0)
    worker = (0, 0, 0)
    kinds = {}
    for path in sorted(p for p in dist.iterdir() if p.is_file()):
        s = sizes(path)
        if path.name.startswith("qr_worker"):
            worker = add(worker, s)
            continue
        first_visit = add(first_visit, s)
        kind = {".wasm": "wasm", ".js": "JS", ".css": "CSS", ".html": "HTML"}.get(path.suffix, "other")
        kinds[kind] = add(kinds.get(kind, (0, 0, 0)), s)
    for kind in ("wasm", "JS", "CSS", "HTML", "other"):
        if kind in kinds:
            print(f"PERF|size: {kind} (tablet first visit)|{figure(kinds[kind])}|")
    print(f"PERF|size: everything a tablet loads on first visit|{figure(first_visit)}|≤ 120 KiB brotli")
    print(f"PERF|size: host scanner worker (loaded only when scanning)|{figure(worker)}|counted separately")
    floor_total = (0, 0, 0)
    for path in (p for p in floor.iterdir() if p.is_file()):
        floor_total = add(floor_total, sizes(path))
    ratio = first_visit[2] / floor_total[2]
    print(f"PERF|size: minimal Leptos CSR page, same profile (floor)|{figure(floor_total)}|")
    print(f"PERF|size: tablet first visit ÷ floor (brotli)|{ratio:.1f}×|")


if __name__ == "__main__":
    main()
