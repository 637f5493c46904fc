package awsemuapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

const (
	resolve      = "AWSMPMeteringService.ResolveCustomer"
	batch        = "AWSMPMeteringService.BatchMeterUsage"
	entitlements = "AWSMPEntitlementService.GetEntitlements"
)

func TestAssumeRoleWithTheSDK(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		client := e.stsClient(base)
		out, err := client.AssumeRole(t.Context(), &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/path/metering"), RoleSessionName: aws.String("s1"),
			ExternalId: aws.String("ext-1"), DurationSeconds: aws.Int32(900),
		})
		if err != nil {
			t.Fatalf("AssumeRole: %v", err)
		}
		c := out.Credentials
		if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.AccessKeyId) != 20 || *c.SecretAccessKey == "" || *c.SessionToken == "" {
			t.Errorf("credentials %+v", c)
		}
		if d := time.Until(*c.Expiration); d < 14*time.Minute || d > 16*time.Minute {
			t.Errorf("Expiration in %s, want 15m", d)
		}
		if got, want := *out.AssumedRoleUser.Arn, "arn:aws:sts::123456789012:assumed-role/metering/s1"; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		if !strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":s1") {
			t.Errorf("AssumedRoleId = %s", *out.AssumedRoleUser.AssumedRoleId)
		}

		temp := aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
		good := sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s1"), ExternalId: aws.String("ext-1")}
		for _, tc := range []struct {
			name   string
			creds  aws.Credentials
			change func(*sts.AssumeRoleInput)
			code   string
		}{
			{"no external id", base, func(in *sts.AssumeRoleInput) { in.ExternalId = nil }, "ValidationError"},
			{"user ARN", base, func(in *sts.AssumeRoleInput) { in.RoleArn = aws.String("arn:aws:iam::123456789012:user/bob") }, "ValidationError"},
			{"short account", base, func(in *sts.AssumeRoleInput) { in.RoleArn = aws.String("arn:aws:iam::1234:role/r") }, "ValidationError"},
			{"duration too long", base, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(43201) }, "ValidationError"},
			{"wrong secret", aws.Credentials{AccessKeyID: base.AccessKeyID, SecretAccessKey: "nope"}, nil, "SignatureDoesNotMatch"},
			{"unknown key", aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, nil, "InvalidClientTokenId"},
			{"temporary credentials", temp, nil, "InvalidClientTokenId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := good
				if tc.change != nil {
					tc.change(&in)
				}
				_, err := e.stsClient(tc.creds).AssumeRole(t.Context(), &in)
				if got := apiErrorCode(err); got != tc.code {
					t.Errorf("error %v (code %q), want %s", err, got, tc.code)
				}
			})
		}
	})
}

