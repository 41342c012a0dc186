#!/usr/bin/env python3
"""Where a wasm's bytes go, by crate: reads `twiggy top --format csv -n 1000000 FILE.wasm` on
stdin and prints the shallow sizes grouped by the crate an item's name starts with (for a
trait impl `<T as Trait>::f`, the crate of T), data segments as `.rodata`, the largest groups
first. Run it on the release wasm before wasm-bindgen and wasm-opt (target/wasm32-unknown-
unknown/release/NAME.wasm), which still has names; the totals are larger than what ships, the
proportions are what matters. docs/performance.md records its output.

    twiggy top --format csv -n 1000000 target/wasm32-unknown-unknown/release/pingyi-rater.wasm \\
      | python3 scripts/wasm_by_crate.py
"""
import csv, re, sys
from collections import Counter

# Crates that are one thing to a reader of the table.
GROUPS = {
    "reactive_graph": "leptos", "tachys": "leptos", "leptos": "leptos", "leptos_dom": "leptos",
    "leptos_macro": "leptos", "either_of": "leptos", "throw_error": "leptos", "any_spawner": "leptos",
    "leptos_i18n": "leptos_i18n", "icu_locid": "leptos_i18n",
    "rust_xlsxwriter": "xlsx", "zip": "xlsx", "zopfli": "xlsx", "zlib_rs": "xlsx", "flate2": "xlsx",
    "wasm_bindgen": "wasm-bindgen, js-sys, web-sys", "js_sys": "wasm-bindgen, js-sys, web-sys",
    "web_sys": "wasm-bindgen, js-sys, web-sys", "wasm_bindgen_futures": "wasm-bindgen, js-sys, web-sys",
    "core": "core, alloc, std", "alloc": "core, alloc, std", "std": "core, alloc, std",
    "dlmalloc": "core, alloc, std", "hashbrown": "core, alloc, std",
}

def crate_of(name):
    segment = re.fullmatch(r'data segment "(.*)"', name)
    if segment:
        return segment.group(1)
    if re.fullmatch(r"data\[\d+\]", name):
        return ".rodata"
    # rustc's crate disambiguators: core[c5930c85a12de822]::fmt → core::fmt
    text = re.sub(r"\[[0-9a-f]{16}\]", "", name)
    # <T as reactive_graph::traits::With>::try_with: a generic type, so the trait's crate
    # and <f64 as core::str::FromStr>: a primitive type, so the trait's crate too
    text = re.sub(r"^<([A-Z][A-Za-z0-9]?|[a-z0-9]+|\[[^\]:]*\]|&?str) as ", "", text)
    # <str>::to_lowercase: an inherent method of a primitive (core and alloc)
    text = re.sub(r"^<(str|\[[^\]:]*\]|[a-z0-9]+)>::", "core::", text)
    text = text.lstrip("<&*( ")
    text = re.sub(r"^(mut |const |dyn )+", "", text)
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", text)
    if not match:
        return "unnamed: " + (re.sub(r"\[\d+\]$", "", name) or name)
    crate = match.group(1)
    return GROUPS.get(crate, crate)

def main():
    sizes = Counter()
    total = 0
    for row in csv.DictReader(sys.stdin):
        name = row["Name"]
        if name.startswith("custom section") or name in ('"name" section',) or "section" in name and name.startswith('"'):
            continue
        size = int(row["ShallowSize"])
        sizes[crate_of(name)] += size
        total += size
    print(f"{'group':40} {'KiB':>8} {'share':>7}")
    for group, size in sizes.most_common(25):
        print(f"{group:40} {size / 1024:8.1f} {100 * size / total:6.1f}%")
    print(f"{'total (code and data, no custom sections)':40} {total / 1024:8.1f}")

if __name__ == "__main__":
    main()
