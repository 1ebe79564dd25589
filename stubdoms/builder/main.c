/* SPDX-License-Identifier: MIT */
/*
 * xenia-builder: the domain builder stub domain's system-call shell.
 *
 * Started by hv with exactly three fds (builder.h): 3 = the domain's RAM memfd,
 * 4 = the guest image (read-only), 5 = AF_UNIX SOCK_SEQPACKET to hv. Receives
 * one struct xenia_build_req, builds the domain with xb_build() (build.c, pure),
 * replies with one struct xenia_build_resp and exits:
 *   0  a reply was sent (status 0, or a rejected request or image);
 *   1  an internal failure (I/O, mmap, allocation) — after replying if possible —
 *      or no reply could be sent.
 * The image is read into private memory rather than mapped, so that a tenant
 * truncating the file under us cannot raise SIGBUS.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenia/builder.h>

#include "build.h"

/* Fill an error reply (status < 0) with a formatted reason. */
static void set_error(struct xenia_build_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct xenia_build_resp *resp, int status, const char *fmt, ...)
{
    va_list ap;

    memset(resp, 0, sizeof(*resp));
    resp->magic = XENIA_BUILD_MAGIC;
    resp->version = XENIA_BUILD_VERSION;
    resp->status = status;
    va_start(ap, fmt);
    vsnprintf(resp->errmsg, sizeof(resp->errmsg), fmt, ap);
    va_end(ap);
}

/*
 * Receive exactly one request message of exactly sizeof(*req) bytes on fd.
 * Returns 0; 1 when hv closed the socket without sending anything (no reply
 * is due); -XENIA_EPROTO for a message of the wrong size or with ancillary
 * data, -XENIA_EIO on a socket error (a reason is left in resp).
 */
static int recv_req(int fd, struct xenia_build_req *req, struct xenia_build_resp *resp)
{
    static union {
        struct xenia_build_req req;
        char bytes[sizeof(struct xenia_build_req) + 1];
    } buf;
    struct iovec iov = { .iov_base = &buf, .iov_len = sizeof(buf) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    do {
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        set_error(resp, -XENIA_EIO, "receiving the request: %s", strerror(errno));
        return -XENIA_EIO;
    }
    if (n == 0)
        return 1;
    if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (size_t)n != sizeof(*req)) {
        set_error(resp, -XENIA_EPROTO, "request is %zd bytes%s; expected exactly %zu",
                  n, (mh.msg_flags & MSG_CTRUNC) ? " with ancillary data" : "",
                  sizeof(*req));
        return -XENIA_EPROTO;
    }
    memcpy(req, &buf.req, sizeof(*req));
    return 0;
}

/* Send the reply; returns 0 or -1 (errno set). */
static int send_resp(int fd, const struct xenia_build_resp *resp)
{
    ssize_t n;

    do {
        n = send(fd, resp, sizeof(*resp), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != sizeof(*resp)) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

/*
 * Read the whole image (a regular file of 1 .. XENIA_IMAGE_MAX_BYTES bytes)
 * into *out (malloc'd, *len bytes). Returns 0, -XENIA_E2BIG / -XENIA_ENOEXEC
 * for an unacceptable file, -XENIA_EIO / -XENIA_ENOMEM for internal failures.
 */
static int read_image(int fd, uint8_t **out, size_t *len, struct xenia_build_resp *resp)
{
    struct stat st;
    uint8_t *buf;
    size_t size, got = 0;

    if (fstat(fd, &st) < 0) {
        set_error(resp, -XENIA_EBADF, "image fd %d: %s", fd, strerror(errno));
        return -XENIA_EBADF;
    }
    if (!S_ISREG(st.st_mode)) {
        set_error(resp, -XENIA_ENOEXEC, "image is not a regular file");
        return -XENIA_ENOEXEC;
    }
    if (st.st_size <= 0) {
        set_error(resp, -XENIA_ENOEXEC, "image file is empty");
        return -XENIA_ENOEXEC;
    }
    if ((uint64_t)st.st_size > XENIA_IMAGE_MAX_BYTES) {
        set_error(resp, -XENIA_E2BIG, "image is %lld bytes; at most %u are accepted",
                  (long long)st.st_size, XENIA_IMAGE_MAX_BYTES);
        return -XENIA_E2BIG;
    }
    size = (size_t)st.st_size;
    buf = malloc(size);
    if (buf == NULL) {
        set_error(resp, -XENIA_ENOMEM, "no memory for a %zu-byte image", size);
        return -XENIA_ENOMEM;
    }
    while (got < size) {
        ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_error(resp, -XENIA_EIO, "reading the image: %s", strerror(errno));
            free(buf);
            return -XENIA_EIO;
        }
        if (n == 0) {
            set_error(resp, -XENIA_ENOEXEC, "image shrank while being read (%zu of %zu bytes)",
                      got, size);
            free(buf);
            return -XENIA_ENOEXEC;
        }
        got += (size_t)n;
    }
    *out = buf;
    *len = size;
    return 0;
}

/* Is rc a failure of ours rather than a rejection of hv's input? */
static int internal_error(int rc)
{
    return rc == -XENIA_EIO || rc == -XENIA_ENOMEM || rc == -XENIA_EBADF;
}

int main(void)
{
    struct xenia_build_req req;
    struct xenia_build_resp resp;
    struct stat st;
    uint8_t *image = NULL;
    size_t image_len = 0;
    void *ram = MAP_FAILED;
    int rc, exit_code = 0;

    set_error(&resp, 0, "%s", "");
    rc = recv_req(XENIA_BUILDER_FD_IPC, &req, &resp);
    if (rc == 1) {
        fprintf(stderr, "xenia-builder: hv closed the socket without a request\n");
        return 1;
    }
    if (rc < 0)
        goto reply;
    rc = xb_req_check(&req, resp.errmsg, sizeof(resp.errmsg));
    if (rc < 0) {
        resp.status = rc;
        goto reply;
    }
    if (fstat(XENIA_BUILDER_FD_RAM, &st) < 0) {
        rc = -XENIA_EBADF;
        set_error(&resp, rc, "RAM fd %d: %s", XENIA_BUILDER_FD_RAM, strerror(errno));
        goto reply;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != req.ram_bytes) {
        rc = -XENIA_EINVAL;
        set_error(&resp, rc, "RAM memfd is %lld bytes but the request says %llu",
                  (long long)st.st_size, (unsigned long long)req.ram_bytes);
        goto reply;
    }
    rc = read_image(XENIA_BUILDER_FD_IMAGE, &image, &image_len, &resp);
    if (rc < 0)
        goto reply;
    ram = mmap(NULL, req.ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
               XENIA_BUILDER_FD_RAM, 0);
    if (ram == MAP_FAILED) {
        rc = -XENIA_ENOMEM;
        set_error(&resp, rc, "mapping %llu bytes of RAM: %s",
                  (unsigned long long)req.ram_bytes, strerror(errno));
        goto reply;
    }
    rc = xb_build(ram, req.ram_bytes, image, image_len, &req, &resp);

reply:
    if (rc < 0 && internal_error(rc))
        exit_code = 1;
    if (send_resp(XENIA_BUILDER_FD_IPC, &resp) < 0) {
        fprintf(stderr, "xenia-builder: sending the reply: %s\n", strerror(errno));
        exit_code = 1;
    }
    if (ram != MAP_FAILED)
        munmap(ram, req.ram_bytes);
    free(image);
    return exit_code;
}
