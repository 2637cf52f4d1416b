package web

// Browser journeys in Debian's chromium, driven with chromedp, with
// axe-core run on every page a journey visits.
//
// One Chromium serves every test of the package: it starts on the first
// browser test (sync.Once) and ends with the test binary. Each test opens
// its own browser context (its own cookies) against its own test site.
// The journeys run on SQLite only, not once per database: they test the
// pages in a real browser, and the handler tests already cover both
// databases.
//
// Without chromium the tests skip with the install command; with CI set
// they fail instead. axe-core comes from AXE_JS or from
// api/web/e2e/node_modules (npm ci --prefix api/web/e2e); without it the
// journeys run and the axe step is skipped, except on CI.
//
// Screenshots go to t.ArtifactDir(); `go test -artifacts -outputdir DIR`
// keeps them.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

const installChromium = "apt-get install -y --no-install-recommends chromium fonts-noto-cjk"

// chromium is the one browser the package's tests share.
var chromium struct {
	once sync.Once
	ctx  context.Context // a chromedp context whose browser is running
	err  error
	skip string
}

func startChromium() {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		chromium.skip = "chromium is not installed (" + installChromium + ")"
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
		// A Japanese clerk's browser: the site answers in Japanese.
		chromedp.Flag("lang", "ja"), chromedp.Flag("accept-lang", "ja"))
	alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(alloc)
	// The first Run starts the browser; it lives until the test binary
	// exits (chromedp kills it with the parent: Pdeathsig).
	if err := chromedp.Do(ctx); err != nil {
		chromium.err = fmt.Errorf("starting chromium: %w", err)
		return
	}
	chromium.ctx = ctx
}

// axe is axe-core's source, read once.
var axe struct {
	once sync.Once
	js   string
	skip string
}

func loadAxe() {
	path := os.Getenv("AXE_JS")
	if path == "" {
		path = filepath.Join("e2e", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		axe.skip = fmt.Sprintf("axe-core not found at %s (npm ci --prefix api/web/e2e, or set AXE_JS): %v", path, err)
		return
	}
	axe.js = string(b)
}

// browser is one test's tab in its own browser context, against one test
// site.
type browser struct {
	t     *testing.T
	ctx   context.Context
	ts    *testSite
	axe   bool // run axe on each page checked
	noJS  bool // the page's scripts are off
	shots int
}

type browserOption func(*browser) error

// withoutJS turns script execution off before the first page loads.
func withoutJS(b *browser) error {
	b.noJS = true
	return b.scripts(false)
}

// scripts turns the page's script execution on or off.
func (b *browser) scripts(on bool) error {
	_, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
	return err
}

// viewport emulates a screen width×height CSS pixels.
func viewport(width, height int64) browserOption {
	return func(b *browser) error {
		_, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1})
		return err
	}
}

// browserSite is a test site on SQLite for the browser tests (see the
// file comment for why one database).
func browserSite(t *testing.T) *testSite {
	t.Helper()
	return newTestSite(t, dbtest.SQLite(t))
}

func newBrowser(t *testing.T, ts *testSite, opts ...browserOption) *browser {
	t.Helper()
	chromium.once.Do(startChromium)
	switch {
	case chromium.skip != "" && os.Getenv("CI") != "":
		t.Fatal(chromium.skip)
	case chromium.skip != "":
		t.Skip(chromium.skip)
	case chromium.err != nil:
		t.Fatal(chromium.err)
	}
	axe.once.Do(loadAxe)
	b := &browser{t: t, ts: ts, axe: axe.js != ""}
	if axe.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(axe.skip)
		}
		t.Log("skipping the axe step: " + axe.skip)
	}
	tab, cancelTab := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	// A bound for a journey that hangs (a wait for a page that never
	// comes); no journey comes near it.
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	b.ctx = ctx
	t.Cleanup(func() { cancel(); cancelTab() })
	if err := chromedp.Do(b.ctx, chromedp.Func(func(context.Context, *chromedp.Target) error { return nil })); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if ts.clock != nil {
		// The site runs on the demo's clock, hours or days from the
		// machine's; the browser's clock agrees with it, or app.js
		// would say the session has ended (it compares the expiry the
		// page carries with Date.now).
		off := ts.clock.Now().UnixMilli() - time.Now().UnixMilli()
		if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: fmt.Sprintf(shiftClockJS, off)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range opts {
		if err := o(b); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failed")
		}
	})
	return b
}

