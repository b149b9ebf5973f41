package awssim

import (
	"net/http"
	"strconv"
)

// queryPage describes how one AWS Query List/Describe call pages: the
// input token and size parameters, the output token element, and the
// bounds the API enforces on the size.
type queryPage struct {
	inToken, outToken, sizeParam string
	def, min, max                int
}

// queryList answers a paged Query call with <list><member>..</member></list>
// (member is the list's XML member name) and the next token.
func queryList(rw http.ResponseWriter, c *call, ns, action, listName, member string, pg queryPage,
	items []map[string]any, render func(*call, *doc, map[string]any)) {
	size := 0
	if v := c.r.Form.Get(pg.sizeParam); v != "" && pg.sizeParam != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < pg.min || n > pg.max {
			queryError(rw, http.StatusBadRequest, "Sender", "InvalidParameterValue",
				pg.sizeParam+" must be between "+strconv.Itoa(pg.min)+" and "+strconv.Itoa(pg.max)+".")
			return
		}
		size = n
	}
	lo, hi, next, ok := page(len(items), c.r.Form.Get(pg.inToken), size, pg.def)
	if !ok {
		queryError(rw, http.StatusBadRequest, "Sender", "InvalidParameterValue", "Invalid "+pg.inToken)
		return
	}
	queryResult(rw, ns, action, func(d *doc) {
		d.open(listName)
		for _, m := range items[lo:hi] {
			d.open(member)
			render(c, d, m)
			d.close(member)
		}
		d.close(listName)
		d.opt(pg.outToken, next)
	})
}

// queryTags writes Key/Value tags as <name><member-name><Key>..</name>.
func queryTags(d *doc, name, member string, m map[string]any) {
	d.open(name)
	for _, t := range tagsOf(m) {
		d.open(member)
		d.text("Key", t[0])
		d.text("Value", t[1])
		d.close(member)
	}
	d.close(name)
}

// members writes strings as <name><member>v</member>..</name>.
func members(d *doc, name, member string, vs []string) {
	d.open(name)
	for _, v := range vs {
		d.text(member, v)
	}
	d.close(name)
}

// numOr returns m[k], or def when it is zero or missing.
func numOr(m map[string]any, k string, def float64) float64 {
	if v := num(m, k); v != 0 {
		return v
	}
	return def
}

// strOr returns m[k], or def when it is empty.
func strOr(m map[string]any, k, def string) string {
	if v := str(m, k); v != "" {
		return v
	}
	return def
}
