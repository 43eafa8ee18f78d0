/* cli_train.c -- the command `condense train`: the training runs of the CNN paper's experiments
 * (Sec. 4.1, App. A.1, Figs. 2-13) with the networks of experiment.h, trained by full-batch GD,
 * Adam, or (two-layer model) the real gradient flow of real_flow.h; writes the parameters, the
 * cosine matrix D of eq. (5) per convolution layer, the per-kernel cosine with 1 and amplitude,
 * the loss curve, and a gnuplot script for the figures. */
#define _POSIX_C_SOURCE 200809L /* mkdir, fork, execlp, chdir */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "condense/condense.h"
#include "condense/fast.h"

#define MAX_SAVES 256

typedef struct train_options {
    int deep;
    size_t layers, channels, m, hidden, outputs;
    const char *activation, *loss_name, *optimizer, *dataset, *data_dir, *normalize, *out;
    double lr, gamma, sigma2, beta1, beta2, adam_eps, c;
    size_t epochs, n, W0, H0, C0;
    unsigned long seed;
    size_t save_at[MAX_SAVES], n_save;
    int plot, n_given;
    size_t checkpoint_every; /* 0: no checkpoints */
    int argc;                /* the options as given (recorded in checkpoint.txt) */
    char **argv;
} train_options;

