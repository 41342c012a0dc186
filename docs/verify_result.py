#!/usr/bin/env python3
"""Verify a Pingyi result file with stock tools only, written from docs/result-format.md and
docs/record-format.md alone.

Version 2 (counts, never ballots): the host signature by the join's host key, the round proof
(every hello and batch signature, the batch chains, the code list, every published count
against the tablets' commitments; via verify_record.py beside this file), the tally and the
reconciliation recomputed from the counts with exact fractions, the validity of the round, the
audit log and the level overrides. Prints "OK …" and exits 0, or each problem id and exits 1.

Version 1 (earlier builds, which publish every ballot): the host signature and every ballot
signature.

Needs: pip install rfc8785 cryptography rbcl   Usage: python3 verify_result.py result.json
"""
import base64, json, os, sys
from fractions import Fraction

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_record  # noqa: E402  (the round proof, docs/record-format.md)

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def check(public_key_b64, signature_b64, obj):
    raw = base64.b64decode(public_key_b64)
    if raw in verify_record.SMALL_ORDER_KEYS:
        raise InvalidSignature("small-order key")
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature_b64), rfc8785.dumps(obj))


def fingerprint(key_b64):
    """First 16 symbols of SHA-256 of the key in the code alphabet, 4 groups of 4."""
    digest = verify_record.sha256(base64.b64decode(key_b64))
    bits = int.from_bytes(digest, "big")
    total = len(digest) * 8
    symbols = "".join(ALPHABET[(bits >> (total - 5 * (i + 1))) & 31] for i in range(16))
    return "-".join(symbols[i:i + 4] for i in range(0, 16, 4))


def decimal(q, places):
    """Half up on the absolute value, as docs/rules.md states."""
    scale = 10 ** places
    scaled = abs(q) * scale
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    int_part, frac = divmod(whole, scale)
    sign = "-" if q < 0 and whole != 0 else ""
    return "%s%d" % (sign, int_part) if places == 0 else "%s%d.%0*d" % (sign, int_part, places, frac)


def ratio_text(q):
    return "%d/%d" % (q.numerator, q.denominator)


def cell_mean(counts, points, trimmed):
    """A cell's mean on one aspect (docs/rules.md §4a, §4b); None without grades."""
    valid = sum(counts)
    if not valid:
        return None
    total = sum(n * pt for n, pt in zip(counts, points))
    if trimmed and valid >= 3:
        given = [pt for n, pt in zip(counts, points) if n > 0]
        total -= max(given) + min(given)
        valid -= 2
    return Fraction(total, valid)


def presenter_figures(meeting, pc):
    """Whether a presenter's means are trimmed, their aspect scores, and each cell's score."""
    weight = {g["id"]: g["weight"] for g in meeting["groups"]}
    points = [g["points"] for g in meeting["grades"]]
    aspects = meeting["aspects"]
    overall = [a["id"] for a in aspects].index(meeting["overall_aspect"])
    cells = pc["cells"]
    trim_above = meeting["rules"].get("trim_above")
    # Trimmed when more than trim_above raters graded the presenter.
    graders = sum(sum(c["counts"][overall]) for c in cells)
    trimmed = trim_above is not None and graders > trim_above
    def weighted(pairs):
        pairs = [(w, m) for w, m in pairs if m is not None]
        wsum = sum(w for w, _ in pairs)
        return sum(w * m for w, m in pairs) / wsum if wsum else None
    aspect_scores = [
        weighted((sum(weight[g] for g in c["groups"]), cell_mean(c["counts"][a], points, trimmed)) for c in cells)
        for a in range(len(aspects))
    ]
    aspect_weight = [a["weight"] if a["weight"] is not None else 1 for a in aspects]
    cell_scores = [
        weighted((aspect_weight[a], cell_mean(c["counts"][a], points, trimmed)) for a in range(len(aspects)))
        for c in cells
    ]
    return trimmed, aspect_scores, cell_scores


