package communicationapi

import "github.com/saasplane/saasplane/internal/communication"

// The wire shapes. Every field is always present; ids are UUID strings,
// times Unix seconds, status and count unsigned integers.

type feedbackResp struct {
	ID          string        `json:"id"`
	Title       string        `json:"feedback_title"`
	Description string        `json:"feedback_description"`
	UserID      string        `json:"user_id"`
	CreatedAt   int64         `json:"created_at"`
	Status      uint64        `json:"status"`
	Count       uint64        `json:"count"`
	Users       []userResp    `json:"users"`
	Comments    []commentResp `json:"comments"`
}

type feedbacksResp struct {
	Feedbacks []feedbackResp `json:"feedbacks"`
}

type commentResp struct {
	ID        string `json:"id"`
	Body      string `json:"body"`
	CreatedAt int64  `json:"created_at"`
}

type userResp struct {
	UserID string `json:"user_id"`
}

type votesResp struct {
	Count uint64     `json:"count"`
	Users []userResp `json:"users"`
}

func toFeedback(f communication.Feedback) feedbackResp {
	v := toVotes(f.Votes())
	cs := make([]commentResp, len(f.Comments))
	for i, c := range f.Comments {
		cs[i] = toComment(c)
	}
	return feedbackResp{ID: f.ID, Title: f.Title, Description: f.Description, UserID: f.UserID, CreatedAt: f.CreatedAt.Unix(),
		Status: uint64(f.Status), Count: v.Count, Users: v.Users, Comments: cs}
}

func toComment(c communication.Comment) commentResp {
	return commentResp{ID: c.ID, Body: c.Body, CreatedAt: c.CreatedAt.Unix()}
}

func toVotes(v communication.Votes) votesResp {
	us := make([]userResp, len(v.Users))
	for i, u := range v.Users {
		us[i] = userResp{UserID: u}
	}
	return votesResp{Count: uint64(v.Count()), Users: us}
}
