# Per-package statement coverage from a Go cover profile written with
# -coverpkg (so a package's statements count as covered when any
# package's tests run them). Blocks repeat once per test binary; a block
# is covered if any run covered it.
NR == 1 { next }
{
	split($1, a, ":"); file = a[1]; block = $1
	n = $2; c = $3
	if (!(block in stmts)) { stmts[block] = n; pkgOf[block] = file }
	if (c > 0) hit[block] = 1
}
END {
	for (b in stmts) {
		f = pkgOf[b]; sub(/\/[^\/]*$/, "", f)
		total[f] += stmts[b]
		if (b in hit) covered[f] += stmts[b]
	}
	for (p in total) printf "%-70s %6.1f%%\n", p, 100 * covered[p] / total[p] | "sort"
}