func TestMarketplaceFlow(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		p := buy(t, e.admin, pc("prod-flow"), "users", 3)
		if !strings.HasPrefix(p.CustomerIdentifier, "X") || len(p.CustomerIdentifier) != 11 || len(p.CustomerAWSAccountID) != 12 ||
			!strings.HasPrefix(p.LicenseArn, "arn:aws:license-manager::") || p.MarketplaceToken == "" || p.Status != "active" {
			t.Fatalf("purchase %+v", p)
		}
		creds := e.assume(t)

		for range 2 { // a token resolves again until it expires
			got := e.call(t, creds, resolve, map[string]any{"RegistrationToken": p.MarketplaceToken})
			want := map[string]any{"CustomerIdentifier": p.CustomerIdentifier, "CustomerAWSAccountId": p.CustomerAWSAccountID,
				"ProductCode": pc("prod-flow"), "LicenseArn": p.LicenseArn}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("ResolveCustomer = %v, want %v", got, want)
			}
		}

		ents := e.call(t, creds, entitlements, map[string]any{"ProductCode": pc("prod-flow")})["Entitlements"].([]any)
		if len(ents) != 1 {
			t.Fatalf("entitlements %v", ents)
		}
		ent := ents[0].(map[string]any)
		if ent["Dimension"] != "users" || ent["Value"].(map[string]any)["IntegerValue"] != 3.0 || ent["CustomerIdentifier"] != p.CustomerIdentifier ||
			ent["CustomerAWSAccountId"] != p.CustomerAWSAccountID || ent["LicenseArn"] != p.LicenseArn || ent["ProductCode"] != pc("prod-flow") {
			t.Errorf("entitlement %v", ent)
		}
		if exp := time.Unix(int64(ent["ExpirationDate"].(float64)), 0); exp.Before(time.Now().AddDate(0, 1, -1)) || exp.After(time.Now().AddDate(0, 1, 1)) {
			t.Errorf("ExpirationDate %s, want in a month", exp)
		}

		// Usage: first Success, the same again Success with the same id,
		// another quantity DuplicateRecord, base credentials work too.
		hour := e.clock.Now().Add(-2 * time.Hour)
		st, ids := results(t, e.call(t, creds, batch, meter(pc("prod-flow"), record(hour, p.CustomerIdentifier, "users", 5))))
		if st[0] != "Success" || ids[0] == "" {
			t.Fatalf("first record: %v %v", st, ids)
		}
		first := ids[0]
		st, ids = results(t, e.call(t, base, batch, meter(pc("prod-flow"), record(hour, p.CustomerIdentifier, "users", 5))))
		if st[0] != "Success" || ids[0] != first {
			t.Errorf("same record again: %v %v, want Success %s", st, ids, first)
		}
		st, ids = results(t, e.call(t, creds, batch, meter(pc("prod-flow"), record(hour.Add(time.Second), p.CustomerIdentifier, "users", 6))))
		if st[0] != "DuplicateRecord" || ids[0] != first {
			t.Errorf("other quantity, same hour: %v %v, want DuplicateRecord %s", st, ids, first)
		}
		// By account id and license, with a fractional timestamp.
		byAccount := map[string]any{"Timestamp": float64(e.clock.Now().Unix()) + 0.25, "CustomerAWSAccountId": p.CustomerAWSAccountID,
			"LicenseArn": p.LicenseArn, "Dimension": "users", "Quantity": 1,
			"UsageAllocations": []any{map[string]any{"AllocatedUsageQuantity": 1, "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}}}}
		body := e.call(t, creds, batch, meter(pc("prod-flow"), byAccount))
		if st, _ := results(t, body); st[0] != "Success" {
			t.Errorf("by account id: %v", body)
		}
		if r := body["Results"].([]any)[0].(map[string]any)["UsageRecord"].(map[string]any); r["CustomerAWSAccountId"] != p.CustomerAWSAccountID {
			t.Errorf("UsageRecord not echoed: %v", r)
		}
		if u, ok := body["UnprocessedRecords"].([]any); !ok || len(u) != 0 {
			t.Errorf("UnprocessedRecords %v", body["UnprocessedRecords"])
		}

		// Change, then cancel.
		e.admin.Do(t, http.MethodPatch, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier,
			map[string]any{"dimension": "seats", "quantity": 7}).Want(t, http.StatusOK)
		ent = e.call(t, creds, entitlements, map[string]any{"ProductCode": pc("prod-flow")})["Entitlements"].([]any)[0].(map[string]any)
		if ent["Dimension"] != "seats" || ent["Value"].(map[string]any)["IntegerValue"] != 7.0 {
			t.Errorf("after change: %v", ent)
		}
		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier+"/cancel", nil).Want(t, http.StatusOK)
		if ents := e.call(t, creds, entitlements, map[string]any{"ProductCode": pc("prod-flow")})["Entitlements"].([]any); len(ents) != 0 {
			t.Errorf("cancelled purchase has entitlements %v", ents)
		}
		// Usage after the cancellation is refused (usage before it would
		// still be taken within the final metering hour).
		st, ids = results(t, e.call(t, creds, batch, meter(pc("prod-flow"), record(e.clock.Now().Add(time.Second), p.CustomerIdentifier, "seats", 1))))
		if st[0] != "CustomerNotSubscribed" || ids[0] != "" {
			t.Errorf("cancelled customer: %v %v", st, ids)
		}

		// The usage log, newest first.
		var usage struct {
			UsageRecords []struct {
				Status           string `json:"status"`
				MeteringRecordID string `json:"metering_record_id"`
				Quantity         int64  `json:"quantity"`
			} `json:"usage_records"`
		}
		e.admin.Do(t, http.MethodGet, "/aws/marketplace/_emulator/usage", nil).Want(t, http.StatusOK).Decode(t, &usage)
		var got []string
		for _, u := range usage.UsageRecords {
			got = append(got, fmt.Sprintf("%s/%d", u.Status, u.Quantity))
		}
		if want := []string{"CustomerNotSubscribed/1", "Success/1", "DuplicateRecord/6", "Success/5"}; !slices.Equal(got, want) {
			t.Errorf("usage log %v, want %v", got, want)
		}
		if usage.UsageRecords[3].MeteringRecordID != first {
			t.Errorf("usage log id %s, want %s", usage.UsageRecords[3].MeteringRecordID, first)
		}
	})
}

