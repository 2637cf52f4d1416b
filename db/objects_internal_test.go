package db

import "testing"

// TestObjectJa: every object a storage error names reads in Japanese too.
func TestObjectJa(t *testing.T) {
	for _, tc := range []struct{ en, ja string }{
		{"nomination 14", "応募 14"},
		{"organisation 3", "団体 3"},
		{"user 7's organisation", "利用者 7 の所属団体"},
		{"cycle fy2026-telework", "募集回 fy2026-telework"},
		{"cycle fy2026-telework@2", "募集回 fy2026-telework の第2版"},
		{"3 of 10 nominations", "応募 10 件中 3 件"},
		{"account with this email", "このメールアドレスのアカウント"},
		{"nomination for this organisation and programme", "この団体のこのプログラムへの応募"},
		{"active grant of judge in mic", "総務省での「審査員」の権限"},
		{"results of mic-pioneer", "mic-pioneer の結果公開"},
		{"publication version 2", "公表 第2版"},
		{"panel member", "審査員"},
		{"grant 5", "権限付与 5"},
		{"session", "セッション"},
		{"invitation", "招待"},
		{"score", "採点"},
		{"stage version", "審査段階の版"},
		{"proposal 4", "割当て案 4"},
	} {
		if got := objectJa(tc.en); got != tc.ja {
			t.Errorf("objectJa(%q) = %q, want %q", tc.en, got, tc.ja)
		}
	}
}
