/* mcuprov wizard: Build & flash — a thin shell over the core flow engine.
 *
 * Choose the QEMU demo (demo_run into ./mcuprov-demo, ed25519) or, with a
 * ./mcuprov.yaml, its target (flow_run: provision, build, sign, verify,
 * flash, run — the engine of `mcuprov run`).  The run happens in a worker
 * thread whose callbacks only push events into a mutex-protected queue;
 * the loop's tick drains it (ncurses is never called from the worker).
 * The screen shows the steps as a checklist with their times, a progress
 * bar, the elapsed time and a log pane following the tools' output.  c or
 * Esc asks to cancel the running step (the flow's cancel flag: the runner
 * sends SIGINT, then SIGKILL, to the tool's process group). */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/demo.h"
#include "mcuprov/fileio.h"
#include "mcuprov/flow.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"
#include "mcuprov/runner.h"

#define PROJECT_FILE "mcuprov.yaml"
#define DEMO_DIR "mcuprov-demo"
#define DEFAULT_KEY "keys/signing.pem" /* Generate key's default file */
#define ROWS_MAX 64
#define LOG_KEEP 1000 /* lines kept for the log pane */

enum phase { PH_CHOOSE, PH_DEMO_TYPE, PH_PASSWORD, PH_RUNNING, PH_DONE };

/* the types the demo loader takes, for a demo without a key of yours */
static const enum key_type demo_types[] = { KEY_ED25519, KEY_ECDSA_P256, KEY_RSA2048,
					    KEY_RSA3072 };
#define N_DEMO_TYPES ((int)(sizeof(demo_types) / sizeof(demo_types[0])))

/* per-step timeouts offered by 't' (seconds; 0: none) */
static const unsigned timeouts[] = { 0, 10, 60, 300, 900, 1800, 3600 };
#define N_TIMEOUTS (sizeof(timeouts) / sizeof(timeouts[0]))
enum mark { MK_PENDING, MK_RUNNING, MK_OK, MK_FAILED };
enum { D_CANCEL = 1, D_ERR, D_PWERR };
enum ev_type { EV_BEGIN, EV_END, EV_LINE, EV_PROGRESS, EV_DONE };

struct ev {
	enum ev_type type;
	size_t i, n;   /* step index and count (BEGIN, END) */
	int rc;        /* END, DONE */
	int percent;   /* PROGRESS */
	double secs;   /* END */
	char *text;    /* BEGIN: label, LINE: the line, END: detail, DONE: error */
	char *text2;   /* BEGIN: the command, DONE: success line or log path */
	struct ev *next;
};

/* Shared between the worker and the loop: only through the queue. */
struct job {
	pthread_mutex_t mu;
	struct ev *head, *tail;
	volatile sig_atomic_t cancel;
	bool demo;
	/* the demo's inputs: the user's key (owned by the screen, alive until
	 * the join) or a type to generate */
	struct demo_opts dopts;
	/* flow inputs (owned by the screen, alive until the join) */
	struct flow_opts fo;
	char log_path[4200];
};

struct row {
	char label[64];
	char cmd[200];
	enum mark mark;
	double secs;
};

struct build {
	struct tui_screen s;
	enum phase phase;
	int sel;
	/* the choices */
	struct project *p;
	const struct project_target *t;
	char project_note[1200];
	/* the demo, then one item per target */
	char items[1 + PROJECT_TARGETS_MAX][160];
	int n_items;
	int menu_top; /* first item shown */
	int timeout_sel; /* index into timeouts[] */
	/* the demo: the user's key when there is one, else a type to choose */
	char demo_key[4096];        /* the key file (from here), or "" */
	enum key_type demo_key_type; /* its type as the project says, or NONE */
	struct mcuprov_key *demo_k; /* loaded for the run */
	bool flash_only;            /* f: flash and run the signed image as it is */
	bool demo_pw;               /* the password asked is the demo key's */
	int demo_type_sel;
	/* keys of the project (then its encryption key), loaded before the run */
	struct tui_keyset ks;
	struct mcuprov_key *enc; /* ks.keys[n_keys] when there is one */
	/* the run */
	bool running;
	pthread_t thread;
	struct job job;
	bool demo;
	struct row rows[ROWS_MAX];
	size_t n_rows, done_rows;
	int percent; /* of the running step, -1: none reported */
	struct timespec t0;
	double elapsed;
	char *log[LOG_KEEP];
	size_t log_n;  /* lines received in total */
	int scroll;    /* lines scrolled up from the end (finished) */
	bool cancel_asked;
	char note_log[4200]; /* the log file the wizard's own lines go to, or "" */
	int rc;
	char result[1200];
	char result2[4300];
};

/* ---- the worker's side: events ------------------------------------------ */

