#include "terminal_restore.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static volatile sig_atomic_t have_saved = 0;
static volatile sig_atomic_t armed = 0;
static volatile sig_atomic_t real_stderr = -1;
static int atexit_registered = 0;

#define FATAL_SIGNAL_COUNT 6
static const int fatal_signals[FATAL_SIGNAL_COUNT] = { SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE };
static struct sigaction previous_actions[FATAL_SIGNAL_COUNT];

static void write_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

int terminal_restore_save(int original_stderr) {
    real_stderr = original_stderr;
    if (tcgetattr(0, &saved_termios) != 0) return -1;
    have_saved = 1;
    return 0;
}

void terminal_restore_now(void) {
    /* Leave the alternate screen, reset attributes, show the cursor. */
    static const char sequence[] = "\033[?1049l\033[0m\033[?25h\r\n";
    if (have_saved) tcsetattr(0, TCSANOW, &saved_termios);
    write_all(1, sequence, sizeof(sequence) - 1);
    if (real_stderr >= 0) dup2(real_stderr, 2);
}

static void on_fatal_signal(int signal_number) {
    static const char message[] =
        "wakusync: crashed; terminal restored. The crash report follows; the log file has the last lines.\r\n";
    terminal_restore_now();
    write_all(2, message, sizeof(message) - 1);
    armed = 0;
    /* Chain to whoever was there before (Swift's backtracer prints its report), then re-raise. */
    for (int i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        if (fatal_signals[i] == signal_number) {
            sigaction(signal_number, &previous_actions[i], NULL);
            break;
        }
    }
    raise(signal_number);
}

static void at_exit(void) {
    if (armed) {
        armed = 0;
        terminal_restore_now();
    }
}

void terminal_restore_install(void) {
    if (!atexit_registered) {
        atexit(at_exit);
        atexit_registered = 1;
    }
    for (int i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_fatal_signal;
        action.sa_flags = SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(fatal_signals[i], &action, &previous_actions[i]);
    }
    armed = 1;
}

void terminal_restore_uninstall(void) {
    if (!armed) return;
    armed = 0;
    for (int i = 0; i < FATAL_SIGNAL_COUNT; i++) sigaction(fatal_signals[i], &previous_actions[i], NULL);
}
