module serving/loadtests/go-proxy

go 1.19
