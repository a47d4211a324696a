#!/usr/bin/env python3
"""audit_report.py EXPORT.csv REPORT.json REPORT.md - the report audited.

An independent recomputation of the numbers `halfclose report` prints,
from the rows `halfclose export` writes, with nothing of the report's
code: its own Wilson and Clopper-Pearson intervals (the incomplete beta
function by its continued fraction), its own exact McNemar test, Newcombe's
interval for a paired difference (method 10, Newcombe 1998), Holm's
correction, the order statistics of the bytes lost, and the bins from the
edges the JSON states. Every number of the JSON is compared to within
1e-6 (relative), every number of the Markdown to within the rounding of
its printed digits. Any difference is listed and the exit status is 1;
"N passed, 0 failed" closes the output either way.

What it does not recompute: the logistic regression (a fit, not a count)
and the analytic check (its own predictor); the report's other sections
are covered.
"""
import csv
import json
import math
import re
import sys

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal
failures = []
passed = 0


def fail(what):
    failures.append(what)


def close(a, b, rel=1e-6, absolute=1e-12):
    if a is None or b is None:
        return a == b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(absolute, rel * max(abs(a), abs(b)))


def check(what, got, want, rel=1e-6):
    global passed
    if close(got, want, rel):
        passed += 1
    else:
        fail(f"{what}: report {got}, recomputed {want}")


def tcheck(what, got, want):
    """A cell of text, as the report must print it."""
    global passed
    if got == want:
        passed += 1
    else:
        fail(f"{what}: report '{got}', recomputed '{want}'")


# ---- statistics, from their definitions ----

def wilson(k, n):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def betacf(a, b, x):
    """The continued fraction of the incomplete beta function (modified
    Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b


def beta_ppf(q, a, b):
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(k, n):
    if n == 0:
        return (0.0, 1.0)
    lo = 0.0 if k == 0 else beta_ppf(0.025, k, n - k + 1)
    hi = 1.0 if k == n else beta_ppf(0.975, k + 1, n - k)
    return (lo, hi)


def binom_tail(m, j):
    """P(X <= j) for X ~ Binomial(m, 1/2), by logs."""
    logs = [math.lgamma(m + 1) - math.lgamma(i + 1) - math.lgamma(m - i + 1)
            - m * math.log(2) for i in range(j + 1)]
    top = max(logs)
    return math.exp(top) * sum(math.exp(v - top) for v in logs)


def mcnemar(b, c):
    m, j = b + c, min(b, c)
    if m == 0:
        return 1.0, 1.0
    tail = binom_tail(m, j)
    point = math.exp(math.lgamma(m + 1) - math.lgamma(j + 1)
                     - math.lgamma(m - j + 1) - m * math.log(2))
    if b == c:
        return 1.0, 1.0 - point / 2
    return min(1.0, 2 * tail), min(1.0, 2 * (tail - point / 2))


def newcombe(a, b, c, d):
    """Newcombe's hybrid score interval for p1 - p2 of paired
    proportions, method 10 (with his continuity-free phi)."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n)
    l2, u2 = wilson(a + c, n)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    if den == 0:
        phi = 0.0
    else:
        num = a * d - b * c
        if num > 0:
            num = max(num - n / 2, 0)
        phi = num / math.sqrt(den)
    delta = p1 - p2
    dl = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)
                       + (u2 - p2) ** 2))
    du = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2)
                       + (p2 - l2) ** 2))
    return delta, (delta - dl, delta + du)


def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj, run = [0.0] * m, 0.0
    for r, i in enumerate(order):
        run = max(run, min(1.0, (m - r) * ps[i]))
        adj[i] = run
    return adj


def zero_bound(n):
    return -math.expm1(math.log(0.05) / n) if n else 1.0


# ---- the rows ----

FLAGS = ["app_reset", "lost_data", "redundant_ack", "server_rst",
         "conn_reset", "reset_after_close", "completed"]


def flags_of(row):
    f = {k: int(row[k]) for k in ["app_reset", "redundant_ack", "server_rst",
                                  "conn_reset", "reset_after_close",
                                  "completed"]}
    f["lost_data"] = 1 if int(row["bytes_lost"]) > 0 else 0
    f["request_failed"] = 1 if int(row["requests_failed"]) > 0 else 0
    return f


def load(path):
    by = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            by.setdefault(row["profile"], {})[int(row["conversation"])] = row
    return by