static char *dup_text(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void push_ev(struct job *j, struct ev *e)
{
	if (e == NULL)
		return;
	e->next = NULL;
	pthread_mutex_lock(&j->mu);
	if (j->tail != NULL)
		j->tail->next = e;
	else
		j->head = e;
	j->tail = e;
	pthread_mutex_unlock(&j->mu);
}

static struct ev *new_ev(enum ev_type type)
{
	struct ev *e = calloc(1, sizeof(*e));

	if (e != NULL)
		e->type = type;
	return e;
}

static void ev_free(struct ev *e)
{
	free(e->text);
	free(e->text2);
	free(e);
}

static void push_line(struct job *j, const char *text)
{
	struct ev *e = new_ev(EV_LINE);

	if (e == NULL)
		return;
	e->type = EV_LINE;
	e->text = dup_text(text);
	push_ev(j, e);
}

static void push_progress(struct job *j, int percent)
{
	struct ev *e = new_ev(EV_PROGRESS);

	if (e == NULL)
		return;
	e->type = EV_PROGRESS;
	e->percent = percent;
	push_ev(j, e);
}

static void push_end(struct job *j, size_t i, size_t n, int rc, double secs, const char *detail)
{
	struct ev *e = new_ev(EV_END);

	if (e == NULL)
		return;
	e->type = EV_END;
	e->i = i;
	e->n = n;
	e->rc = rc;
	e->secs = secs;
	e->text = dup_text(detail);
	push_ev(j, e);
}

static void flow_begin(void *arg, size_t i, size_t n, enum flow_kind kind,
		       const char *const *argv)
{
	struct ev *e = new_ev(EV_BEGIN);
	char buf[8192];

	if (e == NULL)
		return;
	e->type = EV_BEGIN;
	e->i = i;
	e->n = n;
	e->text = dup_text(flow_kind_name(kind));
	if (argv != NULL) {
		runner_format_argv(argv, buf, sizeof(buf));
		e->text2 = dup_text(buf);
	}
	push_ev(arg, e);
}

static void flow_end(void *arg, size_t i, size_t n, enum flow_kind kind, int rc, double secs,
		     const char *detail)
{
	(void)kind;
	push_end(arg, i, n, rc, secs, detail);
}

static void flow_line(void *arg, enum flow_kind kind, int is_stderr, const char *line)
{
	(void)kind;
	(void)is_stderr;
	push_line(arg, line);
}

static void flow_progress(void *arg, enum flow_kind kind, int percent)
{
	(void)kind;
	push_progress(arg, percent);
}

static void demo_begin(void *arg, enum demo_step step)
{
	struct job *j = arg;
	struct ev *e = new_ev(EV_BEGIN);

	if (e == NULL)
		return;
	e->type = EV_BEGIN;
	e->i = (size_t)step;
	e->n = DEMO_N_STEPS;
	e->text = dup_text(demo_step_label(&j->dopts, step));
	push_ev(arg, e);
}

static void demo_end(void *arg, enum demo_step step, int rc, double secs, const char *detail)
{
	push_end(arg, (size_t)step, DEMO_N_STEPS, rc, secs, detail);
}

static void demo_line(void *arg, enum demo_step step, const char *line)
{
	(void)step;
	push_line(arg, line);
}

static void demo_progress(void *arg, enum demo_step step, int percent)
{
	(void)step;
	push_progress(arg, percent);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct mcuprov_err err;
	struct ev *e;
	char ok[1200], fail[1200];
	int rc;

	err_clear(&err);
	ok[0] = '\0';
	if (j->demo) {
		struct demo_opts o;
		struct demo_callbacks cb;
		struct demo_result res;

		o = j->dopts;
		memset(&res, 0, sizeof(res));
		o.cancel = &j->cancel;
		memset(&cb, 0, sizeof(cb));
		cb.step_begin = demo_begin;
		cb.step_end = demo_end;
		cb.line = demo_line;
		cb.progress = demo_progress;
		cb.arg = j;
		rc = demo_run(&o, &cb, &res, &err);
		if (rc == 0 && o.key != NULL)
			snprintf(ok, sizeof(ok),
				 "Demo OK: the loader trusted only your key %.16s... and booted "
				 "the app",
				 res.fingerprint);
		else if (rc == 0)
			snprintf(ok, sizeof(ok),
				 "Demo OK: the loader trusted only key %.16s... and booted the app",
				 res.fingerprint);
		snprintf(j->log_path, sizeof(j->log_path), "%s", res.log_path);
	} else {
		struct flow_callbacks cb;
		struct flow_result res;

		memset(&cb, 0, sizeof(cb));
		memset(&res, 0, sizeof(res));
		cb.step_begin = flow_begin;
		cb.step_end = flow_end;
		cb.line = flow_line;
		cb.progress = flow_progress;
		cb.arg = j;
		j->fo.cancel = &j->cancel;
		rc = flow_run(&j->fo, &cb, &res, &err);
		if (rc == 0)
			snprintf(ok, sizeof(ok), "Target '%s' OK: %zu step%s; signed image %.900s",
				 j->fo.target->name, res.steps_run, res.steps_run == 1 ? "" : "s",
				 res.signed_app);
		flow_result_free(&res);
	}
	e = new_ev(EV_DONE);
	if (e != NULL) {
		e->type = EV_DONE;
		e->rc = rc;
		if (rc < 0) {
			if (err.subject[0] != '\0')
				snprintf(fail, sizeof(fail), "mcuprov: wizard: '%.500s': %.600s",
					 err.subject, err.msg);
			else
				snprintf(fail, sizeof(fail), "mcuprov: wizard: %.1000s", err.msg);
			e->text = dup_text(fail);
		} else {
			e->text = dup_text(ok);
		}
		if (j->log_path[0] != '\0' && access(j->log_path, F_OK) == 0) {
			char lp[4300];

			snprintf(lp, sizeof(lp), "log: %s", j->log_path);
			e->text2 = dup_text(lp);
		}
	}
	push_ev(j, e);
	if (e == NULL) /* out of memory: the loop still has to notice */
		j->cancel = 2;
	tui_busy_add(-1);
	return NULL;
}

/* ---- the loop's side ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Control characters (a tool's tabs, escapes, a newline in an argv) would
 * move the cursor: shown as spaces. */
static void printable(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void log_add(struct build *b, const char *text)
{
	size_t k = b->log_n % LOG_KEEP;

	free(b->log[k]);
	b->log[k] = strdup(text != NULL ? text : "");
	printable(b->log[k]);
	b->log_n++;
}

static void log_clear(struct build *b)
{
	size_t k;

	for (k = 0; k < LOG_KEEP; k++) {
		free(b->log[k]);
		b->log[k] = NULL;
	}
	b->log_n = 0;
	b->scroll = 0;
}

/* A line of the wizard's own (Ctrl-C, a cancel asked or answered): in the
 * output pane and, as "wizard: TEXT", in the run's log file. */
static void note(struct build *b, const char *text)
{
	char line[300];
	int fd;

	snprintf(line, sizeof(line), "wizard: %s", text);
	log_add(b, line);
	if (b->note_log[0] == '\0')
		return;
	fd = open(b->note_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return; /* the run reports its log's errors */
	strcat(line, "\n");
	(void)file_write_all(fd, line, strlen(line));
	close(fd);
}

static void set_rows(struct build *b, size_t n)
{
	size_t k;

	if (n > ROWS_MAX)
		n = ROWS_MAX;
	for (k = b->n_rows; k < n; k++) {
		memset(&b->rows[k], 0, sizeof(b->rows[k]));
		snprintf(b->rows[k].label, sizeof(b->rows[k].label), "step %zu", k + 1);
	}
	b->n_rows = n;
}

static void finish(struct build *b, struct ev *e)
{
	pthread_join(b->thread, NULL);
	b->running = false;
	term_catch_sigint(false);
	b->phase = PH_DONE;
	b->elapsed = now_s() - ((double)b->t0.tv_sec + (double)b->t0.tv_nsec / 1e9);
	b->rc = e != NULL ? e->rc : -1;
	snprintf(b->result, sizeof(b->result), "%s",
		 e != NULL && e->text != NULL ? e->text : "mcuprov: wizard: out of memory");
	snprintf(b->result2, sizeof(b->result2), "%s",
		 e != NULL && e->text2 != NULL ? e->text2 : "");
}

/* Apply what the worker reported; returns true when something changed. */
static bool drain(struct build *b)
{
	struct ev *e, *next;
	bool changed = false;

	pthread_mutex_lock(&b->job.mu);
	e = b->job.head;
	b->job.head = b->job.tail = NULL;
	pthread_mutex_unlock(&b->job.mu);
	for (; e != NULL; e = next) {
		next = e->next;
		changed = true;
		switch (e->type) {
		case EV_BEGIN:
			if (e->n != b->n_rows)
				set_rows(b, e->n);
			if (e->i < b->n_rows) {
				struct row *r = &b->rows[e->i];

				snprintf(r->label, sizeof(r->label), "%s", e->text ? e->text : "");
				snprintf(r->cmd, sizeof(r->cmd), "%s", e->text2 ? e->text2 : "");
				printable(r->label);
				printable(r->cmd);
				r->mark = MK_RUNNING;
			}
			b->percent = -1;
			if (e->text2 != NULL) {
				char line[8200];

				snprintf(line, sizeof(line), "$ %s", e->text2);
				log_add(b, line);
			}
			break;
		case EV_END:
			if (e->i < b->n_rows) {
				b->rows[e->i].mark = e->rc == 0 ? MK_OK : MK_FAILED;
				b->rows[e->i].secs = e->secs;
				if (e->rc == 0)
					b->done_rows = e->i + 1;
			}
			b->percent = -1;
			break;
		case EV_LINE: log_add(b, e->text); break;
		case EV_PROGRESS: b->percent = e->percent; break;
		case EV_DONE: finish(b, e); break;
		}
		ev_free(e);
	}
	if (b->running && b->job.cancel == 2) { /* the worker had no memory */
		finish(b, NULL);
		changed = true;
	}
	return changed;
}

static int build_tick(struct tui_screen *s)
{
	struct build *b = (struct build *)s;

	if (!b->running)
		return TUI_UNHANDLED;
	drain(b);
	if (b->running)
		b->elapsed = now_s() - ((double)b->t0.tv_sec + (double)b->t0.tv_nsec / 1e9);
	return TUI_HANDLED; /* the elapsed time moves */
}

static int start(struct build *b, bool demo)
{
	struct mcuprov_err err;
	size_t k;

	b->demo = demo;
	b->n_rows = b->done_rows = 0;
	b->percent = -1;
	b->rc = 0;
	b->result[0] = b->result2[0] = '\0';
	b->cancel_asked = false;
	log_clear(b);
	b->job.cancel = 0;
	b->job.demo = demo;
	b->job.log_path[0] = '\0';
	b->note_log[0] = '\0';
	if (demo) {
		memset(&b->job.dopts, 0, sizeof(b->job.dopts));
		b->job.dopts.dir = DEMO_DIR;
		b->job.dopts.type = demo_types[b->demo_type_sel];
		b->job.dopts.key = b->demo_k;
		b->job.dopts.key_path = b->demo_k != NULL ? b->demo_key : NULL;
		for (k = 0; k < DEMO_N_STEPS; k++)
			snprintf(b->rows[k].label, sizeof(b->rows[k].label), "%s",
				 demo_step_label(&b->job.dopts, (enum demo_step)k));
		b->n_rows = DEMO_N_STEPS;
		snprintf(b->note_log, sizeof(b->note_log), "%s/demo.log", DEMO_DIR);
	} else {
		const struct project_target *t = b->t;
		const struct project_steps *lists[] = { &t->bootloader_build, &t->app_build };
		size_t i, l;

		/* the checklist before the engine reports: names only, the
		 * engine's step_begin (index, count, name) is authoritative */
		if (!b->flash_only && b->p->bootloader.kind != PROJECT_BOOT_NONE)
			snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
				 flow_kind_name(FLOW_PROVISION));
		for (l = 0; l < 2 && !b->flash_only; l++)
			for (i = 0; i < lists[l]->n && b->n_rows < ROWS_MAX - 2; i++)
				snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
					 flow_kind_name(l == 0 ? FLOW_BOOTLOADER_BUILD
							       : FLOW_APP_BUILD));
		if (!b->flash_only) {
			snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
				 flow_kind_name(FLOW_SIGN));
			snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
				 flow_kind_name(FLOW_VERIFY));
		}
		for (i = 0; i < t->flash.n && b->n_rows < ROWS_MAX; i++)
			snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
				 flow_kind_name(FLOW_FLASH));
		for (i = 0; i < t->run.n && b->n_rows < ROWS_MAX; i++)
			snprintf(b->rows[b->n_rows++].label, sizeof(b->rows[0].label), "%s",
				 flow_kind_name(FLOW_RUN));
		memset(&b->job.fo, 0, sizeof(b->job.fo));
		b->job.fo.project = b->p;
		b->job.fo.target = t;
		/* f: the signed image as it is, no keys needed */
		b->job.fo.what = b->flash_only ? FLOW_DO_FLASH | FLOW_DO_RUN
					       : FLOW_DO_PROVISION | FLOW_DO_BUILD | FLOW_DO_SIGN |
							 FLOW_DO_FLASH | FLOW_DO_RUN;
		b->job.fo.keys = (const struct mcuprov_key *const *)b->ks.keys;
		b->job.fo.n_keys = b->flash_only ? 0 : b->p->n_keys;
		b->job.fo.enc_key = b->enc;
		b->job.fo.step_timeout_ms = timeouts[b->timeout_sel] * 1000u;
		snprintf(b->job.log_path, sizeof(b->job.log_path), "%s/mcuprov.log", b->p->dir);
		b->job.fo.log_path = b->job.log_path;
		snprintf(b->note_log, sizeof(b->note_log), "%s", b->job.log_path);
	}
	for (k = 0; k < b->n_rows; k++) {
		b->rows[k].mark = MK_PENDING;
		b->rows[k].secs = 0;
		b->rows[k].cmd[0] = '\0';
	}
	clock_gettime(CLOCK_MONOTONIC, &b->t0);
	b->elapsed = 0;
	tui_busy_add(1);
	if (pthread_create(&b->thread, NULL, worker, &b->job) != 0) {
		tui_busy_add(-1);
		err_clear(&err);
		err_set(&err, MCUPROV_ERR_INTERNAL, NULL, "cannot start a thread");
		return tui_dialog_error(&b->s, D_ERR, &err);
	}
	b->running = true;
	b->phase = PH_RUNNING;
	b->s.text_input = false;
	term_catch_sigint(true); /* Ctrl-C asks, as c does */
	return TUI_HANDLED;
}