func TestWireAuthentication(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		p := buy(t, e.admin, pc("prod-auth"), "users", 1)
		creds := e.assume(t)
		body := map[string]any{"RegistrationToken": p.MarketplaceToken}
		for _, tc := range []struct {
			name   string
			w      wireRequest
			status int
			typ    string
		}{
			{"unsigned", wireRequest{unsigned: true}, 403, "MissingAuthenticationTokenException"},
			{"wrong secret", wireRequest{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: "x", SessionToken: creds.SessionToken}}, 403, "InvalidSignatureException"},
			{"unknown key", wireRequest{creds: aws.Credentials{AccessKeyID: "ASIAUNKNOWNUNKNOWN12", SecretAccessKey: "x", SessionToken: "t"}}, 403, "UnrecognizedClientException"},
			{"wrong session token", wireRequest{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: "other"}}, 403, "UnrecognizedClientException"},
			{"no session token", wireRequest{creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}}, 403, "UnrecognizedClientException"},
			{"base key with a session token", wireRequest{creds: aws.Credentials{AccessKeyID: base.AccessKeyID, SecretAccessKey: base.SecretAccessKey, SessionToken: "t"}}, 403, "UnrecognizedClientException"},
			{"signed 20 minutes ago", wireRequest{creds: creds, signedAt: time.Now().Add(-20 * time.Minute)}, 403, "InvalidSignatureException"},
			{"signed for sts", wireRequest{creds: creds, service: "sts"}, 400, "IncompleteSignatureException"},
			{"body changed after signing", wireRequest{creds: creds, tamper: func(r *http.Request) {
				r.Body = http.NoBody
				r.ContentLength = 0
			}}, 403, "InvalidSignatureException"},
			{"target changed after signing", wireRequest{creds: creds, tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", batch) }}, 403, "InvalidSignatureException"},
			{"garbage Authorization", wireRequest{tamper: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense") }, unsigned: true}, 400, "IncompleteSignatureException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.w.target, tc.w.body = resolve, body
				e.wantError(t, tc.w, tc.status, tc.typ)
			})
		}
		// Temporary credentials expire with the service clock.
		e.call(t, creds, resolve, body)
		e.clock.Advance(time.Hour + time.Minute)
		e.wantError(t, wireRequest{creds: creds, target: resolve, body: body}, 403, "ExpiredTokenException")
	})
}