def tally(meeting, counts):
    """Ranking rows from the count tables (docs/rules.md §4a: one weighted unit per cell)."""
    points = [g["points"] for g in meeting["grades"]]
    satisfied = [g["satisfied"] for g in meeting["grades"]]
    aspects = meeting["aspects"]
    overall = [a["id"] for a in aspects].index(meeting["overall_aspect"])
    rows = []
    for p, (presenter, pc) in enumerate(zip(meeting["presenters"], counts["presenters"])):
        cells = pc["cells"]
        _, aspect_scores, _ = presenter_figures(meeting, pc)
        num, den = Fraction(0), 0
        for aspect, s in zip(aspects, aspect_scores):
            if s is not None:
                v = aspect["weight"] if aspect["weight"] is not None else 1
                num += v * s
                den += v
        score = num / den if den else None
        overall_counts = [sum(c["counts"][overall][k] for c in cells) for k in range(len(points))] if cells else []
        valid = sum(overall_counts)
        good = sum(n for n, s in zip(overall_counts, satisfied) if s)
        satisfaction = Fraction(good, valid) if valid else None
        worst = Fraction(overall_counts[-1], valid) if valid else None
        rows.append({"p": p, "presenter": presenter, "score": score, "satisfaction": satisfaction,
                     "worst": worst, "overall_counts": overall_counts,
                     "recused": sum(s["recused"] for s in pc["status"]),
                     "abstained": sum(s["abstained"] for s in pc["status"])})
    # Rank: 1 + presenters strictly higher; levels by the meeting's rules.
    rules = meeting["rules"]
    scored = [r["score"] for r in rows if r["score"] is not None]
    rated = len(scored)
    percent = rules["excellent_top_percent"]
    seats = (rated * percent + (50 if rules.get("excellent_rounding") == "nearest" else 0)) // 100
    seats = max(seats, 1)
    share = Fraction(rules["unfit_worst_share"])
    for r in rows:
        s = r["score"]
        if s is None:
            r["rank"], r["level"] = None, None
            continue
        higher = sum(1 for x in scored if x > s)
        at_least = sum(1 for x in scored if x >= s)
        r["rank"] = higher + 1
        if (r["worst"] is not None and r["worst"] > share) or s < rules["unfit_below"]:
            r["level"] = "unfit"
        elif s < rules["basic_below"]:
            r["level"] = "basic"
        else:
            in_quota = at_least <= seats if rules["boundary_ties"] == "exclude" else higher < seats
            r["level"] = "excellent" if in_quota and s >= rules["excellent_min"] else "competent"
    rows.sort(key=lambda r: (r["rank"] if r["rank"] is not None else 1 << 32, r["p"]))
    out = []
    for r in rows:
        pr = r["presenter"]
        out.append({
            "rank": r["rank"], "presenter": pr["id"], "name": pr["name"], "unit": pr["unit"],
            "township": pr["township"],
            "score": ratio_text(r["score"]) if r["score"] is not None else None,
            "score_display": decimal(r["score"], 2) if r["score"] is not None else None,
            "satisfaction": ratio_text(r["satisfaction"]) if r["satisfaction"] is not None else None,
            "satisfaction_display": decimal(r["satisfaction"] * 100, 2) + "%" if r["satisfaction"] is not None else None,
            "level": r["level"], "overall_counts": r["overall_counts"],
            "recused": r["recused"], "abstained": r["abstained"],
        })
    return out


def exclusion_group(proof, e):
    for b in proof["batches"]:
        if b["tablet"] == e["tablet"] and b["number"] == e["batch"]:
            for x in b["ballots"]:
                if x["commitment"] == e["commitment"]:
                    return x["group"]
    return None


