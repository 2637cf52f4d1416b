package workflow

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Human-readable text (names, answers, reasons, comments, labels) is shown to
// other people: in lists, on the public site, in workbooks. It must not hide
// or rearrange itself, so besides control characters it may not contain
// Unicode format characters (zero-width spaces and joiners, bidirectional
// overrides and isolates, soft hyphens, BOM) nor the line and paragraph
// separators, and it may not be blank.

// hiddenRune returns the first character of s that would be invisible or
// reorder text, or -1. Tab and newlines are allowed only where multiline.
func hiddenRune(s string, multiline bool) rune {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if !multiline {
				return r
			}
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029', r == utf8.RuneError, blankLetter(r):
			return r
		}
	}
	return -1
}

// blankLetter reports characters that are letters or marks to Unicode but
// show nothing: the Hangul fillers, the combining grapheme joiner, the
// Khmer inherent vowels and the blank braille pattern. Names made of them
// read as empty.
func blankLetter(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u034F', '\u17B4', '\u17B5', '\u2800':
		return true
	}
	return false
}

// visible reports whether r shows something on its own: not a space, and
// not a mark or variation selector that only modifies what stands before it.
func visible(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Mn, unicode.Me) && !unicode.Is(unicode.Variation_Selector, r)
}

// textProblem checks one human-readable value at path. It returns nil when s
// is acceptable; an empty s is acceptable here (required is checked apart).
func textProblem(path, s string, multiline bool) *Problem {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		p := problem(path, "invalid_utf8", "文字コードが正しくありません（UTF-8 ではありません）", "is not valid UTF-8")
		return &p
	}
	if r := hiddenRune(s, multiline); r >= 0 {
		kind, kindEn := "書式制御文字", "a format character"
		if unicode.IsControl(r) {
			kind, kindEn = "制御文字", "a control character"
		}
		p := problem(path, "hidden_character",
			fmt.Sprintf("U+%04X（%s）は使用できません", r, kind),
			fmt.Sprintf("must not contain U+%04X (%s)", r, kindEn))
		return &p
	}
	if strings.IndexFunc(s, visible) < 0 {
		p := problem(path, "blank", "空白だけの値は入力できません", "must not be only spaces")
		return &p
	}
	return nil
}

// reasonProblem checks a free-text reason (for a transition, an override, a
// correction, a withdrawal, a window change, a declaration): required where
// asked, at most maxReason characters (lifecycle.go), nothing hidden.
func reasonProblem(path, reason string, required bool) *Problem {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "" && required:
		p := problem(path, "required", "理由を入力してください", "a reason is required")
		return &p
	case utf8.RuneCountInString(reason) > maxReason:
		p := problem(path, "too_long", fmt.Sprintf("理由は%d文字以内で入力してください", maxReason),
			fmt.Sprintf("must be at most %d characters", maxReason))
		return &p
	}
	return textProblem(path, reason, true)
}
