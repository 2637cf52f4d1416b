package password

import (
	_ "embed"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Weakness is why a password is refused; "" when it is not.
type Weakness string

// The weaknesses, after NIST SP 800-63B: values that are common, trivial
// or about the account. There are no composition rules.
const (
	Blank    Weakness = "blank"    // only spaces
	Common   Weakness = "common"   // a commonly used password, or one built on a common word
	Repeated Weakness = "repeated" // one character or a short pattern repeated (aaaaaaaaaa, abcabcabc)
	Sequence Weakness = "sequence" // a run of the alphabet, of digits, or of a keyboard row (1234567890, qwertyuiop)
	Personal Weakness = "personal" // the email address, its local part, or the product's name
)

//go:embed common.txt
var commonText string

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// Product is the product's name, refused as (the base of) a password.
const Product = "awardflow"

// runs are sequences that people type as passwords, forwards or backwards.
var runs = []string{
	"abcdefghijklmnopqrstuvwxyz", "01234567890",
	"`1234567890-=", "~!@#$%^&*()_+", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"qwertzuiop", "yxcvbnm", "azertyuiop", "wxcvbn",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "zaq1xsw2cde3vfr4bgt5nhy6mju7",
	"1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "!qaz@wsx#edc$rfv", "qweasdzxc", "147258369", "741852963", "159753", "0147896325",
}

// maxPadding is how many digits and symbols around a common word still
// leave it a guess that cracking rules try early.
const maxPadding = 8

// Weak reports why pw is weak for an account with the given email (""
// for none), or "" if it is not. Length is the caller's to check.
func Weak(pw, email string) Weakness {
	s := strings.ToLower(norm.NFKC.String(pw))
	if strings.TrimFunc(s, unicode.IsSpace) == "" {
		return Blank
	}
	email = strings.ToLower(norm.NFKC.String(strings.TrimSpace(email)))
	personal := []string{Product}
	if email != "" {
		personal = append(personal, email)
		if local, _, ok := strings.Cut(email, "@"); ok && len([]rune(local)) >= 3 {
			personal = append(personal, local)
		}
	}
	for _, p := range personal {
		if i := strings.Index(s, p); i >= 0 && !hasLetter(s[:i]+s[i+len(p):]) {
			return Personal
		}
	}
	compact := strings.Join(strings.Fields(s), "")
	for _, v := range []string{s, compact} {
		if repeated(v) {
			return Repeated
		}
		if inRun(v) {
			return Sequence
		}
	}
	if common[s] || common[compact] {
		return Common
	}
	for _, v := range variants(compact) {
		core, pad := trimPadding(v)
		if core == "" {
			continue
		}
		if pad <= maxPadding && common[core] {
			return Common
		}
		if len(core) >= 4 && pad <= maxPadding && (repeated(core) || inRun(core)) {
			return Sequence
		}
	}
	return ""
}

// variants are s with common letter-for-symbol swaps undone: symbols only
// (so that "@dmin" keeps its padding digits), then digits too.
func variants(s string) []string {
	symbols := strings.NewReplacer("@", "a", "$", "s", "!", "i")
	digitsI := strings.NewReplacer("@", "a", "$", "s", "!", "i", "4", "a", "3", "e", "1", "i", "0", "o", "5", "s", "7", "t", "8", "b")
	digitsL := strings.NewReplacer("@", "a", "$", "s", "!", "i", "4", "a", "3", "e", "1", "l", "0", "o", "5", "s", "7", "t", "8", "b")
	out := []string{s, symbols.Replace(s)}
	// Digits are undone only inside the word, not in its padding.
	core, _ := trimPadding(s)
	if i := strings.Index(s, core); core != "" && i >= 0 {
		for _, r := range []*strings.Replacer{digitsI, digitsL} {
			out = append(out, s[:i]+r.Replace(core)+s[i+len(core):])
		}
	}
	return out
}

// trimPadding removes what is not a letter from both ends of s, and says
// how many characters it removed.
func trimPadding(s string) (string, int) {
	core := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return core, len([]rune(s)) - len([]rune(core))
}

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// repeated reports whether s is a pattern of at most half its length
// repeated (aaaa, abcabcabc, passwordpassword).
func repeated(s string) bool {
	r := []rune(s)
	for p := 1; p <= len(r)/2; p++ {
		ok := true
		for i := p; i < len(r); i++ {
			if r[i] != r[i-p] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// inRun reports whether s is a stretch of a run, forwards or backwards.
func inRun(s string) bool {
	for _, run := range runs {
		if strings.Contains(run, s) || strings.Contains(reverse(run), s) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