// in is the same tab used by a subtest: its failures, skips and
// screenshots are the subtest's.
func (b *browser) in(t *testing.T) *browser {
	c := *b
	c.t, c.shots = t, 0
	t.Cleanup(func() {
		if t.Failed() {
			c.screenshot("failed")
		}
	})
	return &c
}

// shiftClockJS moves the page's clock by %d milliseconds: Date.now and
// new Date().
const shiftClockJS = `(() => {
	const off = %d, D = Date, now = D.now.bind(D);
	class Shifted extends D {
		constructor(...a) { if (a.length === 0) super(now() + off); else super(...a); }
		static now() { return now() + off; }
	}
	globalThis.Date = Shifted;
})();`

// fail stops the test with what went wrong.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf(format, args...)
}

// step bounds one action: an element that is not there fails the test
// in seconds, not at the journey's deadline.
func (b *browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 15*time.Second)
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// open loads a path of the site and returns the HTTP status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.ts.srv.URL+path))
	if err != nil {
		b.fail("open %s: %v", path, err)
	}
	return r.Status
}

// click clicks an element that loads a page (a submit button, a link) and
// returns the status of the page it loads.
func (b *browser) click(sel chromedp.Action[chromedp.Void], what string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	r, err := chromedp.RunResponse(ctx, sel)
	if err != nil {
		b.fail("%s: %v", what, err)
	}
	return r.Status
}

// press clicks the button whose visible text is text and returns the
// status of the page the submission loads.
func (b *browser) press(text string) int64 {
	b.t.Helper()
	return b.click(chromedp.Click(chromedp.Search(`//button[normalize-space(.)=`+xpathString(text)+`]`)), "press "+text)
}

// submitForm presses the first submit button of the form that holds the
// control named field, and returns the status of the page it loads.
func (b *browser) submitForm(field string) int64 {
	b.t.Helper()
	xp := `//form[.//*[@name=` + xpathString(field) + `]]//button[@type="submit" or not(@type)]`
	return b.click(chromedp.Click(chromedp.Search(xp)), "submit the form of "+field)
}

// path is the current URL's path and query.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.ts.srv.URL)
}

// byLabel is the id of the control labelled text: the label whose own
// text (before the ※必須/※任意 badge) is text, and its for attribute.
// Tests thereby depend on accessible names.
func (b *browser) byLabel(text string) string {
	b.t.Helper()
	xp := `//label[normalize-space(text()[1])=` + xpathString(text) + `]`
	ctx, cancel := b.step()
	defer cancel()
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.Search(xp)))
	if err != nil {
		b.fail("no label %q on %s: %v", text, b.path(), err)
	}
	if attrs["for"] == "" {
		b.fail("label %q has no for", text)
	}
	return attrs["for"]
}

// cssID selects the element with that id (any characters).
func cssID(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }

// xpathString quotes s for XPath 1.0.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// fill replaces the value of the control labelled label by typing value.
func (b *browser) fill(label, value string) {
	b.t.Helper()
	id := b.byLabel(label)
	// Empty it first, as a person selects what is there and deletes it.
	q, _ := json.Marshal(id)
	if _, err := b.evaluate(`document.getElementById(`+string(q)+`).value = ""`, false); err != nil {
		b.fail("fill %s: %v", label, err)
	}
	b.do("fill "+label, chromedp.SendKeys(cssID(id), value))
}

// value is what the control labelled label holds now.
func (b *browser) value(label string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(cssID(b.byLabel(label))))
	if err != nil {
		b.fail("value of %s: %v", label, err)
	}
	return v
}

// control is a form control as the page has it.
type control struct {
	Tag     string   `json:"tag"`
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Value   string   `json:"value"`
	Checked bool     `json:"checked"`
	Label   string   `json:"label"` // its label's own text, without the badge
	Options []string `json:"options"`
}