/* ---- keys of the project ---------------------------------------------------- */

static void free_keys(struct build *b)
{
	tui_keyset_clear(&b->ks);
	b->enc = NULL;
	key_free(b->demo_k);
	b->demo_k = NULL;
	b->demo_pw = false;
}

/* The demo with the user's key: load it (its password asked when it has
 * one), then run. */
static int load_demo_key(struct build *b, bool with_pw)
{
	struct mcuprov_err err;
	int rc;

	key_free(b->demo_k);
	b->demo_k = NULL;
	rc = tui_keyset_load_one(&b->ks, b->demo_key, with_pw, &b->demo_k, &err);
	if (rc == 1) {
		b->demo_pw = true;
		b->phase = PH_PASSWORD;
		b->s.text_input = true;
		return TUI_HANDLED;
	}
	if (rc < 0)
		return tui_dialog_error(&b->s,
					with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_ERR,
					&err);
	b->demo_pw = false;
	return start(b, true);
}

/* Load the project's keys and its encryption key (asking for passwords as
 * needed), check them against the types the project file states, then
 * start the run. */
static int load_keys(struct build *b, bool with_pw)
{
	struct mcuprov_err err;
	size_t k;
	int rc;

	if (b->ks.loaded == 0 && !with_pw) {
		free_keys(b);
		b->ks.n = 0;
		b->ks.signs_first = true; /* the flow signs with keys[0] only */
		for (k = 0; k < b->p->n_keys && b->ks.n < TUI_KEYSET_MAX - 1; k++) {
			b->ks.paths[b->ks.n] =
				tui_key_src(b->p->keys[k].path, b->p->keys[k].abspath);
			b->ks.names[b->ks.n++] = b->p->keys[k].path;
		}
		if (b->p->encryption_key_abspath != NULL) {
			b->ks.paths[b->ks.n] = b->p->encryption_key_abspath;
			b->ks.names[b->ks.n++] = b->p->encryption_key;
		}
	}
	rc = tui_keyset_load(&b->ks, with_pw, &err);
	if (rc == 1) {
		b->phase = PH_PASSWORD;
		b->s.text_input = true;
		return TUI_HANDLED;
	}
	if (rc < 0)
		return tui_dialog_error(&b->s,
					with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_ERR,
					&err);
	for (k = 0; k < b->p->n_keys; k++)
		if (b->ks.keys[k]->type != b->p->keys[k].type) {
			err_set(&err, MCUPROV_ERR_FORMAT, b->p->keys[k].path,
				"is %s but %s:%u says %s", key_type_name(b->ks.keys[k]->type),
				PROJECT_FILE, b->p->keys[k].mark.line,
				key_type_name(b->p->keys[k].type));
			return tui_dialog_error(&b->s, D_ERR, &err);
		}
	b->enc = b->p->encryption_key_abspath != NULL ? b->ks.keys[b->p->n_keys] : NULL;
	return start(b, false);
}

