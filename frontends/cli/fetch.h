/* Reading one property of many objects with the calls pipelined: all requests of a window
 * go out before the first reply is awaited, so `list vms` over 1,000 machines costs about
 * one round trip per window instead of one per machine. */
#ifndef VIREO_CLI_FETCH_H
#define VIREO_CLI_FETCH_H
#include "frontends/cli/cli.h"

/* Properties.Get(iface, prop) on each of `paths`. On success *ret_replies holds n checked
 * replies (signature "v"; free with cli_replies_free). On failure returns a negative errno
 * with *errp set from the first failing reply. */
int cli_fetch_property(cli_ctx *ctx, char *const *paths, size_t n,
                       const vireo_interface_info *iface, const char *prop,
                       DBusMessage ***ret_replies, vireo_error **errp);
void cli_replies_free(DBusMessage **replies, size_t n);

/* Decode a Properties.Get reply. Return 0, or -EINVAL if the variant has another type. */
int cli_reply_string(DBusMessage *reply, const char **ret); /* borrowed from the reply */
int cli_reply_u32(DBusMessage *reply, uint32_t *ret);
#endif
