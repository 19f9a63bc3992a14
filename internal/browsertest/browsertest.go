// Package browsertest starts headless Chromium for the tests that drive a
// real browser: the console's and the MCP endpoint's.
package browsertest

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// Start starts headless Chromium from ACTIONGATE_TEST_CHROMIUM with the
// flags a closed network needs plus extra, opens a tab and runs first in
// it; it skips the test when the variable is unset. The browser stops when
// the test ends.
func Start(t testing.TB, first chromedp.Action[chromedp.Void], extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	bin := os.Getenv("ACTIONGATE_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("browser test skipped: set ACTIONGATE_TEST_CHROMIUM to a Chromium binary (Debian: apt-get install chromium; then ACTIONGATE_TEST_CHROMIUM=/usr/bin/chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx, first); err != nil {
		t.Fatalf("starting Chromium %s: %v", bin, err)
	}
	return ctx
}
