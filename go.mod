module github.com/kakekomi/kakekomi

go 1.26.8

require (
	github.com/goccy/go-yaml v1.19.2
	github.com/rickar/cal/v2 v2.1.13
)

require golang.org/x/text v0.43.0 // indirect