/* ---- drawing ------------------------------------------------------------------ */

static const char *mark_text(enum mark m)
{
	switch (m) {
	case MK_RUNNING: return "[>]";
	case MK_OK: return "[x]";
	case MK_FAILED: return "[!]";
	default: return "[ ]";
	}
}

static void draw_choose(struct build *b)
{
	const char *items[1 + PROJECT_TARGETS_MAX];
	char line[600];
	int y = 3, i, shown, max_shown = LINES - 17 > 2 ? LINES - 17 : 2;

	tui_frame("Build & flash",
		  b->sel > 0 ? "Up/Down move  Enter run  f flash only  t timeout  Esc back  ? help"
			     : "Up/Down move  Enter run  Esc back  ? help");
	mvaddstr(y++, 2, "What to run:");
	y++;
	/* a window over a long target list, keeping the selection in it */
	if (b->sel < b->menu_top)
		b->menu_top = b->sel;
	if (b->sel >= b->menu_top + max_shown)
		b->menu_top = b->sel - max_shown + 1;
	shown = b->n_items - b->menu_top < max_shown ? b->n_items - b->menu_top : max_shown;
	for (i = 0; i < shown; i++)
		items[i] = b->items[b->menu_top + i];
	tui_menu(y, 2, 40, items, shown, b->sel - b->menu_top);
	if (b->menu_top > 0 || b->menu_top + shown < b->n_items) {
		attron(tui_attr(TUI_PAIR_DIM));
		mvprintw(y + shown, 4, "(%d of %d: Up/Down for more)", shown, b->n_items);
		attroff(tui_attr(TUI_PAIR_DIM));
		y++;
	}
	attron(tui_attr(TUI_PAIR_DIM));
	mvaddnstr(y + b->sel - b->menu_top, 44,
		  b->sel == 0 ? "key, provision, build, sign, boot" : "provision, build, sign, flash",
		  COLS - 46);
	attroff(tui_attr(TUI_PAIR_DIM));
	y += shown + 1;
	if (b->sel == 0 && b->demo_key[0] != '\0') {
		snprintf(line, sizeof(line),
			 "The demo works in ./" DEMO_DIR " with your key %.80s%s%s%s (only read): "
			 "the demo loader's keys.c made to trust only it, loader and app built "
			 "with arm-none-eabi-gcc, the app signed with it and verified, both booted "
			 "in qemu-system-arm (as `mcuprov demo -k KEY`).",
			 b->demo_key, b->demo_key_type != KEY_TYPE_NONE ? " (" : "",
			 b->demo_key_type != KEY_TYPE_NONE ? key_type_name(b->demo_key_type) : "",
			 b->demo_key_type != KEY_TYPE_NONE ? ")" : "");
		y += tui_wrap(y, 2, COLS - 4, line, 0);
	} else if (b->sel == 0) {
		y += tui_wrap(y, 2, COLS - 4,
			      "The demo works in ./" DEMO_DIR ": a new key of the type you "
			      "choose, the demo loader's keys.c made to trust only it, loader and "
			      "app built with arm-none-eabi-gcc, the app signed and verified, both "
			      "booted in qemu-system-arm (as `mcuprov demo --type TYPE`).",
			      0);
	} else {
		y += tui_wrap(y, 2, COLS - 4,
			      "The target's steps from " PROJECT_FILE ", as `mcuprov run` runs "
			      "them; every command's output goes to mcuprov.log in the project "
			      "directory. f flashes and runs the signed image as it is (no "
			      "provisioning, build or signing).",
			      0);
		if (timeouts[b->timeout_sel] == 0)
			snprintf(line, sizeof(line), "Step timeout: none (t changes it)");
		else
			snprintf(line, sizeof(line),
				 "Step timeout: %u %s: a step running longer is stopped (t "
				 "changes it)",
				 timeouts[b->timeout_sel] < 60 ? timeouts[b->timeout_sel]
							       : timeouts[b->timeout_sel] / 60,
				 timeouts[b->timeout_sel] < 60 ? "s" : "min");
		mvaddnstr(y++, 2, line, COLS - 4);
	}
	y++;
	if (b->project_note[0] != '\0')
		tui_wrap(y, 2, COLS - 4, b->project_note,
			 b->n_items > 1 ? 0 : tui_attr(TUI_PAIR_WARN));
}