static void train_usage(void)
{
    printf("Usage: %s train --out DIR [OPTIONS]\n"
           "       %s train --resume DIR\n"
           "\n"
           "Trains the CNN of the experiments (Sec. 4.1: \"H x C C-(hidden)-d\") full batch and\n"
           "writes into DIR: loss.csv (loss and accuracy at every epoch), at each --save-at\n"
           "epoch E the parameters eE_*.npy, per convolution layer l the cosine matrix D of\n"
           "eq. (5) eE_convl_D.csv and each kernel's cosine with 1 and amplitude\n"
           "eE_convl_kernels.csv (kernel = theta_{W,beta}: its weights and its bias), meta.txt,\n"
           "and plot.gp (run with gnuplot when installed: PNG and PDF figures).\n"
           "\n"
           "Model:\n"
           "  --model M         two-layer (default: 1 conv layer, no hidden layer, d = 1, MSE,\n"
           "                    no output bias: the theory's f = <a, sigma(x^[1])>) or deep\n"
           "                    (3 conv layers, hidden 1024, d = 10, CE, output bias)\n"
           "  --layers H        convolution layers          --channels C  kernels (32)\n"
           "  --m M             kernel size (3; deep 5)     --activation NAME (tanh)\n"
           "  --hidden N        ReLU units, 0 for none      --outputs D   1 or more\n"
           "  --loss L          mse (d = 1: on the label; d > 1: softmax vs one-hot) or ce;\n"
           "                    MSE is eq. (1)'s 1/(2n) sum |.|^2 (PyTorch's MSELoss is 2/d\n"
           "                    times it: its GD step eta is --lr 2 eta / d here)\n"
           "Optimizer:\n"
           "  --optimizer O     gd (two-layer default), adam (deep default), or flow (the\n"
           "                    real flow ODE of the two-layer model, t = epoch x lr)\n"
           "  --lr X            learning rate (5e-6)        --epochs N (100)\n"
           "  --gamma G         sigma_1 = ((c_in + c_out) m^2 / 2)^-G (2)\n"
           "  --sigma2 S        linear layers N(0, S^2) (1e-4)\n"
           "  --seed N          every random draw (1)\n"
           "  --save-at LIST    epochs to save, comma-separated, 0 allowed (default 0,last)\n"
           "Data:\n"
           "  --dataset D       synthetic (default), mnist, fashion-mnist, cifar10, or npy\n"
           "                    (a stored set x.npy, y.npy in --data-dir, e.g. data/synthetic-\n"
           "                    16x16x1; synthetic labels become classes as below)\n"
           "  --data-dir DIR    where the files are (default: the data set's default)\n"
           "  --n N             samples (500; npy: all unless given)\n"
           "  --normalize N     raw (default), standardize, half\n"
           "  --size WxH, --C0 N   synthetic images (default 8x8, 3 channels); their labels are\n"
           "                    c tanh(mean pixel) (c = 4), or for d > 1 / CE the class\n"
           "                    floor(d (y + c) / 2c)\n"
           "Output:\n"
           "  --out DIR         output directory (created)\n"
           "  --no-plot         do not run gnuplot (plot.gp is still written)\n"
           "  --checkpoint-every N   every N epochs write the whole state of the run (parameters,\n"
           "                    Adam's moments and step count, loss history, the options) into\n"
           "                    DIR: checkpoint.txt (written last) and checkpoint_eE_*.npy; the\n"
           "                    files are removed when the run completes.  With --optimizer\n"
           "                    flow the ODE solver restarts at every checkpoint (the results\n"
           "                    then depend on N, which meta.txt records)\n"
           "  --resume DIR      (alone) continue the run of DIR from its last checkpoint: the\n"
           "                    files are the same, byte for byte, as those of a run never\n"
           "                    interrupted\n"
           "Progress goes to stderr.  The environment variable CONDENSE_GNUPLOT names the\n"
           "gnuplot program (default gnuplot).\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           cli_program, cli_program);
}

/* --save-at: comma-separated epochs >= 0. */
static int parse_save_at(const char *s, train_options *o)
{
    o->n_save = 0;
    const char *p = s;
    while (1) {
        char *end;
        if (*p < '0' || *p > '9' || o->n_save == MAX_SAVES) return 0;
        errno = 0;
        const unsigned long long v = strtoull(p, &end, 10);
        if (errno != 0 || v > 100000000ULL) return 0;
        o->save_at[o->n_save++] = (size_t)v;
        if (*end == '\0') return 1;
        if (*end != ',') return 0;
        p = end + 1;
    }
}

static int parse_size_opt(const char *opt, const char *val, size_t *out, int zero_ok)
{
    if (zero_ok && strcmp(val, "0") == 0) {
        *out = 0;
        return 0;
    }
    if ((*out = cli_parse_size(val, 100000000)) == 0)
        return cli_bad_usage(zero_ok ? "%s needs an integer >= 0" : "%s needs a positive integer",
                             opt);
    return 0;
}

static int parse_train(int argc, char **argv, train_options *o, int *help)
{
    int set_layers = 0, set_m = 0, set_hidden = 0, set_outputs = 0, set_loss = 0, set_opt = 0;
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            *help = 1;
            return 0;
        }
        if (strcmp(opt, "--no-plot") == 0) {
            o->plot = 0;
            continue;
        }
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        int bad = 0;
        if (strcmp(opt, "--model") == 0) {
            if (strcmp(val, "two-layer") == 0)
                o->deep = 0;
            else if (strcmp(val, "deep") == 0)
                o->deep = 1;
            else
                return cli_bad_usage("--model needs two-layer or deep, not '%s'", val);
        } else if (strcmp(opt, "--layers") == 0) {
            bad = parse_size_opt(opt, val, &o->layers, 0);
            set_layers = 1;
        } else if (strcmp(opt, "--channels") == 0) {
            bad = parse_size_opt(opt, val, &o->channels, 0);
        } else if (strcmp(opt, "--m") == 0) {
            bad = parse_size_opt(opt, val, &o->m, 0);
            set_m = 1;
        } else if (strcmp(opt, "--hidden") == 0) {
            bad = parse_size_opt(opt, val, &o->hidden, 1);
            set_hidden = 1;
        } else if (strcmp(opt, "--outputs") == 0) {
            bad = parse_size_opt(opt, val, &o->outputs, 0);
            set_outputs = 1;
        } else if (strcmp(opt, "--epochs") == 0) {
            bad = parse_size_opt(opt, val, &o->epochs, 1);
        } else if (strcmp(opt, "--n") == 0) {
            bad = parse_size_opt(opt, val, &o->n, 0);
            o->n_given = 1;
        } else if (strcmp(opt, "--C0") == 0) {
            bad = parse_size_opt(opt, val, &o->C0, 0);
        } else if (strcmp(opt, "--size") == 0) {
            bad = cli_parse_wxh(val, &o->W0, &o->H0);
        } else if (strcmp(opt, "--activation") == 0) {
            o->activation = val;
        } else if (strcmp(opt, "--loss") == 0) {
            o->loss_name = val;
            set_loss = 1;
        } else if (strcmp(opt, "--optimizer") == 0) {
            if (strcmp(val, "gd") != 0 && strcmp(val, "adam") != 0 && strcmp(val, "flow") != 0)
                return cli_bad_usage("--optimizer needs gd, adam or flow, not '%s'", val);
            o->optimizer = val;
            set_opt = 1;
        } else if (strcmp(opt, "--lr") == 0) {
            if (!cli_parse_double(val, &o->lr) || !(o->lr > 0))
                return cli_bad_usage("--lr needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--gamma") == 0) {
            if (!cli_parse_double(val, &o->gamma))
                return cli_bad_usage("--gamma needs a number, not '%s'", val);
        } else if (strcmp(opt, "--sigma2") == 0) {
            if (!cli_parse_double(val, &o->sigma2) || o->sigma2 < 0)
                return cli_bad_usage("--sigma2 needs a number >= 0, not '%s'", val);
        } else if (strcmp(opt, "--seed") == 0) {
            if (!cli_parse_seed(val, &o->seed))
                return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
        } else if (strcmp(opt, "--save-at") == 0) {
            if (!parse_save_at(val, o))
                return cli_bad_usage("--save-at needs a comma-separated list of epochs, not '%s'",
                                     val);
        } else if (strcmp(opt, "--out") == 0) {
            o->out = val;
        } else if (strcmp(opt, "--checkpoint-every") == 0) {
            bad = parse_size_opt(opt, val, &o->checkpoint_every, 0);
        } else if (strcmp(opt, "--dataset") == 0) {
            o->dataset = val;
        } else if (strcmp(opt, "--data-dir") == 0) {
            o->data_dir = val;
        } else if (strcmp(opt, "--normalize") == 0) {
            o->normalize = val;
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
        if (bad) return bad;
    }
    if (o->deep) { /* the presets of "n x 32C-(1024)-d" with d = 10 and cross-entropy */
        if (!set_layers) o->layers = 3;
        if (!set_m) o->m = 5;
        if (!set_hidden) o->hidden = 1024;
        if (!set_outputs) o->outputs = 10;
        if (!set_loss) o->loss_name = "ce";
        if (!set_opt) o->optimizer = "adam";
    }
    if (o->out == NULL) return cli_bad_usage("train needs --out DIR%s", "");
    if (strcmp(o->dataset, "npy") == 0 && o->data_dir == NULL)
        return cli_bad_usage("--dataset npy needs --data-dir DIR (x.npy, y.npy)%s", "");
    if (strcmp(o->optimizer, "flow") == 0 && (o->deep || o->layers != 1 || o->hidden != 0 ||
                                              o->outputs != 1 || strcmp(o->loss_name, "mse") != 0))
        return cli_bad_usage("--optimizer flow is the real flow of the two-layer model (one "
                             "conv layer, no hidden layer, d = 1, MSE)%s",
                             "");
    if (o->n_save == 0) {
        o->save_at[0] = 0;
        o->save_at[1] = o->epochs;
        o->n_save = o->epochs > 0 ? 2 : 1;
    }
    for (size_t j = 0; j < o->n_save; ++j)
        if (o->save_at[j] > o->epochs)
            return cli_bad_usage("--save-at lists an epoch beyond --epochs (%s)", "");
    for (int k = 0; o->checkpoint_every > 0 && k < argc; ++k)
        if (strchr(argv[k], '\n') != NULL)
            return cli_bad_usage("--checkpoint-every: the option '%s' holds a line break", argv[k]);
    o->argc = argc;
    o->argv = argv;
    return 0;
}

