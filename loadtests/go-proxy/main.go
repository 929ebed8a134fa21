// go-proxy is the plain Go reverse proxy the gateway benchmark compares with: net/http/httputil's ReverseProxy,
// the core of Knative's activator and queue-proxy and of KEDA's HTTP interceptor, with nothing added.
// Standard library only; build with `go build` (loadtests/run-gateway-bench.sh does).
//
//	go-proxy -listen 127.0.0.1:PORT -backend http://127.0.0.1:BACKEND
//	go-proxy -version
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on (loopback only)")
	backend := flag.String("backend", "", "backend base URL, e.g. http://127.0.0.1:9000")
	idle := flag.Int("max-idle-conns-per-host", 256, "idle keep-alive connections kept per backend")
	version := flag.Bool("version", false, "print the Go version this was built with and exit")
	flag.Parse()
	if *version {
		os.Stdout.WriteString(runtime.Version() + "\n")
		return
	}

	target, err := url.Parse(*backend)
	if err != nil || target.Scheme == "" || target.Host == "" {
		log.Fatalf("go-proxy: -backend must be an http URL, got %q", *backend)
	}

	proxy := httputil.NewSingleHostReverseProxy(target)
	// The default transport keeps only 2 idle connections per host, so 32 clients would open and close a backend
	// connection per request; Knative and KEDA raise it the same way.
	proxy.Transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        *idle,
		MaxIdleConnsPerHost: *idle,
		IdleConnTimeout:     90 * time.Second,
	}

	server := &http.Server{Addr: *listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.ListenAndServe())
}
