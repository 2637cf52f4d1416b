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