/* Everything a run is: recorded in every output file. */
static void provenance(FILE *f, const train_options *o, const condense_exp_net *net)
{
    fprintf(f,
            "# %s -- train; seed %lu\n"
            "# model %s: %zu conv layer(s) x %zu channels, m = %zu, activation %s, hidden %zu, "
            "d = %zu, output bias %s, loss %s, %zu parameters\n"
            "# optimizer %s, lr %g, epochs %zu, Adam beta1 %g beta2 %g eps %g; init gamma %g "
            "(sigma_1 of layer 1 = %g), sigma_2 %g\n"
            "# data %s, dir %s, n = %zu, %zu x %zu x %zu, normalization %s\n",
            condense_version(), o->seed, o->deep ? "deep" : "two-layer", o->layers, o->channels,
            o->m, o->activation, o->hidden, o->outputs, net->v != NULL ? "yes" : "no", o->loss_name,
            net->nparams, o->optimizer, o->lr, o->epochs, o->beta1, o->beta2, o->adam_eps, o->gamma,
            condense_init_sigma1(o->C0, o->channels, o->m, o->gamma), o->sigma2, o->dataset,
            o->data_dir != NULL ? o->data_dir : "(default)", o->n, o->W0, o->H0, o->C0,
            strcmp(o->dataset, "synthetic") == 0 ? "synthetic (pixels in [1/c, 1], c = 4)"
            : strcmp(o->dataset, "npy") == 0     ? "as stored"
                                                 : o->normalize);
    if (strcmp(o->optimizer, "flow") == 0 && o->checkpoint_every > 0)
        fprintf(f, "# the ODE solver restarts every %zu epochs (--checkpoint-every)\n",
                o->checkpoint_every);
}

/* Synthetic labels y in (-c, c) -> class floor(d (y + c) / 2c) in [0, d), where the loss
 * needs class indices. */
static void to_classes(const train_options *o, condense_data *data)
{
    if (o->outputs == 1 && strcmp(o->loss_name, "ce") != 0) return;
    for (size_t i = 0; i < data->n; ++i) {
        double k = floor((double)o->outputs * (data->y[i] + o->c) / (2.0 * o->c));
        if (k > (double)o->outputs - 1) k = (double)o->outputs - 1;
        data->y[i] = k < 0 ? 0 : k;
    }
}

/* The data: synthetic, a stored .npy set (all of it, or --n samples of it by seed), or a real
 * set; W_0, H_0, C_0 and n follow the data. */
static int load_data(train_options *o, condense_data **data)
{
    if (strcmp(o->dataset, "synthetic") == 0) {
        CONDENSE_TRY(condense_data_synthetic(o->n, o->W0, o->H0, o->C0, o->c, o->seed, data));
        to_classes(o, *data);
        return CONDENSE_OK;
    }
    if (strcmp(o->dataset, "npy") == 0) {
        condense_data *all = NULL;
        CONDENSE_TRY(condense_data_npy_load(o->data_dir, &all));
        int status = CONDENSE_OK;
        if (o->n_given && o->n < all->n) {
            status = condense_data_sample(all, o->n, o->seed, data, NULL);
            condense_data_free(all);
        } else {
            *data = all;
        }
        CONDENSE_TRY(status);
        to_classes(o, *data);
    } else {
        condense_dataset_kind kind;
        condense_normalization norm;
        CONDENSE_TRY(condense_dataset_lookup(o->dataset, &kind));
        CONDENSE_TRY(condense_normalization_lookup(o->normalize, &norm));
        CONDENSE_TRY(condense_dataset_load(kind, o->data_dir, o->n, o->seed, norm, data));
    }
    o->n = (*data)->n;
    o->W0 = (*data)->W0;
    o->H0 = (*data)->H0;
    o->C0 = (*data)->C0;
    return CONDENSE_OK;
}

/* v_1 of Z (eq. 11/35) for the training images, labels y_i as stored (the class index, or the
 * synthetic label): the layer-1 direction the two-layer theory predicts.  The entries follow
 * theta_{W,beta}'s order (W_{p,q,alpha} then b), as the columns of Z do (NOTES.md). */
static int top_direction(const condense_data *data, size_t m, double **v_1)
{
    gsl_matrix *Z = NULL;
    condense_spectrum *sp = NULL;
    CONDENSE_TRY(condense_Z_alloc(data, m, &Z));
    int status = condense_spectrum_alloc(Z, -1.0, &sp);
    gsl_matrix_free(Z);
    if (status == CONDENSE_OK) {
        *v_1 = malloc(sp->cols * sizeof(double));
        if (*v_1 == NULL)
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate v_1");
        for (size_t k = 0; *v_1 != NULL && k < sp->cols; ++k)
            (*v_1)[k] = gsl_matrix_get(sp->V, k, 0);
    }
    condense_spectrum_free(sp);
    return status;
}

