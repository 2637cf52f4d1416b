package api

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// checkURL refuses, before any handler or authentication runs, a request
// whose path or query holds a control character (NUL above all: the
// databases cannot store it), invalid UTF-8 or a malformed percent-escape.
// No route expects such a value, so it is a bad request (400 invalid_url),
// not a missing object nor a fault of ours.
func (s *server) checkURL(c *gin.Context) {
	if ja, en := urlProblem(c.Request.URL); en != "" {
		body := errorBody(c, "invalid_url", en)
		if lang(c) == "ja" {
			body.Error.Message = ja
		}
		c.AbortWithStatusJSON(http.StatusBadRequest, body)
		return
	}
	c.Next()
}

// urlProblem says in Japanese and English what is wrong with u's path or
// query; both are "" if nothing is.
func urlProblem(u *url.URL) (ja, en string) {
	if ja, en := textURLProblem("パス", "path", u.Path); en != "" {
		return ja, en
	}
	if u.RawPath != "" {
		if _, err := url.PathUnescape(u.RawPath); err != nil {
			return "URL のパスのパーセントエンコーディングが正しくありません", "the URL path has a malformed percent-escape"
		}
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		for _, s := range strings.SplitN(part, "=", 2) {
			v, err := url.QueryUnescape(s)
			if err != nil {
				return "URL のクエリのパーセントエンコーディングが正しくありません", "the URL query has a malformed percent-escape"
			}
			if ja, en := textURLProblem("クエリ", "query", v); en != "" {
				return ja, en
			}
		}
	}
	return "", ""
}

func textURLProblem(ja, en, s string) (string, string) {
	if !utf8.ValidString(s) {
		return "URL の" + ja + "が正しい UTF-8 ではありません", "the URL " + en + " is not valid UTF-8"
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "URL の" + ja + "に制御文字は使用できません", "the URL " + en + " must not contain control characters"
	}
	return "", ""
}
