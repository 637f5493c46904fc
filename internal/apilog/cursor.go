package apilog

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"
)

// A cursor is opaque to clients: base64url (no padding) of
//
//	version (1 byte) | CreatedAt in Unix microseconds (8 bytes, big endian) |
//	APILogID (1 to maxCursorID bytes) | CRC-32C of everything before (4 bytes)
//
// The checksum is not a secret: it catches a cursor that was altered or cut
// short, so that it is refused (400) rather than silently moving the page.
// A forged cursor can do no harm: listings are always scoped to the caller.
const (
	cursorVersion = 1
	maxCursorID   = 128
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errBadCursor = errors.New("malformed cursor")

// EncodeCursor returns the opaque form of c.
func EncodeCursor(c Cursor) string {
	b := make([]byte, 0, 1+8+len(c.APILogID)+4)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.CreatedAt.UnixMicro()))
	b = append(b, c.APILogID...)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by EncodeCursor.
func DecodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, errBadCursor
	}
	if len(b) < 1+8+1+4 || len(b) > 1+8+maxCursorID+4 || b[0] != cursorVersion {
		return Cursor{}, errBadCursor
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return Cursor{}, errBadCursor
	}
	us := int64(binary.BigEndian.Uint64(body[1:9]))
	if us < 0 || us > maxUnixSeconds*1e6+999999 {
		return Cursor{}, errBadCursor
	}
	id := body[9:]
	for _, c := range id {
		if c < 0x21 || c > 0x7e {
			return Cursor{}, errBadCursor
		}
	}
	return Cursor{CreatedAt: time.UnixMicro(us).UTC(), APILogID: string(id)}, nil
}
