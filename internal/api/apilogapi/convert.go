package apilogapi

import (
	"strconv"

	"github.com/saasplane/saasplane/internal/apilog"
)

// apiLogResp is the wire form of ApiLog: every field is always present.
type apiLogResp struct {
	TraceID        string `json:"trace_id"`
	APILogID       string `json:"api_log_id"`
	CreatedAt      int64  `json:"created_at"`
	CreatedDate    string `json:"created_date"`
	TTL            int64  `json:"ttl"`
	RequestMethod  string `json:"request_method"`
	SaaSID         string `json:"saas_id"`
	APIKey         string `json:"api_key"`
	ResponseStatus string `json:"response_status"`
	RequestURI     string `json:"request_uri"`
	RemoteAddress  string `json:"remote_address"`
	Referer        string `json:"referer"`
	RequestBody    string `json:"request_body"`
	ResponseBody   string `json:"response_body"`
}

// apiLogsResp is the wire form of ApiLogs; the cursor is omitted on the
// last page.
type apiLogsResp struct {
	APILogs []apiLogResp `json:"api_logs"`
	Cursor  string       `json:"cursor,omitempty"`
}

func toAPILog(e apilog.Entry) apiLogResp {
	return apiLogResp{
		TraceID: e.TraceID, APILogID: e.APILogID,
		CreatedAt: e.CreatedAt.Unix(), CreatedDate: e.CreatedDate(), TTL: e.TTL.Unix(),
		RequestMethod: e.Method, SaaSID: e.SaaSID, APIKey: e.APIKey,
		ResponseStatus: strconv.Itoa(e.Status), RequestURI: e.RequestURI,
		RemoteAddress: e.RemoteAddress, Referer: e.Referer,
		RequestBody: e.RequestBody, ResponseBody: e.ResponseBody,
	}
}
