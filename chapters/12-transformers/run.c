/*
 * Chapter 12 experiment: attention maps (with and without the causal mask) and the muP
 * coordinate check.  Uses whichever transformers.c was built (yours with
 * `make run CH=12-transformers`, the reference with IMPL=solutions).  Usage: run OUTDIR.
 * Writes into OUTDIR:
 *   attn_full.dat, attn_causal.dat   16 x 16 attention weights (gnuplot "matrix" format) of
 *                                    tokens x_p = 1.5 PE(p) + noise, attending to each other
 *   coord.dat                        width n, then for SP and muP: mean |df| over 32 draws,
 *                                    its standard error, and the first-order theory
 *   charloss.dat                     the bonus character model: training loss per Adam step,
 *                                    unigram and bigram entropies of the text
 * Seeds: gsl_rng_mt19937 with seed 1201 (tokens), 1202 (coordinate check, scores), 1203
 * (character model).  The character model's text, Sonnet 18, is in this file (public domain).
 */
#include "transformers.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <gsl/gsl_blas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTOK 16
#define DMOD 16
#define NDRAW 32
#define ETA 0.1

/* E[g(z)] for z ~ N(0, 1) by the trapezoid rule on [-12, 12] (the integrand is smooth and
 * decays like exp(-z^2/2): the error is far below 1e-10). */
static double gauss_mean(double (*g)(double))
{
    const int M = 24000;
    const double a = -12.0, h = 24.0 / M;
    double s = 0;
    for (int i = 0; i <= M; i++) {
        double z = a + i * h, w = (i == 0 || i == M) ? 0.5 : 1.0;
        s += w * g(z) * exp(-0.5 * z * z);
    }
    return s * h / sqrt(2 * M_PI);
}
static double tanh2(double z) { return tanh(z) * tanh(z); }
static double sech4(double z) { double t = 1 - tanh(z) * tanh(z); return t * t; }


/* ---- optional: a one-layer causal attention model of characters ----------------------------
 * The text is Shakespeare's Sonnet 18 (1609, public domain), lower-cased, line breaks as " / ".
 * Model: x_t = E[c_t] + PE(t) (d = 32), one causal head O = Attn(X Wq, X Wk, X Wv), a residual
 * H = X + O, logits H Wout over the characters; cross-entropy for the next character; Adam.
 * The gradient through attention is your tf_attention_backward. */
static const char *SONNET =
    "shall i compare thee to a summer's day? / thou art more lovely and more temperate: / "
    "rough winds do shake the darling buds of may, / and summer's lease hath all too short a date; / "
    "sometime too hot the eye of heaven shines, / and often is his gold complexion dimm'd; / "
    "and every fair from fair sometime declines, / by chance or nature's changing course untrimm'd; / "
    "but thy eternal summer shall not fade, / nor lose possession of that fair thou ow'st; / "
    "nor shall death brag thou wander'st in his shade, / when in eternal lines to time thou grow'st: / "
    "so long as men can breathe or eyes can see, / so long lives this, and this gives life to thee. / ";

#define CT 32   /* context length */
#define CD 32   /* model width */
#define CB 8    /* windows per step */
#define CSTEPS 1500

typedef struct { gsl_matrix *E, *Wq, *Wk, *Wv, *Wo; } charnet;

static charnet net_alloc(size_t V)
{
    charnet m = {gsl_matrix_calloc(V, CD), gsl_matrix_calloc(CD, CD), gsl_matrix_calloc(CD, CD),
                 gsl_matrix_calloc(CD, CD), gsl_matrix_calloc(CD, V)};
    return m;
}
static void net_free(charnet m)
{
    gsl_matrix_free(m.E), gsl_matrix_free(m.Wq), gsl_matrix_free(m.Wk), gsl_matrix_free(m.Wv), gsl_matrix_free(m.Wo);
}
static gsl_matrix **net_list(charnet *m, gsl_matrix *L[5])
{
    L[0] = m->E, L[1] = m->Wq, L[2] = m->Wk, L[3] = m->Wv, L[4] = m->Wo;
    return L;
}

/* Loss of one window (tokens c[0..CT], predicting c[1..CT]); adds gradients into g when not NULL.
 * last_logits receives the logits of the last position when not NULL. */