// controlsJS lists the controls named %s with their labels.
const controlsJS = `[...document.getElementsByName(%s)].map(e => {
	const l = e.labels && e.labels[0] ? e.labels[0].cloneNode(true) : null;
	if (l) l.querySelectorAll(".badge").forEach(x => x.remove());
	return {tag: e.tagName.toLowerCase(), type: e.type || "", id: e.id, value: e.value, checked: !!e.checked,
		label: l ? l.textContent.replace(/\s+/g, " ").trim() : "",
		options: e.tagName === "SELECT" ? [...e.options].map(o => o.value) : []};
})`

func (b *browser) controls(name string) []control {
	b.t.Helper()
	q, _ := json.Marshal(name)
	raw, err := b.evaluate(fmt.Sprintf(controlsJS, q), false)
	if err != nil {
		b.fail("controls %s: %v", name, err)
	}
	var cs []control
	if err := json.Unmarshal(raw, &cs); err != nil {
		b.fail("controls %s: %v", name, err)
	}
	return cs
}

// answer sets the control named name as a person would: types into a text
// box through its label, picks a select's option, clicks the labels of
// radio buttons and checkboxes whose values are in values. It reports
// whether the page has that control.
func (b *browser) answer(name string, values ...string) bool {
	b.t.Helper()
	cs := b.controls(name)
	if len(cs) == 0 {
		return false
	}
	c := cs[0]
	switch {
	case c.Tag == "select":
		if !slices.Contains(c.Options, values[0]) {
			b.fail("%s: no option %q among %q", name, values[0], c.Options)
		}
		id := b.byLabel(c.Label)
		b.do("choose "+c.Label, chromedp.SetValue(cssID(id), values[0]))
	case c.Type == "radio" || c.Type == "checkbox":
		if len(cs) == 1 && c.Type == "checkbox" && !slices.Contains(values, c.Value) {
			// A lone checkbox (a yes/no question): values "true" or "false".
			if (values[0] == "true") != c.Checked {
				b.do("tick "+c.Label, chromedp.Click(chromedp.CSS(`label[for="`+c.ID+`"]`)))
			}
			return true
		}
		for _, o := range cs {
			if slices.Contains(values, o.Value) != o.Checked {
				if o.Label == "" {
					b.fail("%s=%s has no label", name, o.Value)
				}
				// The option's own label: option texts such as はい repeat
				// across questions.
				b.do("click "+o.Label, chromedp.Click(chromedp.CSS(`label[for="`+o.ID+`"]`)))
			}
		}
		var known []string
		for _, o := range cs {
			known = append(known, o.Value)
		}
		for _, v := range values {
			if !slices.Contains(known, v) {
				b.fail("%s: no choice %q among %q", name, v, known)
			}
		}
	default:
		if c.Label == "" {
			b.fail("%s has no label", name)
		}
		b.fill(c.Label, values[0])
	}
	return true
}

// text is the visible text of the first element sel matches.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		b.fail("no %s on %s: %v", sel, b.path(), err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// check is what every page a journey reaches gets: axe at WCAG 2.2 AA and a
// full-page screenshot named name.
func (b *browser) check(name string) {
	b.t.Helper()
	b.runAxe(name)
	b.reflows(name)
	b.screenshot(name)
}

