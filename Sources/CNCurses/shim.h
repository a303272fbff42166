/* The ncursesw surface TerminalNCurses uses, plus static inline shims for what Swift cannot import:
 * function-like and composite macros (COLOR_PAIR, A_BOLD, getmaxy) and the mutable C globals
 * (stdscr, stdin, stdout), which Swift 6 rejects as not concurrency-safe. */
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1 /* wide-character API: mvwaddnwstr, wget_wch */
#endif
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

static inline int cnc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int cnc_a_normal(void) { return (int)A_NORMAL; }
static inline int cnc_a_bold(void) { return (int)A_BOLD; }
static inline int cnc_a_reverse(void) { return (int)A_REVERSE; }
static inline int cnc_a_underline(void) { return (int)A_UNDERLINE; }
static inline int cnc_a_dim(void) { return (int)A_DIM; }
static inline int cnc_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int cnc_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int cnc_wattrset(WINDOW *w, int attributes) { return wattrset(w, attributes); }
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline FILE *cnc_stdin(void) { return stdin; }
static inline FILE *cnc_stdout(void) { return stdout; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline const char *cnc_codeset(void) { return nl_langinfo(CODESET); }
/* tigetstr returns (char *)-1 for a name that is not a string capability, NULL when absent. */
static inline int cnc_has_string_capability(const char *name) {
    char *value = tigetstr(name);
    return value != NULL && value != (char *)-1;
}
#endif
