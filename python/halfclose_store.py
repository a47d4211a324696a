"""halfclose_store - a halfclose results store as pandas DataFrames.

    import halfclose_store as hs
    st = hs.load("out/kb-q152474.db")
    st.batch          # dict: scenario, seed, version, profiles, host, times
    st.columns        # DataFrame: every column's name, unit and meaning
    st.conversations  # DataFrame: one row per conversation and profile
    st.params         # the parameter columns (delay_ns, rate_bps, ...)
    st.outcomes       # the outcome columns (redundant_ack, app_reset, ...)
    st.paired("app_reset")   # conversation x profile, for paired analyses
    hs.headline(st)   # the report's headline numbers, recomputed here

The store is opened read-only (a running batch may be writing it; nothing
here can change it). Times are nanoseconds; NULL ("did not happen") is a
missing value. Needs only the standard library and pandas.
"""
import math
import sqlite3

import pandas as pd

__all__ = ["Store", "load", "wilson", "mcnemar_exact", "headline"]

# the outcome columns, in the store's order (runner/store.c outcome_cols)
OUTCOMES = [
    "redundant_ack", "server_rst", "conn_reset", "reset_after_close",
    "app_reset", "completed", "bytes_lost", "bytes_read", "client_error",
    "duration_ns", "segments_client", "segments_server",
    "retransmits_client", "retransmits_server", "lost",
]


class Store:
    """One results store: its batch, its columns and its conversations."""

    def __init__(self, batch, columns, conversations):
        self.batch = batch
        self.columns = columns
        self.conversations = conversations
        names = list(conversations.columns)
        first = names.index("redundant_ack") if "redundant_ack" in names else len(names)
        self.params = [c for c in names[:first] if c not in ("conversation", "profile", "cell")]
        self.outcomes = [c for c in OUTCOMES if c in names]
        self.profiles = [p.strip() for p in batch["profiles"].split(",") if p.strip()]

    def complete(self):
        """The conversations that ran under every profile (what the
        report counts): the rows of those conversations."""
        c = self.conversations
        n = c.groupby("conversation")["profile"].nunique()
        whole = n[n == len(self.profiles)].index
        return c[c["conversation"].isin(whole)]

    def paired(self, column):
        """One column as a conversation x profile table, complete
        conversations only, profiles in the batch's order."""
        t = self.complete().pivot(index="conversation", columns="profile", values=column)
        return t[self.profiles]

    def __repr__(self):
        return (f"<halfclose store {self.batch['scenario_name']}: "
                f"{len(self.conversations)} rows, profiles {', '.join(self.profiles)}>")


def load(path):
    """Read a store (read-only) into a Store."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = con.execute("select * from batch")
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        if row is None:
            raise ValueError(f"{path}: no batch row: not a halfclose store")
        batch = dict(zip(names, row))
        columns = pd.read_sql_query("select name, unit, meaning from columns", con)
        conv = pd.read_sql_query(
            "select * from conversations order by conversation, profile", con)
    finally:
        con.close()
    return Store(batch, columns, conv)


def wilson(k, n, z=1.959963984540054):
    """The 95 % Wilson score interval of k events in n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def mcnemar_exact(b, c):
    """The exact McNemar test: two-sided binomial test of the discordant
    pairs b (first only) and c (second only) at one half. Computed in logs,
    so p-values far below 1e-300 are still right."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2)
            for i in range(k + 1)]
    top = max(logs)
    tail = top + math.log(sum(math.exp(x - top) for x in logs))
    return min(1.0, 2 * math.exp(tail))


def headline(st):
    """The report's headline, recomputed from the rows: per profile the
    failed reads (app_reset) and the conversations that lost data, each
    with k, n, rate and Wilson interval; then the first profile against
    each other on the same conversations (discordant counts, exact
    McNemar p)."""
    rows = st.complete()
    out = {"conversations": int(rows["conversation"].nunique()), "profiles": {}, "pairs": []}
    for p in st.profiles:
        r = rows[rows["profile"] == p]
        n = len(r)
        entry = {}
        for name, k in (("app_reset", int(r["app_reset"].sum())),
                        ("lost_data", int((r["bytes_lost"] > 0).sum()))):
            entry[name] = {"k": k, "n": n, "rate": k / n if n else 0.0, "wilson": wilson(k, n)}
        out["profiles"][p] = entry
    app = st.paired("app_reset").astype(bool)
    first = st.profiles[0]
    for other in st.profiles[1:]:
        b = int((app[first] & ~app[other]).sum())
        c = int((~app[first] & app[other]).sum())
        out["pairs"].append({"first": first, "second": other, "first_only": b,
                             "second_only": c, "p_exact": mcnemar_exact(b, c)})
    return out
