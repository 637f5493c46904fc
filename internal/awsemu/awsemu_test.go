package awsemu

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/idgen"
)

func TestIdentifierFormats(t *testing.T) {
	s := &Service{ids: idgen.Crypto()}
	for _, tc := range []struct {
		name string
		gen  func() string
		re   string
	}{
		{"customer identifier", s.newCustomerIdentifier, `^X[A-Z0-9]{10}$`},
		{"account id", s.newAccountID, `^[1-9][0-9]{11}$`},
		{"license ARN", s.newLicenseArn, `^arn:aws:license-manager::[0-9]{12}:license:l-[0-9a-f]{32}$`},
		{"access key id", s.newAccessKeyID, `^ASIA[A-Z2-7]{16}$`},
		{"metering record id", s.newMeteringRecordID, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"registration token", s.newRegistrationToken, `^[A-Za-z0-9_-]{64}$`},
	} {
		re := regexp.MustCompile(tc.re)
		seen := map[string]bool{}
		for range 50 {
			v := tc.gen()
			if !re.MatchString(v) || seen[v] {
				t.Errorf("%s: %q (repeated: %v) does not match %s", tc.name, v, seen[v], tc.re)
			}
			seen[v] = true
		}
	}
}

// Ids come from the injected source: two services seeded alike draw the
// same ids, in the same order; another seed draws others.
func TestIdsFollowTheSeed(t *testing.T) {
	draw := func(seed uint64) []string {
		s := &Service{ids: idgen.Seeded(seed)}
		return []string{s.newCustomerIdentifier(), s.newAccountID(), s.newRegistrationToken(), s.newMeteringRecordID()}
	}
	a, b, c := draw(42), draw(42), draw(43)
	if !slices.Equal(a, b) {
		t.Errorf("seed 42 drew %v, then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 both drew %v", a)
	}
}

func TestExpirationRenewsMonthly(t *testing.T) {
	created := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	p := Purchase{ExpiresAt: created.AddDate(0, 1, 0)}
	for _, tc := range []struct {
		now, want time.Time
	}{
		{created, time.Date(2026, 2, 15, 10, 0, 0, 0, time.UTC)},
		{time.Date(2026, 2, 15, 9, 59, 0, 0, time.UTC), time.Date(2026, 2, 15, 10, 0, 0, 0, time.UTC)},
		{time.Date(2026, 2, 15, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)},
	} {
		if got := p.ExpirationAt(tc.now); !got.Equal(tc.want) {
			t.Errorf("ExpirationAt(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}

func TestAssumeRoleInputValidate(t *testing.T) {
	ok := AssumeRoleInput{RoleArn: "arn:aws:iam::123456789012:role/path/to/name", RoleSessionName: "s1", ExternalID: "ext"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	for name, change := range map[string]func(*AssumeRoleInput){
		"user ARN":       func(in *AssumeRoleInput) { in.RoleArn = "arn:aws:iam::123456789012:user/x" },
		"11-digit acct":  func(in *AssumeRoleInput) { in.RoleArn = "arn:aws:iam::12345678901:role/x" },
		"no external id": func(in *AssumeRoleInput) { in.ExternalID = "" },
		"1-char ext id":  func(in *AssumeRoleInput) { in.ExternalID = "e" },
		"session name":   func(in *AssumeRoleInput) { in.RoleSessionName = "a b" },
		"duration 899":   func(in *AssumeRoleInput) { in.DurationSeconds = 899 },
		"duration 43201": func(in *AssumeRoleInput) { in.DurationSeconds = 43201 },
	} {
		in := ok
		change(&in)
		if err := in.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFaultValidate(t *testing.T) {
	good := []Fault{
		{Operation: OperationAny, Error: ErrTypeThrottling, Count: 1},
		{Operation: OperationBatchMeterUsage, Delay: time.Second, Count: 1000},
		{Operation: OperationResolveCustomer, Error: ErrTypeInternalServiceError, Delay: MaxFaultDelay, Count: 3},
	}
	for _, f := range good {
		if err := f.Validate(); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	bad := []Fault{
		{Operation: "MeterUsage", Error: ErrTypeThrottling, Count: 1},
		{Operation: OperationAny, Error: "AccessDenied", Count: 1},
		{Operation: OperationAny, Count: 1},
		{Operation: OperationAny, Error: ErrTypeThrottling, Count: 0},
		{Operation: OperationAny, Delay: MaxFaultDelay + 1, Count: 1},
	}
	for _, f := range bad {
		if err := f.Validate(); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
}
