module berth.dev/worker

go 1.19
