/*
 * fdio.h - whole writes and reads on a pipe between a parent and its
 * worker processes (the batch's workers, crosscheck's emulations).
 */
#ifndef HALFCLOSE_FDIO_H
#define HALFCLOSE_FDIO_H

#include <stddef.h>

/* Write all n bytes (again after EINTR or a short write); 0 or -1. */
int fd_write_all(int fd, const void *buf, size_t n);

/* Read exactly n bytes; 0, or -1 on error or an early end of file. */
int fd_read_all(int fd, void *buf, size_t n);

#endif
