#!/usr/bin/env python3
"""Where a shipped wasm's download goes, by section: raw and brotli (quality 11) bytes of its
code, its data segments and everything else (imports, exports, types, the function table),
each compressed on its own, so the split shows what a cut in code or in data can save.
Run it on what ships (dist/rater/*.wasm, after wasm-bindgen and wasm-opt); `scripts/perf` runs
it on the rater build (and installs brotli into .tools/pyenv); docs/performance.md records its
output.

    .tools/pyenv/bin/python scripts/wasm_sections.py dist/rater/pingyi-rater-*_bg.wasm
"""
import sys

import brotli

NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
         6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
         12: "data count"}


def leb128(data, at):
    """An unsigned LEB128 number at `at`: (value, the offset after it)."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def sections(data):
    if data[:4] != b"\0asm":
        raise SystemExit("not a wasm module")
    at = 8
    while at < len(data):
        kind = data[at]
        size, body = leb128(data, at + 1)
        yield NAMES.get(kind, f"section {kind}"), data[body:body + size]
        at = body + size


def main(path):
    data = open(path, "rb").read()
    groups = {"code": b"", "data": b"", "everything else": b""}
    for name, body in sections(data):
        key = name if name in ("code", "data") else "everything else"
        groups[key] += body
    whole = len(brotli.compress(data, quality=11))
    print(f"{path}: raw {len(data) / 1024:.1f} KiB, brotli {whole / 1024:.1f} KiB")
    for name, body in groups.items():
        packed = len(brotli.compress(body, quality=11))
        print(f"  {name:16} raw {len(body) / 1024:7.1f} KiB  brotli {packed / 1024:6.1f} KiB"
              f"  ({100 * packed / whole:.0f} % of the brotli download)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
