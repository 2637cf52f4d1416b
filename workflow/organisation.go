package workflow

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// LegalForm is an organisation's legal form (法人格).
type LegalForm string

// LegalForms lists the accepted legal forms with their Japanese names.
var LegalForms = []struct {
	Form    LegalForm
	Name    Text
	Company bool // a company or sole proprietor: the SME Act's size test applies
}{
	{"kabushiki_kaisha", Text{"株式会社", "Kabushiki kaisha (stock company)"}, true},
	{"godo_kaisha", Text{"合同会社", "Godo kaisha (LLC)"}, true},
	{"gomei_kaisha", Text{"合名会社", "Gomei kaisha"}, true},
	{"goshi_kaisha", Text{"合資会社", "Goshi kaisha"}, true},
	{"yugen_kaisha", Text{"有限会社", "Yugen kaisha"}, true},
	{"sole_proprietor", Text{"個人事業主", "Sole proprietor"}, true},
	{"general_incorporated_association", Text{"一般社団法人", "General incorporated association"}, false},
	{"public_interest_incorporated_association", Text{"公益社団法人", "Public interest incorporated association"}, false},
	{"general_incorporated_foundation", Text{"一般財団法人", "General incorporated foundation"}, false},
	{"public_interest_incorporated_foundation", Text{"公益財団法人", "Public interest incorporated foundation"}, false},
	{"npo", Text{"特定非営利活動法人", "Specified non-profit corporation (NPO)"}, false},
	{"social_welfare_corporation", Text{"社会福祉法人", "Social welfare corporation"}, false},
	{"medical_corporation", Text{"医療法人", "Medical corporation"}, false},
	{"school_corporation", Text{"学校法人", "School corporation"}, false},
	{"cooperative", Text{"協同組合", "Cooperative"}, false},
	{"incorporated_administrative_agency", Text{"独立行政法人", "Incorporated administrative agency"}, false},
	{"local_government", Text{"地方公共団体", "Local government"}, false},
	{"other", Text{"その他", "Other"}, false},
}

func legalForm(f LegalForm) (company, ok bool) {
	for _, l := range LegalForms {
		if l.Form == f {
			return l.Company, true
		}
	}
	return false, false
}

// SMESector is the sector that sets the SME Act's (中小企業基本法) limits.
type SMESector string

// The SME sectors, with the Act's capital and regular-headcount limits.
const (
	SectorManufacturing SMESector = "manufacturing" // manufacturing and others: ¥300m or 300 people
	SectorWholesale     SMESector = "wholesale"     // ¥100m or 100
	SectorRetail        SMESector = "retail"        // ¥50m or 50 (includes restaurants)
	SectorServices      SMESector = "services"      // ¥50m or 100
)

var sectorLimits = map[SMESector]struct {
	capital   int64
	headcount int
	small     int // small enterprise (小規模企業者) headcount limit
}{
	SectorManufacturing: {300_000_000, 300, 20},
	SectorWholesale:     {100_000_000, 100, 5},
	SectorRetail:        {50_000_000, 50, 5},
	SectorServices:      {50_000_000, 100, 5},
}

// defaultSector maps JSIC major divisions whose SME sector is unambiguous.
// G (information and communications), I (wholesale and retail), K (real
// estate and rental) and M (accommodation and food) mix sectors, so an
// organisation in them must name its sector.
var defaultSector = map[string]SMESector{
	"A": SectorManufacturing, "B": SectorManufacturing, "C": SectorManufacturing,
	"D": SectorManufacturing, "E": SectorManufacturing, "F": SectorManufacturing,
	"H": SectorManufacturing, "J": SectorManufacturing, "S": SectorManufacturing,
	"T": SectorManufacturing,
	"L": SectorServices, "N": SectorServices, "O": SectorServices, "P": SectorServices,
	"Q": SectorServices, "R": SectorServices,
}