# ---- the JSON ----

def audit_json(rep, rows):
    profiles = [p["name"] for p in rep["profiles"]]
    # only conversations whole under every profile are counted
    common = set.intersection(*(set(rows.get(p, {})) for p in profiles))
    n = len(common)
    check("conversations", rep["conversations"], n)
    for p in rep["profiles"]:
        rs = [rows[p["name"]][i] for i in sorted(common)]
        fl = [flags_of(r) for r in rs]
        for name in FLAGS:
            k = sum(f[name] for f in fl)
            got = p["app_reset" if name == "app_reset" else name]
            tag = f"json {p['name']} {name}"
            check(tag + " k", got["k"], k)
            check(tag + " n", got["n"], n)
            check(tag + " p", got["p"], k / n if n else 0)
            w, e = wilson(k, n), clopper_pearson(k, n)
            check(tag + " wilson lo", got["wilson"][0], w[0])
            check(tag + " wilson hi", got["wilson"][1], w[1])
            check(tag + " exact lo", got["exact"][0], e[0], 1e-5)
            check(tag + " exact hi", got["exact"][1], e[1], 1e-5)
            if k == 0:
                check(tag + " one-sided bound", got.get("upper95_one_sided"),
                      zero_bound(n))
        lost = sorted(int(r["bytes_lost"]) for r in rs if int(r["bytes_lost"]) > 0)
        bl = p["bytes_lost"]
        check(f"json {p['name']} bytes lost mean", bl["mean"],
              sum(lost) / n if n else 0)
        check(f"json {p['name']} bytes lost mean when lost", bl["mean_affected"],
              sum(lost) / len(lost) if lost else 0)
        for q, key in [(0.5, "q50"), (0.9, "q90"), (0.99, "q99")]:
            want = lost[int((len(lost) - 1) * q)] if lost else 0
            check(f"json {p['name']} bytes lost {key}", bl[key], want)
        check(f"json {p['name']} bytes lost max", bl["max"], lost[-1] if lost else 0)
        causes = {}
        for r in rs:
            if r["reset_cause"]:
                causes[r["reset_cause"]] = causes.get(r["reset_cause"], 0) + 1
        nreq = sum(int(r["exchanges"]) + int(r["requests_failed"]) for r in rs)
        check(f"json {p['name']} requests", p["requests"], nreq)
        check(f"json {p['name']} requests failed", p["requests_failed"],
              sum(int(r["requests_failed"]) for r in rs))
        kf = sum(1 for r in rs if int(r["requests_failed"]) > 0)
        check(f"json {p['name']} request_failed k", p["request_failed"]["k"], kf)
        check(f"json {p['name']} request_failed n", p["request_failed"]["n"], n)
        check(f"json {p['name']} connections", p["connections"],
              sum(int(r["connections"]) for r in rs))
        check(f"json {p['name']} retries", p["retries"],
              sum(int(r["retries"]) for r in rs))
        for how in ("failed_reset", "failed_eof"):
            check(f"json {p['name']} {how}", p[how],
                  sum(int(r[how]) for r in rs))
        check(f"json {p['name']} retry_failed", p["retry_failed"],
              sum(1 for r in rs if int(r["retries"]) > 0 and int(r["requests_failed"]) > 0))
        # datagrams lost on the way, and the chain's segments among them
        dr = p["drops"]
        lost = [int(r["lost"]) for r in rs]
        ra = [int(r["redundant_ack"]) and not int(r["server_rst"]) for r in rs]
        uf = [int(r["server_rst"]) and not int(r["conn_reset"]) for r in rs]
        check(f"json {p['name']} drops conversations", dr["conversations"],
              sum(1 for x in lost if x > 0))
        check(f"json {p['name']} drops datagrams", dr["datagrams"], sum(lost))
        check(f"json {p['name']} redundant ACK unanswered",
              dr["redundant_ack_unanswered"], sum(1 for x in ra if x))
        check(f"json {p['name']} redundant ACK unanswered with drops",
              dr["redundant_ack_unanswered_with_drops"],
              sum(1 for x, y in zip(ra, lost) if x and y > 0))
        check(f"json {p['name']} RST unfelt", dr["rst_unfelt"],
              sum(1 for x in uf if x))
        check(f"json {p['name']} RST unfelt with drops",
              dr["rst_unfelt_with_drops"],
              sum(1 for x, y in zip(uf, lost) if x and y > 0))
        for c in set(causes) | set(p["rst_causes"]):
            check(f"json {p['name']} rst cause {c}", p["rst_causes"].get(c), causes.get(c, 0))
    for pr in rep["pairs"]:
        a_rows = [flags_of(rows[pr["first"]][i]) for i in sorted(common)]
        b_rows = [flags_of(rows[pr["second"]][i]) for i in sorted(common)]
        for name in ["app_reset", "lost_data", "conn_reset", "request_failed"]:
            t = pr[name]
            both = sum(1 for x, y in zip(a_rows, b_rows) if x[name] and y[name])
            fo = sum(1 for x, y in zip(a_rows, b_rows) if x[name] and not y[name])
            so = sum(1 for x, y in zip(a_rows, b_rows) if not x[name] and y[name])
            ne = n - both - fo - so
            tag = f"json pair {pr['first']}/{pr['second']} {name}"
            for key, want in [("both", both), ("first_only", fo),
                              ("second_only", so), ("neither", ne)]:
                check(f"{tag} {key}", t[key], want)
            pe, pm = mcnemar(fo, so)
            if pe < 1e-300 and t["p_exact"] < 1e-300:
                check(f"{tag} p_exact (below 1e-300)", 0, 0)
            else:
                check(f"{tag} p_exact", t["p_exact"], pe, 1e-5)
                check(f"{tag} p_mid", t["p_mid"], pm, 1e-5)
            diff, ci = newcombe(both, fo, so, ne)
            check(f"{tag} diff", t["diff"], diff)
            check(f"{tag} ci lo", t["ci"][0], ci[0], 1e-5)
            check(f"{tag} ci hi", t["ci"][1], ci[1], 1e-5)
    # the bins, from the edges the JSON states
    for par in rep["parameters"]:
        col, bins = par["column"], par["bins"]

        def bin_of(v):
            for j, b in enumerate(bins):
                if b["lo"] == b["hi"]:
                    if v == b["lo"]:
                        return j
                elif v >= b["lo"] and (v < b["hi"] or j == len(bins) - 1):
                    return j
            return -1
        first = rows[profiles[0]]
        idx = {i: bin_of(float(first[i][col])) for i in common}
        check(f"json bins of {col}: every conversation in one",
              sum(1 for v in idx.values() if v >= 0), n)
        praw = []
        for j, b in enumerate(bins):
            members = [i for i in common if idx[i] == j]
            for pi, bp in enumerate(b["by_profile"]):
                fl = [flags_of(rows[profiles[pi]][i]) for i in members]
                for name in ["app_reset", "conn_reset", "redundant_ack"]:
                    k = sum(f[name] for f in fl)
                    tag = f"json bin {col} {b['label']} {profiles[pi]} {name}"
                    check(tag + " k", bp[name]["k"], k)
                    check(tag + " n", bp[name]["n"], len(members))
                    w = wilson(k, len(members))
                    check(tag + " wilson hi", bp[name]["wilson"][1], w[1])
            if len(profiles) > 1:
                x = [flags_of(rows[profiles[0]][i])["app_reset"] for i in members]
                y = [flags_of(rows[profiles[1]][i])["app_reset"] for i in members]
                fo = sum(1 for a, c in zip(x, y) if a and not c)
                so = sum(1 for a, c in zip(x, y) if c and not a)
                pe, _ = mcnemar(fo, so)
                praw.append(pe)
                check(f"json bin {col} {b['label']} p_mcnemar", b["p_mcnemar"], pe, 1e-5)
        if praw:
            for b, want in zip(bins, holm(praw)):
                check(f"json bin {col} {b['label']} p_holm", b["p_holm"], want, 1e-5)
    return common


