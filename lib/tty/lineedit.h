/* SPDX-License-Identifier: MIT */
/*
 * An interactive line editor for the shell, in the manner of readline but
 * small: fed the bytes of a terminal in raw mode one at a time, it keeps the
 * line, a history and the cursor, and redraws with a handful of ANSI
 * sequences ("\r", ESC [ K, ESC [ n C, ESC [ n D) that both a serial terminal
 * and the framebuffer console understand. The display is one row: a line
 * wider than the terminal scrolls sideways. Characters are taken to be one
 * column wide (UTF-8 sequences are kept whole); other control bytes are
 * ignored.
 */
#pragma once

#include <lib/format.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX          255 /* bytes in a line, the terminating NUL excluded */
#define LINEEDIT_HISTORY      16  /* lines the history remembers */
#define LINEEDIT_DEFAULT_COLS 80  /* terminal width until lineedit_set_cols() */

/* What lineedit_feed() says about the line after a byte. */
enum lineedit_status {
	LINEEDIT_EDITING, /* keep feeding */
	LINEEDIT_DONE,    /* Enter: lineedit_line() is the line; it is in the history */
	LINEEDIT_CANCEL,  /* ^C: the line was abandoned ("^C" and a newline were shown) */
	LINEEDIT_EOF,     /* ^D on an empty line: the user is done */
	LINEEDIT_CLEAR,   /* ^L: clear the screen, then call lineedit_refresh(); keep feeding */
};

struct lineedit;

/*
 * What a completion callback is asked about: the word before the cursor. It
 * calls lineedit_offer() once for each candidate that starts with it, and must
 * offer the same candidates when asked twice in a row (the second time the
 * editor lists them).
 */
struct lineedit_completion {
	const char *prefix; /* the word before the cursor, not NUL-terminated */
	size_t prefix_len;  /* its length in bytes */
	unsigned word;      /* which word it is: 0 for the command name, 1... for arguments */
	/* Private to the editor. */
	struct lineedit *le;
	bool listing;               /* print candidates instead of counting them */
	unsigned matches;           /* candidates offered so far */
	size_t common;              /* length of their longest common prefix */
	char lcp[LINEEDIT_MAX + 1]; /* that prefix */
	size_t col;                 /* output column while listing */
};

typedef void (*lineedit_complete_fn)(void *ctx, struct lineedit_completion *c);

/*
 * One editor. Fields are private. It keeps no lock and never sleeps: the shell
 * task that owns it is its only user. The prompt string must stay valid while
 * a line is edited.
 */
struct lineedit {
	fmt_sink_fn out; /* where redraw output goes */
	void *out_ctx;
	lineedit_complete_fn complete; /* Tab; NULL: Tab rings the bell */
	void *complete_ctx;
	const char *prompt;         /* shown before the line */
	size_t prompt_cols;         /* columns the prompt takes (escape sequences take none) */
	unsigned cols;              /* terminal width in columns; 0: unlimited */
	char buf[LINEEDIT_MAX + 1]; /* the line, NUL-terminated */
	size_t len, pos;            /* bytes in buf, cursor byte offset */
	size_t shown;               /* first byte of buf on screen (sideways scrolling) */
	bool active;                /* a line is being edited */
	uint8_t esc;                /* escape-sequence parser state */
	unsigned esc_arg[2];        /* its first two numeric parameters */
	uint8_t esc_nargs;          /* parameter being read (2: a third or later, ignored) */
	uint8_t utf8[4];            /* a UTF-8 sequence being received */
	uint8_t utf8_have, utf8_need;
	bool last_cr;  /* the previous byte was CR, so an LF after it is the same Enter */
	bool last_tab; /* the previous key was an ambiguous Tab */
	char hist[LINEEDIT_HISTORY][LINEEDIT_MAX + 1]; /* a ring of lines */
	unsigned hist_count;                           /* lines in it */
	unsigned hist_next;                            /* slot the next line goes to */
	unsigned hist_pos;            /* 0: editing a new line; n: showing the nth newest */
	char saved[LINEEDIT_MAX + 1]; /* the new line, kept while browsing the history */
};

/* Set up @le (empty history, LINEEDIT_DEFAULT_COLS) writing to @out(@ctx, ...). */
void lineedit_init(struct lineedit *le, fmt_sink_fn out, void *ctx);

/* Use @fn(@ctx, ...) for Tab completion (NULL to turn it off). */
void lineedit_set_completion(struct lineedit *le, lineedit_complete_fn fn, void *ctx);

/* Tell the editor the terminal is @cols columns wide (0: never scroll). */
void lineedit_set_cols(struct lineedit *le, unsigned cols);

/* Begin a new, empty line: print @prompt (kept by reference) where the cursor is. */
void lineedit_start(struct lineedit *le, const char *prompt);

/*
 * Take one byte from the terminal. Returns what happened to the line (see
 * enum lineedit_status). After DONE, CANCEL or EOF the editor is idle until
 * lineedit_start(); a byte fed to an idle editor starts a new line with the
 * last prompt first.
 */
enum lineedit_status lineedit_feed(struct lineedit *le, uint8_t c);

/* Redraw the prompt and the line on the current row (after ^L or foreign output). */
void lineedit_refresh(struct lineedit *le);

/* The line as it stands (after DONE: as entered), NUL-terminated; valid until the next feed. */
const char *lineedit_line(const struct lineedit *le);

/* Cursor position in the line, in bytes. */
size_t lineedit_cursor(const struct lineedit *le);

/* From a completion callback: offer @name as a way to complete c->prefix. */
void lineedit_offer(struct lineedit_completion *c, const char *name);

/*
 * Remember @line in the history, unless it is empty or the same as the newest
 * entry; the oldest is forgotten when full. Lines ending with Enter are added
 * by the editor itself.
 */
void lineedit_history_add(struct lineedit *le, const char *line);

/* The @i-th newest history line (0: the newest), or NULL past the oldest. */
const char *lineedit_history(const struct lineedit *le, unsigned i);
