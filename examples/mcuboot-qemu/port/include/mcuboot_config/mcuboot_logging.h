/*
 * MCUBOOT_LOG_* of the mcuprov QEMU port: one line per message on the
 * semihosting console, "[ERR] ...", "[WRN] ...", "[INF] ..." (debug off
 * unless MCUBOOT_LOG_LEVEL says otherwise).
 */

#ifndef MCUPROV_QEMU_MCUBOOT_LOGGING_H
#define MCUPROV_QEMU_MCUBOOT_LOGGING_H

#define MCUBOOT_LOG_LEVEL_OFF 0
#define MCUBOOT_LOG_LEVEL_ERROR 1
#define MCUBOOT_LOG_LEVEL_WARNING 2
#define MCUBOOT_LOG_LEVEL_INFO 3
#define MCUBOOT_LOG_LEVEL_DEBUG 4

#ifndef MCUBOOT_LOG_LEVEL
#define MCUBOOT_LOG_LEVEL MCUBOOT_LOG_LEVEL_INFO
#endif

#define MCUBOOT_LOG_MODULE_DECLARE(domain)
#define MCUBOOT_LOG_MODULE_REGISTER(domain)

/* printf-style, then a newline (port/log.c) */
void port_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#if MCUBOOT_LOG_LEVEL >= MCUBOOT_LOG_LEVEL_ERROR
#define MCUBOOT_LOG_ERR(_fmt, ...) port_log("[ERR] " _fmt, ##__VA_ARGS__)
#else
#define MCUBOOT_LOG_ERR(...) IGNORE(__VA_ARGS__)
#endif
#if MCUBOOT_LOG_LEVEL >= MCUBOOT_LOG_LEVEL_WARNING
#define MCUBOOT_LOG_WRN(_fmt, ...) port_log("[WRN] " _fmt, ##__VA_ARGS__)
#else
#define MCUBOOT_LOG_WRN(...) IGNORE(__VA_ARGS__)
#endif
#if MCUBOOT_LOG_LEVEL >= MCUBOOT_LOG_LEVEL_INFO
#define MCUBOOT_LOG_INF(_fmt, ...) port_log("[INF] " _fmt, ##__VA_ARGS__)
#else
#define MCUBOOT_LOG_INF(...) IGNORE(__VA_ARGS__)
#endif
#if MCUBOOT_LOG_LEVEL >= MCUBOOT_LOG_LEVEL_DEBUG
#define MCUBOOT_LOG_DBG(_fmt, ...) port_log("[DBG] " _fmt, ##__VA_ARGS__)
#else
#define MCUBOOT_LOG_DBG(...) IGNORE(__VA_ARGS__)
#endif
#define MCUBOOT_LOG_SIM(...) IGNORE(__VA_ARGS__)

#endif /* MCUPROV_QEMU_MCUBOOT_LOGGING_H */
