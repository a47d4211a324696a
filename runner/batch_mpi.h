/*
 * batch_mpi.h - the batch runner under MPI (see batch_mpi.c), internal to
 * runner/: batch_study() calls it. Without MPI (no HALFCLOSE_MPI) no
 * process counts as launched by mpirun.
 */
#ifndef HALFCLOSE_BATCH_MPI_H
#define HALFCLOSE_BATCH_MPI_H

#include <stdbool.h>

#include "batch.h"

/* Whether this process was started by mpirun (or srun with PMI). */
bool batch_mpi_launched(void);

/* batch_run across the ranks of MPI_COMM_WORLD, MPI_Init to
 * MPI_Finalize. *rank receives this process's rank; only rank 0's status,
 * progress and message mean anything. A failure or a stop reaches every
 * rank as a stop message, and rank 0 returns once all have answered: no
 * MPI_Abort, no rank left waiting. */
batch_status batch_run_mpi(const scenario *s, uint64_t total,
                           const batch_opts *o, batch_progress *out, char *err,
                           size_t cap, int *rank);

#endif