def reconciliation(meeting, proof, present):
    """docs/result-format.md "Validity problems"; `present` is 实到 per group or None."""
    problems, rows = [], []
    code_mode = meeting["credential"] == "code"
    for g, group in enumerate(meeting["groups"]):
        gid = group["id"]
        handed = sum(x["returned"] for b in proof["batches"] for x in b["groups"] if x["group"] == gid)
        excluded = sum(1 for e in proof["counts"]["exclusions"] if exclusion_group(proof, e) == gid)
        issued = None
        if code_mode:
            issued = next((len(x["codes"]) for x in (proof.get("code_list") or {}).get("groups", [])
                           if x["group"] == gid), 0)
        here = present[g] if present is not None and g < len(present) else None
        if issued is not None and handed > issued:
            problems.append({"id": "returned_over_issued", "group": gid, "value": handed, "limit": issued})
        if handed > group["expected"]:
            problems.append({"id": "returned_over_expected", "group": gid, "value": handed, "limit": group["expected"]})
        if here is not None and handed > here:
            problems.append({"id": "returned_over_present", "group": gid, "value": handed, "limit": here})
        row = {"group": gid, "expected": group["expected"]}
        if here is not None:
            row["present"] = here
        if issued is not None:
            row["codes_issued"] = issued
        row.update({"handed_in": handed, "excluded": excluded, "counted": handed - excluded})
        rows.append(row)
    if present is not None and len(present) == len(rows):
        expected = sum(g["expected"] for g in meeting["groups"])
        quorum = meeting["rules"].get("quorum", "1/2")  # 实到 must exceed n/d of 应到
        if quorum != "off":
            n, d = (int(x) for x in quorum.split("/"))
            if sum(present) * d <= n * expected:
                problems.insert(0, {"id": "no_quorum", "value": sum(present), "limit": n * expected // d + 1})
    return {"groups": rows, "problems": problems, "valid": not problems}


def verify_v2(doc):
    problems = []
    payload, signature = doc["payload"], doc["signature"]
    join, proof = payload["join"], payload["proof"]
    host = join["host"]
    if signature["alg"] != "Ed25519":
        raise verify_record.Bad("signature algorithm")
    if signature["public_key"] != host:
        problems.append("signature_key")
    try:
        check(host, signature["value"], payload)
    except (InvalidSignature, ValueError):
        problems.append("signature")
    round_problems = verify_record.verify({"join": join, "proof": proof})
    # Returned against codes and 应到 is judged by the reconciliation, on every ballot handed in.
    problems += [p for p in round_problems if p not in ("returned_over_issued", "returned_over_expected")]
    meeting = join["meeting"]

    ranking = tally(meeting, proof["counts"])
    if ranking != payload["tally"]["ranking"]:
        problems.append("tally")
    groups = []
    for g, totals in zip(meeting["groups"], proof["counts"]["groups"]):
        paper_handed = sum(x["returned"] for b in proof["batches"] if b["tablet"] == host
                           for x in b["groups"] if x["group"] == g["id"])
        paper_out = sum(1 for e in proof["counts"]["exclusions"]
                        if e["tablet"] == host and exclusion_group(proof, e) == g["id"])
        groups.append({"group": g["id"], "counted": totals["returned"], "valid": totals["returned"] - totals["blank"],
                       "blank": totals["blank"], "paper": paper_handed - paper_out})
    if groups != payload["tally"]["groups"]:
        problems.append("tally_groups")

    written = [g.get("present") for g in payload["reconciliation"]["groups"]]
    present = written if written and all(p is not None for p in written) else None
    rec = reconciliation(meeting, proof, present)
    if present is None and any(p is not None for p in written):
        for row, p in zip(rec["groups"], written):
            if p is not None:
                row["present"] = p
    if rec != payload["reconciliation"]:
        problems.append("reconciliation")
    problems += [p["id"] for p in rec["problems"]]

    audit = payload["audit"]
    if any(e["seq"] != i + 1 for i, e in enumerate(audit)):
        problems.append("audit_order")
    events = [e["event"] for e in audit]
    closed_at = events.index("voting_closed") if "voting_closed" in events else None
    if closed_at is None:
        problems.append("not_closed")
    seen = set()
    for h in proof["batches"]:
        fp = fingerprint(h["tablet"])
        event = "paper_batch" if h["tablet"] == host else "batch_received"
        returned = sum(x["returned"] for x in h["groups"])
        at = next((i for i, e in enumerate(audit) if e["event"] == event and e.get("tablet") == fp
                   and e.get("batch") == h["number"] and e.get("ballots") == returned), None)
        if at is None:
            problems.append("audit_batch_missing")
        elif closed_at is not None and at > closed_at:
            problems.append("audit_batch_after_close")
        seen.add((fp, h["number"]))
    for e in audit:
        if e["event"] in ("batch_received", "paper_batch") and (e.get("tablet"), e.get("batch")) not in seen:
            problems.append("audit_batch_unknown")
    entries = [(e.get("tablet"), e.get("batch"), e.get("reason")) for e in audit if e["event"] == "ballot_excluded"]
    for x in proof["counts"]["exclusions"]:
        key = (fingerprint(x["tablet"]), x["batch"], x["reason"])
        if key in entries:
            entries.remove(key)
        else:
            problems.append("audit_exclusion_missing")

    overridden = [(i, e) for i, e in enumerate(audit) if e["event"] == "level_overridden"]
    by_id = {r["presenter"]: r for r in ranking}
    for n, o in enumerate(payload.get("level_overrides", [])):
        row = by_id.get(o["presenter"])
        if row is None:
            problems.append("override_presenter")
        elif o["level"] not in ("excellent", "competent", "basic", "unfit"):
            problems.append("override_level")
        elif not o["reason"].strip():
            problems.append("override_reason")
        elif row["level"] != o["computed"]:
            problems.append("override_computed")
        elif not (n < len(overridden) and overridden[n][1].get("presenter") == o["presenter"]
                  and closed_at is not None and overridden[n][0] > closed_at):
            problems.append("override_not_audited")
    return problems, ranking


def verify_v1(doc):
    assert doc["signature"]["alg"] == "Ed25519"
    check(doc["signature"]["public_key"], doc["signature"]["value"], doc["payload"])
    for b in doc["payload"]["accepted"]:  # each ballot: signed over all its fields but "signature"
        check(b["device"], b["signature"], {k: v for k, v in b.items() if k != "signature"})
    return len(doc["payload"]["accepted"])


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    if doc.get("format") != "pingyi-result":
        sys.exit("unreadable: not a Pingyi result file")
    if doc.get("version") == 1:
        try:
            n = verify_v1(doc)
        except InvalidSignature:
            sys.exit("INVALID signature")
        print("host signature and %d ballot signatures OK" % n)
        return
    if doc.get("version") != 2:
        sys.exit("unreadable: result file version %r" % doc.get("version"))
    try:
        problems, ranking = verify_v2(doc)
    except (verify_record.Bad, KeyError, ValueError, TypeError, InvalidSignature) as error:
        print("unreadable: %s" % error)
        sys.exit(2)
    if problems:
        print("\n".join(sorted(set(problems))))
        sys.exit(1)
    proof = doc["payload"]["proof"]
    print("OK: version 2; %d batches; every count is what the tablets committed; tally, reconciliation "
          "and audit recomputed; ranking: %s" % (len(proof["batches"]), ", ".join(r["name"] for r in ranking)))


if __name__ == "__main__":
    main()
