//go:build race

package controller_test

// raceDetector is on: timings are several times slower and uneven.
const raceDetector = true
