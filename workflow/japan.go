package workflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Tokyo is the zone of every deadline and official date. The binary embeds
// the zone database (cmd imports time/tzdata), so this works on minimal hosts.
var Tokyo = mustLoad("Asia/Tokyo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Only reachable on a host without zoneinfo and a binary without
		// time/tzdata; a fixed +09:00 zone is exact for Japan (no DST).
		return time.FixedZone("JST", 9*60*60)
	}
	return loc
}

// Prefecture is one of Japan's 47 prefectures with its JIS X 0401 code.
type Prefecture struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// Prefectures lists the 47 prefectures in JIS X 0401 order.
var Prefectures = []Prefecture{
	{"01", Text{"北海道", "Hokkaido"}}, {"02", Text{"青森県", "Aomori"}}, {"03", Text{"岩手県", "Iwate"}},
	{"04", Text{"宮城県", "Miyagi"}}, {"05", Text{"秋田県", "Akita"}}, {"06", Text{"山形県", "Yamagata"}},
	{"07", Text{"福島県", "Fukushima"}}, {"08", Text{"茨城県", "Ibaraki"}}, {"09", Text{"栃木県", "Tochigi"}},
	{"10", Text{"群馬県", "Gunma"}}, {"11", Text{"埼玉県", "Saitama"}}, {"12", Text{"千葉県", "Chiba"}},
	{"13", Text{"東京都", "Tokyo"}}, {"14", Text{"神奈川県", "Kanagawa"}}, {"15", Text{"新潟県", "Niigata"}},
	{"16", Text{"富山県", "Toyama"}}, {"17", Text{"石川県", "Ishikawa"}}, {"18", Text{"福井県", "Fukui"}},
	{"19", Text{"山梨県", "Yamanashi"}}, {"20", Text{"長野県", "Nagano"}}, {"21", Text{"岐阜県", "Gifu"}},
	{"22", Text{"静岡県", "Shizuoka"}}, {"23", Text{"愛知県", "Aichi"}}, {"24", Text{"三重県", "Mie"}},
	{"25", Text{"滋賀県", "Shiga"}}, {"26", Text{"京都府", "Kyoto"}}, {"27", Text{"大阪府", "Osaka"}},
	{"28", Text{"兵庫県", "Hyogo"}}, {"29", Text{"奈良県", "Nara"}}, {"30", Text{"和歌山県", "Wakayama"}},
	{"31", Text{"鳥取県", "Tottori"}}, {"32", Text{"島根県", "Shimane"}}, {"33", Text{"岡山県", "Okayama"}},
	{"34", Text{"広島県", "Hiroshima"}}, {"35", Text{"山口県", "Yamaguchi"}}, {"36", Text{"徳島県", "Tokushima"}},
	{"37", Text{"香川県", "Kagawa"}}, {"38", Text{"愛媛県", "Ehime"}}, {"39", Text{"高知県", "Kochi"}},
	{"40", Text{"福岡県", "Fukuoka"}}, {"41", Text{"佐賀県", "Saga"}}, {"42", Text{"長崎県", "Nagasaki"}},
	{"43", Text{"熊本県", "Kumamoto"}}, {"44", Text{"大分県", "Oita"}}, {"45", Text{"宮崎県", "Miyazaki"}},
	{"46", Text{"鹿児島県", "Kagoshima"}}, {"47", Text{"沖縄県", "Okinawa"}},
}

// PrefectureByCode returns the prefecture with the given two-digit JIS code.
func PrefectureByCode(code string) (Prefecture, bool) {
	n, err := strconv.Atoi(code)
	if err != nil || len(code) != 2 || n < 1 || n > len(Prefectures) {
		return Prefecture{}, false
	}
	return Prefectures[n-1], true
}

// Industry is a major division (大分類) of the Japan Standard Industrial
// Classification, 14th revision (in force since April 2024).
type Industry struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// Industries lists the 20 JSIC major divisions A–T.
var Industries = []Industry{
	{"A", Text{"農業，林業", "Agriculture and forestry"}},
	{"B", Text{"漁業", "Fisheries"}},
	{"C", Text{"鉱業，採石業，砂利採取業", "Mining and quarrying of stone and gravel"}},
	{"D", Text{"建設業", "Construction"}},
	{"E", Text{"製造業", "Manufacturing"}},
	{"F", Text{"電気・ガス・熱供給・水道業", "Electricity, gas, heat supply and water"}},
	{"G", Text{"情報通信業", "Information and communications"}},
	{"H", Text{"運輸業，郵便業", "Transport and postal activities"}},
	{"I", Text{"卸売業，小売業", "Wholesale and retail trade"}},
	{"J", Text{"金融業，保険業", "Finance and insurance"}},
	{"K", Text{"不動産業，物品賃貸業", "Real estate and goods rental and leasing"}},
	{"L", Text{"学術研究，専門・技術サービス業", "Scientific research, professional and technical services"}},
	{"M", Text{"宿泊業，飲食サービス業", "Accommodations, eating and drinking services"}},
	{"N", Text{"生活関連サービス業，娯楽業", "Living-related and personal services and amusement services"}},
	{"O", Text{"教育，学習支援業", "Education, learning support"}},
	{"P", Text{"医療，福祉", "Medical, health care and welfare"}},
	{"Q", Text{"複合サービス事業", "Compound services"}},
	{"R", Text{"サービス業（他に分類されないもの）", "Services, n.e.c."}},
	{"S", Text{"公務（他に分類されるものを除く）", "Government, except elsewhere classified"}},
	{"T", Text{"分類不能の産業", "Industries unable to classify"}},
}

