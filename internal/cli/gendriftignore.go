package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/ignore"
)

// maxResultBytes bounds the JSON result gen-driftignore reads.
const maxResultBytes = 1 << 30

func newGenDriftignoreCmd(s Streams) *cobra.Command {
	var (
		input, outPath string
		opts           ignore.GenerateOptions
	)
	c := &cobra.Command{
		Use:   "gen-driftignore [-i result.json] [-o .driftignore]",
		Short: "Write .driftignore rules that ignore every finding of a JSON scan result",
		Example: `  driftmgr scan --state terraform.tfstate --live live.json -o json=result.json
  driftmgr gen-driftignore -i result.json --exclude-missing >> .driftignore`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r io.Reader = s.In
			name := "stdin"
			if input != "" && input != "-" {
				fh, err := os.Open(input)
				if err != nil {
					return fmt.Errorf("read scan result: %w", err)
				}
				defer fh.Close()
				r, name = fh, input
			}
			data, err := io.ReadAll(io.LimitReader(r, maxResultBytes+1))
			if err != nil {
				return fmt.Errorf("read scan result %s: %w", name, err)
			}
			if len(data) > maxResultBytes {
				return fmt.Errorf("read scan result %s: larger than %d bytes", name, maxResultBytes)
			}
			var res drift.Result
			dec := json.NewDecoder(bytes.NewReader(data))
			if err := dec.Decode(&res); err != nil {
				return fmt.Errorf("read scan result %s: expected the JSON output of 'driftmgr scan --output json': %w", name, err)
			}
			var buf bytes.Buffer
			if err := ignore.Generate(&buf, res.Findings, opts); err != nil {
				return err
			}
			if outPath == "" || outPath == "-" {
				_, err = s.Out.Write(buf.Bytes())
				return err
			}
			return os.WriteFile(outPath, buf.Bytes(), 0o644)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&input, "input", "i", "", "JSON scan result (default stdin)")
	fl.StringVarP(&outPath, "output", "o", "", "file to write (default stdout)")
	fl.BoolVar(&opts.ExcludeUnmanaged, "exclude-unmanaged", false, "write no rules for UNMANAGED resources")
	fl.BoolVar(&opts.ExcludeMissing, "exclude-missing", false, "write no rules for MISSING resources")
	fl.BoolVar(&opts.ExcludeModified, "exclude-changed", false, "write no rules for MODIFIED attributes")
	return c
}
