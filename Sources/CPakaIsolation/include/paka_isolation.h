/* Host-internal helpers for crash containment (not part of the plugin ABI). */
#ifndef PAKA_ISOLATION_H
#define PAKA_ISOLATION_H
#include <stddef.h>
#include <sys/types.h>

/* Starts `executable` with `argv` and `envp` (NULL-terminated); `child_fd` becomes fd 3 in the
 * child and every other descriptor above 2 is closed there.  Returns 0 and the pid, or an errno. */
int paka_spawn_worker(const char *executable, char *const argv[], char *const envp[], int child_fd, pid_t *pid);

/* In a worker: be killed when the host process dies (even while stuck in a plugin call). */
int paka_worker_die_with_parent(void);

/* In a worker: cap its address space (RLIMIT_AS) at `megabytes`; 0 or an errno. */
int paka_worker_limit_memory(size_t megabytes);

/* Crash journal slots: each a line of text in a MAP_SHARED mapping of a file, so that what was
 * in flight survives the process.  Opening resets the file (read it first).  Returns the slot
 * or -1.  Layout: "PAKAJRN1", length (8 bytes, native), fatal signal (4 bytes), 4 spare, text. */
int paka_journal_open(const char *path, size_t capacity);
/* Marks `text` (one line) as in flight; it is written to the file at once. */
void paka_journal_begin(int slot, const char *text, size_t length);
/* Nothing in flight any more. */
void paka_journal_end(int slot);

/* Installs (once) handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT that write every
 * slot in flight to stderr with write(2) only, then let the signal kill the process. */
void paka_journal_install_signal_handlers(void);
#endif
