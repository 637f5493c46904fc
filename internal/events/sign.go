package events

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The headers of a webhook delivery. A receiver verifies a delivery by
// computing HMAC-SHA256, keyed with the endpoint's secret, over the
// timestamp header's value, a ".", and the raw body, and comparing it in
// constant time with the hex after "v1=" in the signature header; it
// should also refuse timestamps far from its clock (replays).
const (
	HeaderID        = "Saasplane-Event-Id"
	HeaderSeq       = "Saasplane-Event-Seq"
	HeaderTimestamp = "Saasplane-Timestamp"
	HeaderSignature = "Saasplane-Signature"
)

// Sign returns the signature header's value for body posted at t.
func Sign(secret string, t time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(t.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery as a receiver would: the signature of body
// under secret at the timestamp header's value, which must be within
// tolerance of now.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	t := time.Unix(sec, 0)
	if d := now.Sub(t); d > tolerance || d < -tolerance {
		return false
	}
	want := Sign(secret, t, body)
	for _, s := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), []byte(want)) {
			return true
		}
	}
	return false
}
