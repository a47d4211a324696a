/*
 * batch_mpi.h - the batch runner under MPI (see batch_mpi.c). Declared
 * always; defined only in builds with MPI (HALFCLOSE_MPI).
 */
#ifndef HALFCLOSE_BATCH_MPI_H
#define HALFCLOSE_BATCH_MPI_H

#include <stdbool.h>

#include "batch.h"

/* Whether this process was started by mpirun (or srun with PMI). */
bool batch_mpi_launched(void);

/* batch_run across the ranks of MPI_COMM_WORLD (MPI_Init done by the
 * caller). *rank receives this process's rank; only rank 0's status and
 * progress mean anything. */
batch_status batch_run_mpi(const scenario *s, uint64_t total,
                           const batch_opts *o, batch_progress *out, char *err,
                           size_t cap, int *rank);

#endif