static int window_loss(const charnet *m, const gsl_matrix *PE, const int *c, charnet *g, double *loss,
                       gsl_vector *last_logits, size_t T)
{
    const size_t V = m->E->size1;
    int st = 0;
    gsl_matrix *X = gsl_matrix_alloc(T, CD), *Q = gsl_matrix_alloc(T, CD), *K = gsl_matrix_alloc(T, CD),
               *Vv = gsl_matrix_alloc(T, CD), *O = gsl_matrix_alloc(T, CD), *Lg = gsl_matrix_alloc(T, V);
    for (size_t t = 0; t < T; t++)
        for (size_t a = 0; a < CD; a++)
            gsl_matrix_set(X, t, a, gsl_matrix_get(m->E, c[t], a) + gsl_matrix_get(PE, t, a));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, m->Wq, 0.0, Q);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, m->Wk, 0.0, K);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, m->Wv, 0.0, Vv);
    if ((st = tf_attention(Q, K, Vv, 1, NULL, O)))
        goto done;
    gsl_matrix_add(O, X); /* H = X + O, kept in O */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, O, m->Wo, 0.0, Lg);
    double L = 0;
    for (size_t t = 0; t < T; t++) { /* softmax in place, dlogits = (P - onehot) / T */
        double mx = -INFINITY, z = 0;
        for (size_t v = 0; v < V; v++)
            mx = fmax(mx, gsl_matrix_get(Lg, t, v));
        if (last_logits && t == T - 1)
            for (size_t v = 0; v < V; v++)
                gsl_vector_set(last_logits, v, gsl_matrix_get(Lg, t, v));
        for (size_t v = 0; v < V; v++)
            z += exp(gsl_matrix_get(Lg, t, v) - mx);
        L -= (gsl_matrix_get(Lg, t, c[t + 1]) - mx - log(z)) / T;
        for (size_t v = 0; v < V; v++)
            gsl_matrix_set(Lg, t, v, (exp(gsl_matrix_get(Lg, t, v) - mx) / z - (v == (size_t)c[t + 1])) / T);
    }
    *loss = L;
    if (g) {
        gsl_matrix *dH = gsl_matrix_alloc(T, CD), *dQ = gsl_matrix_alloc(T, CD), *dK = gsl_matrix_alloc(T, CD),
                   *dV = gsl_matrix_alloc(T, CD);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, O, Lg, 1.0, g->Wo);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, Lg, m->Wo, 0.0, dH);
        st = tf_attention_backward(Q, K, Vv, 1, dH, dQ, dK, dV);
        if (!st) {
            gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, dQ, 1.0, g->Wq);
            gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, dK, 1.0, g->Wk);
            gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, dV, 1.0, g->Wv);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dQ, m->Wq, 1.0, dH); /* dX = dH + ... */
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dK, m->Wk, 1.0, dH);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dV, m->Wv, 1.0, dH);
            for (size_t t = 0; t < T; t++)
                for (size_t a = 0; a < CD; a++)
                    *gsl_matrix_ptr(g->E, c[t], a) += gsl_matrix_get(dH, t, a);
        }
        gsl_matrix_free(dH), gsl_matrix_free(dQ), gsl_matrix_free(dK), gsl_matrix_free(dV);
    }
done:
    gsl_matrix_free(X), gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(Vv), gsl_matrix_free(O), gsl_matrix_free(Lg);
    return st;
}