static void draw_demo_type(struct build *b)
{
	const char *items[N_DEMO_TYPES];
	int y = 3, i;

	tui_frame("Build & flash", "Up/Down move  Enter run the demo  Esc back  ? help");
	mvaddstr(y++, 2, "Demo (QEMU): no key of yours here, so the demo makes one. Its type:");
	y++;
	for (i = 0; i < N_DEMO_TYPES; i++)
		items[i] = key_type_name(demo_types[i]);
	tui_menu(y, 2, 20, items, N_DEMO_TYPES, b->demo_type_sel);
	y += N_DEMO_TYPES + 1;
	tui_wrap(y, 2, COLS - 4,
		 "The key is the demo's own, in ./" DEMO_DIR ". To see your key boot, "
		 "generate or import it first (or create a project in Settings).",
		 tui_attr(TUI_PAIR_DIM));
}

static void draw_password(struct build *b)
{
	int y = 3;

	tui_frame("Build & flash",
		  tui_keyset_wants_pin(&b->ks)
			  ? "type the PIN (not shown)  Enter next  Esc back  F1 help"
			  : "type the password (not shown)  Enter next  Esc back  F1 help");
	if (b->demo_pw)
		mvprintw(y++, 2, "Demo (QEMU) with your key");
	else
		mvprintw(y++, 2, "Target: %s", b->t->name);
	y++;
	tui_keyset_draw_pw(&b->ks, y);
}

