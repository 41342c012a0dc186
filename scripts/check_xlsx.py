"""Reads a 测评结果汇总表 (.xlsx) with openpyxl — a reader independent of the writer — and compares
every cell with the signed result file it was made from, recomputing each figure here from the
published count tables (docs/verify_result.py does the tally; shares by largest remainder).

    python scripts/check_xlsx.py RESULT.json SUMMARY.xlsx [--en]

Also checks what makes it print-ready: A4 landscape, frozen and repeated header rows, a page
header with the meeting and a footer with page numbers, numbers typed as numbers."""

import base64
import importlib.util
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("verify_result", os.path.join(HERE, "..", "docs", "verify_result.py"))
verify_result = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_result)

LEVELS = {
    None: {"excellent": ("优秀", "excellent"), "competent": ("称职", "competent"),
           "basic": ("基本称职", "basically competent"), "unfit": ("不称职", "not competent")},
    "institution": {"excellent": ("优秀", "excellent"), "competent": ("合格", "qualified"),
                    "basic": ("基本合格", "basically qualified"), "unfit": ("不合格", "not qualified")},
    "satisfaction": {"excellent": ("满意", "satisfied"), "competent": ("满意", "satisfied"),
                     "basic": ("基本满意", "basically satisfied"), "unfit": ("不满意", "not satisfied")},
}


