// SPDX-License-Identifier: MIT
/*
 * The line editor's history ring (up and down arrows) and Tab completion:
 * the longest common prefix of the candidates a callback offers, and on a
 * second Tab in a row their list, one row after another across the screen.
 */
#include <lib/string.h>
#include <lib/tty/lineedit_internal.h>

static bool is_blank_line(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0';
}

void lineedit_history_add(struct lineedit *le, const char *line)
{
	const char *newest = lineedit_history(le, 0);
	size_t n = strnlen(line, LINEEDIT_MAX);
	char *slot;

	if (is_blank_line(line))
		return;
	if (newest && strncmp(newest, line, n) == 0 && newest[n] == '\0')
		return;
	slot = le->hist[le->hist_next];
	memmove(slot, line, n);
	slot[n] = '\0';
	le->hist_next = (le->hist_next + 1) % LINEEDIT_HISTORY;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

const char *lineedit_history(const struct lineedit *le, unsigned i)
{
	if (i >= le->hist_count)
		return NULL;
	return le->hist[(le->hist_next + LINEEDIT_HISTORY - 1 - i) % LINEEDIT_HISTORY];
}

/*
 * Up shows the next older line, down the next newer one and finally the line
 * that was being typed, kept aside on the first step up. Edits to a recalled
 * line last until the next step.
 */
void le_history_key(struct lineedit *le, enum le_key key)
{
	if (key == LE_KEY_UP) {
		if (le->hist_pos == le->hist_count) {
			le_bell(le);
			return;
		}
		if (le->hist_pos == 0)
			memcpy(le->saved, le->buf, le->len + 1);
		le->hist_pos++;
	} else {
		if (le->hist_pos == 0) {
			le_bell(le);
			return;
		}
		le->hist_pos--;
	}
	le_load(le, le->hist_pos ? lineedit_history(le, le->hist_pos - 1) : le->saved);
}

/* Print one candidate of a listing, two spaces after the one before or on a new row. */
static void list_one(struct lineedit_completion *c, const char *name, size_t n)
{
	struct lineedit *le = c->le;
	size_t w = le_text_cols(name, n);

	if (c->col && le->cols && c->col + 2 + w >= le->cols) {
		le_put(le, "\r\n", 2);
		c->col = 0;
	} else if (c->col) {
		le_put(le, "  ", 2);
		c->col += 2;
	}
	le_put(le, name, n);
	c->col += w;
}

void lineedit_offer(struct lineedit_completion *c, const char *name)
{
	size_t n = strnlen(name, LINEEDIT_MAX), i;

	if (n < c->prefix_len || memcmp(name, c->prefix, c->prefix_len) != 0)
		return;
	if (c->listing) {
		list_one(c, name, n);
		return;
	}
	if (c->matches++ == 0) {
		memcpy(c->lcp, name, n);
		c->lcp[n] = '\0';
		c->common = n;
		return;
	}
	for (i = c->prefix_len; i < c->common && i < n && c->lcp[i] == name[i]; i++)
		;
	/* Never split a UTF-8 character between the common part and the rest. */
	while (i > c->prefix_len && le_is_cont((uint8_t)c->lcp[i]))
		i--;
	c->common = i;
}

/* Where the word before the cursor starts, and how many words come before it. */
static size_t word_start(const struct lineedit *le, unsigned *index)
{
	size_t start = le->pos, i;

	while (start > 0 && le->buf[start - 1] != ' ')
		start--;
	*index = 0;
	for (i = 0; i < start; i++)
		*index += le->buf[i] != ' ' && (i == 0 || le->buf[i - 1] == ' ');
	return start;
}

/* The only candidate: complete it and put a space after it. */
static void complete_one(struct lineedit *le, const struct lineedit_completion *c)
{
	char add[LINEEDIT_MAX + 1];
	size_t n = c->common - c->prefix_len;

	memcpy(add, c->lcp + c->prefix_len, n);
	if (le->buf[le->pos] != ' ')
		add[n++] = ' ';
	le_insert(le, add, n);
}

/* List the candidates below the line, then draw the prompt and line again. */
static void complete_list(struct lineedit *le, struct lineedit_completion *c)
{
	le_put(le, "\r\n", 2);
	c->listing = true;
	c->col = 0;
	le->complete(le->complete_ctx, c);
	le_put(le, "\r\n", 2);
	lineedit_refresh(le);
}

/*
 * Tab: complete the word before the cursor as far as all candidates agree.
 * When they agree on nothing more, the bell rings, and a second Tab in a row
 * (@again) lists them.
 */
void le_complete(struct lineedit *le, bool again)
{
	struct lineedit_completion c;
	size_t start;

	if (!le->complete) {
		le_bell(le);
		return;
	}
	memset(&c, 0, sizeof(c));
	start = word_start(le, &c.word);
	c.prefix = le->buf + start;
	c.prefix_len = le->pos - start;
	c.le = le;
	le->complete(le->complete_ctx, &c);
	if (c.matches == 0) {
		le_bell(le);
	} else if (c.matches == 1) {
		complete_one(le, &c);
	} else if (c.common > c.prefix_len) {
		le_insert(le, c.lcp + c.prefix_len, c.common - c.prefix_len);
	} else if (again) {
		complete_list(le, &c);
	} else {
		le_bell(le);
	}
	le->last_tab = c.matches > 1;
}