static void draw_run(struct build *b)
{
	int y = 3, w = COLS - 4, i, vis, first, rows_h, log_top, log_h, bar_w, fill;
	double frac;
	size_t k, avail, end, start_line;
	char head[300];

	tui_frame("Build & flash",
		  b->phase == PH_RUNNING
			  ? "c/Esc cancel the running step  ? help"
			  : "Up/Down/PgUp/PgDn scroll the log  Enter/Esc back  ? help");
	if (b->demo && b->job.dopts.key != NULL)
		snprintf(head, sizeof(head), "Demo (QEMU) in ./%s, your key %.150s (%s)", DEMO_DIR,
			 b->demo_key, key_type_name(b->job.dopts.key->type));
	else if (b->demo)
		snprintf(head, sizeof(head), "Demo (QEMU) in ./%s, a new %s key", DEMO_DIR,
			 key_type_name(b->job.dopts.type));
	else
		snprintf(head, sizeof(head), "Target '%.100s' of %s%s", b->t->name, PROJECT_FILE,
			 b->flash_only ? ": flash and run the signed image as it is" : "");
	mvaddnstr(y++, 2, head, w);

	/* the checklist: the running (or last) step kept in view */
	rows_h = LINES - 18;
	if (rows_h < 6)
		rows_h = 6;
	vis = (int)b->n_rows < rows_h ? (int)b->n_rows : rows_h;
	first = 0;
	for (k = 0; k < b->n_rows; k++)
		if (b->rows[k].mark != MK_PENDING)
			first = (int)k;
	first = first - vis + 2;
	if (first > (int)b->n_rows - vis)
		first = (int)b->n_rows - vis;
	if (first < 0)
		first = 0;
	for (i = 0; i < vis; i++) {
		const struct row *r = &b->rows[first + i];
		int attr = 0;
		char t[32] = "";

		if (r->mark == MK_OK)
			attr = tui_attr(TUI_PAIR_OK);
		else if (r->mark == MK_FAILED)
			attr = tui_attr(TUI_PAIR_ERROR);
		else if (r->mark == MK_RUNNING)
			attr = (int)A_BOLD;
		if (r->mark == MK_OK || r->mark == MK_FAILED)
			snprintf(t, sizeof(t), "%7.2f s", r->secs);
		else if (r->mark == MK_RUNNING)
			snprintf(t, sizeof(t), "%7s", "...");
		attron(attr);
		mvprintw(y + i, 2, "%s %-22.22s %-9s", mark_text(r->mark), r->label, t);
		attroff(attr);
		if (r->cmd[0] != '\0' && COLS - 42 > 4) {
			attron(tui_attr(TUI_PAIR_DIM));
			mvaddnstr(y + i, 40, r->cmd, COLS - 42);
			attroff(tui_attr(TUI_PAIR_DIM));
		}
	}
	y += vis;

	/* progress: the steps done, plus the running step's reported share */
	frac = b->n_rows ? (double)b->done_rows / (double)b->n_rows : 0;
	if (b->phase == PH_RUNNING && b->percent >= 0 && b->n_rows)
		frac += (double)b->percent / 100.0 / (double)b->n_rows;
	if (b->phase == PH_DONE && b->rc == 0)
		frac = 1;
	if (frac > 1)
		frac = 1;
	bar_w = 40;
	fill = (int)(frac * bar_w + 0.5);
	mvaddch(y, 2, '[');
	for (i = 0; i < bar_w; i++)
		addch(i < fill ? '#' : '.');
	printw("] %3d%%   elapsed %.1f s", (int)(frac * 100 + 0.5), b->elapsed);
	y++;

	/* the log pane */
	log_top = y;
	tui_hline(log_top, 2, w);
	mvaddstr(log_top, 4, b->phase == PH_RUNNING ? " output (following) " : " output ");
	log_h = LINES - 4 - (log_top + 1);
	if (log_h < 1)
		log_h = 1;
	avail = b->log_n < LOG_KEEP ? b->log_n : LOG_KEEP;
	if ((size_t)b->scroll > (avail > (size_t)log_h ? avail - (size_t)log_h : 0))
		b->scroll = (int)(avail > (size_t)log_h ? avail - (size_t)log_h : 0);
	end = b->log_n - (size_t)b->scroll;
	start_line = end > (size_t)log_h ? end - (size_t)log_h : 0;
	if (b->log_n - start_line > avail)
		start_line = b->log_n - avail;
	for (k = start_line, i = 0; k < end && i < log_h; k++, i++)
		mvaddnstr(log_top + 1 + i, 2, b->log[k % LOG_KEEP], w);
	if (b->scroll > 0) {
		attron(tui_attr(TUI_PAIR_DIM));
		mvprintw(log_top, COLS - 24, " %d more below ", b->scroll);
		attroff(tui_attr(TUI_PAIR_DIM));
	}

	/* the result */
	if (b->phase == PH_DONE) {
		int attr = (b->rc == 0 ? tui_attr(TUI_PAIR_OK) : tui_attr(TUI_PAIR_ERROR)) | A_BOLD;

		attron(attr);
		mvaddnstr(LINES - 4, 2, b->result, w);
		attroff(attr);
		mvaddnstr(LINES - 3, 2, b->result2, w);
	} else if (b->cancel_asked && b->job.cancel) {
		mvaddnstr(LINES - 4, 2, "cancelling: the tool gets SIGINT, then SIGKILL...", w);
	}
}

