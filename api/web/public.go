package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/workflow"
)

// publicPages registers the public's pages: home, award lists, publication versions, accessibility statement.
func (s *Site) publicPages() {
	s.route("GET", "/{$}", public, s.home)
	s.route("GET", "/awards/{cycle}", public, s.awards)
	// The permalink is /awards/{cycle}/{programme}/v{version}; a pattern's
	// wildcard must be a whole segment, so the "v" is checked here.
	s.route("GET", "/awards/{cycle}/{programme}/{version}", public, s.publication)
	s.route("GET", "/accessibility", public, s.accessibility)
}

// homeView is the public home: every cycle with published award lists.
type homeView struct {
	Cycles []homeCycle
}

type homeCycle struct {
	Key, Title string
	FiscalYear int
	Lists      []homeList
}

type homeList struct {
	Programme, Title string
	Version          int
	Published        time.Time
	Count            int
	Href, Permalink  string
}

func (s *Site) home(c *ctx) error {
	ctx := c.r.Context()
	keys, err := s.cfg.Service.CycleKeys(ctx)
	if err != nil {
		return err
	}
	var v homeView
	for _, key := range keys {
		cv, err := s.cfg.Service.Cycle(ctx, key)
		if err != nil {
			return err
		}
		pubs, err := s.cfg.Service.PublicAwards(ctx, key, "")
		if err != nil {
			return err
		}
		if len(pubs) == 0 {
			continue
		}
		hc := homeCycle{Key: key, Title: cv.Cycle.Title.In(c.lang), FiscalYear: cv.Cycle.FiscalYear}
		for _, p := range pubs {
			hc.Lists = append(hc.Lists, homeList{Programme: p.Programme, Title: programmeTitle(cv.Cycle, p.Programme, c.lang),
				Version: p.Version, Published: p.EmbargoAt, Count: len(p.Rows),
				Href:      "/awards/" + url.PathEscape(key) + "?" + url.Values{"programme": {p.Programme}}.Encode(),
				Permalink: permalink(p)})
		}
		v.Cycles = append(v.Cycles, hc)
	}
	// Newest fiscal year first.
	slices.SortStableFunc(v.Cycles, func(a, b homeCycle) int { return b.FiscalYear - a.FiscalYear })
	return c.render(http.StatusOK, "public/home", "public.home.title", v)
}

func programmeTitle(cy workflow.Cycle, key, lang string) string {
	for _, p := range cy.Programmes {
		if p.Key == key {
			return p.Title.In(lang)
		}
	}
	return key
}

func permalink(p workflow.Publication) string {
	return "/awards/" + url.PathEscape(p.Cycle) + "/" + url.PathEscape(p.Programme) + "/v" + strconv.Itoa(p.Version)
}

// publicCycle is a stored cycle, or the 404 page in the reader's words.
func (s *Site) publicCycle(c *ctx, key string) (workflow.CycleVersion, error) {
	cv, err := s.cfg.Service.Cycle(c.r.Context(), key)
	if workflow.ErrorCode(err) == workflow.NotFound {
		return cv, workflow.Refuse(workflow.NotFound, "「%s」という年度の受賞一覧はありません。トップページから年度を選んでください",
			"there are no award lists for %q; choose a year on the home page", key)
	}
	return cv, err
}

// listView is one published version as a page shows it: its tables, one
// per award or tier, in the order of the list (highest first). Its texts
// are in the page's language, so the shared partial needs nothing else.
type listView struct {
	Programme, Title string
	Version          int
	Published        time.Time
	Reason           string // why this version corrects the one before
	Permalink        string
	Count            int
	Head             []string // column headers: name, prefecture, …, then the public form fields
	Groups           []tierGroup
	Empty            string // said when no row is left under the filters
}

type tierGroup struct {
	Award, Caption string
	Rows           []rowView
}

type rowView struct {
	Name  string
	Cells []cellView
}

type cellView struct {
	Label, Value string
	Num          bool
}