func TestWireErrors(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		p := buy(t, e.admin, pc("prod-err"), "users", 1)
		for _, tc := range []struct {
			name   string
			w      wireRequest
			status int
			typ    string
		}{
			{"unknown target", wireRequest{target: "AWSMPMeteringService.MeterUsage"}, 400, "UnknownOperationException"},
			{"no target", wireRequest{target: ""}, 400, "UnknownOperationException"},
			{"malformed JSON", wireRequest{target: resolve, body: []byte(`{"RegistrationToken":`)}, 400, "SerializationException"},
			{"wrong JSON type", wireRequest{target: batch, body: []byte(`{"ProductCode":pc("prod-err"),"UsageRecords":[{"Quantity":"x"}]}`)}, 400, "SerializationException"},
			{"not JSON 1.1", wireRequest{target: resolve, contentType: "application/json"}, 400, "SerializationException"},
			{"unknown token", wireRequest{target: resolve, body: map[string]any{"RegistrationToken": "nope"}}, 400, "InvalidTokenException"},
			{"empty token", wireRequest{target: resolve, body: map[string]any{}}, 400, "InvalidTokenException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.w.creds = base
				e.wantError(t, tc.w, tc.status, tc.typ)
			})
		}
		// A new token for the same purchase; both expire after an hour.
		var tok struct {
			MarketplaceToken string `json:"marketplace_token"`
		}
		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases/"+p.CustomerIdentifier+"/token", nil).Want(t, http.StatusCreated).Decode(t, &tok)
		got := e.call(t, base, resolve, map[string]any{"RegistrationToken": tok.MarketplaceToken})
		if got["CustomerIdentifier"] != p.CustomerIdentifier || tok.MarketplaceToken == p.MarketplaceToken {
			t.Errorf("fresh token resolves to %v", got)
		}
		e.clock.Advance(time.Hour)
		e.wantError(t, wireRequest{creds: base, target: resolve, body: map[string]any{"RegistrationToken": p.MarketplaceToken}}, 400, "ExpiredTokenException")
		// CBOR is refused with a JSON error that says why.
		resp, err := e.http.Post(e.s.URL+"/aws/marketplace/service/AWSMPEntitlementService/operation/GetEntitlements", "application/cbor", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
			t.Errorf("CBOR: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
		}
	})
}

func TestBatchMeterUsageRules(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		p := buy(t, e.admin, pc("prod-rules"), "users", 1)
		q := buy(t, e.admin, pc("prod-rules"), "api_calls", 1)
		now := e.clock.Now()
		c := p.CustomerIdentifier
		many := func(n int) []map[string]any {
			var rs []map[string]any
			for i := range n {
				rs = append(rs, record(now.Add(-time.Duration(i)*time.Hour), c, "users", 1))
			}
			return rs
		}
		for _, tc := range []struct {
			name string
			body any
			typ  string
		}{
			{"26 records", meter(pc("prod-rules"), many(26)...), "ValidationException"},
			{"no product code", meter("", record(now, c, "users", 1)), "ValidationException"},
			{"25 hours old", meter(pc("prod-rules"), record(now, c, "users", 1), record(now.Add(-25*time.Hour), c, "users", 1)), "TimestampOutOfBoundsException"},
			{"10 minutes ahead", meter(pc("prod-rules"), record(now.Add(10*time.Minute), c, "users", 1)), "TimestampOutOfBoundsException"},
			{"unknown product", meter(pc("prod-none"), record(now, c, "users", 1)), "InvalidProductCodeException"},
			{"unknown dimension", meter(pc("prod-rules"), record(now, c, "storage", 1)), "InvalidUsageDimensionException"},
			{"negative quantity", meter(pc("prod-rules"), record(now, c, "users", -1)), "ValidationException"},
			{"quantity over int32", meter(pc("prod-rules"), record(now, c, "users", 2147483648)), "ValidationException"},
			{"no customer", meter(pc("prod-rules"), map[string]any{"Timestamp": now.Unix(), "Dimension": "users", "Quantity": 1}), "InvalidCustomerIdentifierException"},
			{"allocations do not add up", meter(pc("prod-rules"), map[string]any{"Timestamp": now.Unix(), "CustomerIdentifier": c, "Dimension": "users", "Quantity": 3,
				"UsageAllocations": []any{map[string]any{"AllocatedUsageQuantity": 1}}}), "InvalidUsageAllocationsException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.wantError(t, wireRequest{creds: base, target: batch, body: tc.body}, 400, tc.typ)
			})
		}
		// Rejected batches stored nothing.
		var usage struct {
			UsageRecords []any `json:"usage_records"`
		}
		e.admin.Do(t, http.MethodGet, "/aws/marketplace/_emulator/usage", nil).Want(t, http.StatusOK).Decode(t, &usage)
		if len(usage.UsageRecords) != 0 {
			t.Errorf("rejected batches stored %v", usage.UsageRecords)
		}

		// 25 records, mixed outcomes, in request order; any dimension of the
		// product is accepted; a record repeated inside a batch is idempotent.
		recs := many(23)
		recs = append(recs, record(now, "XUNKNOWN000", "users", 1), record(now, c, "api_calls", 2))
		st, _ := results(t, e.call(t, base, batch, meter(pc("prod-rules"), recs...)))
		if len(st) != 25 || st[0] != "Success" || st[22] != "Success" || st[23] != "CustomerNotSubscribed" || st[24] != "Success" {
			t.Errorf("statuses %v", st)
		}
		lic := record(now, q.CustomerIdentifier, "api_calls", 1)
		lic["LicenseArn"] = p.LicenseArn // not q's license
		st, _ = results(t, e.call(t, base, batch, meter(pc("prod-rules"), lic)))
		if st[0] != "CustomerNotSubscribed" {
			t.Errorf("wrong license: %v", st)
		}
		if st, _ := results(t, e.call(t, base, batch, meter(pc("prod-rules")))); len(st) != 0 {
			t.Errorf("empty batch: %v", st)
		}
		// 24 hours minus a minute is still in the window.
		if st, _ := results(t, e.call(t, base, batch, meter(pc("prod-rules"), record(now.Add(-24*time.Hour+time.Minute), q.CustomerIdentifier, "users", 1)))); st[0] != "Success" {
			t.Errorf("23h59m old: %v", st)
		}
	})
}

