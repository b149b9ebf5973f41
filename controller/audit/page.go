package audit

// Position is where the query's page starts: the Seq of the last entry
// the previous page returned (0 for the first page). A store that scans
// its own index pages with it and NextPageToken.
func (q Query) Position() (uint64, error) {
	if q.PageToken == "" {
		return 0, nil
	}
	return parsePageToken(q.PageToken, q.Newest)
}

// NextPageToken is the token of the page after one that ended at seq.
func NextPageToken(seq uint64, newest bool) string { return pageToken(seq, newest) }
