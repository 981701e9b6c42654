/* The replay driver: the harnesses' main() where libFuzzer is not used (gcc, the normal
 * ASan test build). It runs every file given (or every file in a directory given), then a
 * fixed number of pseudo-random mutations of those inputs. The generator is seeded, so a
 * run is reproducible: a failure names the mutation number that reproduces it.
 *
 *   fuzz_X [--mutations N] [--seed S] [--dump N FILE] PATH...
 *
 * --dump writes mutation N to FILE (and runs nothing), to turn a failure into a file that
 * libFuzzer or a debugger can replay. VIREO_FUZZ_TRACE=1 prints each mutation number.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#define MAX_FILE   (1u << 20)
#define MAX_MUTANT 65536u

typedef struct input {
    uint8_t *data;
    size_t size;
} input;

typedef struct corpus {
    input *v;
    size_t n, cap;
} corpus;

static int corpus_add_file(corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    uint8_t *buf = malloc(MAX_FILE);
    size_t n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
    fclose(f);
    if (!buf)
        return -ENOMEM;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        input *v = realloc(c->v, cap * sizeof(*v));
        if (!v) {
            free(buf);
            return -ENOMEM;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = (input){buf, n};
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory in name order, so runs do not depend on readdir's order. */
static int corpus_add_dir(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char **nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn)
            break;
        names = nn;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_cmp);
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (r == 0 && names[i])
            r = corpus_add_file(c, path);
        free(names[i]);
    }
    free(names);
    return r;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: small, seedable, good enough to pick mutations */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static const uint32_t interesting[] = {0,          1,          0x7F,       0x80,   0xFF,
                                       0x100,      0x7FFF,     0x8000,     0xFFFF, 0x10000,
                                       0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 512,    4096};

/* One random edit of buf (size *n, capacity MAX_MUTANT). */
static void mutate_once(uint8_t *buf, size_t *n, const corpus *c)
{
    size_t len = *n;
    switch (below(8)) {
    case 0: /* flip a bit */
        if (len)
            buf[below(len)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: /* random byte */
        if (len)
            buf[below(len)] = (uint8_t)rnd();
        break;
    case 2: { /* an interesting 8/16/32-bit value, little-endian */
        uint32_t v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
        size_t w = (size_t)1 << below(3);
        if (len >= w) {
            size_t at = below(len - w + 1);
            for (size_t i = 0; i < w; i++)
                buf[at + i] = (uint8_t)(v >> (8 * i));
        }
        break;
    }
    case 3: { /* insert random bytes */
        size_t k = 1 + below(16);
        if (len + k > MAX_MUTANT)
            break;
        size_t at = below(len + 1);
        memmove(buf + at + k, buf + at, len - at);
        for (size_t i = 0; i < k; i++)
            buf[at + i] = (uint8_t)rnd();
        *n = len + k;
        break;
    }
    case 4: { /* delete a range */
        if (!len)
            break;
        size_t at = below(len), k = 1 + below(len - at < 32 ? len - at : 32);
        memmove(buf + at, buf + at + k, len - at - k);
        *n = len - k;
        break;
    }
    case 5: { /* copy a range over another place */
        if (len < 2)
            break;
        size_t from = below(len), to = below(len), k = 1 + below(32);
        if (k > len - from)
            k = len - from;
        if (k > len - to)
            k = len - to;
        memmove(buf + to, buf + from, k);
        break;
    }
    case 6: { /* splice: a piece of another input */
        const input *o = &c->v[below(c->n)];
        if (!o->size)
            break;
        size_t from = below(o->size), k = 1 + below(64), to = below(len + 1);
        if (k > o->size - from)
            k = o->size - from;
        if (to + k > MAX_MUTANT)
            break;
        memcpy(buf + to, o->data + from, k);
        if (to + k > len)
            *n = to + k;
        break;
    }
    default: /* truncate */
        if (len)
            *n = below(len + 1);
        break;
    }
}

static int usage(void)
{
    fputs("usage: fuzz_X [--mutations N] [--seed S] [--dump N FILE] PATH...\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    unsigned long mutations = 1000;
    unsigned long long seed = 1;
    long dump = -1;
    const char *dump_file = NULL;
    corpus c = {0};
    int i;

    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--dump") == 0 && i + 2 < argc) {
            dump = strtol(argv[i + 1], NULL, 0);
            dump_file = argv[++i + 1];
        } else if (strcmp(argv[i], "--mutations") == 0)
            mutations = strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 0);
        else
            return usage();
    }
    for (; i < argc; i++) {
        struct stat st;
        int r = stat(argv[i], &st) < 0 ? -errno
                : S_ISDIR(st.st_mode)  ? corpus_add_dir(&c, argv[i])
                                       : corpus_add_file(&c, argv[i]);
        if (r < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
            return 2;
        }
    }
    if (c.n == 0 && corpus_add_file(&c, "/dev/null") < 0)
        return 2;
    for (size_t k = 0; k < c.n && dump < 0; k++)
        LLVMFuzzerTestOneInput(c.v[k].data, c.v[k].size);
    const char *trace = getenv("VIREO_FUZZ_TRACE");

    uint8_t *buf = malloc(MAX_MUTANT);
    if (!buf)
        return 2;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (unsigned long m = 0; m < mutations; m++) {
        const input *base = &c.v[m % c.n];
        size_t n = base->size < MAX_MUTANT ? base->size : MAX_MUTANT;
        memcpy(buf, base->data, n);
        unsigned edits = 1 + (unsigned)below(8);
        for (unsigned e = 0; e < edits; e++)
            mutate_once(buf, &n, &c);
        if (dump >= 0) {
            if ((long)m < dump)
                continue;
            FILE *f = fopen(dump_file, "wb");
            if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
                return 2;
            printf("mutation %lu (%zu bytes) written to %s\n", m, n, dump_file);
            free(buf);
            return 0;
        }
        if (trace && *trace == '1')
            fprintf(stderr, "mutation %lu (%zu bytes)\n", m, n);
        /* An exact-size copy so ASan sees reads past the input's end. */
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    printf("%s: %zu inputs, %lu mutations (seed %llu): no crash\n", argv[0], c.n, mutations, seed);
    free(buf);
    for (size_t k = 0; k < c.n; k++)
        free(c.v[k].data);
    free(c.v);
    return 0;
}
