package communication_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/errs"
)

const user = "3f2c6a4e-1b7d-4c2a-9e5f-0a1b2c3d4e5f"

func TestNewFeedbackValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   communication.NewFeedback
		want []string // the fields at fault; nil: valid
	}{
		{"valid", communication.NewFeedback{Title: "Dark mode", Description: "Please.", UserID: user}, nil},
		{"empty description", communication.NewFeedback{Title: "Dark mode", UserID: user}, nil},
		{"255 characters of title", communication.NewFeedback{Title: strings.Repeat("界", 255), UserID: user}, nil},
		{"10,000 characters of description", communication.NewFeedback{Title: "t", Description: strings.Repeat("é", 10000), UserID: user}, nil},
		{"upper-case user id", communication.NewFeedback{Title: "t", UserID: strings.ToUpper(user)}, nil},
		{"nothing", communication.NewFeedback{}, []string{"feedback_title", "user_id"}},
		{"blank title", communication.NewFeedback{Title: " \t", UserID: user}, []string{"feedback_title"}},
		{"256 characters of title", communication.NewFeedback{Title: strings.Repeat("界", 256), UserID: user}, []string{"feedback_title"}},
		{"10,001 characters of description", communication.NewFeedback{Title: "t", Description: strings.Repeat("é", 10001), UserID: user}, []string{"feedback_description"}},
		{"invalid UTF-8", communication.NewFeedback{Title: "\xff", Description: "\xfe", UserID: user}, []string{"feedback_description", "feedback_title"}},
		{"NUL", communication.NewFeedback{Title: "a\x00", UserID: user}, []string{"feedback_title"}},
		{"user id without dashes", communication.NewFeedback{Title: "t", UserID: strings.ReplaceAll(user, "-", "")}, []string{"user_id"}},
		{"user id in braces", communication.NewFeedback{Title: "t", UserID: "{" + user + "}"}, []string{"user_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if got := errs.FieldNames(err); !slices.Equal(got, tc.want) {
				t.Errorf("Validate() = %v: fields %v, want %v", err, got, tc.want)
			}
			if err != nil && errs.KindOf(err) != errs.KindInvalid {
				t.Errorf("kind %v, want invalid", errs.KindOf(err))
			}
		})
	}
}

func TestFeedbackUpdateValidate(t *testing.T) {
	if err := (communication.FeedbackUpdate{Title: "t"}).Validate(); err != nil {
		t.Errorf("a title without description: %v", err)
	}
	err := communication.FeedbackUpdate{Description: strings.Repeat("x", communication.MaxDescriptionLen+1)}.Validate()
	if got := errs.FieldNames(err); !slices.Equal(got, []string{"feedback_description", "feedback_title"}) {
		t.Errorf("fields %v", got)
	}
}

func TestStatus(t *testing.T) {
	for s, want := range map[communication.Status]bool{
		communication.StatusNew: true, communication.StatusConsidering: true, communication.StatusInProgress: true,
		communication.StatusDone: true, 4: false, 1 << 63: false,
	} {
		if s.Valid() != want {
			t.Errorf("Status(%d).Valid() = %v, want %v", uint64(s), !want, want)
		}
	}
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		user: true, strings.ToUpper(user): true, "00000000-0000-0000-0000-000000000000": true,
		"": false, "3f2c6a4e1b7d4c2a9e5f0a1b2c3d4e5f": false, user + "0": false, user[:35]: false,
		"3f2c6a4e-1b7d-4c2a-9e5f-0a1b2c3d4e5g": false, "3f2c6a4e-1b7d-4c2a-9e5f_0a1b2c3d4e5f": false,
	} {
		if got := communication.IsUUID(s); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", s, got, want)
		}
	}
}
