package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless Chromium: $CHROMIUM, else chromium or chromium-browser on PATH.
// Under CI=true a missing browser fails the test (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: install it (apt-get install -y chromium) or set CHROMIUM")
	}
	t.Skip("no chromium on PATH (set CI=true to make this a failure)")
	return ""
}

// browse runs headless Chromium on a file with extra flags and returns its stdout.
func browse(t *testing.T, bin, page string, extra ...string) []byte {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	args = append(args, extra...)
	args = append(args, "file://"+page)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	return stdout.Bytes()
}

// TestBrowserRendersCharts opens the HTML report of examples/ in a real browser, from a file
// with no network: the DOM it builds must hold every chart with its data, and a screenshot
// must show the bars.
func TestBrowserRendersCharts(t *testing.T) {
	bin := chromium(t)
	dir := examples(t)
	if _, err := run(t, dir, "html", Options{AsOf: asOf, Output: "report.html"}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")

	dom := string(browse(t, bin, page, "--dump-dom"))
	for _, chart := range []string{"sla-priority", "sla-month", "mtta-mttr", "backlog", "by-service", "by-ci", "change-outcomes", "change-failure"} {
		if !strings.Contains(dom, `data-chart="`+chart+`"`) {
			t.Errorf("the DOM has no chart %s", chart)
		}
	}
	// The numbers of examples/ as of asOf: P1 compliance is 50% (INC-000014 breached, the
	// other met); storefront has 14 incidents; one change was backed out.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<rect class="b0"[^>]*data-label="P1" data-value="50%"`),
		regexp.MustCompile(`<rect class="b0"[^>]*data-label="storefront" data-value="14"`),
		regexp.MustCompile(`<rect class="bad"[^>]*data-label="backed_out" data-value="1"`),
		regexp.MustCompile(`<circle class="s1"[^>]*data-label="2026-06" data-value="10.1h"`),
		regexp.MustCompile(`<title id="sla-priority-t">SLA compliance by priority</title>`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("the DOM has nothing like %s", want)
		}
	}
	if n := strings.Count(dom, "<svg"); n != 8 {
		t.Errorf("got %d svg elements, want 8", n)
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	browse(t, bin, page, "--window-size=1000,1400", "--hide-scrollbars", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The first row of charts lies between y 200 and 480 at this width: count the pixels of
	// the bars' blue (#0969da) there, and any pixel that is not background.
	area := image.Rect(0, 200, img.Bounds().Dx(), min(480, img.Bounds().Dy()))
	blue, ink := 0, 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			if r < 40 && g > 80 && g < 130 && b > 190 {
				blue++
			}
			if r < 240 || g < 240 || b < 240 {
				ink++
			}
		}
	}
	if blue < 5000 || ink < 10000 {
		t.Errorf("the chart area has %d bar pixels and %d non-white pixels, want at least 5000 and 10000", blue, ink)
	}
	if os.Getenv("GITSM_KEEP_SCREENSHOT") != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(os.Getenv("GITSM_KEEP_SCREENSHOT"), b, 0o644)
	}
}
