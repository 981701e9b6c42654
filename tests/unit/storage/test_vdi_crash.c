/* Crash safety of dynamic VDI writes: a child process writes 4 KiB slots in a scattered
 * order (so new blocks are allocated all the time) and reports each completed write through
 * a pipe; the parent kills it with SIGKILL at a random instant, 20 times over the same
 * image. After every kill qemu-img check and Vireo's checker find no corruption, and every
 * write the child completed reads back (the one in flight may read old or new). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storage_test.h"

#define MiB       (1u << 20)
#define SLOT      4096u
#define ROUNDS    20
#define UNWRITTEN 0xFFFFFFFFu

/* The disk under test: 512 MiB keeps the whole block map in the header's page (map entry
 * and count stored by one write); 2 GiB does not (entry first, then the count). */
static uint64_t disk_size;
#define NSLOTS (uint32_t)(disk_size / SLOT)

static uint32_t slot_at(uint32_t round, uint32_t i)
{
    return (uint32_t)(((uint64_t)i * 40503u + round * 7919u) % NSLOTS); /* a bijection */
}

static void child_writer(const char *path, uint32_t round, int wfd)
{
    img *im = NULL;
    if (img_open(path, IMG_FORMAT_VDI, IMG_OPEN_RDWR, NULL, &im, NULL) < 0)
        _exit(3);
    uint8_t buf[SLOT];
    for (uint32_t i = 0; i < NSLOTS; i++) {
        uint32_t s = slot_at(round, i);
        st_fill(buf, SLOT, round + 1, (uint64_t)s * SLOT);
        if (img_write(im, (uint64_t)s * SLOT, buf, SLOT) < 0)
            _exit(4);
        if (write(wfd, &i, sizeof(i)) != sizeof(i))
            _exit(5);
    }
    _exit(0);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Run one writer, kill it after `ms`; returns how many writes it completed. */
static uint32_t run_round(const char *path, uint32_t round, unsigned ms)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child_writer(path, round, fds[1]);
    }
    close(fds[1]);
    sleep_ms(ms);
    kill(pid, SIGKILL);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFSIGNALED(st), "writer exited early with %d", WEXITSTATUS(st));
    uint32_t done = 0, idx;
    while (read(fds[0], &idx, sizeof(idx)) == sizeof(idx))
        done = idx + 1;
    close(fds[0]);
    return done;
}

static bool slot_is(img *im, uint32_t s, uint32_t seed)
{
    uint8_t got[SLOT], want[SLOT];
    ck_assert_int_eq(img_read(im, (uint64_t)s * SLOT, got, SLOT), 0);
    if (seed == 0)
        memset(want, 0, SLOT);
    else
        st_fill(want, SLOT, seed, (uint64_t)s * SLOT);
    return memcmp(got, want, SLOT) == 0;
}

static void kill_rounds(uint64_t size, uint32_t rounds, bool count_in_one_write)
{
    disk_size = size;
    const char *p = st_path(st_tmpdir(), "crash.vdi");
    ck_assert_int_eq(img_create(p, IMG_FORMAT_VDI, size, IMG_VARIANT_DYNAMIC, NULL, NULL, NULL), 0);
    uint32_t *seed = calloc(NSLOTS, sizeof(uint32_t)); /* 0: never written */
    uint32_t x = 2024;
    unsigned total = 0;
    for (uint32_t round = 0; round < rounds; round++) {
        x = x * 1103515245u + 12345u;
        unsigned ms = 5 + (x >> 16) % 200;
        uint32_t done = run_round(p, round, ms);
        total += done;
        img_check_report rep;
        ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
        ck_assert_msg(rep.corruptions == 0, "round %u: %s", round, rep.text);
        if (count_in_one_write) {
            ck_assert_msg(rep.repairable == 0, "round %u: %s", round, rep.text);
        } else {
            /* the count may lag by one; a writable open repairs it */
            ck_assert_uint_le(rep.repairable, 1);
            img_close(st_open(p, IMG_OPEN_RDWR, NULL));
        }
        st_qemu_check(p);
        img *im = st_open(p, 0, NULL);
        for (uint32_t i = 0; i < done; i++)
            seed[slot_at(round, i)] = round + 1;
        if (done < NSLOTS) { /* the write in flight: old or new */
            uint32_t s = slot_at(round, done);
            if (slot_is(im, s, round + 1))
                seed[s] = round + 1;
        }
        for (uint32_t s = 0; s < NSLOTS; s++)
            if (seed[s] && !slot_is(im, s, seed[s]))
                ck_abort_msg("round %u: slot %u lost the write of round %u", round, s, seed[s]);
        img_close(im);
    }
    ck_assert_uint_gt(total, 0);
    img *im = st_open(p, 0, NULL);
    img_info info;
    img_get_info(im, &info);
    img_close(im);
    fprintf(stderr, "crash test (%llu MiB): %u rounds, %u completed writes, %u blocks allocated\n",
            (unsigned long long)(size / MiB), rounds, total, info.blocks_allocated);
    free(seed);
}

START_TEST(kill_during_writes_never_corrupts)
{
    kill_rounds(512ull * MiB, ROUNDS, true);
}
END_TEST

START_TEST(kill_during_writes_large_disk)
{
    kill_rounds(2048ull * MiB, 8, false);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("vdi_crash");
    TCase *tc = tcase_create("kill");
    tcase_set_timeout(tc, 280);
    tcase_add_test(tc, kill_during_writes_never_corrupts);
    tcase_add_test(tc, kill_during_writes_large_disk);
    suite_add_tcase(s, tc);
    return s;
}

ST_MAIN(crash_suite)
