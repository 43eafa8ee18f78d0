#!/bin/bash
# slurm.sh -- a sample Slurm job for a condense sweep on a cluster (sbatch slurm.sh).  condense
# must be built with MPI (./configure --with-mpi; Debian: libopenmpi-dev openmpi-bin).  Rank 0
# hands out the runs and writes the CSV; ranks 1..N-1 compute.  The file is the same as a
# serial run's; if the job is cut by its time limit, submit it again: the runs already in the
# file are skipped.
#SBATCH --job-name=condense-sweep
#SBATCH --ntasks=32
#SBATCH --cpus-per-task=1
#SBATCH --time=02:00:00
#SBATCH --output=condense-sweep-%j.log
set -eu
CONDENSE=${CONDENSE:-$HOME/condense/condense}
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} # OpenMP threads inside each rank
mpirun -np "${SLURM_NTASKS:-32}" "$CONDENSE" sweep --run theorem1 \
    --M 16,64,256,1024,4096,16384,65536 --gamma 1.25,1.5,2,2.5,3,3.5,4 --trials 8 \
    --out theorem1-cluster.csv
