/* Not hostile: a realistic crash, an index computed from the wrong size that lands far outside
 * the matrix.  The feedback must name the function and the line.
 * inject: svd_jacobi
 */
static volatile size_t wild_stride = 100000000;
#define HOSTILE_BODY { A->data[wild_stride * A->tda] = 0.0; }