// Organisation is an applicant: a company, NPO, local government or other body.
type Organisation struct {
	ID               int64
	Name             string
	NameKana         string
	LegalForm        LegalForm
	CorporateNumber  string // 法人番号; optional
	Prefecture       string // JIS X 0401 code, "13"
	Municipality     string
	Industry         string    // JSIC major division, "G"
	SMESector        SMESector // required where Industry is ambiguous
	TotalHeadcount   int
	RegularHeadcount int    // 常時雇用する人数
	Capital          *int64 // yen; nil where not applicable
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Size is an organisation's size class, derived from its figures.
type Size struct {
	Sector SMESector
	SME    bool // 中小企業
	Small  bool // 小規模企業者
}

// Sector returns the SME sector: the declared one, or the default for its industry.
func (o Organisation) Sector() SMESector {
	if o.SMESector != "" {
		return o.SMESector
	}
	return defaultSector[o.Industry]
}

// Size derives the SME and small-enterprise flags. The SME Act classifies
// companies and sole proprietors; other legal forms are never SMEs here.
// A company is an SME if its capital or its regular headcount is within its
// sector's limit.
func (o Organisation) Size() Size {
	sector := o.Sector()
	company, _ := legalForm(o.LegalForm)
	lim, ok := sectorLimits[sector]
	if !company || !ok {
		return Size{Sector: sector}
	}
	sme := o.RegularHeadcount <= lim.headcount || (o.Capital != nil && *o.Capital <= lim.capital)
	return Size{Sector: sector, SME: sme, Small: sme && o.RegularHeadcount <= lim.small}
}

// Normalise returns o with its text NFKC-normalised (full-width digits in a
// corporate number become ASCII; half-width katakana becomes full-width).
func (o Organisation) Normalise() Organisation {
	o.Name = normalise(o.Name)
	o.NameKana = normalise(o.NameKana)
	o.CorporateNumber = normalise(o.CorporateNumber)
	o.Prefecture = normalise(o.Prefecture)
	o.Municipality = normalise(o.Municipality)
	o.Industry = normalise(o.Industry)
	return o
}

// Validate reports every problem with a normalised organisation.
func (o Organisation) Validate() []Problem {
	var ps []Problem
	text := func(path, v string, max int) bool {
		n := len(ps)
		switch {
		case v == "":
			ps = append(ps, problem(path, "required", "入力してください", "is required"))
		case utf8.RuneCountInString(v) > max:
			ps = append(ps, problem(path, "too_long", "長すぎます", "is too long"))
		default:
			if p := textProblem(path, v, false); p != nil {
				ps = append(ps, *p)
			}
		}
		return len(ps) == n
	}
	text("name", o.Name, 200)
	if text("name_kana", o.NameKana, 400) && !isKatakana(o.NameKana) {
		ps = append(ps, problem("name_kana", "not_katakana", "カタカナで入力してください", "must be written in katakana"))
	}
	company, ok := legalForm(o.LegalForm)
	if !ok {
		ps = append(ps, problem("legal_form", "unknown", "法人格が不正です", "is not a known legal form"))
	}
	if o.CorporateNumber != "" && !ValidCorporateNumber(o.CorporateNumber) {
		ps = append(ps, problem("corporate_number", "invalid_check_digit",
			"法人番号が正しくありません（13桁・チェックデジット）", "is not a valid 13-digit corporate number (check digit)"))
	}
	if _, ok := PrefectureByCode(o.Prefecture); !ok {
		ps = append(ps, problem("prefecture", "unknown", "都道府県コードが不正です（01〜47）", "must be a JIS prefecture code 01–47"))
	}
	text("municipality", o.Municipality, 100)
	_, knownIndustry := IndustryByCode(o.Industry)
	if !knownIndustry {
		ps = append(ps, problem("industry", "unknown", "産業分類が不正です（A〜T）", "must be a JSIC major division A–T"))
	}
	if o.SMESector != "" {
		if _, ok := sectorLimits[o.SMESector]; !ok {
			ps = append(ps, problem("sme_sector", "unknown", "業種区分が不正です", "must be manufacturing, wholesale, retail or services"))
		}
	} else if _, ok := defaultSector[o.Industry]; !ok && company && knownIndustry {
		ps = append(ps, problem("sme_sector", "required",
			"この産業分類では業種区分（卸売業・小売業・サービス業など）を指定してください",
			"is required for this industry: manufacturing, wholesale, retail or services"))
	}
	if o.TotalHeadcount < 1 {
		ps = append(ps, problem("total_headcount", "out_of_range", "1以上で入力してください", "must be at least 1"))
	}
	if o.RegularHeadcount < 0 || o.RegularHeadcount > o.TotalHeadcount {
		ps = append(ps, problem("regular_headcount", "out_of_range",
			"0以上、総従業員数以下で入力してください", "must be between 0 and the total headcount"))
	}
	if o.Capital != nil && *o.Capital < 0 {
		ps = append(ps, problem("capital", "out_of_range", "0以上で入力してください", "must not be negative"))
	}
	return ps
}

// isKatakana reports whether s is written in katakana, allowing the long
// vowel mark, middle dot, spaces, and ASCII letters and digits (for names
// such as "エヌ・ティ・ティ" or "ABCテック").
func isKatakana(s string) bool {
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Katakana), r == 'ー', r == '・', r == ' ', r == '　':
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&' || r == '.' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// legalFormWords are the legal-form words (法人格) and their abbreviations
// as they read after NFKC and lower-casing ("㈱" and "（株）" become "(株)",
// "㍿" becomes "株式会社"), longest first so that "一般社団法人" goes before
// "社団法人". NameKey removes them wherever they stand in a name.
var legalFormWords = func() []string {
	ws := []string{
		"株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "相互会社", "有限責任事業組合",
		"一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人", "社団法人", "財団法人",
		"特定非営利活動法人", "npo法人", "認定npo法人", "社会福祉法人", "医療法人社団", "医療法人財団", "医療法人",
		"学校法人", "宗教法人", "独立行政法人", "地方独立行政法人", "国立大学法人", "公立大学法人",
		"弁護士法人", "税理士法人", "監査法人", "司法書士法人", "行政書士法人", "社会保険労務士法人", "特許業務法人", "農事組合法人",
		"(株)", "(有)", "(同)", "(資)", "(名)", "(一社)", "(公社)", "(一財)", "(公財)", "(社)", "(財)",
		"(特非)", "(npo)", "(福)", "(社福)", "(医)", "(学)", "(宗)", "(独)", "(弁)", "(税)",
	}
	slices.SortStableFunc(ws, func(a, b string) int { return len(b) - len(a) })
	return ws
}()

// legalFormTokens are the Latin-script legal forms, as words with their dots
// removed ("Co., Ltd." is the words "co" and "ltd"; "K.K." is "kk").
var legalFormTokens = map[string]bool{
	"co": true, "company": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
	"corp": true, "corporation": true, "kk": true, "llc": true, "gk": true, "plc": true, "llp": true,
}

// NameKey is the form of an organisation's name used to match names: NFKC
// (width), lower case, without legal-form words in any position and
// notation (株式会社, (株), ㈱, 合同会社, 一般社団法人, NPO法人, Co., Ltd., Inc.,
// K.K., LLC, ...), without spaces, middle dots, punctuation, symbols and
// long-vowel marks, and with ヶ read as ケ (ヵ as カ). "株式会社テレワーク工房",
// "テレワーク工房(株)" and "ﾃﾚﾜｰｸ工房 株式会社" have the same key. A name that is
// only a legal form has the empty key, which matches nothing.
func NameKey(name string) string {
	s := strings.ToLower(norm.NFKC.String(name))
	// Latin words: drop those that are legal forms. A word is a run of
	// ASCII letters, digits, dots, hyphens, apostrophes and ampersands.
	var b strings.Builder
	word := func(r rune) bool {
		return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '\'' || r == '&')
	}
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !word(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && word(rs[j]) {
			j++
		}
		w := string(rs[i:j])
		if !legalFormTokens[strings.ReplaceAll(w, ".", "")] {
			b.WriteString(w)
		}
		b.WriteRune(' ')
		i = j
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, b.String())
	for _, w := range legalFormWords {
		s = strings.ReplaceAll(s, w, "")
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ヶ', 'ゖ':
			return 'ケ'
		case 'ヵ', 'ゕ':
			return 'カ'
		case 'ー', 'ｰ', '〜', '～':
			return -1
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) {
			return r
		}
		return -1 // spaces, middle dots, punctuation, symbols
	}, s)
}

// CorporateNumberTaken is the refusal of a second organisation with a
// corporate number another already holds. It tells the claimant how to be
// added as a contact of the existing one and nothing else about it.
func CorporateNumberTaken(number string) *Error {
	return Refuse(Conflict,
		"法人番号 %s の団体はすでに登録されています。同じ法人番号で別の団体は登録できません。その団体の担当者として追加されるには、その団体の既存の担当者に招待を依頼してください",
		"an organisation with corporate number %s is already registered, and a corporate number belongs to one organisation only; to be added as a contact of it, ask one of its existing contacts to invite you",
		number)
}

// checkCorporateNumber refuses o's corporate number if an organisation
// other than o holds it. Run it in the transaction that stores o.
func checkCorporateNumber(ctx context.Context, tx Tx, o Organisation) error {
	if o.CorporateNumber == "" {
		return nil
	}
	id, err := tx.OrganisationWithCorporateNumber(ctx, o.CorporateNumber)
	if err != nil {
		return err
	}
	if id != 0 && id != o.ID {
		return CorporateNumberTaken(o.CorporateNumber)
	}
	return nil
}
