package apilog_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/apilog"
)

func TestSecretKey(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"password", true},
		{"Password", true},
		{"new_PASSWORD_confirm", true},
		{"client_secret", true},
		{"secret_key", true},
		{"access_token", true},
		{"refreshToken", true},
		{"credentials", true},
		{"aws_credential_id", true},
		{"ſecret", true},        // long s folds to s
		{"TO\u212aEN", true},    // Kelvin sign folds to k
		{"パスワードpassword", true}, // non-ASCII around the word
		{"name", false},
		{"api_key", false}, // an API key is an identifier; the secret key is the secret
		{"pass", false},
		{"tokenize"[:4], false},
		{"", false},
		{"パスワード", false},
	}
	for _, tt := range tests {
		if got := apilog.SecretKey(tt.name); got != tt.want {
			t.Errorf("SecretKey(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no secrets: unchanged", `{"name":"a","n":1}`, `{"name":"a","n":1}`},
		{"top level", `{"name":"a","password":"hunter2"}`, `{"name":"a","password":"***"}`},
		{"formatting kept", "{\n  \"password\" :  \"hunter2\" ,\n  \"a\": 1\n}", "{\n  \"password\" :  \"***\" ,\n  \"a\": 1\n}"},
		{"nested and in arrays", `{"users":[{"id":1,"Password":"x"},{"id":2,"token":"y"}]}`, `{"users":[{"id":1,"Password":"***"},{"id":2,"token":"***"}]}`},
		{"every value type", `{"secret":{"a":[1,{"b":"}"}]},"token":[1,2],"credential":null,"password":12.5e3,"client_secret":true}`,
			`{"secret":"***","token":"***","credential":"***","password":"***","client_secret":"***"}`},
		{"escaped key", `{"pass\u0077ord":"hunter2"}`, `{"pass\u0077ord":"***"}`},
		{"escaped quote in value", `{"token":"a\"b","x":"c"}`, `{"token":"***","x":"c"}`},
		{"word only in a value", `{"note":"my password is safe"}`, `{"note":"my password is safe"}`},
		{"key-like string in array", `["password","hunter2"]`, `["password","hunter2"]`},
		{"key-like text inside a string", `{"a":"\"password\": hunter2"}`, `{"a":"\"password\": hunter2"}`},
		{"duplicate keys", `{"token":"a","token":"b"}`, `{"token":"***","token":"***"}`},
		{"unicode key", `{"ſecret":"x","名前":"テナント"}`, `{"ſecret":"***","名前":"テナント"}`},
		{"top-level array", `[{"secret_key":"k"}]`, `[{"secret_key":"***"}]`},
		{"not JSON: as is", `password=hunter2&x=1`, `password=hunter2&x=1`},
		{"JSON string: as is", `"password"`, `"password"`},
		{"empty", ``, ``},
		{"cut inside the secret value", `{"a":1,"password":"hunt`, `{"a":1,"password":"***"`},
		{"cut inside a secret object", `{"secret":{"k":"v","w":[1,`, `{"secret":"***"`},
		{"cut after the colon", `{"password":`, `{"password":"***"`},
		{"cut inside the key", `{"a":1,"passw`, `{"a":1,"passw`},
		{"malformed after a secret", `{"password":"x",,,}`, `{"password":"***",,,}`},
		{"missing value", `{"password":}`, `{"password":"***"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(apilog.Redact([]byte(tt.in)))
			if got != tt.want {
				t.Fatalf("Redact(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid([]byte(got)) {
				t.Fatalf("Redact made valid JSON invalid: %s", got)
			}
		})
	}
}

func TestBody(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		uncaptured int
		max        int
		want       string
	}{
		{"short", `{"a":1}`, 0, 16, `{"a":1}`},
		{"exactly max", "abcd", 0, 4, "abcd"},
		{"cut", "abcdef", 0, 4, "abcd…[truncated 2 bytes]"},
		{"never inside a character", "ab日本", 0, 4, "ab…[truncated 6 bytes]"},
		{"cut at a character boundary", "ab日本", 0, 5, "ab日…[truncated 3 bytes]"},
		{"redacted before cut", `{"password":"` + strings.Repeat("x", 40) + `"}`, 0, 20, `{"password":"***"}`},
		{"uncaptured rest", "abc", 10, 16, "abc…[truncated 10 bytes]"},
		{"capture ends inside a character", "ab\xe6\x97", 5, 16, "ab…[truncated 7 bytes]"},
		{"invalid UTF-8 and NUL replaced", "a\xffb\x00c", 0, 16, "a\uFFFDb\uFFFDc"},
		{"no limit", strings.Repeat("x", 100), 0, 0, strings.Repeat("x", 100)},
		{"empty", "", 0, 16, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apilog.Body([]byte(tt.in), tt.uncaptured, tt.max)
			if got != tt.want {
				t.Fatalf("Body(%q, %d, %d) = %q, want %q", tt.in, tt.uncaptured, tt.max, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("Body returned invalid UTF-8: %q", got)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in, want string
		max      int
	}{
		{"/v1/auth/tenants", "/v1/auth/tenants", 100},
		{"/v1/apilog/logs?limit=5&cursor=abc", "/v1/apilog/logs?limit=5&cursor=abc", 100},
		{"/v1/x?access_token=abc&a=1&client%5Fsecret=s&Password=p", "/v1/x?access_token=***&a=1&client%5Fsecret=***&Password=***", 100},
		{"/v1/x?token", "/v1/x?token", 100}, // no value to hide
		{"/v1/\xff", "/v1/\uFFFD", 100},
		{"/v1/abcdef", "/v1/…[truncated 6 bytes]", 4},
		{"", "", 100},
	}
	for _, tt := range tests {
		if got := apilog.Line(tt.in, tt.max); got != tt.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// Every prefix of a body with secrets (a capture cut anywhere) is redacted
// without showing any part of a secret value longer than what the key
// itself could explain.
func TestRedactNeverLeaksFromAPrefix(t *testing.T) {
	secrets := []string{"Qz9-AAA-xyzzy", "Wv8-BBB-plugh", "Mj7-CCC-frobz"}
	body := `{"name":"ok","password":"` + secrets[0] + `","nested":{"access_token":"` + secrets[1] +
		`","list":[{"credentials":{"k":"` + secrets[2] + `"}}]}}`
	for n := 0; n <= len(body); n++ {
		got := string(apilog.Redact([]byte(body[:n])))
		for _, s := range secrets {
			// Any 3-byte piece of a secret would be a leak; no other part
			// of the body contains one.
			for i := 0; i+3 <= len(s); i++ {
				if strings.Contains(got, s[i:i+3]) {
					t.Fatalf("prefix of %d bytes: Redact = %s shows %q of a secret", n, got, s[i:i+3])
				}
			}
		}
	}
}

// redactTree is the reference semantics of Redact on decoded JSON.
func redactTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if apilog.SecretKey(k) {
				x[k] = "***"
			} else {
				x[k] = redactTree(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactTree(x[i])
		}
	}
	return v
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// FuzzRedact: Redact never panics; on valid JSON its output is valid JSON
// that decodes to the input with the value of every secret key, at any
// depth, replaced by "***" (so no original secret value survives); Body
// always returns valid UTF-8 without NUL, within the limit.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		`{"password":"x"}`, `{"a":[{"Token":{"b":1}}],"c":"d"}`, `{"pass\u0077ord":1}`, `[1,"token",{"secret":null}]`,
		`{"ſecret":"x"}`, `{"password":"\"}`, `{"a":"\\","token":"y"}`, "not json", `{"password":`, "\xff\x00{",
		`{"credential" : { "x" : [ "}" , "]" ] } , "y" : 2 }`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := apilog.Redact(bytes.Clone(in))
		if body := apilog.Body(in, 0, 64); !utf8.ValidString(body) || strings.IndexByte(body, 0) >= 0 || len(body) > 64+len("…[truncated 00000000 bytes]") {
			t.Fatalf("Body(%q) = %q: invalid UTF-8, NUL or too long", in, body)
		}
		if !json.Valid(in) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Redact(%s) = %s: not valid JSON", in, out)
		}
		want, err := decode(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decode(out)
		if err != nil {
			t.Fatal(err)
		}
		if want = redactTree(want); !reflect.DeepEqual(got, want) {
			t.Fatalf("Redact(%s) = %s\ndecodes to %#v\nwant %#v", in, out, got, want)
		}
	})
}
