package aws

import "testing"

func TestVisibility(t *testing.T) {
	t.Parallel()
	for _, s := range ListingStatuses {
		want := VisibilityLimited
		switch s {
		case ListingRestricted:
			want = VisibilityRestricted
		case ListingPublic:
			want = VisibilityPublic
		}
		if got := s.Visibility(); got != want {
			t.Errorf("%s.Visibility() = %s, want %s", s, got, want)
		}
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	for _, s := range []ListingStatus{"", "Public", "LIMITED", "unknown"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
	if len(ListingStatuses) != 11 {
		t.Errorf("%d listing statuses, want 11", len(ListingStatuses))
	}
}
