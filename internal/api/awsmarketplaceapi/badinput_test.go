package awsmarketplaceapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// bad is one malformed request and the fields its 400 must name.
type bad struct {
	name   string
	method string
	path   string
	body   any // a string is sent as is; {plan} is replaced by a plan id
	fields []string
}

// TestBadInput: every malformed body is a 400 invalid_request naming the
// field, never a 500, and changes nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	settings := func(name string, body any, fields ...string) bad {
		return bad{name: "settings/" + name, method: "PUT", path: "/settings", body: body, fields: fields}
	}
	listing := func(name string, body any, fields ...string) bad {
		return bad{name: "listing-status/" + name, method: "PUT", path: "/listing-status", body: body, fields: fields}
	}
	plans := func(name string, body any, fields ...string) bad {
		return bad{name: "plans/" + name, method: "PUT", path: "/plans", body: body, fields: fields}
	}
	link := func(kv ...any) obj {
		return apitest.With(obj{"plan_id": "{plan}", "plan_name": "normal_plan_name_month"}, kv...)
	}
	var cases []bad
	for _, path := range []string{"/settings", "/listing-status", "/plans"} {
		for name, body := range map[string]string{
			"malformed JSON": `{"product_code":`, "empty body": ``, "JSON array": `[]`, "JSON null": `null`,
			"JSON string": `"x"`, "trailing garbage": `{} x`, "two objects": `{}{}`,
		} {
			cases = append(cases, bad{name: path[1:] + "/" + name, method: "PUT", path: path, body: body})
		}
	}
	for _, f := range []string{"product_code", "role_arn", "role_external_id", "sns_topic_arn", "cas_bucket_name",
		"cas_sns_topic_arn", "seller_sns_topic_arn", "sqs_arn"} {
		cases = append(cases,
			settings(f+" is a number", obj{f: 1234567890}, f),
			settings(f+" is a bool", obj{f: true}, f),
			settings(f+" is null", obj{f: nil}, f),
			settings(f+" is an object", obj{f: obj{}}, f),
		)
	}
	cases = append(cases,
		settings("product_code with a space", obj{"product_code": "my product"}, "product_code"),
		settings("product_code 65 characters", obj{"product_code": strings.Repeat("p", 65)}, "product_code"),
		settings("role_arn of a user", obj{"role_arn": "arn:aws:iam::123456789012:user/me"}, "role_arn"),
		settings("role_arn with an 11-digit account", obj{"role_arn": "arn:aws:iam::12345678901:role/r"}, "role_arn"),
		settings("role_arn without a name", obj{"role_arn": "arn:aws:iam::123456789012:role/"}, "role_arn"),
		settings("role_arn that is a name", obj{"role_arn": "saasplane-role"}, "role_arn"),
		settings("role_external_id of one character", obj{"role_external_id": "x"}, "role_external_id"),
		settings("role_external_id with a space", obj{"role_external_id": "a b"}, "role_external_id"),
		settings("sns_topic_arn of a queue", obj{"sns_topic_arn": "arn:aws:sqs:us-east-1:123456789012:q"}, "sns_topic_arn"),
		settings("sns_topic_arn without a region", obj{"sns_topic_arn": "arn:aws:sns::123456789012:t"}, "sns_topic_arn"),
		settings("cas_sns_topic_arn that is a name", obj{"cas_sns_topic_arn": "topic"}, "cas_sns_topic_arn"),
		settings("seller_sns_topic_arn with a bad account", obj{"seller_sns_topic_arn": "arn:aws:sns:us-east-1:abc:t"}, "seller_sns_topic_arn"),
		settings("sqs_arn of a topic", obj{"sqs_arn": "arn:aws:sns:us-east-1:123456789012:t"}, "sqs_arn"),
		settings("sqs_arn that is a URL", obj{"sqs_arn": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}, "sqs_arn"),
		settings("sign_up_url relative", obj{"sign_up_url": "/sign-up"}, "sign_up_url"),
		settings("sign_up_url of another scheme", obj{"sign_up_url": "javascript:alert(1)"}, "sign_up_url"),
		settings("sign_up_url with a fragment", obj{"sign_up_url": "https://app.example.com/#/sign-up"}, "sign_up_url"),
		settings("sign_up_url with a space", obj{"sign_up_url": "https://app.example.com/sign up"}, "sign_up_url"),
		settings("cas_bucket_name in capitals", obj{"cas_bucket_name": "MyBucket"}, "cas_bucket_name"),
		settings("cas_bucket_name of two characters", obj{"cas_bucket_name": "ab"}, "cas_bucket_name"),
		settings("several bad fields at once", obj{"role_arn": "x", "sqs_arn": "y", "product_code": "a b"}, "role_arn", "sqs_arn", "product_code"),
		settings("case-different key", obj{"Product_Code": "abc"}, "Product_Code"),
		settings("upper-case key", obj{"ROLE_ARN": "arn:aws:iam::123456789012:role/r"}, "ROLE_ARN"),
		settings("good and bad fields: nothing is written", apitest.With(fullSettings(), "sqs_arn", "nope"), "sqs_arn"),

		listing("unknown value", obj{"listing_status": "published"}, "listing_status"),
		listing("visibility spelling", obj{"listing_status": "Public"}, "listing_status"),
		listing("empty string", obj{"listing_status": ""}, "listing_status"),
		listing("number", obj{"listing_status": 1}, "listing_status"),
		listing("null", obj{"listing_status": nil}, "listing_status"),
		listing("missing", obj{}, "listing_status"),
		// The required key is missing; the near miss is not taken for it.
		listing("case-different key", obj{"Listing_Status": "public"}, "listing_status"),

		plans("unknown plan_id", link("plan_id", "no-such-plan"), "plan_id"),
		plans("empty plan_id", link("plan_id", ""), "plan_id"),
		plans("plan_id missing", link("plan_id", nil), "plan_id"),
		plans("plan_id a number", link("plan_id", 7), "plan_id"),
		plans("plan_id null", `{"plan_id":null,"plan_name":"normal_plan_name_month"}`, "plan_id"),
		plans("plan_name null", `{"plan_id":"x","plan_name":null}`, "plan_name"),
		plans("plan_name missing", link("plan_name", nil), "plan_name"),
		plans("plan_name a number", link("plan_name", 12), "plan_name"),
		plans("plan_name empty", link("plan_name", ""), "plan_name"),
		plans("plan_name 37 characters", link("plan_name", strings.Repeat("n", 37)), "plan_name"),
		plans("plan_name with a hyphen", link("plan_name", "normal-plan"), "plan_name"),
		plans("plan_name with a space", link("plan_name", "normal plan"), "plan_name"),
		plans("plan_name with a slash", link("plan_name", "a/b"), "plan_name"),
		plans("plan_name not ASCII", link("plan_name", "プラン"), "plan_name"),
		plans("both missing", obj{}, "plan_id", "plan_name"),
		plans("case-different key", link("Plan_Name", "x"), "Plan_Name"),
	)

	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				x := linked(t, c)
				x["plan"] = x["yearly"]
				withSettings(t, c)
				okEmpty(t, c, "PUT", "/listing-status", obj{"listing_status": "third_step_working"})
				before := snapshot(t, c)

				body := tc.body
				if o, ok := body.(obj); ok {
					raw, _ := json.Marshal(o)
					body = x.Expand(string(raw))
				}
				r := c.Do(t, tc.method, P+tc.path, body)
				r.WantError(t, 400, "invalid_request", tc.fields...)
				if after := snapshot(t, c); after != before {
					t.Errorf("a refused request changed state:\nbefore %s\n after %s", before, after)
				}
			})
		}
	})
}

// snapshot is everything a SaaS can read of its AWS Marketplace API.
func snapshot(t testing.TB, c apitest.Client) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/settings", "/listing-status", "/plans", "/catalog-entity/visibility"} {
		b.Write(c.Do(t, "GET", P+p, nil).Want(t, 200).Body)
		b.WriteByte('\n')
	}
	return b.String()
}
