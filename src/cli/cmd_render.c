/* arayis render --sample OUT.pdf: renders a sample certificate with demo data, to look at and to test. A sample is
   no certificate: it is marked NÜMUNƏ / SAMPLE across the page, carries a number the service never issues, and is
   signed by a throwaway key that no keyring holds. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/money.h"
#include "core/share.h"
#include "model/links.h"
#include "pdf/certificate.h"

/* Outside the issued pattern AZI-YYYY-NNNNNN, so no lookup can find it and no parser accepts it; the link in its
   QR code carries it percent-encoded. */
#define SAMPLE_NUMBER "AZI-NÜMUNƏ-000000"
#define SAMPLE_NUMBER_IN_URL "AZI-N%C3%9CMUN%C6%8F-000000"
#define SAMPLE_CODE "K7Q2M9XD4P8T3R6W"

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis render --sample OUT.pdf [--debt AMOUNT] [--non-residential] [--holder NAME]\n"
                 "                     [--address TEXT] [--key ec|rsa] [settings]\n"
                 "Marks the page NÜMUNƏ / SAMPLE, numbers it %s and signs it with a throwaway key of the given\n"
                 "kind (ec by default), made for this sample alone: it never verifies as a certificate.\n",
            SAMPLE_NUMBER);
}

typedef struct sample_options {
    const char *out, *debt, *holder, *address, *key_type;
    int non_residential;
} sample_options;

/* Takes the render options out of argv, leaving the settings flags for cli_config. Returns the index
   of the first settings flag, or -1 on a usage error. */
static int parse_options(int argc, char **argv, sample_options *o)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--non-residential") == 0)
            o->non_residential = 1;
        else if (strcmp(argv[i], "--sample") == 0 && value)
            o->out = argv[++i];
        else if (strcmp(argv[i], "--debt") == 0 && value)
            o->debt = argv[++i];
        else if (strcmp(argv[i], "--holder") == 0 && value)
            o->holder = argv[++i];
        else if (strcmp(argv[i], "--address") == 0 && value)
            o->address = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && value && (strcmp(value, "ec") == 0 || strcmp(value, "rsa") == 0))
            o->key_type = argv[++i];
        else
            break;
    }
    return o->out ? i : -1;
}

static int render_sample(const config *c, const sample_options *o)
{
    int64_t debt = 0;
    if (o->debt && money_parse(o->debt, &debt) != 0) {
        fprintf(stderr, "arayis: --debt takes an amount such as 1234.56\n");
        return 2;
    }
    err e = {0};
    signer *s = NULL;
    pdf_renderer *r = NULL;
    buf pdf = BUF_INIT, verify_url = BUF_INIT;
    links_verify_url(&verify_url, c->public_base_url, SAMPLE_NUMBER_IN_URL, SAMPLE_CODE);
    time_t issued = time(NULL);
    cert_doc doc = {
        .number = SAMPLE_NUMBER, .verification_code = SAMPLE_CODE, .sample = 1, .issued_at = issued, .valid_until = issued + 30L * 86400,
        .non_residential = o->non_residential, .subscriber_code = o->non_residential ? "2234567891" : "1234567890",
        .holder_name = o->holder ? o->holder : o->non_residential ? "“Çıraq Işıq” ASC" : "Məmmədov Əli Şükür oğlu",
        .organization_name = o->holder ? o->holder : "“Çıraq Işıq” ASC", .voen = "9876543211",
        .address = o->address ? o->address : "Bakı şəhəri, Nəsimi rayonu, Azadlıq pr. 12, m. 5", .debt_qepik = debt,
        .debt_as_of = issued - 3600, .verify_url = buf_cstr(&verify_url), .public_base_url = c->public_base_url,
    };
    int rc = 1;
    if ((s = signer_sample(o->key_type, &e)) != NULL && (r = pdf_renderer_open(share_dir(), &e)) != NULL && pdf_render_certificate(r, s, &doc, &pdf, &e) == 0) {
        FILE *f = fopen(o->out, "wb");
        rc = f && fwrite(pdf.data, 1, pdf.len, f) == pdf.len ? 0 : 1;
        if (f && fclose(f) != 0)
            rc = 1;
        if (rc != 0)
            fprintf(stderr, "arayis: cannot write %s\n", o->out);
    } else {
        fprintf(stderr, "arayis: %s\n", e.msg);
    }
    buf_free(&pdf);
    buf_free(&verify_url);
    pdf_renderer_close(r);
    signer_free(s);
    return rc;
}

int cmd_render(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    sample_options o = {0};
    int first = parse_options(argc, argv, &o);
    config c;
    if (first < 0) {
        usage(stderr);
        return 2;
    }
    if (cli_config(&c, argc, argv, first) != 0)
        return 2;
    return render_sample(&c, &o);
}
