"""Gathers the `PERF|what|figure|budget` lines on stdin into one aligned table (Markdown)."""

import sys


def main() -> None:
    rows = []
    for line in sys.stdin:
        if line.startswith("PERF|"):
            parts = line.rstrip("\n").split("|")[1:]
            rows.append((parts + ["", "", ""])[:3])
    header = ("measure", "figure", "budget")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(3)]
    def show(row):
        return "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |"
    print(show(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(show(row))


if __name__ == "__main__":
    main()
