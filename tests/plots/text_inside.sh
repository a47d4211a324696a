#!/bin/sh
# text_inside.sh SVG... - every text of each SVG lies inside its image:
# headless Chromium lays the SVG out inline and measures each <text>
# element's box against the image's own; prints "OUTSIDE file: text" for
# each one that crosses an edge, and "measured N" with the count. Exit 77
# without Chromium.
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || exit 77
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for svg in "$@"; do
  {
    printf '<!DOCTYPE html><html><body style="margin:0">'
    sed '1,/<svg/{/<svg/!d}' "$svg"
    cat <<'JS'
<pre id="out"></pre><script>
const svg = document.querySelector('svg'), vb = svg.viewBox.baseVal;
svg.setAttribute('width', vb.width);  /* one unit, one pixel */
svg.setAttribute('height', vb.height);
const box = svg.getBoundingClientRect();
let lines = [], n = 0;
for (const t of svg.querySelectorAll('text')) {
  if (!t.textContent.trim()) continue;
  const b = t.getBoundingClientRect(); n++;
  if (b.left < box.left - 0.5 || b.right > box.right + 0.5 ||
      b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
    lines.push('OUTSIDE ' + t.textContent.trim() + ' [' + Math.round(b.left - box.left) +
               ', ' + Math.round(b.right - box.left) + '] of ' + Math.round(box.width));
}
lines.push('measured ' + n + ' in ' + Math.round(box.width) + 'x' + Math.round(box.height));
document.getElementById('out').textContent = 'BEGIN\n' + lines.join('\n') + '\nEND';
</script></body></html>
JS
  } >"$dir/page.html"
  $browser --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$dir/profile" --dump-dom "file://$dir/page.html" 2>/dev/null |
    sed 's/<[^>]*>//g' | sed -n '/^BEGIN$/,/^END$/p' | sed '/^BEGIN$/d; /^END$/d' |
    sed "s|^OUTSIDE |OUTSIDE $(basename "$svg"): |"
done
