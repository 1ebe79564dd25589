/* SPDX-License-Identifier: MIT */
/* hv's own log: stderr and <run-dir>/xenia-hv.log, one line per event. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stdarg.h>

enum { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* log_open - also append to @path (NULL: stderr only); @level: highest level kept.
 * Returns 0 or -errno. */
int log_open(const char *path, int level);

/* hv_log - printf-style line with a timestamp and level; thread-safe. */
void hv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   hv_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  hv_log(LOG_WARN, __VA_ARGS__)
#define log_info(...)  hv_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) hv_log(LOG_DEBUG, __VA_ARGS__)

#endif /* HV_LOG_H */