func TestGetEntitlementsFiltersAndPaging(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		var ps []purchase
		for i := range 5 {
			ps = append(ps, buy(t, e.admin, pc("prod-ent"), []string{"a", "b"}[i%2], i+1))
		}
		buy(t, e.admin, pc("prod-other"), "a", 1)
		e.admin.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases/"+ps[4].CustomerIdentifier+"/cancel", nil).Want(t, http.StatusOK)
		active := ps[:4]

		customers := func(body map[string]any) []string {
			var out []string
			for _, x := range body["Entitlements"].([]any) {
				out = append(out, x.(map[string]any)["CustomerIdentifier"].(string))
			}
			return out
		}
		var all []string
		for _, p := range active {
			all = append(all, p.CustomerIdentifier)
		}
		slices.Sort(all)

		// Paging: 2 + 2, a NextToken only on the first page.
		page1 := e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-ent"), "MaxResults": 2})
		next, _ := page1["NextToken"].(string)
		if next == "" {
			t.Fatalf("no NextToken: %v", page1)
		}
		page2 := e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-ent"), "MaxResults": 2, "NextToken": next})
		if _, ok := page2["NextToken"]; ok {
			t.Errorf("NextToken on the last page: %v", page2)
		}
		if got := append(customers(page1), customers(page2)...); !slices.Equal(got, all) {
			t.Errorf("pages %v, want %v", got, all)
		}

		for _, tc := range []struct {
			name   string
			filter map[string][]string
			want   []purchase
		}{
			{"customer", map[string][]string{"CUSTOMER_IDENTIFIER": {ps[0].CustomerIdentifier, ps[4].CustomerIdentifier}}, ps[:1]},
			{"account", map[string][]string{"CUSTOMER_AWS_ACCOUNT_ID": {ps[1].CustomerAWSAccountID}}, ps[1:2]},
			{"dimension", map[string][]string{"DIMENSION": {"b"}}, []purchase{ps[1], ps[3]}},
			{"license and dimension", map[string][]string{"LICENSE_ARN": {ps[2].LicenseArn, ps[3].LicenseArn}, "DIMENSION": {"a"}}, ps[2:3]},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := customers(e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-ent"), "Filter": tc.filter}))
				var want []string
				for _, p := range tc.want {
					want = append(want, p.CustomerIdentifier)
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
		if got := customers(e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-unknown")})); len(got) != 0 {
			t.Errorf("unknown product: %v", got)
		}

		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"no product code", map[string]any{}},
			{"both customer filters", map[string]any{"ProductCode": pc("prod-ent"), "Filter": map[string][]string{
				"CUSTOMER_IDENTIFIER": {"X"}, "CUSTOMER_AWS_ACCOUNT_ID": {"1"}}}},
			{"unknown filter", map[string]any{"ProductCode": pc("prod-ent"), "Filter": map[string][]string{"OFFER": {"x"}}}},
			{"MaxResults 0", map[string]any{"ProductCode": pc("prod-ent"), "MaxResults": 0}},
			{"MaxResults 26", map[string]any{"ProductCode": pc("prod-ent"), "MaxResults": 26}},
			{"bad NextToken", map[string]any{"ProductCode": pc("prod-ent"), "NextToken": "!!"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.wantError(t, wireRequest{creds: base, target: entitlements, body: tc.body}, 400, "InvalidParameterException")
			})
		}
	})
}

