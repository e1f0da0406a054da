/* A fast local RFC 3161 TSA for the benchmark only: OpenSSL's TS_RESP_CTX behind a minimal HTTP/1.1 server with
   kept-alive connections, one thread per connection, on 127.0.0.1. Usage: tsa PORT KEY CERT CHAIN. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX 8192
#define BODY_MAX 8192

static EVP_PKEY *key;
static X509 *cert;
static STACK_OF(X509) *chain;

/* A response context for one thread: TS_RESP_CTX keeps per-response state. */
static TS_RESP_CTX *new_ctx(void)
{
    TS_RESP_CTX *ctx = TS_RESP_CTX_new();
    ASN1_OBJECT *policy = OBJ_txt2obj("1.2.3.4.1", 1);
    if (ctx == NULL || policy == NULL || !TS_RESP_CTX_set_signer_cert(ctx, cert) || !TS_RESP_CTX_set_signer_key(ctx, key) ||
        !TS_RESP_CTX_set_certs(ctx, chain) || !TS_RESP_CTX_set_def_policy(ctx, policy) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha256()) || !TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) ||
        !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) || !TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0)) {
        ASN1_OBJECT_free(policy);
        TS_RESP_CTX_free(ctx);
        return NULL;
    }
    ASN1_OBJECT_free(policy);
    return ctx;
}

/* Reads one request's head and body from fd into body. Returns the body length, or -1 at the end of the connection. */
static long read_request(int fd, char *head, unsigned char *body)
{
    size_t n = 0;
    char *end = NULL;
    while (end == NULL) {
        if (n + 1 >= HEAD_MAX)
            return -1;
        ssize_t got = recv(fd, head + n, HEAD_MAX - 1 - n, 0);
        if (got <= 0)
            return -1;
        n += (size_t)got;
        head[n] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    const char *cl = strcasestr(head, "Content-Length:");
    long len = cl ? strtol(cl + 15, NULL, 10) : 0;
    size_t have = n - (size_t)(end + 4 - head);
    if (len < 0 || len > BODY_MAX || have > (size_t)len)
        return -1;
    memcpy(body, end + 4, have);
    while (have < (size_t)len) {
        ssize_t got = recv(fd, body + have, (size_t)len - have, 0);
        if (got <= 0)
            return -1;
        have += (size_t)got;
    }
    return len;
}

static int send_all(int fd, const void *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t sent = send(fd, (const char *)data + off, len - off, MSG_NOSIGNAL);
        if (sent <= 0)
            return -1;
        off += (size_t)sent;
    }
    return 0;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg, one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        perror("tsa: TCP_NODELAY");
    TS_RESP_CTX *ctx = new_ctx();
    char *head = malloc(HEAD_MAX);
    unsigned char *body = malloc(BODY_MAX);
    long len;
    while (ctx && head && body && (len = read_request(fd, head, body)) >= 0) {
        BIO *in = BIO_new_mem_buf(body, (int)len);
        TS_RESP *resp = in ? TS_RESP_create_response(ctx, in) : NULL;
        unsigned char *der = NULL;
        int der_len = resp ? i2d_TS_RESP(resp, &der) : -1;
        char head_out[160];
        int n = snprintf(head_out, sizeof head_out,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: %d\r\n\r\n",
                         der_len > 0 ? der_len : 0);
        /* one write per answer: a head and a body in two small segments would wait on the peer's delayed ACK */
        unsigned char *out = malloc((size_t)n + (der_len > 0 ? (size_t)der_len : 0));
        int failed = out == NULL;
        if (out) {
            memcpy(out, head_out, (size_t)n);
            if (der_len > 0)
                memcpy(out + n, der, (size_t)der_len);
            failed = send_all(fd, out, (size_t)n + (der_len > 0 ? (size_t)der_len : 0)) != 0;
            free(out);
        }
        OPENSSL_free(der);
        TS_RESP_free(resp);
        BIO_free(in);
        ERR_clear_error();
        if (failed)
            break;
    }
    free(head);
    free(body);
    TS_RESP_CTX_free(ctx);
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: tsa PORT KEY CERT CHAIN\n");
        return 2;
    }
    FILE *f;
    if ((f = fopen(argv[2], "r")) == NULL || (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL || fclose(f) != 0 ||
        (f = fopen(argv[3], "r")) == NULL || (cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL || fclose(f) != 0 ||
        (chain = sk_X509_new_null()) == NULL || (f = fopen(argv[4], "r")) == NULL) {
        fprintf(stderr, "tsa: cannot read the key, certificate or chain\n");
        return 1;
    }
    for (X509 *c; (c = PEM_read_X509(f, NULL, NULL, NULL)) != NULL;)
        sk_X509_push(chain, c);
    fclose(f);
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 128) != 0) {
        perror("tsa");
        return 1;
    }
    for (;;) {
        int fd = accept(s, NULL, NULL);
        pthread_t t;
        if (fd >= 0 && pthread_create(&t, NULL, serve, (void *)(long)fd) == 0)
            pthread_detach(t);
        else if (fd >= 0)
            close(fd);
    }
}
