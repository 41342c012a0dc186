#!/usr/bin/env python3
"""Verify a Pingyi record-format-2 round with stock tools only, written from
docs/record-format.md alone: Ed25519 (cryptography), RFC 8785 (rfc8785), ristretto255
(rbcl, which bundles libsodium).

Needs: pip install rfc8785 cryptography rbcl
Usage: python3 verify_record.py FILE   (FILE holds "join" and "proof", as
docs/examples/record-round.json does)
Prints "OK …" and exits 0, or prints each problem id and exits 1.
"""
import base64, hashlib, json, struct, sys

import rbcl
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ORDER = 2**252 + 27742317777372353535851937790883648493
ZERO = bytes(32)
# Ed25519 points of small order (the 8-torsion, and the sign-bit twins of the two with x = 0),
# refused as keys: Rust's verify_strict refuses them too, so both give one verdict.
SMALL_ORDER_KEYS = {bytes.fromhex(h) for h in [
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]}


class Bad(Exception):
    pass


def lp(b):
    return struct.pack(">I", len(b)) + b


def tagged(tag, *fields):
    return tag.encode() + b"\0" + b"".join(lp(f) for f in fields)


def sha256(b):
    return hashlib.sha256(b).digest()


def b64_32(text):
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32 or base64.b64encode(raw).decode() != text:
        raise Bad("encoding")
    return raw


def point(text):
    raw = b64_32(text)
    if raw == ZERO or not rbcl.crypto_core_ristretto255_is_valid_point(raw):
        raise Bad("point")
    return raw


def scalar(text):
    raw = b64_32(text)
    if int.from_bytes(raw, "little") >= ORDER:
        raise Bad("scalar")
    return raw


def add(a, b):
    if a == ZERO:
        return b
    if b == ZERO:
        return a
    return rbcl.crypto_core_ristretto255_add(a, b)


def sub(a, b):
    return a if b == ZERO else rbcl.crypto_core_ristretto255_sub(a, b)


def mul(n, p):
    return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero((n % ORDER).to_bytes(32, "little"), p)


def base_mul(s):
    return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(s)