// reflows asserts the page needs no horizontal scrolling at the current
// width (WCAG 1.4.10 at 320 CSS px).
func (b *browser) reflows(name string) {
	b.t.Helper()
	raw, err := b.evaluate(`[document.documentElement.scrollWidth, window.innerWidth]`, false)
	if err != nil {
		b.t.Errorf("reflow on %s: %v", name, err)
		return
	}
	var w [2]int
	if err := json.Unmarshal(raw, &w); err != nil {
		b.t.Errorf("reflow on %s: %v", name, err)
		return
	}
	if w[0] > w[1] {
		const widest = `(() => { let m = null; for (const e of document.querySelectorAll("body *")) { const r = e.getBoundingClientRect(); if (r.right > window.innerWidth && (!m || r.right > m.r)) m = {r: r.right, e: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replaceAll(" ", ".") : "")}; } return m ? m.e + " to " + Math.round(m.r) + "px" : ""; })()`
		what, _ := b.evaluate(widest, false)
		b.t.Errorf("%s (%s) scrolls sideways: %d px wide in a %d px window; widest: %s", name, b.path(), w[0], w[1], what)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shots++
	file := filepath.Join(b.t.ArtifactDir(), fmt.Sprintf("%02d-%s.png", b.shots, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun runs axe on the document at WCAG 2.0, 2.1 and 2.2 A and AA.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, resultTypes: ["violations"]}).then(r => r.violations)`

func (b *browser) runAxe(page string) {
	b.t.Helper()
	if !b.axe {
		return
	}
	violations, err := b.axeViolations()
	if err != nil {
		b.t.Errorf("axe on %s: %v", page, err)
		return
	}
	for _, v := range violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target))
		}
		b.t.Errorf("axe on %s (%s): %s [%s] %s: %s", page, b.path(), v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
	}
}

func (b *browser) axeViolations() (_ []axeViolation, err error) {
	if b.noJS {
		// axe needs timers, which do not run while scripts are off. The
		// page's own scripts were skipped when it loaded and stay
		// skipped; scripts go off again before the next page.
		if err := b.scripts(true); err != nil {
			return nil, err
		}
		defer func() {
			if e := b.scripts(false); err == nil {
				err = e
			}
		}()
	}
	raw, err := b.evaluate(axe.js+";\n"+axeRun, true)
	if err != nil {
		return nil, err
	}
	var violations []axeViolation
	err = json.Unmarshal(raw, &violations)
	return violations, err
}

// axe finds what it should: the harness is not passing pages vacuously.
func TestBrowserAxeFindsViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>x</title><main><p style="color:#bbb">薄い文字</p><input name="q"></main>`)
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, &testSite{srv: srv})
	if !b.axe {
		t.Skip(axe.skip)
	}
	b.expect(b.open("/"), 200, "bad page")
	vs, err := b.axeViolations()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"html-has-lang", "label", "color-contrast"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe missed %s; found %v", want, ids)
		}
	}
}

// evaluate evaluates js in the page and returns the JSON result. It
// works with the page's scripts disabled too.
func (b *browser) evaluate(js string, await bool) ([]byte, error) {
	opts := []chromedp.EvaluateOption{}
	if await {
		opts = append(opts, chromedp.EvalAwaitPromise)
	}
	return chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](js, opts...))
}

