package awsemuapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/saasplane/saasplane/internal/awsemu"
)

// authFailure classifies why a request's SigV4 signature was refused; each
// protocol names it in its own words.
type authFailure int

const (
	authMissing      authFailure = iota + 1 // no Authorization header
	authIncomplete                          // malformed header, wrong scope or date
	authUnknownKey                          // unknown access key or session token
	authBadSignature                        // the signature does not match
	authExpired                             // temporary credentials expired
)

type authError struct {
	failure authFailure
	message string
}

func (e *authError) Error() string { return e.message }

func authErr(f authFailure, format string, args ...any) *authError {
	return &authError{failure: f, message: fmt.Sprintf(format, args...)}
}

const amzDateFormat = "20060102T150405Z"

// sigHeader is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." header.
type sigHeader struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

func parseAuthorization(s string) (sigHeader, error) {
	var h sigHeader
	rest, ok := strings.CutPrefix(s, "AWS4-HMAC-SHA256 ")
	if !ok {
		return h, errors.New("Authorization must use AWS4-HMAC-SHA256")
	}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			h.signature = v
		}
	}
	if cred == "" || signed == "" || h.signature == "" {
		return h, errors.New("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'")
	}
	p := strings.Split(cred, "/")
	if len(p) != 5 || p[4] != "aws4_request" || p[0] == "" || p[2] == "" {
		return h, fmt.Errorf("credential %q is not <access key>/<date>/<region>/<service>/aws4_request", cred)
	}
	h.accessKeyID, h.date, h.region, h.service = p[0], p[1], p[2], p[3]
	h.signedHeaders = strings.Split(signed, ";")
	return h, nil
}

// verify checks the SigV4 signature of r (whose body is body) for signing
// name service. baseOnly refuses temporary credentials (STS).
func (h *Handler) verify(ctx context.Context, r *http.Request, body []byte, service string, baseOnly bool) *authError {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return authErr(authMissing, "Missing Authentication Token: sign the request with AWS Signature Version 4")
	}
	sh, err := parseAuthorization(authz)
	if err != nil {
		return authErr(authIncomplete, "%s", err.Error())
	}
	if sh.service != service {
		return authErr(authIncomplete, "Credential should be scoped to correct service: '%s'", service)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return authErr(authIncomplete, "X-Amz-Date header %q is missing or not in the format %s", amzDate, amzDateFormat)
	}
	if at.Format("20060102") != sh.date {
		return authErr(authIncomplete, "Date in Credential scope does not match YYYYMMDD from X-Amz-Date")
	}
	if d := h.cfg.Now().Sub(at); d > MaxClockSkew || d < -MaxClockSkew {
		return authErr(authBadSignature, "Signature expired: %s is not within 15 minutes of the server time %s", amzDate, h.cfg.Now().UTC().Format(amzDateFormat))
	}
	if !slices.Contains(sh.signedHeaders, "host") {
		return authErr(authIncomplete, "SignedHeaders must include host")
	}

	token := r.Header.Get("X-Amz-Security-Token")
	creds := aws.Credentials{AccessKeyID: sh.accessKeyID}
	switch {
	case sh.accessKeyID == h.cfg.AccessKeyID:
		if token != "" {
			return authErr(authUnknownKey, "The security token included in the request is invalid: base credentials take no session token")
		}
		creds.SecretAccessKey = h.cfg.SecretAccessKey
	case baseOnly:
		return authErr(authUnknownKey, "The security token included in the request is invalid: AssumeRole must be signed with the emulator's base credentials")
	default:
		ses, err := h.svc.Session(ctx, sh.accessKeyID)
		switch {
		case errors.Is(err, awsemu.ErrUnknownAccessKey):
			return authErr(authUnknownKey, "The security token included in the request is invalid: unknown access key id")
		case errors.Is(err, awsemu.ErrSessionExpired):
			return authErr(authExpired, "The security token included in the request is expired")
		case err != nil:
			return authErr(authUnknownKey, "The security token included in the request could not be checked")
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(ses.SessionToken)) != 1 {
			return authErr(authUnknownKey, "The security token included in the request is invalid")
		}
		creds.SecretAccessKey = ses.SecretAccessKey
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if ph := r.Header.Get("X-Amz-Content-Sha256"); ph != "" && ph != payloadHash {
		if ph != "UNSIGNED-PAYLOAD" {
			return authErr(authBadSignature, "X-Amz-Content-Sha256 does not match the SHA-256 of the body")
		}
		payloadHash = ph
	}

	// Re-sign a copy that carries only the headers the client signed, at
	// the client's time, and compare.
	cp, err := http.NewRequestWithContext(ctx, r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return authErr(authIncomplete, "request target cannot be signed")
	}
	cp.Host = r.Host
	for _, name := range sh.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			cp.ContentLength = r.ContentLength
		default:
			if vs := r.Header.Values(name); len(vs) > 0 {
				cp.Header[http.CanonicalHeaderKey(name)] = vs
			}
		}
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, cp, payloadHash, service, sh.region, at); err != nil {
		return authErr(authIncomplete, "request cannot be signed: %v", err)
	}
	want, err := parseAuthorization(cp.Header.Get("Authorization"))
	if err != nil || strings.Join(want.signedHeaders, ";") != strings.Join(sh.signedHeaders, ";") ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(sh.signature)) != 1 {
		return authErr(authBadSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return nil
}