# ---- the Markdown ----

NUM = r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def printed_close(text, want):
    """Does `text`, a number printed with some digits, round from want?"""
    global passed
    x = float(text)
    if "e" in text.lower():
        mant = text.lower().split("e")[0]
        digits = len(mant.split(".")[1]) if "." in mant else 0
        exp = int(text.lower().split("e")[1])
        tol = 0.5 * 10 ** (exp - digits) * 1.0001
    else:
        digits = len(text.split(".")[1]) if "." in text else 0
        tol = 0.5 * 10 ** (-digits) * 1.0001
    return abs(x - want) <= tol + 1e-12


def mcheck(what, text, want):
    global passed
    if printed_close(text, want):
        passed += 1
    else:
        fail(f"{what}: report {text}, recomputed {want:.6g}")


def discordant(rows, common, a, b, name):
    """The paired table's discordant counts of outcome `name`: under a
    only, under b only."""
    fa = [flags_of(rows[a][i])[name] for i in common]
    fb = [flags_of(rows[b][i])[name] for i in common]
    return (sum(1 for x, y in zip(fa, fb) if x and not y),
            sum(1 for x, y in zip(fa, fb) if y and not x))


def check_verdict(tag, first, second, ptext, fo, so):
    """A verdict sentence's discordant counts and its exact McNemar p."""
    check(f"{tag} first only", int(first), fo)
    check(f"{tag} second only", int(second), so)
    pe, _ = mcnemar(fo, so)
    if ptext.startswith("<"):
        check(f"{tag} p below 1e-300", pe < 1e-300, True)
    else:
        mcheck(f"{tag} p", ptext, pe)