// routed reports whether the site has a page for GET path; journeys
// through pages other helpers are building skip while theirs is missing.
func (b *browser) routed(path string) bool {
	req, err := http.NewRequest("GET", b.ts.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	_, pattern := b.ts.site.mux.Handler(req)
	return pattern != ""
}

// need skips the test when a page it needs is not in the site yet.
func (b *browser) need(paths ...string) {
	b.t.Helper()
	for _, p := range paths {
		if !b.routed(p) {
			b.t.Skipf("GET %s is not in the site yet (not merged yet); this journey runs once it is", p)
		}
	}
}

// expect fails unless the page loaded with status want.
func (b *browser) expect(got, want int64, what string) {
	b.t.Helper()
	if got != want {
		b.fail("%s: status %d, want %d (now at %s)", what, got, want, b.path())
	}
}

// The organisation a new company enters; the 法人番号 typed in full-width
// digits, first with a wrong check digit.
const (
	corporateNumberWrong = "６３０００１２３４５６７８"
	corporateNumberRight = "５３０００１２３４５６７８"
)

var organisationAnswers = []struct {
	name   string
	values []string
}{
	{"name", []string{"株式会社ブラウザ試験商会"}},
	{"name_kana", []string{"ブラウザシケンショウカイ"}},
	{"legal_form", []string{"kabushiki_kaisha"}},
	{"prefecture", []string{"13"}},
	{"municipality", []string{"千代田区"}},
	{"industry", []string{"G"}},
	{"sme_sector", []string{"services"}},
	{"total_headcount", []string{"１２０"}},
	{"regular_headcount", []string{"１００"}},
	{"capital", []string{"３００００００"}},
}

// The answers to MIC's form; teleworkers is first typed wrong.
var nominationAnswers = map[string][]string{
	"initiative_title":    {"ブラウザで申請する取組"},
	"initiative_summary":  {"全社員が週２日以上在宅勤務を行い、紙の申請をなくした。"},
	"rules_basis":         {"work-rules"},
	"telework_forms":      {"home", "satellite"},
	"practised":           {"true"},
	"eligible_staff":      {"１００"},
	"teleworkers":         {"８０"},
	"avg_telework_days":   {"６"},
	"long_hours_measures": {"深夜のアクセスを制限している。"},
	"ict_security":        {"多要素認証を導入している。"},
	"outcomes":            {"通勤時間が減った。"},
	"serious_violation":   {"false"},
	"antisocial_ties":     {"false"},
	"contact_name":        {"試験太郎"},
	"contact_email":       {"shiken@example.jp"},
}

const (
	wrongQuestion = "teleworkers"
	wrongAnswer   = "たくさん"
)

var (
	editPath    = regexp.MustCompile(`^/nominations/([0-9]+)/edit\?step=([0-9]+)$`)
	confirmPath = regexp.MustCompile(`^/nominations/([0-9]+)/confirm$`)
	donePath    = regexp.MustCompile(`^/nominations/([0-9]+)/done$`)
)

// companyJourney: a company signs up, creates its organisation (full-width
// digits, a wrong check digit first), fills MIC's stepped form with one
// error, confirms, submits and reads the receipt. Every page gets check.
func companyJourney(t *testing.T, b *browser) {
	b.need("/me", "/org/new")

	b.expect(b.open("/signup"), 200, "sign-up page")
	b.check("signup")
	b.fill("氏名", "試験 花子")
	b.fill("メールアドレス", "hanako@example.jp")
	b.fill("新しいパスワード", "ブラウザで試験するパスワード")
	b.fill("新しいパスワード（確認用）", "ブラウザで試験するパスワード")
	b.expect(b.press("登録する"), 200, "sign up")
	if p := b.path(); p != "/me" {
		b.fail("after sign-up at %s, want /me", p)
	}
	b.check("home-new-company")

	b.expect(b.open("/org/new"), 200, "organisation form")
	b.check("org-new")
	for _, a := range organisationAnswers {
		switch a.name {
		case "name":
			b.fill("法人名（団体名）", a.values[0])
		case "prefecture":
			if id := b.byLabel("都道府県"); id != b.controls("prefecture")[0].ID {
				b.fail("都道府県 labels #%s, not the prefecture control", id)
			}
			b.answer(a.name, a.values...)
		default:
			b.answer(a.name, a.values...)
		}
	}
	b.fill("法人番号", corporateNumberWrong)
	b.expect(b.submitForm("corporate_number"), 422, "organisation with a wrong check digit")
	b.errorShown(b.byLabel("法人番号"))
	if v := b.value("法人番号"); v != corporateNumberWrong && v != "6300012345678" {
		b.fail("法人番号 shows %q after the refusal, want what was typed", v)
	}
	if v := b.value("法人名（団体名）"); v != "株式会社ブラウザ試験商会" {
		b.fail("法人名 shows %q after the refusal, want what was typed", v)
	}
	b.check("org-new-refused")
	b.fill("法人番号", corporateNumberRight)
	b.expect(b.submitForm("corporate_number"), 200, "organisation")
	b.check("org-created")

	b.need("/nominations/new")
	b.expect(b.open("/nominations/new?programme=mic-pioneer"), 200, "new nomination")
	b.check("nomination-new")
	b.expect(b.click(chromedp.Click(chromedp.CSS(`form[action="/nominations"] button[type=submit]`)), "start the nomination"), 200, "start the nomination")
	b.fillNomination()
}

// fillNomination goes from the form's first step to the receipt: it
// answers what each step asks (one number wrong at first, then fixed),
// goes on with 次へ, reaches 確認, submits and reads the receipt.
func (b *browser) fillNomination() {
	b.t.Helper()
	next := chromedp.Click(chromedp.CSS(`button[name="go"][value="next"]`))
	erred := false
	for n := 1; ; n++ {
		if n > 12 {
			b.fail("no 確認 page after 12 steps (at %s)", b.path())
		}
		p := b.path()
		if confirmPath.MatchString(p) {
			break
		}
		if !editPath.MatchString(p) {
			b.fail("at %s, want a step of the form or 確認", p)
		}
		b.check(fmt.Sprintf("nomination-step-%d", n))
		typedWrong := false
		for key, values := range nominationAnswers {
			if key == wrongQuestion && !erred {
				if typedWrong = b.answer("q."+key, wrongAnswer); typedWrong {
					continue
				}
			}
			b.answer("q."+key, values...)
		}
		status := b.click(next, "次へ")
		if !typedWrong {
			b.expect(status, 200, fmt.Sprintf("step %d", n))
			continue
		}
		b.expect(status, 422, "a step with a wrong number")
		erred = true
		id := b.controls("q." + wrongQuestion)[0].ID
		b.errorShown(id)
		if v := b.controls("q." + wrongQuestion)[0].Value; v != wrongAnswer {
			b.fail("%s shows %q after the refusal, want %q", wrongQuestion, v, wrongAnswer)
		}
		b.check(fmt.Sprintf("nomination-step-%d-refused", n))
		b.answer("q."+wrongQuestion, nominationAnswers[wrongQuestion]...)
		b.expect(b.click(next, "次へ"), 200, fmt.Sprintf("step %d fixed", n))
	}
	if !erred {
		b.fail("the form never showed the question %s", wrongQuestion)
	}
	b.check("nomination-confirm")
	if !strings.Contains(b.text("main"), "ブラウザで申請する取組") {
		b.fail("確認 does not show the answers: %s", b.text("main"))
	}
	b.expect(b.click(chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)), "submit"), 200, "submit")
	if p := b.path(); !donePath.MatchString(p) {
		b.fail("after submitting at %s, want /nominations/{id}/done", p)
	}
	if r := b.text("#receipt"); r == "" {
		b.fail("the receipt has no number: %s", b.text("main"))
	}
	if at := b.text("#submitted-at"); !strings.Contains(at, "令和") {
		b.fail("the receipt's time is not in 和暦: %q", at)
	}
	b.check("nomination-receipt")
}

