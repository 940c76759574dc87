# A thin veneer over the go tool.
.PHONY: run test vet lint bench golden fuzz

run:
	go run ./cmd/reesim run truce90

test:
	go test -race -short ./... && go test ./...

vet:
	go vet ./...

lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench:
	go test -run '^$$' -bench . -benchmem -count 6 ./sim | tee bench-sim.txt

golden:
	go test ./... -update

fuzz:
	go test -run '^$$' -fuzz FuzzLoad -fuzztime 60s ./model