def rate_cell(what, cell, k, n):
    cell = cell.strip()
    m = re.fullmatch(rf"0 of (\d+) \(<= ({NUM}) %\)", cell)
    if m:
        if k != 0 or int(m.group(1)) != n:
            fail(f"{what}: report '{cell}', recomputed {k} of {n}")
            return
        mcheck(what + " zero bound", m.group(2), 100 * zero_bound(n))
        return
    m = re.fullmatch(rf"({NUM}) % \[({NUM}), ({NUM})\]", cell)
    if not m or n == 0:
        fail(f"{what}: cannot read '{cell}' (recomputed {k} of {n})")
        return
    lo, hi = wilson(k, n)
    mcheck(what + " rate", m.group(1), 100 * k / n)
    mcheck(what + " wilson lo", m.group(2), 100 * lo)
    mcheck(what + " wilson hi", m.group(3), 100 * hi)


def tables(md):
    """Every Markdown table, as (heading, header cells, rows of cells)."""
    out, heading, lines = [], "", md.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("#"):
            heading = lines[i].lstrip("#").strip()
        if lines[i].startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            head = [c.strip() for c in lines[i].strip().strip("|").split("|")]
            body, j = [], i + 2
            while j < len(lines) and lines[j].startswith("| "):
                body.append([c.strip() for c in lines[j].strip().strip("|").split("|")])
                j += 1
            out.append((heading, head, body))
            i = j
            continue
        i += 1
    return out