func toListView(c *ctx, cy workflow.Cycle, p workflow.Publication) listView {
	lang := c.lang
	lv := listView{Programme: p.Programme, Title: programmeTitle(cy, p.Programme, lang), Version: p.Version, Published: p.EmbargoAt,
		Reason: p.Reason, Permalink: permalink(p), Count: len(p.Rows), Empty: c.T("public.list.empty")}
	cols := []string{c.T("public.col.prefecture"), c.T("public.col.municipality"), c.T("public.col.industry"), c.T("public.col.headcount")}
	for _, f := range p.Fields {
		cols = append(cols, f.Label.In(lang))
	}
	lv.Head = append([]string{c.T("public.col.name")}, cols...)
	for _, r := range p.Rows {
		if n := len(lv.Groups); n == 0 || lv.Groups[n-1].Award != r.Award {
			lv.Groups = append(lv.Groups, tierGroup{Award: r.Award, Caption: r.AwardTitle.In(lang)})
		}
		vals := []string{r.PrefectureName.In(lang), r.Municipality, strings.TrimSpace(r.Industry + " " + r.IndustryName.In(lang)),
			c.T("public.col.headcount.value", r.Headcount)}
		for _, f := range p.Fields {
			vals = append(vals, r.Public[f.Key])
		}
		row := rowView{Name: r.OrganisationName}
		for i, v := range vals {
			row.Cells = append(row.Cells, cellView{Label: cols[i], Value: v, Num: i == 3})
		}
		g := &lv.Groups[len(lv.Groups)-1]
		g.Rows = append(g.Rows, row)
	}
	for i := range lv.Groups {
		g := &lv.Groups[i]
		g.Caption = c.T("public.list.caption", lv.Title, g.Caption, len(g.Rows))
	}
	return lv
}

// awardsView is a cycle's award lists under the filters.
type awardsView struct {
	Cycle, Title         string
	Form                 *Form
	Filtered             bool // a programme or prefecture is chosen
	Prefecture           string
	Lists                []listView
	Count                int
	CSV, XLSX            string // downloads, with the prefecture filter
	CSVSize, XLSXSize    string
	Programme            string // the chosen programme (the downloads hold every one)
	NothingPublishedEver bool
}

// downloadSizes are the sizes of the CSV and XLSX files of pubs, written
// as the API writes them (its language follows the browser's
// Accept-Language; the sizes barely differ). A publication never changes
// once stored, so the sizes are kept by the versions' ids: writing a
// workbook costs more than the rest of the page.
func (s *Site) downloadSizes(pubs []workflow.Publication, title, pref, lang string) (string, string, error) {
	key := sizeKey{site: s, pref: pref, lang: lang}
	for _, p := range pubs {
		key.ids += strconv.FormatInt(p.ID, 10) + ","
	}
	sizes.mu.Lock()
	got, ok := sizes.m[key]
	sizes.mu.Unlock()
	if ok {
		return got[0], got[1], nil
	}
	var csv, xlsx countWriter
	if err := workbook.WriteAnnexCSV(&csv, pubs, lang); err != nil {
		return "", "", err
	}
	if err := workbook.WriteAnnexXLSX(&xlsx, title, pubs, lang); err != nil {
		return "", "", err
	}
	got = [2]string{size(int(csv)), size(int(xlsx))}
	sizes.mu.Lock()
	defer sizes.mu.Unlock()
	if len(sizes.m) >= 512 { // every prefecture × language of a few years
		clear(sizes.m)
	}
	sizes.m[key] = got
	return got[0], got[1], nil
}

type sizeKey struct {
	site            *Site
	ids, pref, lang string
}

var sizes = struct {
	mu sync.Mutex
	m  map[sizeKey][2]string
}{m: map[sizeKey][2]string{}}

// countWriter counts the bytes written to it.
type countWriter int

func (w *countWriter) Write(b []byte) (int, error) { *w += countWriter(len(b)); return len(b), nil }

// size is a file size as link texts give it: 1.2KB, 15KB.
func size(n int) string {
	kb := float64(n) / 1024
	switch {
	case kb < 10:
		return strconv.FormatFloat(max(kb, 0.1), 'f', 1, 64) + "KB"
	case kb < 1024:
		return strconv.Itoa(int(kb+0.5)) + "KB"
	}
	return strconv.FormatFloat(kb/1024, 'f', 1, 64) + "MB"
}