static int char_model(const char *dir, gsl_rng *r)
{
    int vocab[256], nv = 0, st = 0;
    char chars[256];
    size_t N = strlen(SONNET);
    for (int i = 0; i < 256; i++)
        vocab[i] = -1;
    int *ids = malloc(N * sizeof *ids);
    for (size_t i = 0; i < N; i++) {
        unsigned char ch = (unsigned char)SONNET[i];
        if (vocab[ch] < 0)
            chars[nv] = (char)ch, vocab[ch] = nv++;
        ids[i] = vocab[ch];
    }
    /* baselines: the entropy of the character frequencies and of the bigram table, in-sample */
    double *cnt = calloc((size_t)nv, sizeof *cnt), H1 = 0, H2 = 0;
    for (size_t i = 0; i + 1 < N; i++)
        cnt[ids[i + 1]] += 1;
    double *big = calloc((size_t)nv * nv, sizeof *big), *row = calloc((size_t)nv, sizeof *row);
    for (size_t i = 0; i + 1 < N; i++)
        big[(size_t)ids[i] * nv + ids[i + 1]] += 1, row[ids[i]] += 1;
    for (int v = 0; v < nv; v++)
        if (cnt[v] > 0)
            H1 -= cnt[v] / (N - 1) * log(cnt[v] / (N - 1));
    for (int a = 0; a < nv; a++)
        for (int b = 0; b < nv; b++)
            if (big[(size_t)a * nv + b] > 0)
                H2 -= big[(size_t)a * nv + b] / (N - 1) * log(big[(size_t)a * nv + b] / row[a]);
    free(cnt), free(big), free(row);

    charnet m = net_alloc((size_t)nv), g = net_alloc((size_t)nv), am = net_alloc((size_t)nv), av = net_alloc((size_t)nv);
    gsl_matrix *P[5], *G[5], *M1[5], *M2[5];
    net_list(&m, P), net_list(&g, G), net_list(&am, M1), net_list(&av, M2);
    double sd[5] = {1.0, 1.0 / sqrt(CD), 1.0 / sqrt(CD), 1.0 / sqrt(CD), 1.0 / sqrt(CD)};
    for (int k = 0; k < 5; k++)
        for (size_t i = 0; i < P[k]->size1 * P[k]->size2; i++)
            P[k]->data[i] = gsl_ran_gaussian(r, sd[k]);
    gsl_matrix *PE = gsl_matrix_alloc(CT, CD);
    if ((st = tf_positions(PE)))
        goto out;
    FILE *f = mlphys_open_out(dir, "charloss.dat");
    if (!f) {
        st = GSL_EFAILED;
        goto out;
    }
    fprintf(f, "# step  training loss (nats/char, mean of %d windows)  unigram entropy  bigram entropy\n", CB);
    const double lr = 0.01, b1 = 0.9, b2 = 0.999;
    double loss = 0;
    for (int s = 1; s <= CSTEPS && !st; s++) {
        for (int k = 0; k < 5; k++)
            gsl_matrix_set_zero(G[k]);
        double Ls = 0;
        for (int b = 0; b < CB && !st; b++) {
            size_t start = gsl_rng_uniform_int(r, N - CT - 1);
            st = window_loss(&m, PE, ids + start, &g, &loss, NULL, CT);
            Ls += loss / CB;
        }
        for (int k = 0; k < 5; k++)
            for (size_t i = 0; i < P[k]->size1 * P[k]->size2; i++) {
                double gi = G[k]->data[i] / CB;
                M1[k]->data[i] = b1 * M1[k]->data[i] + (1 - b1) * gi;
                M2[k]->data[i] = b2 * M2[k]->data[i] + (1 - b2) * gi * gi;
                P[k]->data[i] -= lr * (M1[k]->data[i] / (1 - pow(b1, s))) /
                                 (sqrt(M2[k]->data[i] / (1 - pow(b2, s))) + 1e-8);
            }
        fprintf(f, "%d %.6f %.6f %.6f\n", s, Ls, H1, H2);
        loss = Ls;
    }
    fclose(f);
    if (st)
        goto out;
    printf("character model (Sonnet 18, %zu characters, %d symbols, context %d, width %d, %d Adam steps):\n", N, nv,
           CT, CD, CSTEPS);
    printf("  training loss %.3f nats/char; unigram entropy %.3f, bigram entropy %.3f (in-sample)\n", loss, H1, H2);
    /* greedy continuation of the first 32 characters */
    char text[CT + 81];
    int ctx[CT + 1];
    memcpy(text, SONNET, CT);
    gsl_vector *lg = gsl_vector_alloc((size_t)nv);
    for (int k = 0; k < 80 && !st; k++) {
        for (int t = 0; t < CT; t++)
            ctx[t] = vocab[(unsigned char)text[k + t]];
        ctx[CT] = 0;
        st = window_loss(&m, PE, ctx, NULL, &loss, lg, CT);
        text[CT + k] = chars[gsl_vector_max_index(lg)];
    }
    text[CT + 80] = 0;
    if (!st)
        printf("  greedy continuation: \"%s\"\n", text);
    gsl_vector_free(lg);
out:
    gsl_matrix_free(PE);
    net_free(m), net_free(g), net_free(am), net_free(av);
    free(ids);
    return st;
}

