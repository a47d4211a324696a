#!/usr/bin/env python3
"""check_links.py ROOT [FILE.md ...] - every relative link of the
repository's Markdown resolves: the file exists inside ROOT, and an anchor
(#...) names a heading of the target as GitHub spells it. Without FILEs it
checks README.md, CHANGELOG.md and every .md under docs/, analysis/,
scenarios/ and tests/. Prints each broken link (file:line: link: why) and
exits 1 if there is one."""
import os
import re
import sys

LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped
    (hyphens and underscores kept... except the markup), spaces to
    hyphens."""
    h = heading.strip().lower()
    h = re.sub(r"[`*]", "", h)
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", h)
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path):
    seen = {}
    out = set()
    fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                fence = not fence
                continue
            m = re.match(r"^(#{1,6}) (.*)$", line)
            if m and not fence:
                a = slug(m.group(2))
                n = seen.get(a, 0)
                seen[a] = n + 1
                out.add(a if n == 0 else f"{a}-{n}")
    return out


def check(root, md, errors):
    base = os.path.dirname(md)
    fence = False
    with open(md, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if line.startswith("```"):
                fence = not fence
                continue
            if fence:
                continue
            for m in LINK.finditer(line):
                target = m.group(1) or m.group(2)
                if re.match(r"^[a-z]+:", target):
                    continue  # http:, https:, mailto:
                path, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(base, path)) if path else md
                where = f"{os.path.relpath(md, root)}:{no}: {target}"
                if not os.path.realpath(dest).startswith(os.path.realpath(root) + os.sep):
                    errors.append(f"{where}: outside the repository")
                    continue
                if not os.path.exists(dest):
                    errors.append(f"{where}: no such file")
                    continue
                if anchor and (not dest.endswith(".md") or anchor not in anchors(dest)):
                    errors.append(f"{where}: no heading #{anchor}")


def main():
    root = os.path.abspath(sys.argv[1])
    files = [os.path.abspath(p) for p in sys.argv[2:]]
    if not files:
        for top in ("README.md", "CHANGELOG.md"):
            if os.path.exists(os.path.join(root, top)):
                files.append(os.path.join(root, top))
        for d in ("docs", "analysis", "scenarios", "tests"):
            for dirpath, _, names in os.walk(os.path.join(root, d)):
                files += [os.path.join(dirpath, n) for n in names if n.endswith(".md")]
    errors = []
    for md in sorted(files):
        check(root, md, errors)
    for e in errors:
        print(e)
    print(f"{len(files)} files, {len(errors)} broken links")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
