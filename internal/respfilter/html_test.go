package respfilter

import (
	"context"
	"strings"
	"testing"
)

func TestHTMLBecomesReadableText(t *testing.T) {
	page := `<!doctype html><html><head><title>Order  help</title><style>p{color:red}</style>
<script>var secret = "tracking";</script></head><body>
<nav><a href="/">Home</a> <a href="/x">Menu item</a></nav>
<h1>Track your <em>order</em></h1>
<p>Orders ship in
   two days. See <a href="/faq">the FAQ</a>.</p>
<ul><li>Fast</li><li><p>Cheap</p></li></ul>
<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>€5</td></tr></table>
<div hidden>invisible</div>
<pre>  keep
    indent</pre>
<footer>© footer</footer></body></html>`
	want := strings.Join([]string{
		"# Order help",
		"# Track your order",
		"Orders ship in two days. See the FAQ.",
		"- Fast",
		"- Cheap",
		"Plan | Price",
		"Basic | €5",
		"  keep",
		"    indent",
	}, "\n")
	if got := htmlText([]byte(page)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "text/html; charset=utf-8", []byte(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != want || res.RawTokens <= res.OutputTokens {
		t.Errorf("Apply on HTML: %q (raw %d, output %d tokens)", res.Output, res.RawTokens, res.OutputTokens)
	}
}
