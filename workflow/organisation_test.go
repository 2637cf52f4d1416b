package workflow

import (
	"slices"
	"testing"
)

func yen(n int64) *int64 { return &n }

func TestOrganisationSize(t *testing.T) {
	tests := []struct {
		name      string
		form      LegalForm
		industry  string
		sector    SMESector
		regular   int
		capital   *int64
		sme, smal bool
	}{
		{"manufacturer within headcount", "kabushiki_kaisha", "E", "", 300, yen(1_000_000_000), true, false},
		{"manufacturer over both", "kabushiki_kaisha", "E", "", 301, yen(300_000_001), false, false},
		{"manufacturer by capital", "kabushiki_kaisha", "E", "", 1000, yen(300_000_000), true, false},
		{"small manufacturer", "godo_kaisha", "E", "", 20, nil, true, true},
		{"wholesale 101 staff, ¥100m", "kabushiki_kaisha", "I", SectorWholesale, 101, yen(100_000_000), true, false},
		{"wholesale over both", "kabushiki_kaisha", "I", SectorWholesale, 101, yen(100_000_001), false, false},
		{"retail 51 staff", "kabushiki_kaisha", "I", SectorRetail, 51, yen(60_000_000), false, false},
		{"services 100 staff", "kabushiki_kaisha", "G", SectorServices, 100, yen(90_000_000), true, false},
		{"small services ≤ 5", "kabushiki_kaisha", "L", "", 5, nil, true, true},
		{"services 6 staff is not small", "kabushiki_kaisha", "L", "", 6, nil, true, false},
		{"NPO is never an SME", "npo", "P", "", 10, nil, false, false},
		{"local government", "local_government", "S", "", 5000, nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Organisation{LegalForm: tc.form, Industry: tc.industry, SMESector: tc.sector, RegularHeadcount: tc.regular, TotalHeadcount: tc.regular, Capital: tc.capital}
			s := o.Size()
			if s.SME != tc.sme || s.Small != tc.smal {
				t.Fatalf("Size = %+v, want sme=%v small=%v", s, tc.sme, tc.smal)
			}
		})
	}
}

func TestOrganisationValidate(t *testing.T) {
	good := Organisation{Name: "株式会社テスト", NameKana: "ﾃｽﾄ", LegalForm: "kabushiki_kaisha", CorporateNumber: "４０１１００１０９８９９３",
		Prefecture: "１３", Municipality: "千代田区", Industry: "E", TotalHeadcount: 10, RegularHeadcount: 8, Capital: yen(1)}
	if ps := good.Normalise().Validate(); len(ps) != 0 {
		t.Fatalf("good organisation: %v", ps)
	}
	if n := good.Normalise(); n.NameKana != "テスト" || n.CorporateNumber != "4011001098993" || n.Prefecture != "13" {
		t.Fatalf("normalised: %+v", n)
	}
	tests := []struct {
		name  string
		edit  func(*Organisation)
		paths []string
	}{
		{"empty name", func(o *Organisation) { o.Name = "" }, []string{"name"}},
		{"hiragana reading", func(o *Organisation) { o.NameKana = "てすと" }, []string{"name_kana"}},
		{"bad check digit", func(o *Organisation) { o.CorporateNumber = "5011001098993" }, []string{"corporate_number"}},
		{"unknown legal form", func(o *Organisation) { o.LegalForm = "plc" }, []string{"legal_form"}},
		{"prefecture 48", func(o *Organisation) { o.Prefecture = "48" }, []string{"prefecture"}},
		{"industry U", func(o *Organisation) { o.Industry = "U" }, []string{"industry"}},
		{"ambiguous industry without sector", func(o *Organisation) { o.Industry = "I" }, []string{"sme_sector"}},
		{"regular above total", func(o *Organisation) { o.RegularHeadcount = 11 }, []string{"regular_headcount"}},
		{"no staff", func(o *Organisation) { o.TotalHeadcount, o.RegularHeadcount = 0, 0 }, []string{"total_headcount"}},
		{"negative capital", func(o *Organisation) { o.Capital = yen(-1) }, []string{"capital"}},
		{"control character", func(o *Organisation) { o.Municipality = "千代田\x00区" }, []string{"municipality"}},
		{"name only a zero-width space", func(o *Organisation) { o.Name = "\u200b" }, []string{"name"}},
		{"name with a right-to-left override", func(o *Organisation) { o.Name = "株式会社\u202eクーワレテ" }, []string{"name"}},
		{"name with a newline", func(o *Organisation) { o.Name = "株式会社\nテスト" }, []string{"name"}},
		{"name only spaces", func(o *Organisation) { o.Name = "\u3000 " }, []string{"name"}},
		{"reading with a zero-width joiner", func(o *Organisation) { o.NameKana = "テ\u200dスト" }, []string{"name_kana"}},
		{"municipality with a bidi isolate", func(o *Organisation) { o.Municipality = "\u2066港区\u2069" }, []string{"municipality"}},
		{"several at once", func(o *Organisation) { o.Name, o.Prefecture = "", "99" }, []string{"name", "prefecture"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good.Normalise()
			tc.edit(&o)
			var paths []string
			for _, p := range o.Validate() {
				paths = append(paths, p.Path)
				if p.Message.Ja == "" || p.Message.En == "" {
					t.Errorf("%s: message lacks ja or en", p.Path)
				}
			}
			if !slices.Equal(paths, tc.paths) {
				t.Fatalf("problems at %v, want %v", paths, tc.paths)
			}
		})
	}
}