def rounded(q, places):
    """Half-up rounding of an exact fraction, as a float the way the cell holds it."""
    exact = Decimal(q.numerator) / Decimal(q.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def tenths(counts):
    """Largest-remainder shares in tenths of a percent (docs/rules.md §6b)."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    shares = [c * 1000 // total for c in counts]
    order = sorted(range(len(counts)), key=lambda i: (-(counts[i] * 1000 % total), -counts[i], i))
    for i in order[: 1000 - sum(shares)]:
        shares[i] += 1
    return shares


def main():
    result_path, xlsx_path = sys.argv[1], sys.argv[2]
    english = "--en" in sys.argv[3:]
    doc = json.load(open(result_path, encoding="utf-8"))
    payload = doc["payload"]
    meeting = payload["join"]["meeting"]
    counts = payload["proof"]["counts"]
    book = openpyxl.load_workbook(xlsx_path)
    problems = []
    checked = 0

    def same(sheet, row, col, want, what):
        nonlocal checked
        checked += 1
        got = sheet.cell(row=row, column=col).value
        if isinstance(want, float) or isinstance(got, float):
            ok = got is not None and want is not None and abs(float(got) - float(want)) < 1e-9
        else:
            ok = got == want
        if ok and want is not None and isinstance(want, (int, float)) and sheet.cell(row=row, column=col).data_type != "n":
            ok = False
        if not ok:
            problems.append("%s!%s%d (%s): %r, expected %r" % (sheet.title, openpyxl.utils.get_column_letter(col), row, what, got, want))

    names = ["Summary", "Aspects", "Groups", "Turnout", "Notes"] if english else ["汇总", "分项", "分类别", "清点", "说明"]
    if book.sheetnames != names:
        sys.exit("sheets %r, expected %r" % (book.sheetnames, names))
    for sheet in book.worksheets:
        setup = sheet.page_setup
        if setup.orientation != "landscape" or str(setup.paperSize) != "9":
            problems.append("%s: not A4 landscape (%s, %s)" % (sheet.title, setup.orientation, setup.paperSize))
        if sheet.freeze_panes != "A4":
            problems.append("%s: frozen at %r, expected below the header rows (A4)" % (sheet.title, sheet.freeze_panes))
        if sheet.print_title_rows not in ("1:3", "$1:$3"):
            problems.append("%s: repeated rows %r, expected 1:3" % (sheet.title, sheet.print_title_rows))
        if meeting["title"].replace("&", "&&") not in (sheet.oddHeader.left.text or ""):
            problems.append("%s: the page header does not name the meeting" % sheet.title)
        if "&P" not in (sheet.oddFooter.center.text or "") or "&N" not in (sheet.oddFooter.center.text or ""):
            problems.append("%s: the footer has no page numbers" % sheet.title)

    grades = [g["name"] for g in meeting["grades"]]
    lang = 1 if english else 0
    level_words = LEVELS[meeting["rules"].get("level_names")]
    overrides = {o["presenter"]: o for o in payload.get("level_overrides", [])}
    figures = {p["id"]: verify_result.presenter_figures(meeting, pc)
               for p, pc in zip(meeting["presenters"], counts["presenters"])}

    # 汇总: the ranking as the result file publishes it, recomputed by the stock verifier.
    ranking = verify_result.tally(meeting, counts)
    if ranking != payload["tally"]["ranking"]:
        problems.append("the result file's ranking is not the recomputed one")
    sheet = book[names[0]]
    for i, r in enumerate(ranking):
        row = 4 + i
        same(sheet, row, 1, r["rank"], "rank")
        same(sheet, row, 2, r["name"], "name")
        same(sheet, row, 3, r["unit"], "unit")
        same(sheet, row, 4, r["township"], "township")
        same(sheet, row, 5, rounded(Fraction(r["score"]), 2) if r["score"] else None, "score")
        same(sheet, row, 6, rounded(Fraction(r["satisfaction"]), 4) if r["satisfaction"] else None, "satisfaction")
        computed = level_words[r["level"]][lang] if r["level"] else None
        o = overrides.get(r["presenter"])
        standing = level_words[o["level"]][lang] if o else computed
        if standing is None and not r["overall_counts"]:
            standing = "too few raters" if english else "评议人数不足"
        same(sheet, row, 7, standing, "level")
        same(sheet, row, 8, computed if o else None, "computed level")
        trimmed = figures[r["presenter"]][0] and r["score"] is not None
        same(sheet, row, 9, ("yes" if english else "是") if trimmed else None, "trimmed")
        shares = tenths(r["overall_counts"])
        for k in range(len(grades)):
            same(sheet, row, 10 + 2 * k, r["overall_counts"][k] if r["overall_counts"] else None, "%s votes" % grades[k])
            same(sheet, row, 11 + 2 * k, shares[k] / 1000 if r["overall_counts"] else None, "%s share" % grades[k])
        if r["overall_counts"] and sum(shares) != 1000:
            problems.append("shares of %s do not add up to 100.0%%" % r["name"])
    same(sheet, 4 + len(ranking), 2, None, "nothing below the last presenter")

    order = [meeting["presenters"][[p["id"] for p in meeting["presenters"]].index(r["presenter"])] for r in ranking]
    by_id = {p["id"]: pc for p, pc in zip(meeting["presenters"], counts["presenters"])}
    group_name = {g["id"]: g["name"] for g in meeting["groups"]}
    overall = [a["id"] for a in meeting["aspects"]].index(meeting["overall_aspect"])

    # 分项: presenter × aspect.
    sheet = book[names[1]]
    row = 4
    for p in order:
        pc = by_id[p["id"]]
        _, aspect_scores, _ = figures[p["id"]]
        for a, aspect in enumerate(meeting["aspects"]):
            same(sheet, row, 1, p["name"], "name")
            same(sheet, row, 2, aspect["name"], "aspect")
            same(sheet, row, 3, rounded(aspect_scores[a], 2) if aspect_scores[a] is not None else None, "aspect score")
            for k in range(len(grades)):
                n = sum(c["counts"][a][k] for c in pc["cells"])
                same(sheet, row, 4 + k, n if pc["cells"] else None, "%s votes" % grades[k])
            row += 1

    # 分类别: one row per published cell.
    sheet = book[names[2]]
    row = 4
    for p in order:
        pc = by_id[p["id"]]
        _, _, cell_scores = figures[p["id"]]
        for c, cell in enumerate(pc["cells"]):
            same(sheet, row, 1, p["name"], "name")
            same(sheet, row, 2, (", " if english else "、").join(group_name[g] for g in cell["groups"]), "groups")
            same(sheet, row, 3, sum(cell["counts"][overall]), "graders")
            same(sheet, row, 4, rounded(cell_scores[c], 2) if cell_scores[c] is not None else None, "group score")
            for k in range(len(grades)):
                same(sheet, row, 5 + k, cell["counts"][overall][k], "%s votes" % grades[k])
            row += 1
    same(sheet, row, 1, None, "nothing below the last cell")

    # 清点: the reconciliation recomputed from the proof, and the blank ballots per group.
    present = [g.get("present") for g in payload["reconciliation"]["groups"]]
    rec = verify_result.reconciliation(meeting, payload["proof"], present if all(x is not None for x in present) else None)
    sheet = book[names[3]]
    blank = [g["blank"] for g in counts["groups"]]
    totals = [0] * 7
    for i, (g, group) in enumerate(zip(rec["groups"], meeting["groups"])):
        row = 4 + i
        values = [g["expected"], g.get("present"), g.get("codes_issued"), g["handed_in"], g["excluded"], g["counted"], blank[i]]
        same(sheet, row, 1, group["name"], "group")
        for c, v in enumerate(values):
            same(sheet, row, 2 + c, v, "turnout")
            totals[c] = None if v is None or totals[c] is None else totals[c] + v
    row = 4 + len(rec["groups"])
    same(sheet, row, 1, "Total" if english else "合计", "total")
    for c, v in enumerate(totals):
        same(sheet, row, 2 + c, v, "total")
    verdict = {(True, False): "本轮测评有效", (False, False): "本轮测评无效",
               (True, True): "The round is valid", (False, True): "The round is not valid"}[(rec["valid"], english)]
    same(sheet, row + 2, 1, verdict, "verdict")

    # 说明: the rules and facts a reader checks against the file.
    sheet = book[names[4]]
    notes = " ".join(str(c.value) for col in sheet.iter_cols(min_row=4, max_col=2) for c in col if c.value)
    want = [verify_result.fingerprint(payload["join"]["host"])] + [g["name"] for g in meeting["grades"]]
    want += [str(g["points"]) for g in meeting["grades"]] + [g["name"] for g in meeting["groups"]]
    if payload["proof"].get("code_list"):
        # The digest as people compare it: 16 symbols of SHA-256 of its bytes, as a fingerprint.
        digest = bytes.fromhex(payload["proof"]["code_list"]["digest"])
        want.append(verify_result.fingerprint(base64.b64encode(digest).decode()))
    for text in want:
        if text not in notes:
            problems.append("%s does not say %r" % (names[4], text))

    if problems:
        sys.exit("\n".join(problems))
    print("xlsx: %d cells of %s match %s; %d sheets print-ready (A4 landscape, frozen and repeated headers, page numbers)"
          % (checked, os.path.basename(xlsx_path), os.path.basename(result_path), len(book.worksheets)))


if __name__ == "__main__":
    main()