/* At a --save-at epoch: the parameters, D and the kernel views of every conv layer. */
static int save_epoch(const train_options *o, const condense_exp_net *net, const double *v_1,
                      size_t epoch)
{
    char name[256], path[4200];
    const size_t d = net->shape.outputs;
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t shp[4] = {net->shape.m, net->shape.m, net->C[l - 1], net->C[l]};
        snprintf(path, sizeof path, "%s/e%zu_conv%zu_W.npy", o->out, epoch, l);
        CONDENSE_TRY(condense_npy_save(path, net->kernel[l], 4, shp));
        snprintf(path, sizeof path, "%s/e%zu_conv%zu_b.npy", o->out, epoch, l);
        CONDENSE_TRY(condense_npy_save(path, net->bias[l], 1, shp + 3));
    }
    if (net->U != NULL) {
        const size_t shp[2] = {net->shape.hidden, net->F};
        snprintf(path, sizeof path, "%s/e%zu_hidden_U.npy", o->out, epoch);
        CONDENSE_TRY(condense_npy_save(path, net->U, 2, shp));
        snprintf(path, sizeof path, "%s/e%zu_hidden_c.npy", o->out, epoch);
        CONDENSE_TRY(condense_npy_save(path, net->c, 1, shp));
    }
    const size_t shp[2] = {d, net->K};
    snprintf(path, sizeof path, "%s/e%zu_out_V.npy", o->out, epoch);
    CONDENSE_TRY(condense_npy_save(path, net->V, 2, shp));
    if (net->v != NULL) {
        snprintf(path, sizeof path, "%s/e%zu_out_v.npy", o->out, epoch);
        CONDENSE_TRY(condense_npy_save(path, net->v, 1, shp));
    }
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t C = net->C[l], N_W = net->C[l - 1] * net->shape.m * net->shape.m + 1;
        double *theta_W = malloc(C * N_W * sizeof(double)), *D = malloc(C * C * sizeof(double));
        double *cos1 = malloc(C * sizeof(double)), *amp = malloc(C * sizeof(double));
        int status = theta_W && D && cos1 && amp
                         ? CONDENSE_OK
                         : condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate D");
        if (status == CONDENSE_OK) status = condense_exp_theta_W(net, l, theta_W);
        /* a zero kernel gives NaN entries (written as nan) and CONDENSE_EDOM: not fatal */
        if (status == CONDENSE_OK && condense_cosine_matrix(theta_W, C, N_W, D) == CONDENSE_EDOM)
            condense_error_clear();
        if (status == CONDENSE_OK &&
            condense_kernel_views(theta_W, C, N_W, cos1, amp) == CONDENSE_EDOM)
            condense_error_clear();
        /* layer 1: each kernel's cosine with v_1 of Z (eq. 11) for these very images, the
         * direction Theorem 1 predicts (eq. 15); a zero kernel gives NaN */
        double *cosv = l == 1 && v_1 != NULL ? malloc(C * sizeof(double)) : NULL;
        if (status == CONDENSE_OK && l == 1 && v_1 != NULL && cosv == NULL)
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate cos v_1");
        for (size_t b = 0; status == CONDENSE_OK && cosv != NULL && b < C; ++b)
            if (condense_cosine(theta_W + b * N_W, v_1, N_W, cosv + b) == CONDENSE_EDOM) {
                condense_error_clear();
                cosv[b] = NAN;
            }
        /* each kernel's cosine with 1 over its C_{l-1} m^2 weights alone, bias left out (the
         * paper's figures take the convolution weights without the bias) */
        const size_t NW1 = N_W - 1;
        double *cosw = malloc(C * sizeof(double)), *ones = malloc(NW1 * sizeof(double));
        if (status == CONDENSE_OK && (cosw == NULL || ones == NULL))
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate cos 1");
        for (size_t k = 0; status == CONDENSE_OK && k < NW1; ++k)
            ones[k] = 1.0;
        for (size_t b = 0; status == CONDENSE_OK && b < C; ++b)
            if (condense_cosine(theta_W + b * N_W, ones, NW1, cosw + b) == CONDENSE_EDOM) {
                condense_error_clear();
                cosw[b] = NAN;
            }
        cli_out_file f;
        snprintf(name, sizeof name, "e%zu_conv%zu_D.csv", epoch, l);
        if (status == CONDENSE_OK) status = cli_out_open(&f, o->out, name);
        if (status == CONDENSE_OK) {
            provenance(f.f, o, net);
            fprintf(f.f,
                    "# D(theta_{W,beta}, theta_{W,beta'}) of eq. (5), conv layer %zu, epoch %zu: "
                    "%zu rows of %zu\n",
                    l, epoch, C, C);
            for (size_t a = 0; a < C; ++a)
                for (size_t b = 0; b < C; ++b)
                    fprintf(f.f, "%.17g%c", D[a * C + b], b + 1 < C ? ',' : '\n');
            status = cli_out_close(&f);
        }
        snprintf(name, sizeof name, "e%zu_conv%zu_kernels.csv", epoch, l);
        if (status == CONDENSE_OK) status = cli_out_open(&f, o->out, name);
        if (status == CONDENSE_OK) {
            provenance(f.f, o, net);
            fprintf(f.f,
                    "# conv layer %zu, epoch %zu\nbeta,cos_ones,amplitude,cos_ones_weights%s\n", l,
                    epoch, cosv != NULL ? ",cos_v1" : "");
            for (size_t b = 0; b < C; ++b) {
                fprintf(f.f, "%zu,%.17g,%.17g,%.17g", b + 1, cos1[b], amp[b], cosw[b]);
                if (cosv != NULL) fprintf(f.f, ",%.17g", cosv[b]);
                fputc('\n', f.f);
            }
            status = cli_out_close(&f);
        }
        free(theta_W);
        free(cosv);
        free(cosw);
        free(ones);
        free(D);
        free(cos1);
        free(amp);
        CONDENSE_TRY(status);
    }
    return CONDENSE_OK;
}

/* loss.csv: every epoch so far (rewritten whole, atomically). */
static int write_loss(const train_options *o, const condense_exp_net *net, const double *loss,
                      const double *acc, size_t count)
{
    cli_out_file f;
    CONDENSE_TRY(cli_out_open(&f, o->out, "loss.csv"));
    provenance(f.f, o, net);
    fprintf(f.f, "epoch,t,loss,accuracy\n");
    for (size_t k = 0; k < count; ++k)
        fprintf(f.f, "%zu,%.17g,%.17g,%.17g\n", k, (double)k * o->lr, loss[k], acc[k]);
    return cli_out_close(&f);
}