def ed25519_check(key_b64, signature_b64, obj):
    key = base64.b64decode(key_b64)
    if len(key) != 32 or key in SMALL_ORDER_KEYS:
        raise Bad("key")
    body = {k: v for k, v in obj.items() if k != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(base64.b64decode(signature_b64), rfc8785.dumps(body))
    except (InvalidSignature, ValueError):
        raise Bad("signature")


def generator(md, label):
    return rbcl.crypto_core_ristretto255_from_hash(
        hashlib.sha512(tagged("pingyi/v2/generator", md, label.encode())).digest())


def partition(graded, k):
    own = [g for g, c in enumerate(graded) if c >= k]
    pool = [g for g, c in enumerate(graded) if 0 < c < k]
    total = lambda: sum(graded[g] for g in pool)
    while pool and total() < k and own:
        smallest = min(own, key=lambda g: (graded[g], -g))
        own.remove(smallest)
        pool.append(smallest)
    if pool and total() < k:
        return [], True
    cells = [[g] for g in own] + ([sorted(pool)] if pool else [])
    return sorted(cells), False


def verify(doc):
    problems = []
    join = doc["join"]
    ed25519_check(join["host"], join["signature"], join)
    meeting = join["meeting"]
    md = sha256(tagged("pingyi/v2/meeting", rfc8785.dumps(meeting)))
    if md.hex() != join["meeting_digest"]:
        raise Bad("meeting_digest")
    session = join["session"]
    groups = [g["id"] for g in meeting["groups"]]
    expected = [g["expected"] for g in meeting["groups"]]
    n, aspects, grades = len(meeting["presenters"]), len(meeting["aspects"]), len(meeting["grades"])
    k = meeting["min_breakdown_size"]
    proof = doc["proof"]

    registered = []
    for hello in proof["hellos"]:
        ed25519_check(hello["tablet"], hello["signature"], hello)
        if (hello["format"], hello["version"], hello["meeting"], hello["session"]) != \
                ("pingyi-hello", 1, md.hex(), session) or hello["tablet"] in registered:
            problems.append("hello_invalid")
        registered.append(hello["tablet"])

    # Batches: signature, round, chain; sums per group of (grades, status) per presenter, blank.
    zero_cells = lambda: [[ZERO, ZERO] for _ in range(n)]
    sums = {g: {"returned": 0, "cells": zero_cells(), "blank": ZERO} for g in groups}
    chains, listed = {}, {}
    for h in proof["batches"]:
        if h["tablet"] not in registered:
            problems.append("tablet_unregistered")
            continue
        ed25519_check(h["tablet"], h["signature"], h)
        if (h["format"], h["version"], h["meeting"], h["session"]) != ("pingyi-batch", 1, md.hex(), session) \
                or not 1 <= h["number"] <= 65535:
            problems.append("batch_invalid")
            continue
        chain = chains.setdefault(h["tablet"], {})
        if h["number"] in chain:
            problems.append("batch_twice")
            continue
        chain[h["number"]] = h
        order = [groups.index(g["group"]) for g in h["groups"]]
        if order != sorted(set(order)):
            problems.append("batch_invalid")
        for grp in h["groups"]:
            entries = [b for b in h["ballots"] if b["group"] == grp["group"]]
            if grp["returned"] != len(entries) or grp["returned"] < 1 or len(grp["cells"]) != n:
                problems.append("batch_invalid")
            s = sums[grp["group"]]
            s["returned"] += grp["returned"]
            s["blank"] = add(s["blank"], point(grp["blank"]))
            for p, cell in enumerate(grp["cells"]):
                s["cells"][p][0] = add(s["cells"][p][0], point(cell["grades"]))
                s["cells"][p][1] = add(s["cells"][p][1], point(cell["status"]))
        if sum(g["returned"] for g in h["groups"]) != len(h["ballots"]):
            problems.append("batch_invalid")  # a listed ballot outside every group block
        keys = [(groups.index(b["group"]), b.get("code", ""), b["commitment"]) for b in h["ballots"]]
        if keys != sorted(set(keys)):
            problems.append("batch_invalid")
        for b in h["ballots"]:
            listed[(h["tablet"], h["number"], b["commitment"])] = b
    for tablet in registered:
        chain = chains.get(tablet, {})
        previous = "0" * 64
        for number in range(1, max(chain, default=0) + 1):
            h = chain.get(number)
            if h is None:
                problems.append("batch_missing")
                break
            if h["previous"] != previous:
                problems.append("batch_link")
            previous = sha256(tagged("pingyi/v2/batch", rfc8785.dumps(h))).hex()
            if h["closing"] and number != max(chain):
                problems.append("batch_after_closing")
        if not chain or not chain[max(chain)]["closing"]:
            problems.append("tablet_not_closed")
    if problems:
        return problems

    counts = proof["counts"]
    excluded = set()
    for ex in counts["exclusions"]:
        if any((t, b, c) == (ex["tablet"], ex["batch"], ex["commitment"]) for (t, b, c, _) in excluded):
            problems.append("exclusion_twice")  # subtracting a ballot twice would bend the counts
            continue
        entry = listed.get((ex["tablet"], ex["batch"], ex["commitment"]))
        pts = [point(p) for p in ex["points"]]
        digest = sha256(tagged("pingyi/v2/ballot-commitment", b"".join(pts))).hex()
        if entry is None or len(pts) != 2 * n + 1 or digest != ex["commitment"]:
            problems.append("exclusion_unknown")
            continue
        excluded.add((ex["tablet"], ex["batch"], ex["commitment"], ex["reason"]))
        s = sums[entry["group"]]
        s["returned"] -= 1
        for p in range(n):
            s["cells"][p][0] = sub(s["cells"][p][0], pts[2 * p])
            s["cells"][p][1] = sub(s["cells"][p][1], pts[2 * p + 1])
        s["blank"] = sub(s["blank"], pts[2 * n])

    # Codes: the list matches its digest; counted codes are issued and used once; exclusions hold.
    code_list = proof.get("code_list")
    if (code_list is None) != (meeting["credential"] == "open"):
        problems.append("code_list_mode")
    elif code_list is not None:
        body = b"".join(lp(gl["group"].encode()) + lp(struct.pack(">I", len(gl["codes"])))
                        + lp(b"".join(bytes.fromhex(c) for c in sorted(gl["codes"])))
                        for gl in code_list["groups"])
        if [gl["group"] for gl in code_list["groups"]] != groups \
                or sha256(b"pingyi/v2/code-list\0" + body).hex() != code_list["digest"] \
                or any(gl["codes"] != sorted(set(gl["codes"])) for gl in code_list["groups"]):
            problems.append("code_list")
        issued = {gl["group"]: set(gl["codes"]) for gl in code_list["groups"]}
        counted = {}
        out = {(t, b, c): r for (t, b, c, r) in excluded}
        for (t, b, c), entry in listed.items():
            if (t, b, c) in out:
                continue
            if entry["code"] in counted:
                problems.append("code_twice")
            counted[entry["code"]] = entry["group"]
            if entry["code"] not in issued[entry["group"]]:
                problems.append("code_not_issued")
        for (t, b, c), reason in out.items():
            entry = listed[(t, b, c)]
            holds = {"duplicate_code": entry["code"] in counted,
                     "unknown_code": entry["code"] not in issued[entry["group"]]}.get(reason, False)
            if not holds:
                problems.append("exclusion_reason")
        for g, gid in enumerate(groups):
            if counts["groups"][g]["returned"] > len(issued[gid]):
                problems.append("returned_over_issued")

    gen = {"graded": generator(md, "status/graded"), "recused": generator(md, "status/recused"),
           "abstained": generator(md, "status/abstained"), "blank": generator(md, "ballot/blank")}
    grade_gen = [[generator(md, f"grade/{a}/{kk}") for kk in range(grades)] for a in range(aspects)]
    for g, totals in enumerate(counts["groups"]):
        s = sums[groups[g]]
        if totals["group"] != groups[g] or totals["returned"] != s["returned"]:
            problems.append("returned_mismatch")
        if totals["returned"] > expected[g]:
            problems.append("returned_over_expected")
        if sub(s["blank"], base_mul(scalar(totals["blank_blinding"]))) != mul(totals["blank"], gen["blank"]):
            problems.append("blank_mismatch")
    for p, pres in enumerate(counts["presenters"]):
        graded = []
        for g, st in enumerate(pres["status"]):
            lhs = sub(sums[groups[g]]["cells"][p][1], base_mul(scalar(st["blinding"])))
            rhs = add(add(mul(st["graded"], gen["graded"]), mul(st["recused"], gen["recused"])),
                      mul(st["abstained"], gen["abstained"]))
            if lhs != rhs:
                problems.append("status_mismatch")
            if st["graded"] + st["recused"] + st["abstained"] != counts["groups"][g]["returned"]:
                problems.append("status_sum")
            graded.append(st["graded"])
        cells, withheld = partition(graded, k)
        if [[groups.index(x) for x in c["groups"]] for c in pres["cells"]] != cells or pres["withheld"] != withheld:
            problems.append("pooling_rule")
            continue
        for c, members in zip(pres["cells"], cells):
            committed = ZERO
            for g in members:
                committed = add(committed, sums[groups[g]]["cells"][p][0])
            rhs = ZERO
            for a in range(aspects):
                if sum(c["counts"][a]) != sum(graded[g] for g in members):
                    problems.append("cell_sum")
                for kk in range(grades):
                    rhs = add(rhs, mul(c["counts"][a][kk], grade_gen[a][kk]))
            if sub(committed, base_mul(scalar(c["blinding"]))) != rhs:
                problems.append("cell_mismatch")
    return problems


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    try:
        problems = verify(doc)
    except (Bad, KeyError, ValueError, TypeError) as error:
        problems = ["unreadable: %s" % error]
    if problems:
        print("\n".join(sorted(set(problems))))
        sys.exit(1)
    proof = doc["proof"]
    print("OK: %d tablets, %d batches, %d presenters; every count is what the tablets committed"
          % (len(proof["hellos"]), len(proof["batches"]), len(proof["counts"]["presenters"])))


if __name__ == "__main__":
    main()