static void build_draw(struct tui_screen *s)
{
	struct build *b = (struct build *)s;

	switch (b->phase) {
	case PH_CHOOSE: draw_choose(b); break;
	case PH_DEMO_TYPE: draw_demo_type(b); break;
	case PH_PASSWORD: draw_password(b); break;
	default: draw_run(b); break;
	}
}

/* ---- events ---------------------------------------------------------------------- */

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int build_event(struct tui_screen *s, int key)
{
	struct build *b = (struct build *)s;

	switch (b->phase) {
	case PH_CHOOSE:
		if (tui_menu_key(key, &b->sel, b->n_items))
			return TUI_HANDLED;
		if ((key == 'f' || key == 'F') && b->sel > 0) {
			b->t = &b->p->targets[b->sel - 1];
			free_keys(b);
			b->flash_only = true;
			return start(b, false);
		}
		if (is_enter(key)) {
			b->flash_only = false;
			if (b->sel == 0 && b->demo_key[0] != '\0') {
				free_keys(b);
				return load_demo_key(b, false);
			}
			if (b->sel == 0) {
				free_keys(b);
				b->phase = PH_DEMO_TYPE;
				return TUI_HANDLED;
			}
			b->t = &b->p->targets[b->sel - 1];
			free_keys(b);
			return load_keys(b, false);
		}
		if ((key == 't' || key == 'T') && b->sel > 0) {
			b->timeout_sel = (b->timeout_sel + 1) % (int)N_TIMEOUTS;
			return TUI_HANDLED;
		}
		return key == 27 ? TUI_BACK : TUI_UNHANDLED;
	case PH_DEMO_TYPE:
		if (tui_menu_key(key, &b->demo_type_sel, N_DEMO_TYPES))
			return TUI_HANDLED;
		if (is_enter(key))
			return start(b, true);
		if (key == 27) {
			b->phase = PH_CHOOSE;
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	case PH_PASSWORD:
		if (key == 27) {
			free_keys(b);
			b->phase = PH_CHOOSE;
			b->s.text_input = false;
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return b->demo_pw ? load_demo_key(b, true) : load_keys(b, true);
		return tui_keyset_key(&b->ks, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case PH_RUNNING:
		if (key == TUI_KEY_CTRL_C)
			note(b, "Ctrl-C: asking whether to cancel the running step");
		else if (key == 'c' || key == 'C' || key == 27)
			note(b, "asking whether to cancel the running step");
		if (key == TUI_KEY_CTRL_C || key == 'c' || key == 'C' || key == 27)
			return tui_dialog_confirm(s, D_CANCEL, "Cancel?",
						  "Cancel the running step? The tool is stopped "
						  "(SIGINT, then SIGKILL) and the run ends there.",
						  "Cancel step", "Keep running");
		return TUI_HANDLED;
	case PH_DONE: {
		int page = LINES - 18 > 1 ? LINES - 18 : 1;

		switch (key) {
		case KEY_UP: b->scroll++; return TUI_HANDLED;
		case KEY_DOWN: b->scroll = b->scroll > 0 ? b->scroll - 1 : 0; return TUI_HANDLED;
		case KEY_PPAGE: b->scroll += page; return TUI_HANDLED;
		case KEY_NPAGE:
			b->scroll = b->scroll > page ? b->scroll - page : 0;
			return TUI_HANDLED;
		case KEY_HOME: b->scroll = (int)b->log_n; return TUI_HANDLED;
		case KEY_END: b->scroll = 0; return TUI_HANDLED;
		default: break;
		}
		if (is_enter(key) || key == 27)
			return TUI_BACK;
		return TUI_UNHANDLED;
	}
	}
	return TUI_UNHANDLED;
}

static int build_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct build *b = (struct build *)s;

	switch (id) {
	case D_CANCEL:
		if (yes && b->running) {
			b->job.cancel = 1;
			b->cancel_asked = true;
			note(b, "cancel: the running step is stopped");
		} else if (b->running) {
			note(b, "cancel: no, the step keeps running");
		}
		break;
	case D_PWERR:
		b->phase = PH_PASSWORD; /* asked again */
		b->s.text_input = true;
		break;
	case D_ERR:
		free_keys(b);
		b->phase = PH_CHOOSE;
		b->s.text_input = false;
		break;
	default: break;
	}
	return TUI_HANDLED;
}

static void build_destroy(struct tui_screen *s)
{
	struct build *b = (struct build *)s;
	struct ev *e, *next;

	if (b->running) {
		b->job.cancel = 1;
		pthread_join(b->thread, NULL);
		term_catch_sigint(false);
	}
	for (e = b->job.head; e != NULL; e = next) {
		next = e->next;
		ev_free(e);
	}
	pthread_mutex_destroy(&b->job.mu);
	log_clear(b);
	free_keys(b);
	project_free(b->p);
	free(b);
}

/* The key the demo runs with: the project's signing key, else the file
 * Generate key makes by default, when it exists; else the demo makes one
 * (of the project's type first, when there is a project). */
static void find_demo_key(struct build *b)
{
	struct project *p = NULL;
	struct mcuprov_err err;
	int i;

	b->demo_key[0] = '\0';
	b->demo_key_type = KEY_TYPE_NONE;
	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) == 0 && project_load(PROJECT_FILE, &p, &err) == 0) {
		if (pkcs11_is_uri(p->keys[0].path)) {
			/* a token key: the demo signs with it there */
			snprintf(b->demo_key, sizeof(b->demo_key), "%.4000s", p->keys[0].path);
			b->demo_key_type = p->keys[0].type;
		} else if (access(p->keys[0].abspath, F_OK) == 0) {
			file_rel_cwd(p->keys[0].abspath, b->demo_key, sizeof(b->demo_key));
			b->demo_key_type = p->keys[0].type;
		}
		for (i = 0; i < N_DEMO_TYPES; i++)
			if (demo_types[i] == p->keys[0].type)
				b->demo_type_sel = i;
		project_free(p);
		return;
	}
	if (access(DEFAULT_KEY, F_OK) == 0)
		snprintf(b->demo_key, sizeof(b->demo_key), "%s", DEFAULT_KEY);
}

