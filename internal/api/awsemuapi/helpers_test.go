package awsemuapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/awsemuapi"
)

const region = "us-east-1"

var base = aws.Credentials{AccessKeyID: awsemuapi.DefaultAccessKeyID, SecretAccessKey: awsemuapi.DefaultSecretAccessKey}

// clock is the services' clock: the real time plus an offset a test moves.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

type env struct {
	s     *apitest.Server
	admin apitest.Client
	clock *clock
	http  *http.Client
}

func newEnv(t *testing.T, b apitest.Backend) *env {
	t.Helper()
	c := &clock{}
	s := apitest.NewServerWith(t, b.DB, apitest.Options{Now: c.Now, EmulatorJobs: true})
	return &env{s: s, admin: s.NewSaaS(t), clock: c, http: &http.Client{Timeout: 30 * time.Second}}
}

// reply is a wire answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r reply) errType() string { s, _ := r.body["__type"].(string); return s }

// wireRequest is a JSON 1.1 call to send; zero fields take defaults.
type wireRequest struct {
	creds       aws.Credentials
	target      string
	body        any    // JSON-encoded unless []byte
	contentType string // default application/x-amz-json-1.1
	service     string // signing name, default aws-marketplace
	signedAt    time.Time
	tamper      func(*http.Request) // after signing
	unsigned    bool
}

func (e *env) send(t *testing.T, w wireRequest) reply {
	t.Helper()
	var body []byte
	switch b := w.body.(type) {
	case []byte:
		body = b
	case nil:
		body = []byte("{}")
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, e.s.URL+"/aws/marketplace", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ct := w.contentType
	if ct == "" {
		ct = "application/x-amz-json-1.1"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Amz-Target", w.target)
	if !w.unsigned {
		svc := w.service
		if svc == "" {
			svc = "aws-marketplace"
		}
		at := w.signedAt
		if at.IsZero() {
			at = time.Now()
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(context.Background(), w.creds, req, hex.EncodeToString(sum[:]), svc, region, at); err != nil {
			t.Fatal(err)
		}
	}
	if w.tamper != nil {
		w.tamper(req)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", w.target, raw, err)
	}
	if resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("%s: no x-amzn-RequestId header", w.target)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("%s: Content-Type %q", w.target, ct)
	}
	if r.status >= 400 && resp.Header.Get("X-Amzn-Errortype") != r.errType() {
		t.Errorf("%s: x-amzn-ErrorType %q, __type %q", w.target, resp.Header.Get("X-Amzn-Errortype"), r.errType())
	}
	return r
}

// call sends a signed call and requires status 200.
func (e *env) call(t *testing.T, creds aws.Credentials, target string, body any) map[string]any {
	t.Helper()
	r := e.send(t, wireRequest{creds: creds, target: target, body: body})
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", target, r.status, r.raw)
	}
	return r.body
}

// wantError sends a call and requires an AWS error of type typ.
func (e *env) wantError(t *testing.T, w wireRequest, status int, typ string) reply {
	t.Helper()
	r := e.send(t, w)
	if r.status != status || r.errType() != typ {
		t.Errorf("%s: got %d %s, want %d %s", w.target, r.status, r.raw, status, typ)
	}
	if msg, _ := r.body["message"].(string); r.status >= 400 && msg == "" {
		t.Errorf("%s: error without message: %s", w.target, r.raw)
	}
	return r
}

// stsClient is the real SDK client pointed at the emulator.
func (e *env) stsClient(creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:           region,
		BaseEndpoint:     aws.String(e.s.URL + "/aws/sts"),
		Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		RetryMaxAttempts: 1,
	})
}

// assume returns temporary credentials from AssumeRole.
func (e *env) assume(t *testing.T) aws.Credentials {
	t.Helper()
	out, err := e.stsClient(base).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/saasplane-metering"), RoleSessionName: aws.String("saasplane"),
		ExternalId: aws.String("ext-123"),
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
}

// apiErrorCode returns the AWS error code of an SDK error.
func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// purchase creates a purchase as the env's SaaS and returns the response.
type purchase struct {
	MarketplaceToken     string `json:"marketplace_token"`
	CustomerIdentifier   string `json:"customer_identifier"`
	CustomerAWSAccountID string `json:"customer_aws_account_id"`
	LicenseArn           string `json:"license_arn"`
	ProductCode          string `json:"product_code"`
	Dimension            string `json:"dimension"`
	Quantity             int64  `json:"quantity"`
	Status               string `json:"status"`
}

func buy(t *testing.T, c apitest.Client, product, dimension string, quantity int) purchase {
	t.Helper()
	var p purchase
	c.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases",
		map[string]any{"product_code": product, "dimension": dimension, "quantity": quantity}).Want(t, http.StatusCreated).Decode(t, &p)
	return p
}

func record(ts time.Time, customer, dimension string, quantity int) map[string]any {
	return map[string]any{"Timestamp": ts.Unix(), "CustomerIdentifier": customer, "Dimension": dimension, "Quantity": quantity}
}

func meter(product string, records ...map[string]any) map[string]any {
	if records == nil {
		records = []map[string]any{}
	}
	return map[string]any{"ProductCode": product, "UsageRecords": records}
}

// results returns the Status and MeteringRecordId of each result.
func results(t *testing.T, body map[string]any) (statuses, ids []string) {
	t.Helper()
	rs, ok := body["Results"].([]any)
	if !ok {
		t.Fatalf("no Results in %v", body)
	}
	for _, r := range rs {
		m := r.(map[string]any)
		s, _ := m["Status"].(string)
		id, _ := m["MeteringRecordId"].(string)
		statuses, ids = append(statuses, s), append(ids, id)
	}
	return statuses, ids
}

// run makes product codes unique per test binary: the PostgreSQL test
// database is shared and outlives a run.
var run = strconv.FormatInt(time.Now().UnixNano()%1e12, 36)

// pc returns a product code unique to this run.
func pc(name string) string { return name + "-" + run }
