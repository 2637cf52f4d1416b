package password

import "testing"

func TestHashVerify(t *testing.T) {
	cheap := Params{Memory: 64, Time: 1, Threads: 1}
	h := Hash("correct horse battery", cheap)
	if h2 := Hash("correct horse battery", cheap); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		if ok, err := Verify(tc.pw, h); err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if _, err := Verify("x", bad); err != ErrMalformed {
			t.Errorf("Verify(%q) err = %v, want ErrMalformed", bad, err)
		}
	}
}