/* plot.gp: the figures of the paper from the CSVs (PNG and PDF). */
static int write_plot(const train_options *o, const condense_exp_net *net)
{
    cli_out_file f;
    CONDENSE_TRY(cli_out_open(&f, o->out, "plot.gp"));
    FILE *g = f.f;
    provenance(g, o, net);
    fprintf(g, "# Run in this directory: gnuplot plot.gp\n"
               "set datafile separator ','\nset datafile commentschars '#'\n");
    static const char *const term[2][2] = {{"pngcairo size 800,600", "png"},
                                           {"pdfcairo size 6in,4.5in", "pdf"}};
    for (int t = 0; t < 2; ++t) {
        fprintf(g,
                "set terminal %s\nset output 'loss.%s'\nset logscale y\nset xlabel 'epoch'\n"
                "set ylabel 'loss' tc default\nset title 'training loss'\n"
                "plot 'loss.csv' using 1:3 skip 1 with lines lw 2 title 'loss'\nunset logscale y\n",
                term[t][0], term[t][1]);
        for (size_t j = 0; j < o->n_save; ++j)
            for (size_t l = 1; l <= net->L; ++l) {
                const size_t e = o->save_at[j], tic = net->C[l] > 8 ? net->C[l] / 8 : 1;
                fprintf(
                    g,
                    "set output 'e%zu_conv%zu_D.%s'\nset title 'D(u,v), eq. (5): conv layer "
                    "%zu, epoch %zu'\nset xlabel 'kernel'\nset ylabel 'kernel' tc default\n"
                    "set cbrange [-1:1]\nset palette defined (-1 '#440154', 0 '#21918c', 1 "
                    "'#fde725')\nset size ratio -1\nset xrange [0.5:%zu.5]\n"
                    "set yrange [%zu.5:0.5]\nset xtics %zu\nset ytics %zu\n"
                    "plot 'e%zu_conv%zu_D.csv' matrix using ($1+1):($2+1):3 with image notitle\n"
                    "set size noratio\nset autoscale\nset xtics autofreq\n"
                    "set ytics autofreq\n",
                    e, l, term[t][1], l, e, net->C[l], net->C[l], tic, tic, e, l);
                fprintf(g,
                        "set output 'e%zu_conv%zu_kernels.%s'\nset title 'conv layer %zu, epoch "
                        "%zu'\nset xlabel 'kernel beta'\nset ylabel 'amplitude' tc rgb 'red'\n"
                        "set y2label 'cosine with 1' tc rgb 'blue'\nset y2range [-1.05:1.05]\n"
                        "set ytics nomirror\nset y2tics\nset key below\n"
                        "set xrange [0.5:%zu.5]\n"
                        "plot 'e%zu_conv%zu_kernels.csv' using 1:3 skip 1 axes x1y1 with points "
                        "pt 7 lc rgb 'red' title 'amplitude', '' using 1:2 skip 1 axes x1y2 "
                        "with points pt 5 lc rgb 'blue' title 'cos with 1'\n"
                        "unset y2tics\nunset y2label\nset ytics mirror\nset key default\n"
                        "set autoscale\n",
                        e, l, term[t][1], l, e, net->C[l], e, l);
            }
    }
    return cli_out_close(&f);
}

/* Run gnuplot on plot.gp in the output directory; a missing gnuplot is a note, not an error. */
static void run_plot(const train_options *o)
{
    static const char *const args[] = {"plot.gp", NULL};
    const int r = cli_run_gnuplot(o->out, args);
    if (r < 0 || r == 127)
        fprintf(stderr,
                "%s train: note: gnuplot not found, so no figures were made; install gnuplot "
                "(apt-get install gnuplot-nox) and run 'gnuplot plot.gp' in %s\n",
                cli_program, o->out);
    else if (r != 0)
        fprintf(stderr,
                "%s train: note: gnuplot plot.gp exited with status %d; figures incomplete\n",
                cli_program, r);
    else
        fprintf(stderr, "%s train: figures (PNG and PDF) written to %s\n", cli_program, o->out);
}

/* Progress on stderr at most once a second, and at the end. */
typedef struct progress_clock {
    struct timespec start, last;
    double saving; /* seconds spent writing the --save-at files */
    size_t first;  /* the epoch the run (or its resumption) started at */
} progress_clock;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + 1e-9 * (double)(now.tv_nsec - t->tv_nsec);
}

static void progress(progress_clock *pc, size_t epoch, size_t epochs, double loss, double acc)
{
    if (epoch > 0 && epoch < epochs && seconds_since(&pc->last) < 1.0) return;
    clock_gettime(CLOCK_MONOTONIC, &pc->last);
    const double el = seconds_since(&pc->start) - pc->saving;
    const double rate = epoch > pc->first && el > 0 ? (double)(epoch - pc->first) / el : 0.0;
    if (rate > 0)
        fprintf(stderr,
                "%s train: epoch %zu/%zu  loss %.6e  accuracy %.4f  %.3g epochs/s  about %.0f s "
                "left\n",
                cli_program, epoch, epochs, loss, acc, rate, (double)(epochs - epoch) / rate);
    else
        fprintf(stderr, "%s train: epoch %zu/%zu  loss %.6e  accuracy %.4f\n", cli_program, epoch,
                epochs, loss, acc);
}

typedef struct train_state {
    const train_options *o;
    condense_exp_net *net;
    condense_data *data;
    condense_exp_workspace *ws;
    double *loss, *acc, *grad;
    double eps;  /* flow: theta = eps theta_bar */
    double *v_1; /* v_1 of Z for the training images (C_0 m^2 + 1 entries) */
    size_t epoch;
    progress_clock pc;
    condense_adam *adam; /* Adam's state, NULL for GD and the flow */
    size_t ckpt_last;    /* the epoch of the checkpoint on disk, 0 for none */
    int skip_next;       /* flow: the next observation repeats an epoch already recorded */
} train_state;

/* ---- checkpoints --------------------------------------------------------------------------- */

static const char *const ckpt_names[] = {"state", "m", "v", "loss", "acc"};
#define N_CKPT_NAMES (sizeof ckpt_names / sizeof *ckpt_names)

