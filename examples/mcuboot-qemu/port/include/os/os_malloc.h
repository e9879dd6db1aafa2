/* os_malloc.h of the mcuprov QEMU port: MCUboot's allocations (none in
 * this configuration) go to the C library. */

#ifndef MCUPROV_QEMU_OS_MALLOC_H
#define MCUPROV_QEMU_OS_MALLOC_H

#include <stdlib.h>

#endif