// errorShown asserts a refused form's two signs: the error summary linking
// to the field, and the error under the field, tied by aria-describedby.
func (b *browser) errorShown(id string) {
	b.t.Helper()
	if !b.noJS {
		// app.js moves the focus to the summary, so it is read first.
		raw, err := b.evaluate(`document.activeElement.id`, false)
		if err != nil || string(raw) != `"form-errors"` {
			b.fail("the focus is on %s (%v), not on the error summary", raw, err)
		}
	}
	links, err := chromedp.Run(b.ctx, chromedp.AttributesAll(chromedp.CSSAll(`#form-errors a`)))
	if err != nil {
		b.fail("no error summary on %s: %v", b.path(), err)
	}
	linked := false
	for _, a := range links {
		linked = linked || a["href"] == "#"+id
	}
	if !linked {
		b.fail("the error summary has no link to #%s: %v", id, links)
	}
	msg := b.text(`[id="` + id + `-error"]`)
	if msg == "" {
		b.fail("no error text under #%s", id)
	}
	attrs, err := chromedp.Run(b.ctx, chromedp.Attributes(cssID(id)))
	if err != nil {
		b.fail("#%s: %v", id, err)
	}
	if attrs["aria-invalid"] != "true" || !slices.Contains(strings.Fields(attrs["aria-describedby"]), id+"-error") {
		b.fail("#%s is not marked invalid and described by its error: %v", id, attrs)
	}
}

func TestBrowserCompanyJourney(t *testing.T) {
	companyJourney(t, newBrowser(t, browserSite(t)))
}

// The same journey with JavaScript off: every page works as plain HTML.
func TestBrowserCompanyJourneyWithoutJavaScript(t *testing.T) {
	b := newBrowser(t, browserSite(t), withoutJS)
	b.need("/me", "/org/new")
	// Proof that scripts are off: app.js would add the running count to
	// the name's character counter.
	b.expect(b.open("/signup"), 200, "sign-up page")
	if c := b.text(`[id="f-name-count"]`); strings.Contains(c, "現在") {
		t.Fatalf("app.js ran: counter %q", c)
	}
	companyJourney(t, b)
}

// The same journey on a 320 CSS px wide screen: check asserts no page
// scrolls sideways.
func TestBrowserCompanyJourneyNarrow(t *testing.T) {
	b := newBrowser(t, browserSite(t), viewport(320, 800))
	companyJourney(t, b)
}