struct tui_screen *screen_build_new(void)
{
	struct build *b = calloc(1, sizeof(*b));
	struct mcuprov_err err;

	if (b == NULL)
		return NULL;
	pthread_mutex_init(&b->job.mu, NULL);
	b->s.title = "Build & flash";
	b->s.help = "Runs the QEMU demo (as `mcuprov demo`, in ./mcuprov-demo: with your "
		    "key - the project's signing key, else keys/signing.pem - when it exists, "
		    "else with a new key of the type you choose) or the "
		    "project's target from mcuprov.yaml (as `mcuprov run`: provision, build, "
		    "sign, verify, flash, run; f instead flashes and runs the signed image as "
		    "it is). The steps show [ ] pending, [>] running, [x] "
		    "done, [!] failed, with their times; the output follows below. While it "
		    "runs, c, Esc or Ctrl-C asks to cancel the running step. When it is over, "
		    "Up/Down and PgUp/PgDn scroll the output and Enter or Esc goes back.";
	b->s.draw = build_draw;
	b->s.event = build_event;
	b->s.tick = build_tick;
	b->s.tick_covered = true;
	b->s.on_dialog = build_on_dialog;
	b->s.destroy = build_destroy;
	b->ks.pw.secret = true;
	b->percent = -1;
	snprintf(b->items[b->n_items++], sizeof(b->items[0]), "Demo (QEMU)");
	find_demo_key(b);
	if (access(PROJECT_FILE, F_OK) == 0) {
		err_clear(&err);
		if (project_load(PROJECT_FILE, &b->p, &err) == 0 && b->p->n_targets == 0)
			/* the message `mcuprov run` gives */
			project_target_get(b->p, NULL, &b->t, &err);
		if (b->p == NULL || b->p->n_targets == 0) {
			if (err.subject[0] != '\0')
				snprintf(b->project_note, sizeof(b->project_note),
					 "mcuprov: wizard: '%.400s': %.700s", err.subject, err.msg);
			else
				snprintf(b->project_note, sizeof(b->project_note),
					 "mcuprov: wizard: %.1100s", err.msg);
			project_free(b->p);
			b->p = NULL;
			b->t = NULL;
		} else {
			const struct project_target *def = project_target(b->p, NULL);
			size_t i;

			for (i = 0; i < b->p->n_targets && i < PROJECT_TARGETS_MAX; i++)
				snprintf(b->items[b->n_items++], sizeof(b->items[0]),
					 "Run target %.100s%s", b->p->targets[i].name,
					 &b->p->targets[i] == def && b->p->n_targets > 1
						 ? " (default)"
						 : "");
			/* start on the default target when there is one */
			if (def != NULL)
				b->sel = 1 + (int)(def - b->p->targets);
			if (b->p->n_targets == 1)
				snprintf(b->project_note, sizeof(b->project_note),
					 "Project: %s, target '%.100s'.", PROJECT_FILE, def->name);
			else
				snprintf(b->project_note, sizeof(b->project_note),
					 "Project: %s, %zu targets%s.", PROJECT_FILE,
					 b->p->n_targets,
					 def != NULL ? "" : " and no default_target: choose one");
		}
	}
	return &b->s;
}
