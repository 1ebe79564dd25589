/* SPDX-License-Identifier: MIT */
/*
 * stubdom-probe: a stand-in stub domain for tests/unit/test_stubdom.c.
 *
 * Static and unsanitized like the real stub binaries; hv's stubdom_spawn runs
 * it under a role's real seccomp filter (the test installs it as
 * xenia-builder, xenia-dm and xenia-console). It learns its role from argv[0]
 * (which hv sets to the role's binary name) and talks on the role's IPC fd
 * (builder 5, dm 4, console 3) with only recvmsg and send, which every role's
 * list allows on that fd:
 *   start   sends "ready" (glibc start-up survived the filter)
 *   'p'     "pong"
 *   'm'     maps fd 3 shared and writable, writes "probe-was-here" at offset 0, "mapped"
 *   'M'     malloc/free of 1 MiB (anonymous mmap), "malloc"
 *   'E'     execveat(STUBDOM_FD_EXEC, "/bin/sh", AT_EMPTY_PATH): allowed by the
 *           filter, but that fd is closed and the root is empty: "errno N"
 *   'q'     exits with status 0
 *   forbidden, each must kill it with SIGSYS (the reply is only sent if not):
 *   'o' openat  's' socket  'e' execve  't' ptrace  'i' ioctl  'x' mmap PROT_EXEC
 *   'f' fork    'k' kill    'u' unshare 'w' mprotect PROT_EXEC
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hv/stubdom.h"

static int ipc_fd;

static void reply(const char *s)
{
    (void)!send(ipc_fd, s, strlen(s), MSG_NOSIGNAL);
}

static void reply_rc(const char *what, long rc)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%s rc %ld errno %d", what, rc, rc < 0 ? errno : 0);
    reply(buf);
}

int main(int argc, char **argv)
{
    static char *const sh[] = { (char *)"/bin/sh", NULL };
    const char *role = argc > 0 ? argv[0] : "";

    ipc_fd = strcmp(role, "xenia-builder") == 0 ? 5 : strcmp(role, "xenia-dm") == 0 ? 4 : 3;
    reply("ready");
    for (;;) {
        char cmd[16], buf[64];
        struct iovec iov = { .iov_base = cmd, .iov_len = sizeof(cmd) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n = recvmsg(ipc_fd, &mh, 0);
        void *p;
        long rc;

        if (n <= 0)
            return n == 0 ? 0 : 1;
        switch (cmd[0]) {
        case 'p':
            reply("pong");
            break;
        case 'm':
            p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
            if (p == MAP_FAILED) {
                reply_rc("mmap", -1);
                break;
            }
            memcpy(p, "probe-was-here", 15);
            munmap(p, 4096);
            reply("mapped");
            break;
        case 'M':
            p = malloc(1u << 20);
            if (p)
                memset(p, 1, 1u << 20);
            free(p);
            reply(p ? "malloc" : "malloc failed");
            break;
        case 'E':
            rc = syscall(SYS_execveat, STUBDOM_FD_EXEC, "/bin/sh", sh, sh + 1, AT_EMPTY_PATH);
            snprintf(buf, sizeof(buf), "errno %d", rc < 0 ? errno : 0);
            reply(buf);
            break;
        case 'q':
            return 0;
        case 'o':
            reply_rc("openat", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY));
            break;
        case 's':
            reply_rc("socket", syscall(SYS_socket, AF_INET, SOCK_STREAM, 0));
            break;
        case 'e':
            reply_rc("execve", syscall(SYS_execve, "/bin/sh", sh, sh + 1));
            break;
        case 't':
            reply_rc("ptrace", syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0));
            break;
        case 'i':
            reply_rc("ioctl", syscall(SYS_ioctl, ipc_fd, FIONREAD, &n));
            break;
        case 'x':
            p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            reply_rc("mmap-exec", p == MAP_FAILED ? -1 : 0);
            break;
        case 'w':
            reply_rc("mprotect-exec", syscall(SYS_mprotect, (long)main & ~4095L, 4096,
                                              PROT_READ | PROT_WRITE | PROT_EXEC));
            break;
        case 'f':
            reply_rc("fork", syscall(SYS_fork));
            break;
        case 'k':
            reply_rc("kill", syscall(SYS_kill, 1, SIGTERM));
            break;
        case 'u':
            reply_rc("unshare", syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
            break;
        default:
            reply("unknown");
            break;
        }
    }
}