func TestFaultInjection(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		other := e.s.NewSaaS(t)
		p := buy(t, e.admin, pc("prod-fault"), "users", 1)
		buy(t, other, pc("prod-fault-b"), "users", 1)
		faults := "/aws/marketplace/_emulator/faults"
		ok := meter(pc("prod-fault"), record(e.clock.Now(), p.CustomerIdentifier, "users", 1))

		e.admin.Do(t, http.MethodPost, faults, map[string]any{"operation": "BatchMeterUsage", "error": "ThrottlingException", "count": 2}).Want(t, http.StatusCreated)
		e.admin.Do(t, http.MethodPost, faults, map[string]any{"operation": "*", "error": "InternalServiceErrorException"}).Want(t, http.StatusCreated)
		// Another SaaS's product is not affected.
		e.call(t, base, batch, meter(pc("prod-fault-b")))
		e.wantError(t, wireRequest{creds: base, target: batch, body: ok}, 400, "ThrottlingException")
		e.wantError(t, wireRequest{creds: base, target: batch, body: ok}, 400, "ThrottlingException")
		e.wantError(t, wireRequest{creds: base, target: resolve, body: map[string]any{"RegistrationToken": p.MarketplaceToken}}, 500, "InternalServiceErrorException")
		e.call(t, base, batch, ok)
		e.call(t, base, resolve, map[string]any{"RegistrationToken": p.MarketplaceToken})

		e.admin.Do(t, http.MethodPost, faults, map[string]any{"operation": "GetEntitlements", "delay_ms": 300}).Want(t, http.StatusCreated)
		start := time.Now()
		e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-fault")})
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("delayed call took %s", d)
		}

		e.admin.Do(t, http.MethodPost, faults, map[string]any{"operation": "GetEntitlements", "error": "ThrottlingException", "count": 5}).Want(t, http.StatusCreated)
		var list struct {
			Faults []map[string]any `json:"faults"`
		}
		e.admin.Do(t, http.MethodGet, faults, nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Faults) != 1 || list.Faults[0]["count"] != 5.0 {
			t.Errorf("faults %v", list.Faults)
		}
		other.Do(t, http.MethodGet, faults, nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Faults) != 0 {
			t.Errorf("another SaaS sees faults %v", list.Faults)
		}
		e.admin.Do(t, http.MethodDelete, faults, nil).Want(t, http.StatusOK)
		e.call(t, base, entitlements, map[string]any{"ProductCode": pc("prod-fault")})

		for _, bad := range []map[string]any{
			{"operation": "MeterUsage", "error": "ThrottlingException"},
			{"error": "AccessDenied"},
			{"error": "ThrottlingException", "count": 0},
			{"operation": "*"},
			{"delay_ms": 60000},
		} {
			e.admin.Do(t, http.MethodPost, faults, bad).WantError(t, http.StatusBadRequest, "")
		}
	})
}

