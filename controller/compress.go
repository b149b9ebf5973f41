package controller

import (
	"compress/gzip"
	"io"

	"connectrpc.com/connect"
)

// compressMinBytes is the smallest response worth compressing: below it
// gzip's header and the CPU buy nothing (errors, single objects).
const compressMinBytes = 1024

// fastGzip answers gzip at its fastest level. Connect's default level
// made compressing listings about a tenth of a busy controller's CPU;
// the fastest level keeps most of the saving on the wire for a fraction
// of that. Requests compressed at any level decode the same.
var fastGzip = connect.WithCompression("gzip",
	func() connect.Decompressor { return &gzip.Reader{} },
	func() connect.Compressor {
		w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level cannot fail
		return w
	})