def audit_md(md, rows, common, rep):
    profiles = [p["name"] for p in rep["profiles"]]
    n = len(common)
    fl = {p: [flags_of(rows[p][i]) for i in sorted(common)] for p in profiles}
    k = {p: {name: sum(f[name] for f in fl[p]) for name in FLAGS} for p in profiles}
    seen = set()
    chain = ["app_reset", "lost_data", "redundant_ack", "server_rst", "conn_reset"]

    def chain_cells(table, r):  # the first five rates of a profile's row
        for c, name in zip(r[1:6], chain):
            rate_cell(f"md {table} {r[0]} {name}", c, k[r[0]][name], n)
    for heading, head, body in tables(md):
        if head[:2] == ["profile", "read failed (app_reset)"]:
            seen.add("headline")
            for r in body:
                p = r[0]
                chain_cells("headline", r)
                check(f"md headline {p} after close", int(r[6]), k[p]["reset_after_close"])
        elif head[:2] == ["profile", "app_reset"] and len(head) == 8:
            seen.add("outcomes")
            for r in body:
                p = r[0]
                chain_cells("outcomes", r)
                if k[p]["conn_reset"]:
                    rate_cell(f"md outcomes {p} after close of conn_reset", r[6],
                              k[p]["reset_after_close"], k[p]["conn_reset"])
                rate_cell(f"md outcomes {p} completed", r[7], k[p]["completed"], n)
        elif head == ["profile", "app_reset", "lost data"]:
            seen.add("exact")
            for r in body:
                p = r[0]
                for c, name in zip(r[1:3], ["app_reset", "lost_data"]):
                    m = re.fullmatch(rf"(\d+)/(\d+) \[({NUM}), ({NUM})\] %", c)
                    if not m:
                        fail(f"md exact {p} {name}: cannot read '{c}'")
                        continue
                    check(f"md exact {p} {name} k", int(m.group(1)), k[p][name])
                    check(f"md exact {p} {name} n", int(m.group(2)), n)
                    lo, hi = clopper_pearson(k[p][name], n)
                    mcheck(f"md exact {p} {name} lo", m.group(3), 100 * lo)
                    mcheck(f"md exact {p} {name} hi", m.group(4), 100 * hi)
        elif head[:2] == ["profile", "conversations losing data"]:
            seen.add("bytes lost")
            for r in body:
                p = r[0]
                lost = sorted(int(rows[p][i]["bytes_lost"]) for i in common
                              if int(rows[p][i]["bytes_lost"]) > 0)
                check(f"md bytes lost {p} conversations losing data", int(r[1]), len(lost))
                mcheck(f"md bytes lost {p} mean", r[2].split()[0], sum(lost) / n)
                mcheck(f"md bytes lost {p} mean when lost", r[3].split()[0],
                       sum(lost) / len(lost) if lost else 0)
                for c, q in zip(r[4:7], [0.5, 0.9, 0.99]):
                    check(f"md bytes lost {p} q{q}", int(c.split()[0]),
                          lost[int((len(lost) - 1) * q)] if lost else 0)
                check(f"md bytes lost {p} max", int(r[7].split()[0]), lost[-1] if lost else 0)
        elif head[:3] == ["profile", "requests", "failed"]:
            seen.add("requests")
            for r in body:
                p = r[0]
                rs = [rows[p][i] for i in common]
                check(f"md requests {p}", int(r[1]),
                      sum(int(x["exchanges"]) + int(x["requests_failed"]) for x in rs))
                check(f"md requests {p} failed", int(r[2]),
                      sum(int(x["requests_failed"]) for x in rs))
                check(f"md requests {p} failed at a reset", int(r[3]),
                      sum(int(x["failed_reset"]) for x in rs))
                check(f"md requests {p} failed at end of stream", int(r[4]),
                      sum(int(x["failed_eof"]) for x in rs))
                rate_cell(f"md requests {p} conversations with a failed request", r[5],
                          sum(1 for x in rs if int(x["requests_failed"]) > 0), n)
                check(f"md requests {p} connections", int(r[6]),
                      sum(int(x["connections"]) for x in rs))
                check(f"md requests {p} retries", int(r[7]),
                      sum(int(x["retries"]) for x in rs))
                if len(r) > 8 and r[8] != "-":
                    fo, so = discordant(rows, common, profiles[0], p,
                                        "request_failed")
                    diff = 100 * (fo - so) / n
                    check(f"md requests {p} paired difference",
                          float(r[8].split()[0]), round(diff, 2), 0.006)
        elif head[:2] == ["profile", "server RST"]:
            seen.add("rst causes")
            for r in body:
                p = r[0]
                check(f"md rst causes {p} server RST", int(r[1]), k[p]["server_rst"])
                for c, name in zip(r[2:], head[2:]):
                    want = sum(1 for i in common if rows[p][i]["reset_cause"] == name)
                    check(f"md rst causes {p} {name}", int(c), want)
                shown = sum(int(c) for c in r[2:])
                check(f"md rst causes {p} columns sum to the RSTs", shown,
                      k[p]["server_rst"])
        elif head[:2] == ["profile", "conversations losing datagrams"]:
            seen.add("drops")
            for r in body:
                p = r[0]
                rs = [rows[p][i] for i in common]
                lost = [int(x["lost"]) for x in rs]
                tcheck(f"md drops {p} conversations", r[1],
                      f"{sum(1 for x in lost if x > 0)} of {n}")
                check(f"md drops {p} datagrams", int(r[2]), sum(lost))
                ua = [bool(int(x["redundant_ack"]) and not int(x["server_rst"]))
                      for x in rs]
                uf = [bool(int(x["server_rst"]) and not int(x["conn_reset"]))
                      for x in rs]
                tcheck(f"md drops {p} redundant ACK, no RST", r[3],
                      f"{sum(ua)} of {k[p]['redundant_ack']} "
                      f"({sum(1 for u, l in zip(ua, lost) if u and l > 0)})")
                tcheck(f"md drops {p} RST, no reset", r[4],
                      f"{sum(uf)} of {k[p]['server_rst']} "
                      f"({sum(1 for u, l in zip(uf, lost) if u and l > 0)})")
        elif len(head) == 7 and head[1] == "n" and head[-1] == "p raw (Holm-adjusted)":
            seen.add("bins")
            col = heading.split()[0]
            par = next(x for x in rep["parameters"] if x["column"] == col)
            bins = par["bins"]
            total = 0
            for r, b in zip(body, bins):
                members = []
                for i in common:
                    v = float(rows[profiles[0]][i][col])
                    j = bins.index(b)
                    if b["lo"] == b["hi"]:
                        inside = v == b["lo"]
                    else:
                        inside = v >= b["lo"] and (v < b["hi"] or j == len(bins) - 1)
                    if inside:
                        members.append(i)
                total += len(members)
                check(f"md bin {col} {r[0]} n", int(r[1]), len(members))
                for c, p, name in [(r[2], profiles[0], "app_reset"),
                                   (r[3], profiles[1], "app_reset"),
                                   (r[4], profiles[0], "redundant_ack"),
                                   (r[5], profiles[1], "redundant_ack")]:
                    kk = sum(flags_of(rows[p][i])[name] for i in members)
                    rate_cell(f"md bin {col} {r[0]} {p} {name}", c, kk, len(members))
            check(f"md bins of {col} sum to n", total, n)
    for part in ["headline", "outcomes", "exact", "bytes lost", "rst causes"]:
        if part not in seen:
            fail(f"md: no {part} table found")
    # the verdicts: "N reads failed under A only and M under B only (exact
    # McNemar test, p = X)"
    for m in re.finditer(rf"(\d+) reads failed under (\S+) only and (\d+) under (\S+) "
                         rf"only \(exact McNemar test, p (?:= )?(<? ?{NUM})\)", md):
        a, b = m.group(2), m.group(4)
        fo, so = discordant(rows, common, a, b, "app_reset")
        check_verdict(f"md verdict {a}/{b}", m.group(1), m.group(3),
                      m.group(5), fo, so)