// IndustryByCode returns the JSIC major division with the given letter.
func IndustryByCode(code string) (Industry, bool) {
	if len(code) != 1 || code[0] < 'A' || code[0] > 'T' {
		return Industry{}, false
	}
	return Industries[code[0]-'A'], true
}

// ValidCorporateNumber reports whether s is a 13-digit corporate number
// (法人番号) whose leading check digit is right: 9 − (Σ Pₙ·Qₙ mod 9) over the
// 12 base digits counted from the right, Qₙ = 1 for odd n and 2 for even n.
func ValidCorporateNumber(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 1; i < 13; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n := 13 - i // position counted from the right, 1…12
		q := 1
		if n%2 == 0 {
			q = 2
		}
		sum += int(c-'0') * q
	}
	return s[0] >= '0' && s[0] <= '9' && int(s[0]-'0') == 9-sum%9
}

// FiscalYear returns the Japanese fiscal year (年度, 1 April – 31 March,
// named by the year it starts in) that t falls in, in Japan time.
func FiscalYear(t time.Time) int {
	t = t.In(Tokyo)
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// Deadlines. A deadline is stored as the first instant that is late: a call
// that closes 7月31日 必着 is stored as 8月1日 00:00 Japan time. Shown to a
// person it is the last day that is still in time, with a time of day only
// when the deadline is not the end of that day.

// EndOfDay reports whether t is exactly midnight in Japan time, that is a
// deadline at the end of the day before.
func EndOfDay(t time.Time) bool {
	t = t.In(Tokyo)
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// DeadlineDay returns the date (midnight, Japan time) of the last day a
// deadline is still met: the day before for a deadline at midnight.
func DeadlineDay(t time.Time) time.Time {
	t = t.In(Tokyo)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Tokyo)
	if EndOfDay(t) {
		return day.AddDate(0, 0, -1)
	}
	return day
}

// DeadlineFiscalYear is the fiscal year a deadline belongs to: the year of
// its last day, so a call closing at 00:00 on 1 April ends the fiscal year
// before.
func DeadlineFiscalYear(t time.Time) int { return FiscalYear(DeadlineDay(t)) }

// warekiDeadline is the last day in 和暦 with weekday, then " 17:00" unless
// the deadline is the end of the day, then suffix.
func warekiDeadline(t time.Time, suffix string) string {
	s := Wareki(DeadlineDay(t))
	if !EndOfDay(t) {
		s += " " + t.In(Tokyo).Format("15:04")
	}
	return s + suffix
}

// WarekiDeadline renders a deadline in Japanese: 令和8年7月31日(金)まで for
// 8月1日 00:00, 令和8年7月31日(金) 17:00まで otherwise.
func WarekiDeadline(t time.Time) string { return warekiDeadline(t, "まで") }

// WarekiMustArrive renders a must-arrive (必着) deadline in Japanese:
// 令和8年7月31日(金)必着, or 令和8年7月15日(水) 17:00必着.
func WarekiMustArrive(t time.Time) string { return warekiDeadline(t, "必着") }

// DeadlineEn renders a deadline in English, in Japan time: "31 July 2026
// (Fri), end of day JST" or "15 July 2026 (Wed) 17:00 JST".
func DeadlineEn(t time.Time) string {
	s := DeadlineDay(t).Format("2 January 2006 (Mon)")
	if EndOfDay(t) {
		return s + ", end of day JST"
	}
	return s + " " + t.In(Tokyo).Format("15:04") + " JST"
}

// WarekiTime renders an instant (an opening, a time of generation) in
// Japanese with its time of day: 令和8年6月15日(月) 10:00.
func WarekiTime(t time.Time) string { return Wareki(t) + " " + t.In(Tokyo).Format("15:04") }

var eras = []struct {
	name  string
	start time.Time
}{
	{"令和", time.Date(2019, 5, 1, 0, 0, 0, 0, Tokyo)},
	{"平成", time.Date(1989, 1, 8, 0, 0, 0, 0, Tokyo)},
	{"昭和", time.Date(1926, 12, 25, 0, 0, 0, 0, Tokyo)},
}

var weekdaysJa = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// Wareki formats t's date in Japan time in the official style with era and
// weekday, e.g. 令和8年7月31日(金); the first year of an era is 元年. Dates
// before Shōwa fall back to the Gregorian year.
func Wareki(t time.Time) string {
	t = t.In(Tokyo)
	year := fmt.Sprintf("%d年", t.Year())
	for _, e := range eras {
		if !t.Before(e.start) {
			n := t.Year() - e.start.Year() + 1
			if n == 1 {
				year = e.name + "元年"
			} else {
				year = fmt.Sprintf("%s%d年", e.name, n)
			}
			break
		}
	}
	return fmt.Sprintf("%s%d月%d日(%s)", year, int(t.Month()), t.Day(), weekdaysJa[t.Weekday()])
}

// normalise applies NFKC (full-width digits and letters become ASCII,
// half-width katakana becomes full-width) and trims surrounding space.
func normalise(s string) string {
	return strings.TrimSpace(norm.NFKC.String(s))
}

// badControl reports whether s holds NUL or another control character; tab
// and newlines are allowed only where multiline is true.
func badControl(s string, multiline bool) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			if !multiline {
				return true
			}
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
