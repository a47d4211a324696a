#!/bin/sh
# html_render.sh PAGE.html WIDTH - lay PAGE out in headless Chromium in a
# window WIDTH pixels wide and print what is wrong with it, one line each:
#   PAGE-OVERFLOW  the page is wider than the window (something sticks out)
#   TABLE-OVERFLOW a table wider than its box, with no scroll of its own
#   SPLIT          a word that holds a digit (a number, an interval, a
#                  p-value, nt351-sp) laid out over two lines
#   BROKEN-LINK    a link of the contents to no heading
# then "checked N words, M tables, K links at WIDTHpx". A copy of the page
# gets the checking script and is shown in a frame WIDTH pixels wide; the
# page itself is not changed. Exit 77 without Chromium.
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || exit 77
page="$1"
width="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed 's|</body></html>||' "$page" >"$dir/page.html"
cat >>"$dir/page.html" <<'JS'
<script>
const out = [], W = window.innerWidth;
if (document.documentElement.scrollWidth > W + 1)
  out.push('PAGE-OVERFLOW ' + document.documentElement.scrollWidth + ' > ' + W);
let tables = 0;
for (const t of document.querySelectorAll('table')) {
  tables++;
  const box = t.parentElement, cs = getComputedStyle(box);
  const scrolls = cs.overflowX === 'auto' || cs.overflowX === 'scroll';
  if (t.getBoundingClientRect().right > W + 1 && !scrolls)
    out.push('TABLE-OVERFLOW ' + Math.round(t.getBoundingClientRect().width) + 'px: ' +
             t.rows[0].textContent.slice(0, 60));
}
let words = 0;
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n; (n = walk.nextNode());) {
  const el = n.parentElement;
  if (!el || el.closest('pre, script, style, summary')) continue;
  if (!el.closest('p, blockquote, td, th, li, figcaption')) continue;
  const re = /\S*\d\S*/g;
  for (let m; (m = re.exec(n.data));) {
    const r = document.createRange();
    r.setStart(n, m.index);
    r.setEnd(n, m.index + m[0].length);
    const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
    words++;
    if (tops.size > 1) out.push('SPLIT ' + m[0]);
  }
}
let links = 0;
for (const a of document.querySelectorAll('nav a')) {
  links++;
  if (!document.getElementById(a.getAttribute('href').slice(1)))
    out.push('BROKEN-LINK ' + a.getAttribute('href'));
}
out.push('checked ' + words + ' words, ' + tables + ' tables, ' + links + ' links at ' + W + 'px');
parent.postMessage(out.join('\n'), '*');
</script></body></html>
JS
# the page in a frame of the width asked (a headless window is at least
# 500 px wide); the frame's verdict comes back by message
cat >"$dir/top.html" <<EOF2
<!DOCTYPE html><html><body style="margin:0"><pre id="verdict"></pre>
<iframe src="page.html" style="width:${width}px;height:900px;border:0"></iframe>
<script>
addEventListener('message', e => {
  document.getElementById('verdict').textContent = 'BEGIN\n' + e.data + '\nEND';
});
</script></body></html>
EOF2
"$browser" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --window-size=1400,1000 --virtual-time-budget=5000 \
  --allow-file-access-from-files \
  --user-data-dir="$dir/profile" --dump-dom "file://$dir/top.html" 2>/dev/null |
  sed 's/<[^>]*>//g' | sed -n '/^BEGIN$/,/^END$/p' | sed '/^BEGIN$/d; /^END$/d' |
  sed 's/&gt;/>/g; s/&lt;/</g; s/&amp;/\&/g'