func (s *Site) awards(c *ctx) error {
	key := c.r.PathValue("cycle")
	cv, err := s.publicCycle(c, key)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	programme, pref := strings.TrimSpace(q.Get("programme")), strings.TrimSpace(q.Get("prefecture"))
	f := c.form()
	progs := []Option{{Value: "", Label: c.T("public.awards.all_programmes")}}
	for _, p := range cv.Cycle.Programmes {
		progs = append(progs, Option{Value: p.Key, Label: p.Title.In(c.lang)})
	}
	prefs := []Option{{Value: "", Label: c.T("public.awards.all_prefectures")}}
	for _, p := range workflow.Prefectures {
		prefs = append(prefs, Option{Value: p.Code, Label: p.Name.In(c.lang)})
	}
	f.Add(Field{Name: "programme", Label: c.T("public.awards.programme"), Type: "select", Options: progs, Value: programme})
	f.Add(Field{Name: "prefecture", Label: c.T("public.awards.prefecture"), Type: "select", Options: prefs, Value: pref,
		Help: c.T("public.awards.prefecture.help")})
	status := http.StatusOK
	if programme != "" && !slices.ContainsFunc(cv.Cycle.Programmes, func(p workflow.Programme) bool { return p.Key == programme }) {
		f.Fail("programme", c.T("public.awards.programme.unknown"))
		programme = ""
	}
	if pref != "" {
		if _, ok := workflow.PrefectureByCode(pref); !ok {
			f.Fail("prefecture", c.T("public.awards.prefecture.unknown"))
			pref = ""
		}
	}
	if f.Failed() {
		status = http.StatusUnprocessableEntity
	}
	ctx := c.r.Context()
	all, err := s.cfg.Service.PublicAwards(ctx, key, "")
	if err != nil {
		return err
	}
	pubs := all
	if pref != "" {
		if pubs, err = s.cfg.Service.PublicAwards(ctx, key, pref); err != nil {
			return err
		}
	}
	v := awardsView{Cycle: key, Title: cv.Cycle.Title.In(c.lang), Form: f, Filtered: programme != "" || pref != "",
		Prefecture: pref, NothingPublishedEver: len(all) == 0, Programme: programme}
	for _, p := range pubs {
		if programme != "" && p.Programme != programme {
			continue
		}
		lv := toListView(c, cv.Cycle, p)
		v.Count += lv.Count
		v.Lists = append(v.Lists, lv)
	}
	if len(all) > 0 {
		base := "/api/v1/public/cycles/" + url.PathEscape(key) + "/awards"
		suffix := ""
		if pref != "" {
			suffix = "?" + url.Values{"prefecture": {pref}}.Encode()
		}
		v.CSV, v.XLSX = base+".csv"+suffix, base+".xlsx"+suffix
		if v.CSVSize, v.XLSXSize, err = s.downloadSizes(pubs, v.Title, pref, c.lang); err != nil {
			return err
		}
	}
	return c.renderPage(status, "public/awards", c.page(c.T("public.awards.title", v.Title), v))
}

// publicationView is one version, with the other public versions of its list.
type publicationView struct {
	Cycle, CycleTitle string
	List              listView
	Current           *versionLink // the version the public list shows now, when it is another
	Versions          []versionLink
}

type versionLink struct {
	Version   int
	Published time.Time
	Href      string
	This      bool
}

func (s *Site) publication(c *ctx) error {
	key, programme, raw := c.r.PathValue("cycle"), c.r.PathValue("programme"), c.r.PathValue("version")
	version, err := strconv.Atoi(strings.TrimPrefix(raw, "v"))
	if !strings.HasPrefix(raw, "v") || err != nil || version < 1 || strconv.Itoa(version) != raw[1:] {
		return workflow.Refuse(workflow.NotFound, "「%s」という版はありません。版の番号は v1、v2 のように書きます",
			"there is no version %q; versions are written v1, v2, …", raw)
	}
	cv, err := s.publicCycle(c, key)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	p, err := s.cfg.Service.PublicPublication(ctx, key, programme, version)
	if err != nil {
		return err
	}
	v := publicationView{Cycle: key, CycleTitle: cv.Cycle.Title.In(c.lang), List: toListView(c, cv.Cycle, p)}
	current, err := s.cfg.Service.PublicAwards(ctx, key, "")
	if err != nil {
		return err
	}
	newest := version
	for _, cp := range current {
		if cp.Programme == programme {
			newest = max(newest, cp.Version)
			if cp.Version != version {
				v.Current = &versionLink{Version: cp.Version, Published: cp.EmbargoAt, Href: permalink(cp)}
			}
		}
	}
	// Every version the public has seen (withdrawn ones never were).
	for n := 1; n <= newest; n++ {
		if n == version {
			v.Versions = append(v.Versions, versionLink{Version: n, Published: p.EmbargoAt, Href: permalink(p), This: true})
			continue
		}
		o, err := s.cfg.Service.PublicPublication(ctx, key, programme, n)
		switch workflow.ErrorCode(err) {
		case "":
			v.Versions = append(v.Versions, versionLink{Version: n, Published: o.EmbargoAt, Href: permalink(o)})
		case workflow.NotFound:
		default:
			return err
		}
	}
	title := c.T("public.version.title", v.List.Title, version)
	return c.renderPage(http.StatusOK, "public/publication", c.page(title, v))
}

func (s *Site) accessibility(c *ctx) error {
	return c.render(http.StatusOK, "public/accessibility", "public.a11y.title", nil)
}
