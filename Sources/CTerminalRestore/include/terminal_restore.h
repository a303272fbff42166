/* Crash-time terminal restore for the TUI.
 *
 * Everything here runs in signal handlers or at exit, so it is plain async-signal-safe C:
 * tcsetattr, write, dup2, sigaction, raise. Swift code must not run at that point. */
#ifndef TERMINAL_RESTORE_H
#define TERMINAL_RESTORE_H

/* Saves the terminal settings of fd 0 before curses changes them, and which fd holds the real
 * stderr while fd 2 points at the log file (-1 when not redirected). Returns 0 on success. */
int terminal_restore_save(int original_stderr);

/* Restores the saved settings, leaves the alternate screen, resets attributes, shows the cursor
 * and points fd 2 back at the real stderr. Safe to call more than once. */
void terminal_restore_now(void);

/* Installs handlers for SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS and SIGFPE that restore the
 * terminal, print one line, then re-install the previous handler (Swift's backtracer) and re-raise.
 * Also arms an atexit hook so an exit() while the TUI runs leaves the terminal usable. */
void terminal_restore_install(void);

/* Puts the previous handlers back and disarms the hooks; call after a normal teardown. */
void terminal_restore_uninstall(void);

#endif