// signIn signs in through the form as a demo account, and lands on next.
func (b *browser) signIn(key, next string) {
	b.t.Helper()
	a := b.ts.accounts[key]
	b.expect(b.open("/login?next="+url.QueryEscape(next)), 200, "sign-in page")
	b.fill("メールアドレス", a.Email)
	b.fill("パスワード", a.Password)
	b.expect(b.press("ログインする"), 200, "sign in as "+key)
}

// focused describes the element that has the focus, and whether its focus
// is drawn (an outline or a box shadow).
type focused struct {
	Tag     string `json:"tag"`
	ID      string `json:"id"`
	Class   string `json:"class"`
	Type    string `json:"type"`
	Text    string `json:"text"`
	Outline string `json:"outline"`
	Shadow  string `json:"shadow"`
}

func (f focused) String() string {
	return fmt.Sprintf("<%s id=%q class=%q type=%q> %q", f.Tag, f.ID, f.Class, f.Type, f.Text)
}

func (f focused) drawn() bool {
	return (f.Outline != "" && !strings.HasPrefix(f.Outline, "none") && !strings.HasPrefix(f.Outline, "0px")) ||
		(f.Shadow != "" && f.Shadow != "none")
}

const focusedJS = `(() => { const e = document.activeElement; const s = getComputedStyle(e);
	return {tag: e.tagName.toLowerCase(), id: e.id, class: String(e.className || ""), type: e.type || "",
		text: (e.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40),
		outline: s.outlineStyle === "none" ? "none" : s.outlineWidth + " " + s.outlineStyle, shadow: s.boxShadow}; })()`

// key presses a key on whatever has the focus and returns what has it then.
func (b *browser) key(k string) focused {
	b.t.Helper()
	b.do("key", chromedp.KeyEvent(k))
	raw, err := b.evaluate(focusedJS, false)
	if err != nil {
		b.fail("focus: %v", err)
	}
	var f focused
	if err := json.Unmarshal(raw, &f); err != nil {
		b.fail("focus: %v", err)
	}
	return f
}

// The keyboard alone: Tab from the top reaches the skip link first, then
// the email, password and submit in that order, each with a visible focus;
// the skip link leads to the form; typing and Enter sign in.
func TestBrowserKeyboardSignIn(t *testing.T) {
	ts := browserSite(t)
	b := newBrowser(t, ts)
	b.expect(b.open("/login"), 200, "sign-in page")
	b.check("login")

	var order []focused
	for i := 0; i < 25; i++ {
		f := b.key(kb.Tab)
		if !f.drawn() {
			t.Errorf("Tab %d: %s has no visible focus (outline %q, box-shadow %q)", i+1, f, f.Outline, f.Shadow)
		}
		order = append(order, f)
		if f.Type == "submit" && f.Text == "ログインする" {
			break
		}
	}
	if len(order) == 0 || !strings.Contains(" "+order[0].Class+" ", " skip ") {
		t.Fatalf("the first Tab reaches %v, want the skip link", order[0])
	}
	at := slices.IndexFunc(order, func(f focused) bool { return f.ID == "f-email" })
	if at < 0 || at+2 >= len(order) || order[at+1].ID != "f-password" || order[at+2].Text != "ログインする" {
		t.Fatalf("Tab order is not skip link, …, email, password, submit: %v", order)
	}
	b.screenshot("login-focus-on-submit")

	// Again from the top, through the skip link.
	b.expect(b.open("/login"), 200, "sign-in page")
	if f := b.key(kb.Tab); !strings.Contains(f.Class, "skip") {
		t.Fatalf("the first Tab reaches %s, want the skip link", f)
	}
	b.screenshot("login-skip-link")
	if f := b.key(kb.Enter); f.ID != "main" {
		t.Fatalf("the skip link leads to %s, want <main>", f)
	}
	if f := b.key(kb.Tab); f.ID != "f-email" {
		t.Fatalf("after the skip link Tab reaches %s, want the email field", f)
	}
	a := ts.accounts["applicant"]
	b.do("type the email", chromedp.KeyEvent(a.Email))
	if f := b.key(kb.Tab); f.ID != "f-password" {
		t.Fatalf("Tab from the email reaches %s, want the password", f)
	}
	b.do("type the password", chromedp.KeyEvent(a.Password))
	if _, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatalf("Enter: %v", err)
	}
	if p := b.path(); p != "/me" {
		t.Fatalf("Enter in the password signs in to %s, want /me", p)
	}
	// Signed in: a page for signed-in users opens instead of sending to
	// the sign-in form.
	b.expect(b.open("/me/password"), 200, "password page")
	if p := b.path(); p != "/me/password" {
		t.Fatalf("not signed in: /me/password went to %s", p)
	}
	b.check("password-page")
}

