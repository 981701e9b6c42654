/* Following an IProgress: "0%...10%...100%" on a terminal, silent otherwise; Ctrl-C asks
 * the service to cancel when the operation is cancelable. */
#include "frontends/cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_MS 200

static volatile sig_atomic_t interrupted;

/* The first Ctrl-C asks for cancellation; a second one leaves at once (the operation goes
 * on in the service). */
static void on_sigint(int signo)
{
    if (interrupted) {
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
        return;
    }
    interrupted = 1;
}

/* Print the 10% steps from *shown (exclusive) up to percent. */
static void show_steps(unsigned *shown, uint32_t percent)
{
    while (*shown + 10 <= percent && *shown < 100) {
        *shown += 10;
        fprintf(stderr, "%u%%%s", *shown, *shown == 100 ? "\n" : "...");
    }
}

static void request_cancel(vireo_proxy *p, bool *asked)
{
    bool cancelable = false;
    vireo_progress_get_cancelable(p, &cancelable, NULL);
    if (!cancelable) {
        if (!*asked)
            fputs("\nvireo: this operation cannot be canceled; waiting for it to end\n", stderr);
    } else if (!*asked) {
        fputs("\nvireo: canceling...\n", stderr);
        vireo_progress_call_cancel(p, NULL);
    }
    *asked = true;
}

/* After completion: success, or the progress's error printed. */
static int report_result(vireo_proxy *p, const char *call)
{
    uint32_t code = 0;
    bool canceled = false;
    vireo_error *err = NULL;
    if (vireo_progress_get_result_code(p, &code, &err) < 0)
        return cli_api_error(err, "IProgress.resultCode", NULL);
    vireo_progress_get_canceled(p, &canceled, NULL);
    if (code == 0 && !canceled)
        return 0;
    char *name = NULL, *msg = NULL;
    vireo_progress_get_error_name(p, &name, NULL);
    vireo_progress_get_error_message(p, &msg, NULL);
    fprintf(stderr, "vireo: error: %s\n", msg && *msg ? msg : (canceled ? "canceled" : "failed"));
    fprintf(stderr, "vireo: detail: %s (progress) failed with %s\n", call,
            name && *name ? name : "org.vireo.Vireo1.Error.Canceled");
    free(name);
    free(msg);
    return CLI_EXIT_FAILURE;
}

int cli_progress_wait(cli_ctx *ctx, const char *progress_path, const char *call)
{
    vireo_proxy *p = cli_proxy(ctx, progress_path);
    vireo_proxy_set_timeout(p, POLL_MS + 25000);
    bool tty = isatty(STDERR_FILENO);
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old); /* checked between waits of POLL_MS */
    interrupted = 0;
    unsigned shown = 0;
    bool asked = false, done = false;
    int r = 0;
    if (tty)
        fputs("0%...", stderr);
    while (!done) {
        vireo_error *err = NULL;
        if (interrupted)
            request_cancel(p, &asked);
        if (vireo_progress_call_wait_for_completion(p, POLL_MS, &done, &err) < 0) {
            r = cli_api_error(err, "IProgress.waitForCompletion", NULL);
            break;
        }
        uint32_t pct = 0;
        if (tty && vireo_progress_get_percent(p, &pct, NULL) == 0)
            show_steps(&shown, done ? 100 : pct);
    }
    sigaction(SIGINT, &old, NULL);
    if (r == 0)
        r = report_result(p, call);
    if (tty && shown < 100 && r == 0)
        fputc('\n', stderr);
    vireo_proxy_unref(p);
    return r;
}
