/*
 * startup_* URL: what process start to first request is made of (issue 7,
 * bench/startup.sh). One source, built four ways; each program connects to
 * URL (http://127.0.0.1:PORT, as bench_first_request passes it), sends the
 * first request line and headers of a PIN request, and waits to be killed:
 *
 *   startup_bare         libc only: the floor of any program (fork, exec,
 *                        the loader with libc, connect)
 *   startup_openssl      + libssl/libcrypto loaded and OpenSSL initialised as
 *                        for TLS (OPENSSL_init_ssl, system configuration read):
 *                        what an HTTP client of our own on OpenSSL would cost
 *   startup_curl_linked  + Debian's libcurl loaded, not called: the dynamic
 *                        loader's work for libcurl and its dependencies
 *   startup_curl_init    + curl_global_init(CURL_GLOBAL_DEFAULT), which every
 *                        libcurl program runs (OpenSSL, libssh2 ... set up)
 *
 * bench/startup.sh runs them with bench_first_request next to bench_signin
 * (libplex), so the differences show what each layer adds.
 * Exit status 1 when the URL is not http://HOST:PORT or connecting fails.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(STARTUP_OPENSSL)
#include <openssl/ssl.h>
#elif defined(STARTUP_CURL_LINKED) || defined(STARTUP_CURL_INIT)
#include <curl/curl.h>
#endif

static const char request[] = "POST /api/v2/pins HTTP/1.1\r\n"
                              "Host: 127.0.0.1\r\n"
                              "Accept: application/json\r\n"
                              "Content-Length: 0\r\n\r\n";

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    const char *url = argc > 1 ? argv[argc - 1] : "";
    const char *colon = strrchr(url, ':');
    char host[64];
    size_t hl;
    long port;
    int fd;

#if defined(STARTUP_OPENSSL)
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
        return 1;
#elif defined(STARTUP_CURL_INIT)
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
#elif defined(STARTUP_CURL_LINKED)
    if (argc > 2) /* never: libcurl stays linked, and is not called */
        curl_global_init(CURL_GLOBAL_DEFAULT);
#endif
    if (strncmp(url, "http://", 7) != 0 || !colon || colon < url + 7) {
        fprintf(stderr, "usage: %s http://HOST:PORT\n", argv[0]);
        return 1;
    }
    hl = (size_t)(colon - (url + 7));
    port = strtol(colon + 1, NULL, 10);
    if (hl >= sizeof(host) || port <= 0 || port > 65535) {
        fprintf(stderr, "%s: bad URL %s\n", argv[0], url);
        return 1;
    }
    memcpy(host, url + 7, hl);
    host[hl] = '\0';
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        write(fd, request, sizeof(request) - 1) != (ssize_t)(sizeof(request) - 1)) {
        perror(argv[0]);
        return 1;
    }
    pause(); /* bench_first_request kills us */
    close(fd);
    return 0;
}
