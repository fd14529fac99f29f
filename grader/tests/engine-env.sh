# Sourced by the grader's self-tests (run.sh, mutants.sh, probe.sh): the environment the Makefile
# gives the engine (MLPHYS_CC, MLPHYS_CFLAGS, MLPHYS_LDLIBS, MLPHYS_BUILD), as an array for
# `env "${ENGINE_ENV[@]}" $B/bin/mlphys-grade ...`.  Needs B, the build folder.
ENGINE_ENV=(MLPHYS_CC=cc "MLPHYS_CFLAGS=-std=c11 -Wall -Wextra -Wpedantic -O2 -g $(pkg-config --cflags gsl criterion jansson zlib)"
            "MLPHYS_LDLIBS=$(pkg-config --libs gsl criterion jansson zlib) -lcsv -lm" "MLPHYS_BUILD=$B")