static void ckpt_path(const char *dir, size_t epoch, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/checkpoint_e%zu_%s.npy", dir, epoch, name);
}

/* The arrays of the checkpoint at epoch (those that exist) removed. */
static void ckpt_remove(const char *dir, size_t epoch)
{
    char path[4200];
    for (size_t j = 0; j < N_CKPT_NAMES; ++j) {
        ckpt_path(dir, epoch, ckpt_names[j], path, sizeof path);
        remove(path);
    }
}

/* The state at `epoch` (np doubles: theta, or theta_bar for the flow) with `count` recorded
 * epochs.  Each array is written atomically (npy.h: temporary file, fsync, rename), then
 * checkpoint.txt (cli_out_open/close: the same), which names them: a checkpoint is current
 * exactly when checkpoint.txt names it, so an interruption at any moment leaves the previous
 * complete checkpoint or the new one.  Then the previous checkpoint's arrays go. */
static int write_checkpoint(train_state *s, const double *state, size_t epoch, size_t count)
{
    const train_options *o = s->o;
    char path[4200];
    const size_t np = s->net->nparams;
    ckpt_path(o->out, epoch, "state", path, sizeof path);
    CONDENSE_TRY(condense_npy_save(path, state, 1, &np));
    if (s->adam != NULL) {
        ckpt_path(o->out, epoch, "m", path, sizeof path);
        CONDENSE_TRY(condense_npy_save(path, s->adam->m, 1, &np));
        ckpt_path(o->out, epoch, "v", path, sizeof path);
        CONDENSE_TRY(condense_npy_save(path, s->adam->v, 1, &np));
    }
    ckpt_path(o->out, epoch, "loss", path, sizeof path);
    CONDENSE_TRY(condense_npy_save(path, s->loss, 1, &count));
    ckpt_path(o->out, epoch, "acc", path, sizeof path);
    CONDENSE_TRY(condense_npy_save(path, s->acc, 1, &count));
    cli_out_file f;
    CONDENSE_TRY(cli_out_open(&f, o->out, "checkpoint.txt"));
    fprintf(f.f,
            "# %s -- train checkpoint: the state at epoch %zu in checkpoint_e%zu_*.npy; resume "
            "with: condense train --resume DIR\n"
            "epoch %zu\nrecorded %zu\nadam_k %lu\n",
            condense_version(), epoch, epoch, epoch, count, s->adam != NULL ? s->adam->k : 0UL);
    cli_checkpoint_write_args(f.f, o->argc, o->argv);
    CONDENSE_TRY(cli_out_close(&f));
    if (s->ckpt_last != 0 && s->ckpt_last != epoch) ckpt_remove(o->out, s->ckpt_last);
    s->ckpt_last = epoch;
    return CONDENSE_OK;
}

/* A checkpoint as read from checkpoint.txt: the state at `epoch` with `count` epochs recorded
 * in the loss history, Adam's step count, and the run's options (cli.h). */
typedef struct checkpoint {
    size_t epoch, count;
    unsigned long adam_k;
    cli_checkpoint file;
} checkpoint;

static int read_checkpoint(const char *dir, checkpoint *c)
{
    CONDENSE_TRY(cli_checkpoint_read(dir, &c->file));
    size_t k = 0;
    int status = cli_checkpoint_size(&c->file, "epoch", &c->epoch);
    if (status == CONDENSE_OK) status = cli_checkpoint_size(&c->file, "recorded", &c->count);
    if (status == CONDENSE_OK) status = cli_checkpoint_size(&c->file, "adam_k", &k);
    c->adam_k = (unsigned long)k;
    if (status != CONDENSE_OK) cli_checkpoint_free(&c->file);
    return status;
}

/* The arrays of checkpoint c into state (np doubles), Adam and the loss history, after
 * checking that c belongs to this run (epoch before the last, count, Adam's step count). */
static int load_checkpoint(train_state *s, const checkpoint *c, double *state, size_t count)
{
    const train_options *o = s->o;
    if (c->epoch == 0 || c->epoch >= o->epochs || c->count != count ||
        (s->adam != NULL && c->adam_k != c->epoch))
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "%s/checkpoint.txt: epoch %zu, %zu recorded, Adam step %lu do not fit a "
                       "run of %zu epochs",
                       o->out, c->epoch, c->count, c->adam_k, o->epochs);
    char path[4200];
    const size_t np = s->net->nparams;
    ckpt_path(o->out, c->epoch, "state", path, sizeof path);
    CONDENSE_TRY(condense_npy_load(path, state, 1, &np));
    if (s->adam != NULL) {
        ckpt_path(o->out, c->epoch, "m", path, sizeof path);
        CONDENSE_TRY(condense_npy_load(path, s->adam->m, 1, &np));
        ckpt_path(o->out, c->epoch, "v", path, sizeof path);
        CONDENSE_TRY(condense_npy_load(path, s->adam->v, 1, &np));
        s->adam->k = c->adam_k;
    }
    ckpt_path(o->out, c->epoch, "loss", path, sizeof path);
    CONDENSE_TRY(condense_npy_load(path, s->loss, 1, &count));
    ckpt_path(o->out, c->epoch, "acc", path, sizeof path);
    CONDENSE_TRY(condense_npy_load(path, s->acc, 1, &count));
    s->ckpt_last = c->epoch;
    s->pc.first = c->epoch;
    return CONDENSE_OK;
}

static int is_save(const train_options *o, size_t epoch)
{
    for (size_t j = 0; j < o->n_save; ++j)
        if (o->save_at[j] == epoch) return 1;
    return 0;
}

/* The bookkeeping of one epoch at the current theta: loss, accuracy, progress, saves. */
static int record(train_state *s, double R, double acc)
{
    const size_t k = s->epoch;
    s->loss[k] = R;
    s->acc[k] = acc;
    progress(&s->pc, k, s->o->epochs, R, acc);
    if (is_save(s->o, k)) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CONDENSE_TRY(save_epoch(s->o, s->net, s->v_1, k));
        CONDENSE_TRY(write_loss(s->o, s->net, s->loss, s->acc, k + 1));
        s->pc.saving += seconds_since(&t0);
    }
    return CONDENSE_OK;
}