def audit_race_headline(md, rows, common):
    """The races' headline sentences: each profile's failed requests, and
    the paired verdicts on them."""
    n = len(common)
    for m in re.finditer(rf"Under (\S+), conversations with a failed request: "
                         rf"(.*?); requests failed: (\d+) of (\d+); "
                         rf"connections opened: (\d+); requests sent again: "
                         rf"(\d+)\.", md):
        p = m.group(1)
        rs = [rows[p][i] for i in common]
        rate_cell(f"md race headline {p} failed", m.group(2),
                  sum(1 for x in rs if int(x["requests_failed"]) > 0), n)
        check(f"md race headline {p} requests failed", int(m.group(3)),
              sum(int(x["requests_failed"]) for x in rs))
        check(f"md race headline {p} requests", int(m.group(4)),
              sum(int(x["exchanges"]) + int(x["requests_failed"]) for x in rs))
        check(f"md race headline {p} connections", int(m.group(5)),
              sum(int(x["connections"]) for x in rs))
        check(f"md race headline {p} retries", int(m.group(6)),
              sum(int(x["retries"]) for x in rs))
    for m in re.finditer(r"Under (\S+), the retry did not remove the failure in "
                         r"(\d+) conversations", md):
        rs = [rows[m.group(1)][i] for i in common]
        check(f"md race headline {m.group(1)} retry failed", int(m.group(2)),
              sum(1 for x in rs if int(x["retries"]) > 0
                  and int(x["requests_failed"]) > 0))
    for m in re.finditer(rf"a request failed under (\S+) only in (\d+) and "
                         rf"under (\S+) only in (\d+) \(exact McNemar test, "
                         rf"p (?:= )?(<? ?{NUM})\)", md):
        a, b = m.group(1), m.group(3)
        fo, so = discordant(rows, common, a, b, "request_failed")
        check_verdict(f"md race verdict {a}/{b}", m.group(2), m.group(4),
                      m.group(5), fo, so)


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    rows = load(argv[1])
    with open(argv[2]) as fh:
        rep = json.load(fh)
    with open(argv[3]) as fh:
        md = fh.read()
    common = audit_json(rep, rows)
    audit_md(md, rows, common, rep)
    audit_race_headline(md, rows, common)
    for f in failures[:40]:
        print("FAIL:", f, file=sys.stderr)
    if len(failures) > 40:
        print(f"... and {len(failures) - 40} more", file=sys.stderr)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
