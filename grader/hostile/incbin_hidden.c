/* Reads the hidden tests at compile time with the assembler's .incbin, and prints them from
 * svd_jacobi.  The compiler cannot see grader/ (namespace; without one, its permissions).
 * inject: svd_jacobi
 * expect: not_gradable=ALL score=0
 * fallback: not_gradable=ALL score=0
 * linked: same */
#include <stdio.h>
__asm__(".section .rodata\n"
        "hostile_hidden:\n"
        ".incbin \"@ROOT@/grader/01-svd/hidden.c\"\n"
        ".byte 0\n"
        ".text\n");
#define HOSTILE_BODY { printf("MLPHYS-LEAK: incbin worked\n"); }