/* The flow's observer: theta = eps theta_bar into the network, then the epoch's record. */
static int flow_observer(double t, const double *theta_bar, void *user)
{
    (void)t;
    train_state *s = user;
    if (s->skip_next) { /* a segment's start: recorded at the end of the one before */
        s->skip_next = 0;
        return CONDENSE_OK;
    }
    for (size_t k = 0; k < s->net->nparams; ++k)
        s->net->theta[k] = s->eps * theta_bar[k];
    double R, acc;
    CONDENSE_TRY(condense_exp_evaluate(s->net, s->data, s->ws, &R, &acc, NULL));
    CONDENSE_TRY(record(s, R, acc));
    s->epoch += 1;
    return CONDENSE_OK;
}

/* The real flow from epoch 0, or from checkpoint c.  With --checkpoint-every N the ODE is
 * integrated in segments of N epochs, the GSL driver made anew for each, and the state written
 * between them: a resumed run restarts the driver at a segment boundary exactly as the
 * uninterrupted run does, so both give the same bits (and both differ from a run without
 * checkpoints, in which the driver carries its step size across). */
static int train_flow(train_state *s, const checkpoint *c)
{
    const train_options *o = s->o;
    condense_real_flow *flow = NULL;
    const size_t np = s->net->nparams, N = o->checkpoint_every;
    double *theta_bar = malloc(np * sizeof(double)),
           *times = malloc((o->epochs + 1) * sizeof(double));
    int status = theta_bar && times ? CONDENSE_OK
                                    : condense_error_set(CONDENSE_ENOMEM, __func__,
                                                         "cannot allocate the flow's state");
    s->eps = condense_init_sigma1(o->C0, o->channels, o->m, o->gamma);
    if (status == CONDENSE_OK)
        status = condense_real_flow_alloc(s->data, o->channels, o->m, s->net->sigma, s->eps, &flow);
    if (status == CONDENSE_OK) status = condense_real_flow_set_path(flow, CONDENSE_PATH_FAST);
    /* flow->dim = M (C_0 m^2 + 1 + W_1 H_1) = np: the same parameters in the same order */
    size_t e = 0;
    if (status == CONDENSE_OK && c != NULL) {
        status = load_checkpoint(s, c, theta_bar, c->epoch + 1);
        e = c->epoch;
        s->epoch = e + 1;
        s->skip_next = 1;
    } else if (status == CONDENSE_OK) {
        for (size_t k = 0; k < np; ++k)
            theta_bar[k] = s->net->theta[k] / s->eps;
    }
    if (status == CONDENSE_OK) {
        for (size_t k = 0; k <= o->epochs; ++k)
            times[k] = (double)k * o->lr;
        if (o->epochs == 0)
            status = condense_real_flow_integrate(flow, theta_bar, times, 1, 1e-10, 1e-9,
                                                  flow_observer, s);
    }
    while (status == CONDENSE_OK && e < o->epochs) {
        size_t end = N > 0 ? (e / N + 1) * N : o->epochs;
        if (end > o->epochs) end = o->epochs;
        status = condense_real_flow_integrate(flow, theta_bar, times + e, end - e + 1, 1e-10, 1e-9,
                                              flow_observer, s);
        e = end;
        if (status == CONDENSE_OK && N > 0 && e < o->epochs)
            status = write_checkpoint(s, theta_bar, e, e + 1);
        s->skip_next = 1;
    }
    condense_real_flow_free(flow);
    free(theta_bar);
    free(times);
    return status;
}

/* GD or Adam from epoch 0, or from checkpoint c.  A checkpoint at epoch E holds theta and
 * Adam's state before the evaluation of epoch E and the loss of epochs 0..E-1: a resumed run
 * evaluates epoch E again, with the same bits. */
static int train_discrete(train_state *s, const checkpoint *c)
{
    const train_options *o = s->o;
    const int use_adam = strcmp(o->optimizer, "adam") == 0;
    if (use_adam)
        CONDENSE_TRY(
            condense_adam_alloc(s->net->nparams, o->beta1, o->beta2, o->adam_eps, &s->adam));
    int status = CONDENSE_OK;
    size_t e0 = 0;
    if (c != NULL) {
        status = load_checkpoint(s, c, s->net->theta, c->epoch);
        e0 = c->epoch;
    }
    for (s->epoch = e0; s->epoch <= o->epochs && status == CONDENSE_OK; ++s->epoch) {
        if (o->checkpoint_every > 0 && s->epoch % o->checkpoint_every == 0 && s->epoch > e0 &&
            s->epoch < o->epochs) {
            status = write_checkpoint(s, s->net->theta, s->epoch, s->epoch);
            if (status != CONDENSE_OK) break;
        }
        double R, acc;
        const int last = s->epoch == o->epochs;
        status = condense_exp_evaluate(s->net, s->data, s->ws, &R, &acc, last ? NULL : s->grad);
        if (status == CONDENSE_OK) status = record(s, R, acc);
        if (status != CONDENSE_OK || last) break;
        if (use_adam)
            status = condense_adam_step(s->adam, s->net->theta, s->grad, o->lr);
        else
            status = condense_exp_gd_step(s->net, s->grad, o->lr);
    }
    return status;
}

/* The defaults of every option (the --help text states them). */
static const train_options train_defaults = {.channels = 32,
                                             .layers = 1,
                                             .m = 3,
                                             .hidden = 0,
                                             .outputs = 1,
                                             .activation = "tanh",
                                             .loss_name = "mse",
                                             .optimizer = "gd",
                                             .dataset = "synthetic",
                                             .normalize = "raw",
                                             .lr = 5e-6,
                                             .gamma = 2.0,
                                             .sigma2 = 1e-4,
                                             .beta1 = 0.9,
                                             .beta2 = 0.999,
                                             .adam_eps = 1e-8,
                                             .c = 4.0,
                                             .epochs = 100,
                                             .n = 500,
                                             .W0 = 8,
                                             .H0 = 8,
                                             .C0 = 3,
                                             .seed = 1,
                                             .plot = 1};

