/* VM processes of vireo-svc (vm_process.c): launchVMProcess, the status pipe of each VM
 * process, its IConsole at "<machine path>/console", and supervision of its exit.
 * The contract with vireo-headless --machine is in docs/service.md ("VM processes"). */
#ifndef VIREO_SVC_DAEMON_VM_H
#define VIREO_SVC_DAEMON_VM_H

#include "svc/daemon/service.h"

/* IMachine.launchVMProcess on a registered machine object; answers `call` with a progress. */
int svc_vm_launch(svc_machine_obj *mo, vireo_call *call, const char *frontend,
                  const char *const *env, size_t n_env, vireo_error **errp);
/* The console path of m's VM process, or NULL when it has none. */
const char *svc_vm_console_path(const svc_machine *m);
/* True if `owner` is the bus connection of a live VM process holding its VM lock. */
bool svc_vm_holds_lock(svc_daemon *d, const char *owner);
/* True while any VM process lives (for the idle timer). */
bool svc_vm_any(void);
/* Service shutdown: forget the VM processes (they keep running). */
void svc_vm_forget_all(svc_daemon *d);

#endif