static int write_matrix(const char *dir, const char *name, const gsl_matrix *A)
{
    FILE *f = mlphys_open_out(dir, name);
    if (!f)
        return 1;
    for (size_t i = 0; i < A->size1; i++) {
        for (size_t j = 0; j < A->size2; j++)
            fprintf(f, "%s%.6f", j ? " " : "", gsl_matrix_get(A, i, j));
        fputc('\n', f);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    gsl_set_error_handler_off();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int st;

    /* ---- attention maps: tokens that carry only their position (plus a little noise) ---- */
    gsl_rng_set(r, 1201);
    gsl_matrix *PE = gsl_matrix_alloc(NTOK, DMOD), *X = gsl_matrix_alloc(NTOK, DMOD);
    gsl_matrix *A = gsl_matrix_alloc(NTOK, NTOK), *O = gsl_matrix_alloc(NTOK, DMOD);
    if ((st = tf_positions(PE)))
        return mlphys_run_fail("12-transformers", "tf_positions", st);
    for (size_t i = 0; i < NTOK * DMOD; i++)
        X->data[i] = 1.5 * PE->data[i] + gsl_ran_gaussian(r, 0.3);
    if ((st = tf_attention(X, X, X, 0, A, O)))
        return mlphys_run_fail("12-transformers", "tf_attention", st);
    if (write_matrix(dir, "attn_full.dat", A))
        return 1;
    double diag = 0;
    for (size_t i = 0; i < NTOK; i++)
        diag += gsl_matrix_get(A, i, i) / NTOK;
    if ((st = tf_attention(X, X, X, 1, A, O)))
        return mlphys_run_fail("12-transformers", "tf_attention (causal)", st);
    if (write_matrix(dir, "attn_causal.dat", A))
        return 1;
    double above = 0;
    for (size_t i = 0; i < NTOK; i++)
        for (size_t j = i + 1; j < NTOK; j++)
            above = fmax(above, fabs(gsl_matrix_get(A, i, j)));
    printf("attention maps: %d tokens x_p = 1.5 PE(p) + noise; mean self-weight %.3f (1/%d = %.3f if uniform)\n",
           NTOK, diag, NTOK, 1.0 / NTOK);
    printf("causal map: largest weight above the diagonal %g (exactly 0 wanted)\n", above);

    /* ---- why 1/sqrt(d_k): the variance of q.k grows like d_k ---- */
    gsl_rng_set(r, 1202);
    printf("Var(q.k) for unit-variance q, k (4000 draws):");
    for (size_t dk = 4; dk <= 256; dk *= 4) {
        double m2 = 0;
        for (int s = 0; s < 4000; s++) {
            double t = 0;
            for (size_t a = 0; a < dk; a++)
                t += gsl_ran_gaussian(r, 1.0) * gsl_ran_gaussian(r, 1.0);
            m2 += t * t / 4000;
        }
        printf("  d_k = %zu: %.1f", dk, m2);
    }
    printf("\n");

    /* ---- the coordinate check: one SGD step, SP vs muP, widths 32 .. 8192 ---- */
    double xv[] = {1, -1, 1, -1};
    gsl_vector_view x = gsl_vector_view_array(xv, 4);
    const double Et2 = gauss_mean(tanh2), Es4 = gauss_mean(sech4), x2 = 4.0;
    FILE *f = mlphys_open_out(dir, "coord.dat");
    if (!f)
        return 1;
    fprintf(f, "# n  SP_mean SP_se SP_theory  muP_mean muP_se muP_theory   (|df| after one step, eta = %g)\n", ETA);
    double lw[9], ly[2][9];
    int nw = 0;
    for (size_t n = 32; n <= 8192; n *= 2, nw++) {
        double m[2], se[2];
        for (int p = 0; p < 2; p++) {
            double s1 = 0, s2 = 0;
            for (int s = 0; s < NDRAW; s++) {
                double df;
                if ((st = tf_coord_check(&x.vector, n, (tf_param)p, ETA, r, &df)))
                    return mlphys_run_fail("12-transformers", "tf_coord_check", st);
                s1 += fabs(df), s2 += df * df;
            }
            m[p] = s1 / NDRAW;
            se[p] = sqrt(fmax(s2 / NDRAW - m[p] * m[p], 0) / (NDRAW - 1));
            ly[p][nw] = log(m[p]);
        }
        lw[nw] = log((double)n);
        /* first order in eta: SP  eta (n E tanh^2 + |x|^2 E sech^4),  muP  eta (E tanh^2 + |x|^2 E sech^4) */
        fprintf(f, "%zu %.6g %.3g %.6g %.6g %.3g %.6g\n", n, m[0], se[0], ETA * (n * Et2 + x2 * Es4), m[1], se[1],
                ETA * (Et2 + x2 * Es4));
    }
    fclose(f);
    for (int p = 0; p < 2; p++) {
        double mx = 0, my = 0, sxy = 0, sxx = 0;
        for (int k = 0; k < nw; k++)
            mx += lw[k] / nw, my += ly[p][k] / nw;
        for (int k = 0; k < nw; k++)
            sxy += (lw[k] - mx) * (ly[p][k] - my), sxx += (lw[k] - mx) * (lw[k] - mx);
        printf("coordinate check, %s: slope of log|df| vs log(width), widths 32..8192: %+.3f (theory %s)\n",
               p ? "muP" : "SP ", sxy / sxx, p ? "0" : "+1");
    }
    printf("first-order theory: E tanh^2 z = %.4f, E sech^4 z = %.4f (z ~ N(0, 1))\n", Et2, Es4);
    gsl_rng_set(r, 1203);
    if ((st = char_model(dir, r)))
        return mlphys_run_fail("12-transformers", "the character model (tf_attention_backward)", st);
    gsl_matrix_free(PE), gsl_matrix_free(X), gsl_matrix_free(A), gsl_matrix_free(O);
    gsl_rng_free(r);
    return 0;
}
