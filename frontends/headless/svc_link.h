/* vireo-headless --machine UUID: the VM process launched by vireo-svc (docs/service.md,
 * "VM processes"). Takes the VM lock, reads the machine's settings from the service, runs
 * the machine and reports on the status pipe the service gave it. */
#ifndef VIREO_FRONTENDS_HEADLESS_SVC_LINK_H
#define VIREO_FRONTENDS_HEADLESS_SVC_LINK_H

/* Runs the whole VM process from argv ("--machine UUID"); returns the exit status. */
int headless_svc_main(int argc, char **argv);

#endif
