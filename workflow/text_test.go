package workflow

import "testing"

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		code      string
	}{
		{"株式会社テレワーク工房", false, ""},
		{"", false, ""},
		{"一行目\n二行目", true, ""},
		{"一行目\n二行目", false, "hidden_character"},
		{"\u200b", false, "hidden_character"},     // zero-width space alone shows blank
		{"工房\u202e逆順", false, "hidden_character"}, // right-to-left override
		{"工房\u2066", false, "hidden_character"},   // left-to-right isolate
		{"\ufeff工房", false, "hidden_character"},   // BOM
		{"工房\u00ad", false, "hidden_character"},   // soft hyphen
		{"工房\u2028", true, "hidden_character"},    // line separator
		{"a\x00b", true, "hidden_character"},      // NUL
		{"a\x1bb", true, "hidden_character"},      // escape
		{"\xff", false, "invalid_utf8"},           // not UTF-8
		{"\u3000\u3000", false, "blank"},          // ideographic spaces only
		{"            ", false, "blank"},          // twelve spaces
		{"\u3164", false, "hidden_character"},     // Hangul filler
		{"工房\u115f", false, "hidden_character"},   // Hangul choseong filler
		{"\uffa0", false, "hidden_character"},     // half-width Hangul filler
		{"\u034f工房", false, "hidden_character"},   // combining grapheme joiner
		{"\u2800", false, "hidden_character"},     // blank braille pattern
		{"\U000E0100", false, "blank"},            // a variation selector alone
		{"\ufe0f\u0301", false, "blank"},          // modifiers with nothing to modify
		{"❤\ufe0f工房", false, ""},                  // an emoji with its selector
		{"Cafe\u0301", false, ""},                 // a combining accent after a letter
	} {
		p := textProblem("name", tc.in, tc.multiline)
		got := ""
		if p != nil {
			got = p.Code
			if p.Message.Ja == "" || p.Message.En == "" {
				t.Errorf("%q: message without both languages: %+v", tc.in, p.Message)
			}
		}
		if got != tc.code {
			t.Errorf("textProblem(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.code)
		}
	}
	if p := textProblem("name", "工房\u202e", false); p.Message.Ja != "U+202E（書式制御文字）は使用できません" {
		t.Errorf("ja message %q", p.Message.Ja)
	}
	if p := reasonProblem("reason", " ", true); p == nil || p.Code != "required" {
		t.Errorf("blank required reason: %+v", p)
	}
}