func TestAdminRoutes(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		a, other := e.admin, e.s.NewSaaS(t)
		p := buy(t, a, pc("prod-admin"), "users", 2)
		path := "/aws/marketplace/_emulator/purchases/" + p.CustomerIdentifier

		// Isolation: B neither sees nor changes A's purchases or product.
		var list struct {
			Purchases []purchase `json:"purchases"`
		}
		other.Do(t, http.MethodGet, "/aws/marketplace/_emulator/purchases", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Purchases) != 0 {
			t.Errorf("B sees %v", list.Purchases)
		}
		other.Do(t, http.MethodPatch, path, map[string]any{"quantity": 9}).WantError(t, http.StatusNotFound, "not_found")
		other.Do(t, http.MethodPost, path+"/cancel", nil).WantError(t, http.StatusNotFound, "not_found")
		other.Do(t, http.MethodPost, path+"/token", nil).WantError(t, http.StatusNotFound, "not_found")
		other.Do(t, http.MethodPost, "/aws/marketplace/_emulator/purchases",
			map[string]any{"product_code": pc("prod-admin"), "dimension": "users", "quantity": 1}).WantError(t, http.StatusConflict, "product_code_taken")
		var usage struct {
			UsageRecords []any `json:"usage_records"`
		}
		e.call(t, base, batch, meter(pc("prod-admin"), record(e.clock.Now(), p.CustomerIdentifier, "users", 1)))
		other.Do(t, http.MethodGet, "/aws/marketplace/_emulator/usage", nil).Want(t, http.StatusOK).Decode(t, &usage)
		if len(usage.UsageRecords) != 0 {
			t.Errorf("B sees usage %v", usage.UsageRecords)
		}

		a.Do(t, http.MethodGet, "/aws/marketplace/_emulator/purchases", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Purchases) != 1 || list.Purchases[0].CustomerIdentifier != p.CustomerIdentifier || list.Purchases[0].Quantity != 2 {
			t.Errorf("A's list %+v", list.Purchases)
		}
		var changed purchase
		a.Do(t, http.MethodPatch, path, map[string]any{"quantity": 4}).Want(t, http.StatusOK).Decode(t, &changed)
		if changed.Quantity != 4 || changed.Dimension != "users" {
			t.Errorf("after PATCH %+v", changed)
		}
		for _, bad := range []struct {
			method, path string
			body         any
			status       int
			fields       []string
		}{
			{http.MethodPost, "/aws/marketplace/_emulator/purchases", map[string]any{"product_code": "bad code", "dimension": "", "quantity": 0}, 400, []string{"product_code", "dimension", "quantity"}},
			{http.MethodPatch, path, map[string]any{}, 400, nil},
			{http.MethodPatch, path, map[string]any{"quantity": 0}, 400, []string{"quantity"}},
			{http.MethodPatch, "/aws/marketplace/_emulator/purchases/XNOPE", map[string]any{"quantity": 1}, 404, nil},
			{http.MethodGet, "/aws/marketplace/_emulator/usage?limit=0", nil, 400, []string{"limit"}},
			{http.MethodGet, "/aws/marketplace/_emulator/nothing", nil, 404, nil},
		} {
			a.Do(t, bad.method, bad.path, bad.body).WantError(t, bad.status, "", bad.fields...)
		}
		a.Do(t, http.MethodPost, path+"/cancel", nil).Want(t, http.StatusOK)
		a.Do(t, http.MethodPost, path+"/cancel", nil).WantError(t, http.StatusConflict, "conflict")
		a.Do(t, http.MethodPatch, path, map[string]any{"quantity": 1}).WantError(t, http.StatusConflict, "conflict")
		a.Do(t, http.MethodPost, path+"/token", nil).WantError(t, http.StatusConflict, "conflict")

		// Unsigned admin calls are refused like /v1 calls.
		none := ""
		a.Send(t, apitest.Request{Method: http.MethodGet, Path: "/aws/marketplace/_emulator/purchases", Authorization: &none}).
			WantError(t, http.StatusUnauthorized, "unauthorized")
	})
}
