package password

import (
	"strings"
	"testing"
)

func TestWeak(t *testing.T) {
	for _, tc := range []struct {
		pw, email string
		want      Weakness
	}{
		{"password123", "", Common},
		{"Password123!", "", Common},
		{"P@ssw0rd2024", "", Common},
		{"!!iloveyou!!", "", Common},
		{"qwerty123456", "", Common},
		{"sunshine2026", "", Common},
		{"doraemon1234", "", Common},
		{"Tanaka19850412", "", Common},
		{"1q2w3e4r5t", "", Sequence},
		{"            ", "", Blank},
		{"\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000", "", Blank},
		{"aaaaaaaaaa", "", Repeated},
		{"abcabcabcabc", "", Repeated},
		{"passwordpassword", "", Repeated},
		{"1234567890", "", Sequence},
		{"0987654321", "", Sequence},
		{"qwertyuiop", "", Sequence},
		{"ＱＷＥＲＴＹＵＩＯＰ", "", Sequence},
		{"abcdefghijk", "", Sequence},
		{"poiuytrewq", "", Sequence},
		{"asdfghjkl;", "", Sequence},
		{"1qaz2wsx3edc", "", Sequence},
		{"bcdefg2026!!", "", Sequence},
		{"taro.yamada@example.jp", "taro.yamada@example.jp", Personal},
		{"Taro.Yamada2026", "taro.yamada@example.jp", Personal},
		{"awardflow2026", "", Personal},
		{"AwardFlow!!", "", Personal},
		// Not weak: long, or a common word with more than a little around it.
		{"correct horse battery", "", ""},
		{"long enough password", "", ""},
		{"password-of-admin", "admin@test.example", ""},
		{"tr4in-Gl4ss-m0untain", "", ""},
		{"月曜日の朝は珈琲と新聞", "", ""},
		{"yamada taro 1985 kyoto", "taro@example.jp", ""},
		{"a long and fresh secret", "", ""},
	} {
		if got := Weak(tc.pw, tc.email); got != tc.want {
			t.Errorf("Weak(%q, %q) = %q, want %q", tc.pw, tc.email, got, tc.want)
		}
	}
}

func TestCommonListIsSmallAndLowercase(t *testing.T) {
	if len(commonText) > 60_000 || len(common) < 2000 {
		t.Fatalf("common.txt: %d bytes, %d entries", len(commonText), len(common))
	}
	for w := range common {
		if w != strings.ToLower(w) || strings.ContainsAny(w, " \t") {
			t.Errorf("entry %q is not lowercase or has spaces", w)
		}
	}
}
