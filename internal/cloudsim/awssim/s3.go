package awssim

import "net/http"

// s3 answers the S3 REST-XML API (path-style).
func (h *handler) s3(rw http.ResponseWriter, c *call) {
	http.Error(rw, "awssim: s3 not implemented", http.StatusNotImplemented)
}
