package worker

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
)

// maxFrameBytes bounds what one frame may make the worker allocate: the bridge's own default limit is 2 MiB.
const maxFrameBytes = 64 << 20

// inFrame is a frame from the bridge: the fields of message, registered, unregistered, err and pong frames.
type inFrame struct {
	Type         string          `json:"type"`
	Address      string          `json:"address"`
	ReplyAddress string          `json:"replyAddress"`
	Body         json.RawMessage `json:"body"`
	Message      string          `json:"message"`
	Detail       string          `json:"detail"`
}

// writeFrame writes one frame: a 4-byte big-endian length, then the UTF-8 JSON object.
func writeFrame(w io.Writer, data []byte) error {
	frame := make([]byte, 4+len(data))
	binary.BigEndian.PutUint32(frame, uint32(len(data)))
	copy(frame[4:], data)
	_, err := w.Write(frame)
	return err
}

// readFrames hands each frame read from conn to frames until conn fails or done is closed.
func readFrames(conn net.Conn, frames chan<- inFrame, done <-chan struct{}) error {
	var length [4]byte
	for {
		if _, err := io.ReadFull(conn, length[:]); err != nil {
			return err
		}
		size := binary.BigEndian.Uint32(length[:])
		if size > maxFrameBytes {
			return fmt.Errorf("a frame of %d bytes, over %d", size, maxFrameBytes)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(conn, data); err != nil {
			return err
		}
		var frame inFrame
		if err := json.Unmarshal(data, &frame); err != nil {
			return fmt.Errorf("a frame that is not a JSON object: %w", err)
		}
		select {
		case frames <- frame:
		case <-done:
			return nil
		}
	}
}
