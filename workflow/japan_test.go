package workflow

import (
	"fmt"
	"testing"
	"time"
)

func TestValidCorporateNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4011001098993", true},
		{"7000012050002", true},
		{"2120901007402", true},
		{"7123456789012", true},
		{"5011001098993", false}, // wrong check digit
		{"3011001098993", false},
		{"401100109899", false},   // 12 digits
		{"40110010989930", false}, // 14 digits
		{"401100109899a", false},
		{"", false},
		{"４011001098993", false}, // full-width must be normalised first
		{"0000000000000", false}, // check digit of all zeros is 9
		{"9000000000000", true},
	}
	for _, tc := range tests {
		if got := ValidCorporateNumber(tc.in); got != tc.want {
			t.Errorf("ValidCorporateNumber(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestWareki(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 7, 31, 12, 0, 0, 0, Tokyo), "令和6年7月31日(水)"},
		{time.Date(2026, 7, 31, 0, 0, 0, 0, Tokyo), "令和8年7月31日(金)"},
		{time.Date(2019, 5, 1, 0, 0, 0, 0, Tokyo), "令和元年5月1日(水)"},
		{time.Date(2019, 4, 30, 0, 0, 0, 0, Tokyo), "平成31年4月30日(火)"},
		{time.Date(1989, 1, 8, 0, 0, 0, 0, Tokyo), "平成元年1月8日(日)"},
		{time.Date(1989, 1, 7, 0, 0, 0, 0, Tokyo), "昭和64年1月7日(土)"},
		{time.Date(2026, 7, 31, 15, 30, 0, 0, time.UTC), "令和8年8月1日(土)"}, // Japan time decides the date
	}
	for _, tc := range tests {
		if got := Wareki(tc.t); got != tc.want {
			t.Errorf("Wareki(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

// TestDeadlines: a deadline stored as the first late instant shows as the
// last day still in time, with a time only when it is not the end of the
// day, across era boundaries and 元年.
func TestDeadlines(t *testing.T) {
	for _, tc := range []struct {
		t                        time.Time
		deadline, mustArrive, en string
		fiscalYear               int
	}{
		// A call that closes 7月31日(金) 必着.
		{time.Date(2026, 8, 1, 0, 0, 0, 0, Tokyo), "令和8年7月31日(金)まで", "令和8年7月31日(金)必着", "31 July 2026 (Fri), end of day JST", 2026},
		{time.Date(2026, 7, 31, 15, 0, 0, 0, time.UTC), "令和8年7月31日(金)まで", "令和8年7月31日(金)必着", "31 July 2026 (Fri), end of day JST", 2026},
		// A judging window closing 2026-09-11.
		{time.Date(2026, 9, 12, 0, 0, 0, 0, Tokyo), "令和8年9月11日(金)まで", "令和8年9月11日(金)必着", "11 September 2026 (Fri), end of day JST", 2026},
		{time.Date(2026, 7, 15, 17, 0, 0, 0, Tokyo), "令和8年7月15日(水) 17:00まで", "令和8年7月15日(水) 17:00必着", "15 July 2026 (Wed) 17:00 JST", 2026},
		{time.Date(2026, 7, 31, 23, 59, 0, 0, Tokyo), "令和8年7月31日(金) 23:59まで", "令和8年7月31日(金) 23:59必着", "31 July 2026 (Fri) 23:59 JST", 2026},
		{time.Date(2026, 8, 1, 0, 0, 1, 0, Tokyo), "令和8年8月1日(土) 00:00まで", "令和8年8月1日(土) 00:00必着", "1 August 2026 (Sat) 00:00 JST", 2026},
		// Era boundaries: the end of 30 April 2019 is still 平成; 1 May is 令和元年.
		{time.Date(2019, 5, 1, 0, 0, 0, 0, Tokyo), "平成31年4月30日(火)まで", "平成31年4月30日(火)必着", "30 April 2019 (Tue), end of day JST", 2019},
		{time.Date(2019, 5, 2, 0, 0, 0, 0, Tokyo), "令和元年5月1日(水)まで", "令和元年5月1日(水)必着", "1 May 2019 (Wed), end of day JST", 2019},
		{time.Date(2019, 5, 1, 12, 0, 0, 0, Tokyo), "令和元年5月1日(水) 12:00まで", "令和元年5月1日(水) 12:00必着", "1 May 2019 (Wed) 12:00 JST", 2019},
		{time.Date(2020, 1, 1, 0, 0, 0, 0, Tokyo), "令和元年12月31日(火)まで", "令和元年12月31日(火)必着", "31 December 2019 (Tue), end of day JST", 2019},
		{time.Date(1989, 1, 8, 0, 0, 0, 0, Tokyo), "昭和64年1月7日(土)まで", "昭和64年1月7日(土)必着", "7 January 1989 (Sat), end of day JST", 1988},
		{time.Date(1989, 1, 9, 0, 0, 0, 0, Tokyo), "平成元年1月8日(日)まで", "平成元年1月8日(日)必着", "8 January 1989 (Sun), end of day JST", 1988},
		// A call closing at 00:00 on 1 April ends the fiscal year before.
		{time.Date(2027, 4, 1, 0, 0, 0, 0, Tokyo), "令和9年3月31日(水)まで", "令和9年3月31日(水)必着", "31 March 2027 (Wed), end of day JST", 2026},
		{time.Date(2027, 4, 1, 9, 0, 0, 0, Tokyo), "令和9年4月1日(木) 09:00まで", "令和9年4月1日(木) 09:00必着", "1 April 2027 (Thu) 09:00 JST", 2027},
	} {
		if got := WarekiDeadline(tc.t); got != tc.deadline {
			t.Errorf("WarekiDeadline(%v) = %s, want %s", tc.t, got, tc.deadline)
		}
		if got := WarekiMustArrive(tc.t); got != tc.mustArrive {
			t.Errorf("WarekiMustArrive(%v) = %s, want %s", tc.t, got, tc.mustArrive)
		}
		if got := DeadlineEn(tc.t); got != tc.en {
			t.Errorf("DeadlineEn(%v) = %s, want %s", tc.t, got, tc.en)
		}
		if got := DeadlineFiscalYear(tc.t); got != tc.fiscalYear {
			t.Errorf("DeadlineFiscalYear(%v) = %d, want %d", tc.t, got, tc.fiscalYear)
		}
	}
}

func TestFiscalYear(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want int
	}{
		{time.Date(2026, 4, 1, 0, 0, 0, 0, Tokyo), 2026},
		{time.Date(2026, 3, 31, 23, 59, 0, 0, Tokyo), 2025},
		{time.Date(2027, 3, 31, 12, 0, 0, 0, Tokyo), 2026},
		{time.Date(2026, 3, 31, 15, 0, 0, 0, time.UTC), 2026}, // already 1 April in Tokyo
	} {
		if got := FiscalYear(tc.t); got != tc.want {
			t.Errorf("FiscalYear(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}

func TestCodes(t *testing.T) {
	if p, ok := PrefectureByCode("13"); !ok || p.Name.Ja != "東京都" {
		t.Errorf("13 = %v", p)
	}
	if p, ok := PrefectureByCode("47"); !ok || p.Name.Ja != "沖縄県" {
		t.Errorf("47 = %v", p)
	}
	for _, bad := range []string{"0", "00", "48", "1", "013", "ab"} {
		if _, ok := PrefectureByCode(bad); ok {
			t.Errorf("prefecture %q accepted", bad)
		}
	}
	if i, ok := IndustryByCode("G"); !ok || i.Name.Ja != "情報通信業" {
		t.Errorf("G = %v", i)
	}
	for _, bad := range []string{"U", "g", "", "GG"} {
		if _, ok := IndustryByCode(bad); ok {
			t.Errorf("industry %q accepted", bad)
		}
	}
}

func ExampleWareki() {
	fmt.Println(Wareki(time.Date(2024, 7, 31, 17, 0, 0, 0, Tokyo)))
	// Output: 令和6年7月31日(水)
}

func ExampleValidCorporateNumber() {
	fmt.Println(ValidCorporateNumber("4011001098993"), ValidCorporateNumber("4011001098994"))
	// Output: true false
}