int cli_train(int argc, char **argv)
{
    train_options o = train_defaults;
    int help = 0;
    checkpoint ckpt, *resume = NULL;
    for (int k = 0; k < argc; ++k)
        if (strcmp(argv[k], "--resume") == 0) {
            if (argc != 2 || k != 0)
                return cli_bad_usage("--resume DIR takes no other option (the run's own are in "
                                     "DIR/checkpoint.txt)%s",
                                     "");
            const int st = read_checkpoint(argv[1], &ckpt);
            if (st != CONDENSE_OK) return cli_failure(st);
            resume = &ckpt;
        }
    const int bad = resume != NULL ? parse_train(ckpt.file.argc, ckpt.file.argv, &o, &help)
                                   : parse_train(argc, argv, &o, &help);
    if (resume != NULL && (bad || help || o.checkpoint_every == 0)) {
        cli_checkpoint_free(&resume->file);
        if (bad) return bad;
        return cli_failure(condense_error_set(CONDENSE_EFORMAT, __func__,
                                              "%s/checkpoint.txt: not the options of a run with "
                                              "checkpoints",
                                              argv[1]));
    }
    if (resume != NULL) {
        o.out = argv[1];
        cli_remove_stale_tmp(o.out);
        fprintf(stderr, "%s train: resuming %s from its checkpoint at epoch %zu\n", cli_program,
                o.out, resume->epoch);
    }
    if (bad) return bad;
    if (help) {
        train_usage();
        return EXIT_SUCCESS;
    }
    condense_activation sigma;
    condense_exp_loss loss;
    if (condense_activation_lookup(o.activation, 0, &sigma) != CONDENSE_OK ||
        condense_exp_loss_lookup(o.loss_name, &loss) != CONDENSE_OK)
        return cli_bad_usage("%s", condense_errmsg());
    if (strcmp(o.dataset, "synthetic") != 0 && strcmp(o.dataset, "npy") != 0) {
        condense_dataset_kind kind;
        condense_normalization norm;
        if (condense_dataset_lookup(o.dataset, &kind) != CONDENSE_OK ||
            condense_normalization_lookup(o.normalize, &norm) != CONDENSE_OK)
            return cli_bad_usage("%s", condense_errmsg());
    }
    if (mkdir(o.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: error: cannot create directory %s: %s\n", cli_program, o.out,
                strerror(errno));
        return EXIT_FAILURE;
    }

    train_state s = {.o = &o};
    gsl_rng *rng = NULL;
    int status = load_data(&o, &s.data);
    const condense_exp_shape shape = {o.W0, o.H0,     o.C0,      o.layers, o.channels,
                                      o.m,  o.hidden, o.outputs, o.deep};
    if (status == CONDENSE_OK) {
        status = condense_exp_net_alloc(&shape, sigma, loss, &s.net);
        if (status == CONDENSE_ESIZE || status == CONDENSE_EINVAL) {
            condense_data_free(s.data);
            return cli_bad_usage("%s", condense_errmsg());
        }
    }
    if (status == CONDENSE_OK) status = condense_exp_workspace_alloc(s.net, o.n, &s.ws);
    if (status == CONDENSE_OK) status = condense_rng_alloc(o.seed, &rng);
    if (status == CONDENSE_OK) status = condense_exp_init(s.net, o.gamma, o.sigma2, rng);
    if (status == CONDENSE_OK) {
        s.loss = malloc((o.epochs + 1) * sizeof(double));
        s.acc = malloc((o.epochs + 1) * sizeof(double));
        s.grad = malloc(s.net->nparams * sizeof(double));
        if (s.loss == NULL || s.acc == NULL || s.grad == NULL)
            status = condense_error_set(CONDENSE_ENOMEM, __func__, "cannot allocate the run");
    }
    if (status == CONDENSE_OK) {
        cli_out_file f;
        status = cli_out_open(&f, o.out, "meta.txt");
        if (status == CONDENSE_OK) {
            provenance(f.f, &o, s.net);
            status = cli_out_close(&f);
        }
    }
    if (status == CONDENSE_OK) status = write_plot(&o, s.net);
    if (status == CONDENSE_OK) status = top_direction(s.data, o.m, &s.v_1);
    if (status == CONDENSE_OK) {
        clock_gettime(CLOCK_MONOTONIC, &s.pc.start);
        s.pc.last = s.pc.start;
        if (strcmp(o.optimizer, "flow") == 0)
            status = train_flow(&s, resume);
        else
            status = train_discrete(&s, resume);
    }
    if (status == CONDENSE_OK) status = write_loss(&o, s.net, s.loss, s.acc, o.epochs + 1);
    if (status == CONDENSE_OK && o.checkpoint_every > 0) /* complete: the checkpoint is spent */
        cli_checkpoint_remove(o.out);
    if (status == CONDENSE_OK) {
        const double el = seconds_since(&s.pc.start) - s.pc.saving;
        fprintf(stderr,
                "%s train: %zu epochs in %.3f s (%.4f s per epoch), plus %.3f s writing "
                "files\n",
                cli_program, o.epochs, el, o.epochs > 0 ? el / (double)o.epochs : 0.0, s.pc.saving);
        if (o.plot) run_plot(&o);
    }
    free(s.loss);
    free(s.acc);
    free(s.grad);
    free(s.v_1);
    condense_adam_free(s.adam);
    if (resume != NULL) cli_checkpoint_free(&resume->file);
    gsl_rng_free(rng);
    condense_exp_workspace_free(s.ws);
    condense_exp_net_free(s.net);
    condense_data_free(s.data);
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}
