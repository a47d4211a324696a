#!/usr/bin/env python3
"""headline.py STORE - the worked example: the report's headline from a
results store with pandas, through halfclose_store. Prints, per profile,
the failed reads and the conversations that lost data (with 95 % Wilson
intervals), the mean bytes lost per such conversation and the worst
delays; then each profile against the first on the same conversations.

    python3 python/headline.py out/kb-q152474.db
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import halfclose_store as hs  # noqa: E402


def pct(x):
    return f"{100 * x:.2f} %"


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    st = hs.load(sys.argv[1])
    h = hs.headline(st)
    print(f"{st.batch['scenario_name']}: {h['conversations']} conversations, "
          f"seed {st.batch['seed']}, halfclose {st.batch['halfclose_version']}")
    rows = st.complete()
    for p, e in h["profiles"].items():
        a, l = e["app_reset"], e["lost_data"]
        lost = rows[(rows["profile"] == p) & (rows["bytes_lost"] > 0)]["bytes_lost"]
        mean = f", {lost.mean():.0f} bytes per such conversation on average" if len(lost) else ""
        print(f"{p}: read failed (app_reset) {a['k']} of {a['n']} = {pct(a['rate'])} "
              f"[{100 * a['wilson'][0]:.2f}, {100 * a['wilson'][1]:.2f}]; "
              f"lost data {l['k']} = {pct(l['rate'])} "
              f"[{100 * l['wilson'][0]:.2f}, {100 * l['wilson'][1]:.2f}]{mean}")
    for q in h["pairs"]:
        print(f"{q['first']} against {q['second']}: {q['first_only']} reads failed under "
              f"{q['first']} only and {q['second_only']} under {q['second']} only "
              f"(exact McNemar p = {q['p_exact']:.3g})")
    # pandas beyond the headline: the failed-read rate by delay decade
    first = st.profiles[0]
    r = rows[rows["profile"] == first].copy()
    if "delay_ns" in r and r["delay_ns"].nunique() > 1:
        import numpy as np
        r["decade"] = np.floor(np.log10(r["delay_ns"] / 1e6)).astype(int)
        by = r.groupby("decade")["app_reset"].agg(["mean", "size"])
        for d, row in by.iterrows():
            print(f"  {first}, delay {10.0 ** d:g}-{10.0 ** (d + 1):g} ms: "
                  f"{pct(row['mean'])} of {int(row['size'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
