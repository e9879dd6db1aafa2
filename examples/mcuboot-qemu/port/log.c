/* MCUBOOT_LOG_* output of the mcuprov QEMU port (mcuboot_logging.h). */

#include <stdarg.h>
#include <stdio.h>

#include "mcuboot_config/mcuboot_logging.h"
#include "semihost.h"

void port_log(const char *fmt, ...)
{
	static char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = '\0';
	sh_puts(line);
}