// The public pages (with MIC's list published) and the account pages: axe
// clean, and no sideways scrolling at 1280 and at 320 CSS px; the award
// list filtered by prefecture through its form.
func TestBrowserPublicPages(t *testing.T) {
	ts := browserSite(t)
	publishMIC(t, ts, demoDay.AddDate(0, 0, 31))
	cycle := "/awards/" + demo.Key
	pages := []struct{ name, path, as string }{
		{"home", "/", ""},
		{"awards", cycle, ""},
		{"awards-osaka", cycle + "?prefecture=27", ""},
		{"publication", cycle + "/mic-pioneer/v1", ""},
		{"last-year", "/awards/" + demo.PastKey, ""},
		{"accessibility", "/accessibility", ""},
		{"login", "/login", ""},
		{"signup", "/signup", ""},
		{"password", "/me/password", "applicant"},
	}
	for _, width := range []int64{1280, 320} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			tab := newBrowser(t, ts, viewport(width, 900))
			for _, p := range pages {
				t.Run(p.name, func(t *testing.T) {
					b := tab.in(t)
					b.need(p.path)
					if p.as != "" {
						b.signIn(p.as, p.path)
					} else {
						b.expect(b.open(p.path), 200, p.path)
					}
					if got := b.path(); got != p.path {
						t.Fatalf("at %s, want %s", got, p.path)
					}
					b.check(fmt.Sprintf("%s-%d", p.name, width))
				})
			}
		})
	}
}

// The award list filtered by prefecture with its form, as a person does.
func TestBrowserAwardListByPrefecture(t *testing.T) {
	ts := browserSite(t)
	publishMIC(t, ts, demoDay.AddDate(0, 0, 31))
	b := newBrowser(t, ts)
	cycle := "/awards/" + demo.Key
	b.need(cycle)
	b.expect(b.open(cycle), 200, "award list")
	if all := b.text("main"); !strings.Contains(all, "さくらクラウド") || !strings.Contains(all, "浪速精密工業") {
		t.Fatalf("the list lacks the recognised companies: %s", all)
	}
	id := b.byLabel("都道府県")
	b.do("choose 大阪府", chromedp.SetValue(cssID(id), "27"))
	b.expect(b.submitForm("prefecture"), 200, "filter")
	if p := b.path(); !strings.Contains(p, "prefecture=27") {
		t.Fatalf("the filter went to %s", p)
	}
	osaka := b.text("main")
	if !strings.Contains(osaka, "浪速精密工業") || strings.Contains(osaka, "さくらクラウド") {
		t.Fatalf("filtered by 大阪府: %s", osaka)
	}
	if v := b.value("都道府県"); v != "27" {
		t.Errorf("the filter shows %q, want 27 (大阪府) kept", v)
	}
	b.check("awards-osaka")
}

// The demo applicant finishes its organisation's MIC draft: the stepped
// form over answers already saved, one error, 確認, submit, the receipt.
// It needs only the nomination pages, so it runs while the company pages
// (journey a's first half) are still missing.
func TestBrowserDemoDraftNomination(t *testing.T) {
	ts := browserSite(t)
	items, _, err := ts.svc.Nominations(context.Background(), staff, workflow.NominationFilter{Cycle: demo.Key, Programme: "mic-pioneer", Q: "信州"})
	if err != nil || len(items) != 1 {
		t.Fatalf("the demo draft: %v (%d found)", err, len(items))
	}
	edit := fmt.Sprintf("/nominations/%d/edit?step=1", items[0].Nomination.ID)
	b := newBrowser(t, ts)
	b.need(edit)
	b.signIn("applicant", edit)
	b.fillNomination()
}
